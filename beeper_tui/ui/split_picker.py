"""The split picker: which of a person's identities to take out of them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from beeper_tui.service.names import best_name, secondary_text

from .cell_text import cell_text

if TYPE_CHECKING:
    from beeper_tui.service.person import Contact

__all__ = ["SplitPicker"]


class SplitPicker(ModalScreen["Contact | None"]):
    """Lists a person's identities; Enter returns the one to split out, Esc closes."""

    DEFAULT_CSS = """
    SplitPicker {
        align: center middle;
        background: $background 70%;
    }
    SplitPicker #split-options {
        height: auto;
        max-height: 12;
        border: none;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", id="split_picker.close")
    ]

    def __init__(self, contact: Contact, networks: Mapping[str, str]) -> None:
        super().__init__()
        self.identities = list(contact.identities)
        self.networks = networks

    def compose(self) -> ComposeResult:
        with Vertical(id="split-dialog", classes="dialog") as dialog:
            dialog.border_title = "Split…"
            yield Static(Text("Which one is someone else?", "bold"))
            options = []
            for c in self.identities:
                row = cell_text(self.networks.get(c.account_id, c.account_id), 12, "bold")
                row.append(" ")
                row.append_text(cell_text(best_name(c.user), 28))
                row.append(" ")
                row.append_text(cell_text(secondary_text(c.user), 30, "dim", pad=False))
                options.append(Option(row))
            yield OptionList(*options, id="split-options")
            yield Static(Text("Enter splits it out · Esc closes"), classes="hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected, "#split-options")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.identities[event.option_index])

    def action_close(self) -> None:
        """Close without splitting."""
        self.dismiss(None)
