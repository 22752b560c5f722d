"""The link picker: find another person in the address book to join with this one."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Final

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from .cell_text import cell_text

if TYPE_CHECKING:
    from beeper_tui.service.book import AddressBook, BookPerson

__all__ = ["LinkPicker"]

_SHOWN: Final = 30


class LinkPicker(ModalScreen["tuple[str, str] | None"]):
    """Type to search the book (its ranking); Enter returns the chosen person's key."""

    DEFAULT_CSS = """
    LinkPicker {
        align: center middle;
        background: $background 70%;
    }
    LinkPicker #link-dialog {
        width: 80;
        max-width: 95%;
        height: auto;
    }
    LinkPicker #link-options {
        height: auto;
        max-height: 14;
        border: none;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="link_picker.close"),
        Binding("down", "move(1)", "Next", id="link_picker.next", show=False),
        Binding("up", "move(-1)", "Previous", id="link_picker.previous", show=False),
    ]

    def __init__(self, book: AddressBook, *, person: str, key: tuple[str, str]) -> None:
        super().__init__()
        self.book = book
        self.person = person
        self.key = key
        self.found: list[BookPerson] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="link-dialog", classes="dialog") as dialog:
            dialog.border_title = "Link with…"
            heading = Text("Who else is ", "bold", end="")
            heading.append_text(cell_text(self.person, 40, "bold", pad=False))
            heading.append("?", "bold")
            yield Static(heading)
            yield Input(placeholder="name, username, email or phone", id="link-query")
            yield OptionList(id="link-options")
            yield Static(Text("Enter links the highlighted person · Esc closes"), classes="hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Changed, "#link-query")
    def _search(self, event: Input.Changed) -> None:
        event.stop()
        mine = self.book.index.person_of(*self.key)
        people = self.book.search(event.value, limit=_SHOWN + 1).people
        networks = self.book.network_names()
        self.found = [p for p in people if self.book.index.person_of(*p.key) != mine][:_SHOWN]
        options = self.query_one(OptionList)
        options.clear_options()
        for p in self.found:
            row = cell_text(p.name, 30, "bold")
            ids = p.contact.identities
            nets = ", ".join(dict.fromkeys(networks.get(c.account_id, c.account_id) for c in ids))
            row.append(" ")
            row.append_text(cell_text(nets, 40, "dim", pad=False))
            options.add_option(Option(row))
        if self.found:
            options.highlighted = 0

    def action_move(self, step: int) -> None:
        """Move the highlight while typing."""
        options = self.query_one(OptionList)
        if self.found:
            at = options.highlighted or 0
            options.highlighted = max(0, min(len(self.found) - 1, at + step))

    @on(Input.Submitted, "#link-query")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        at = self.query_one(OptionList).highlighted
        if at is not None and self.found:
            self.dismiss(self.found[at].key)

    @on(OptionList.OptionSelected, "#link-options")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.found[event.option_index].key)

    def action_close(self) -> None:
        """Close without linking."""
        self.dismiss(None)
