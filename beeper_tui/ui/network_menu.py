"""The network menu: which of a person's networks to message (or copy from).

Each identity is listed with its account's status badge and whether the
person can be messaged there; the most likely one is highlighted, so Enter
with no change keeps the one-key speed of a single-network person. For a
message an optional draft can be typed; Beeper Desktop opens the chat with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar, Final

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from beeper_tui.service.chats import relative_time
from beeper_tui.service.person import Contact

from .accounts_sidebar import BADGE_STYLES
from .cell_text import cell_text

if TYPE_CHECKING:
    from beeper_tui.service.identity_choice import IdentityOption, Purpose

__all__ = ["NetworkChoice", "NetworkMenu", "option_prompt"]

_LABEL_CELLS: Final = 40
_DETAIL_CELLS: Final = 56
_DRAFT_MAX: Final = 4000


@dataclass(frozen=True, slots=True)
class NetworkChoice:
    """What the menu answers: the identity to use and, for a message, the draft."""

    identity: Contact
    draft: str | None
    """Text to pre-fill in the chat (``draftText``); None when nothing was typed."""
    warning: str | None
    """Something to tell the user (the account is not connected); None when fine."""


def option_prompt(option: IdentityOption, now: datetime) -> Text:
    """Two lines: badge and ``Network · account``; then handle, messageability, last chat."""
    badge = option.badge
    style = BADGE_STYLES[badge.level]
    prompt = Text(end="", no_wrap=True)
    prompt.append(f"{badge.symbol} ", style)
    prompt.append_text(cell_text(option.label, _LABEL_CELLS, "bold", pad=False))
    prompt.append(f"  {badge.label}", style)
    prompt.append("\n  ")
    details: list[tuple[str, str]] = []
    if option.handle:
        details.append((option.handle, ""))
    if option.problem is not None:
        details.append((option.problem, "yellow"))
    elif not option.messageable:
        details.append(("can't be messaged", "yellow"))
    else:
        details.append(("can be messaged", "green"))
    if option.warning is not None:
        details.append((option.warning, "yellow"))
    if option.last_activity is not None:
        details.append((f"last chat {relative_time(option.last_activity, now)}", "dim"))
    used = 0
    for index, (value, part_style) in enumerate(details):
        if index:
            if used + 4 > _DETAIL_CELLS:
                break  # no room for even one more character
            prompt.append(" · ", "dim")
            used += 3
        piece = cell_text(value, max(0, _DETAIL_CELLS - used), part_style, pad=False)
        used += piece.cell_len
        prompt.append_text(piece)
        if used >= _DETAIL_CELLS:
            break
    return prompt


class NetworkMenu(ModalScreen[NetworkChoice | None]):
    """Pick one of the person's identities; Escape closes without choosing."""

    DEFAULT_CSS = """
    NetworkMenu {
        align: center middle;
        background: $background 70%;
    }
    NetworkMenu #network-options {
        height: auto;
        max-height: 14;
        border: none;
        margin-bottom: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close_menu", "Close", id="network_menu.close")
    ]

    def __init__(
        self,
        options: Sequence[IdentityOption],
        *,
        purpose: Purpose = "message",
        person: str = "",
        now: datetime | None = None,
    ) -> None:
        super().__init__()
        self.options = list(options)
        self.purpose: Purpose = purpose
        self.person = person
        self.now = now or datetime.now(UTC)

    @property
    def preselected(self) -> int | None:
        """Index of the option highlighted on open: the first usable (most likely) one."""
        return next((i for i, o in enumerate(self.options) if o.usable), None)

    def compose(self) -> ComposeResult:
        verb = "Message" if self.purpose == "message" else "Copy from"
        with Vertical(id="network-dialog", classes="dialog") as dialog:
            dialog.border_title = f"{verb} which network?"
            heading = Text(f"{verb} ", "bold", end="")
            heading.append_text(cell_text(self.person, 40, "bold", pad=False))
            yield Static(heading, id="network-heading")
            yield OptionList(
                *(Option(option_prompt(o, self.now), disabled=not o.usable) for o in self.options),
                id="network-options",
            )
            if self.purpose == "message":
                yield Input(
                    placeholder="Draft (optional): typed into the chat, not sent",
                    max_length=_DRAFT_MAX,
                    id="network-draft",
                )
            hint = (
                "Enter picks · Tab to the draft · Esc closes"
                if self.purpose == "message"
                else "Enter picks · Esc closes"
            )
            yield Static(Text(hint), classes="hint")

    def on_mount(self) -> None:
        options = self.query_one("#network-options", OptionList)
        options.highlighted = self.preselected
        options.focus()

    def action_close_menu(self) -> None:
        """Close without choosing."""
        self.dismiss(None)

    @on(OptionList.OptionSelected, "#network-options")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._answer(event.option_index)

    @on(Input.Submitted, "#network-draft")
    def _draft_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        highlighted = self.query_one("#network-options", OptionList).highlighted
        if highlighted is None:
            highlighted = self.preselected
        if highlighted is not None:
            self._answer(highlighted)

    def _answer(self, index: int) -> None:
        option = self.options[index]
        if not option.usable:
            return
        draft: str | None = None
        if self.purpose == "message":
            typed = self.query_one("#network-draft", Input).value
            draft = typed if typed.strip() else None
        self.dismiss(NetworkChoice(option.identity, draft, option.warning))
