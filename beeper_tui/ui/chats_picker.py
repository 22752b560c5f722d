"""The chats picker: the chats with a person, newest first; Enter picks one to open."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar, Final

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from beeper_tui.service.chats import relative_time

from .cell_text import cell_text

if TYPE_CHECKING:
    from beeper_tui.service.chats import PersonChat

__all__ = ["ChatsPicker", "chat_prompt"]

_NETWORK_CELLS: Final = 12
_TITLE_CELLS: Final = 34
_WHEN_CELLS: Final = 11


def chat_prompt(item: PersonChat, now: datetime) -> Text:
    """One row: network, title, last activity and unread count, in fixed cell widths."""
    row = Text(end="", no_wrap=True)
    row.append_text(cell_text(item.network, _NETWORK_CELLS, "bold"))
    row.append(" ")
    row.append_text(cell_text(("👥 " if item.is_group else "") + item.title, _TITLE_CELLS))
    row.append(" ")
    when = relative_time(item.last_activity, now) if item.last_activity else ""
    row.append_text(cell_text(when, _WHEN_CELLS, "dim"))
    unread = item.chat.unread_count
    if unread > 0:
        row.append(" ")
        row.append(f" {min(unread, 999)} ", "bold reverse")
    return row


class ChatsPicker(ModalScreen[str | None]):
    """Lists the chats with a person; Enter returns the chosen chat's ID, Escape closes."""

    DEFAULT_CSS = """
    ChatsPicker {
        align: center middle;
        background: $background 70%;
    }
    ChatsPicker #chats-options {
        height: auto;
        max-height: 16;
        border: none;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss_picker", "Close", id="chats_picker.close")
    ]

    def __init__(
        self, chats: Sequence[PersonChat], *, person: str, now: datetime | None = None
    ) -> None:
        super().__init__()
        self.chats = list(chats)
        self.person = person
        self.now = now or datetime.now(UTC)

    def compose(self) -> ComposeResult:
        with Vertical(id="chats-dialog", classes="dialog") as dialog:
            dialog.border_title = "Open a chat"
            heading = Text("Chats with ", "bold", end="")
            heading.append_text(cell_text(self.person, 40, "bold", pad=False))
            yield Static(heading, id="chats-heading")
            if not self.chats:
                yield Static(Text("No chats with this person yet."), classes="hint")
            options = [Option(chat_prompt(c, self.now)) for c in self.chats]
            yield OptionList(*options, id="chats-options")
            yield Static(
                Text("Enter opens the chat in Beeper Desktop · Esc closes"), classes="hint"
            )

    def on_mount(self) -> None:
        options = self.query_one("#chats-options", OptionList)
        if self.chats:
            options.highlighted = 0
        options.focus()

    def action_dismiss_picker(self) -> None:
        """Close without choosing."""
        self.dismiss(None)

    @on(OptionList.OptionSelected, "#chats-options")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.chats[event.option_index].id)
