"""The reminder menu (``R``): which chat, when (presets), "dismiss when they write", or remove."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, OptionList, Static
from textual.widgets.option_list import Option

from beeper_tui.service.chats import PersonChat

from .cell_text import cell_text
from .chats_picker import chat_prompt

if TYPE_CHECKING:
    from beeper_tui.service.reminders import Preset

__all__ = ["REMOVE", "ReminderChoice", "ReminderMenu"]

REMOVE = "remove"
"""The option that removes the chat's reminder."""


@dataclass(frozen=True, slots=True)
class ReminderChoice:
    """What the user chose: the chat, when (None: remove its reminder), and the flag."""

    chat_id: str
    preset: Preset | None
    dismiss_on_incoming: bool = False


class ReminderMenu(ModalScreen[ReminderChoice | None]):
    """Pick the chat (when there are several), then when; Enter sets, Escape closes."""

    DEFAULT_CSS = """
    ReminderMenu {
        align: center middle;
        background: $background 70%;
    }
    ReminderMenu OptionList {
        height: auto;
        max-height: 10;
        border: none;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", id="reminder_menu.close")
    ]

    def __init__(
        self,
        chats: Sequence[PersonChat],
        presets: Sequence[tuple[Preset, datetime]],
        *,
        person: str,
        now: datetime,
    ) -> None:
        super().__init__()
        self.chats = list(chats)
        self.presets = list(presets)
        self.person = person
        self.now = now

    def compose(self) -> ComposeResult:
        with Vertical(id="reminder-dialog", classes="dialog") as dialog:
            dialog.border_title = "Remind me"
            heading = Text("Remind me about ", "bold", end="")
            heading.append_text(cell_text(self.person, 40, "bold", pad=False))
            yield Static(heading)
            if len(self.chats) > 1:
                yield Static(Text("On which chat", "dim"), classes="hint")
                yield OptionList(
                    *(Option(chat_prompt(c, self.now)) for c in self.chats), id="reminder-chats"
                )
            yield Static(Text("When", "dim"), classes="hint")
            yield OptionList(id="reminder-when")
            yield Checkbox("Dismiss when they write", id="reminder-dismiss")
            yield Static(Text("Enter sets the reminder · Tab moves · Esc closes"), classes="hint")

    def on_mount(self) -> None:
        self._fill_when()
        if len(self.chats) > 1:
            chats = self.query_one("#reminder-chats", OptionList)
            chats.highlighted = 0
            chats.focus()
        else:
            self.query_one("#reminder-when", OptionList).focus()

    @property
    def chat(self) -> PersonChat:
        """The chat the reminder goes on: the one highlighted, else the most recent."""
        if len(self.chats) > 1:
            index = self.query_one("#reminder-chats", OptionList).highlighted
            if index is not None:
                return self.chats[index]
        return self.chats[0]

    def _fill_when(self) -> None:
        local = self.now.astimezone()
        options = []
        for preset, when in self.presets:
            prompt = Text(f"{preset.label:<18}", end="")
            prompt.append(when.astimezone(local.tzinfo).strftime("%a %d %b %H:%M"), "dim")
            options.append(Option(prompt, id=preset.name))
        if self.chat.chat.reminder is not None:
            options.append(Option(Text("Remove the reminder", "bold red"), id=REMOVE))
        menu = self.query_one("#reminder-when", OptionList)
        menu.set_options(options)
        menu.highlighted = 0

    @on(OptionList.OptionHighlighted, "#reminder-chats")
    def _chat_highlighted(self) -> None:
        self._fill_when()

    @on(OptionList.OptionSelected, "#reminder-chats")
    def _chat_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#reminder-when", OptionList).focus()

    @on(OptionList.OptionSelected, "#reminder-when")
    def _when_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        dismiss = self.query_one("#reminder-dismiss", Checkbox).value
        if event.option.id == REMOVE:
            self.dismiss(ReminderChoice(self.chat.id, None))
            return
        preset = next(p for p, _ in self.presets if p.name == event.option.id)
        self.dismiss(ReminderChoice(self.chat.id, preset, dismiss))

    def action_close(self) -> None:
        """Close without setting anything."""
        self.dismiss(None)
