"""The "Maybe the same person" view: open suggestions, best first; ``y``/``n`` decide.

Each row is two identities and the reason in words. ``y`` links them (one
row in the list from then on), ``n`` says they are not the same person (never
suggested again), ``u`` takes the last decision made here back. Decisions go
to the address book, which keeps them in ``people.toml``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Final

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from .cell_text import cell_text

if TYPE_CHECKING:
    from beeper_tui.service.book import AddressBook
    from beeper_tui.service.book.decisions import Decision
    from beeper_tui.service.book.evidence import Suggestion

__all__ = ["SuggestionsScreen", "suggestion_prompt"]

_NAME_CELLS: Final = 26
_NETWORK_CELLS: Final = 10


def suggestion_prompt(item: Suggestion, networks: dict[str, str]) -> Text:
    """Two lines: both names with their networks, then the reason (plain text, cut by cells)."""
    row = Text(end="", no_wrap=True)
    for n, (name, key) in enumerate(zip(item.names, (item.a, item.b), strict=True)):
        if n:
            row.append(" ~ ", "dim")
        row.append_text(cell_text(name, _NAME_CELLS, "bold", pad=False))
        row.append(" (", "dim")
        row.append_text(cell_text(networks.get(key[0], key[0]), _NETWORK_CELLS, "dim", pad=False))
        row.append(")", "dim")
    row.append("\n  ")
    row.append_text(cell_text(item.reason, 2 * _NAME_CELLS, "italic", pad=False))
    return row


class SuggestionsScreen(ModalScreen[None]):
    """Lists the book's open suggestions; ``y`` links, ``n`` rejects, ``u`` undoes, Esc closes."""

    DEFAULT_CSS = """
    SuggestionsScreen {
        align: center middle;
        background: $background 70%;
    }
    SuggestionsScreen #suggestions-dialog {
        width: 100;
        max-width: 95%;
        height: auto;
    }
    SuggestionsScreen #suggestions-options {
        height: auto;
        max-height: 20;
        border: none;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "decide('link')", "Same person", id="suggestions.accept"),
        Binding("n", "decide('reject')", "Not the same", id="suggestions.reject"),
        Binding("u", "undo", "Undo", id="suggestions.undo"),
        Binding("escape,q", "close", "Close", id="suggestions.close"),
    ]

    def __init__(self, book: AddressBook) -> None:
        super().__init__()
        self.book = book
        self.suggestions: list[Suggestion] = []
        self.done: list[tuple[Decision, Suggestion, int]] = []
        """Decisions made here, last last: what ``u`` takes back (and where the row was)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="suggestions-dialog", classes="dialog") as dialog:
            dialog.border_title = "Maybe the same person"
            yield Static(Text("Looking for people who may be the same…"), id="suggestions-count")
            yield OptionList(id="suggestions-options")
            yield Static(
                Text("y same person · n not the same · u undo · Esc closes"), classes="hint"
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.load()

    @work(exclusive=True, group="suggestions")
    async def load(self) -> None:
        """Find the open suggestions (on the book's thread) and list them."""
        self.suggestions = await self.book.suggestions()
        self._show()

    def _show(self, highlight: int = 0) -> None:
        networks = self.book.network_names()
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(suggestion_prompt(s, networks)) for s in self.suggestions])
        if self.suggestions:
            options.highlighted = min(highlight, len(self.suggestions) - 1)
        count = len(self.suggestions)
        self.query_one("#suggestions-count", Static).update(
            Text(
                f"{count:,} open suggestion{'' if count == 1 else 's'}"
                if count
                else "No suggestions: everyone looks like one person."
            )
        )

    async def action_decide(self, kind: str) -> None:
        """Link (``y``) or reject (``n``) the highlighted pair."""
        from beeper_tui.service.book.decisions import Decision, DecisionsError

        options = self.query_one(OptionList)
        at = options.highlighted
        if at is None or not self.suggestions:
            return
        item = self.suggestions[at]
        decision = Decision(
            "link" if kind == "link" else "reject", item.a, item.b, " · ".join(item.names)
        )
        try:
            await self.book.decide(decision)
        except DecisionsError as exc:
            self.notify(str(exc), title="People", severity="error", markup=False)
            return
        del self.suggestions[at]
        self.done.append((decision, item, at))
        self._show(at)

    async def action_undo(self) -> None:
        """Take back the last decision made here; its pair is listed again where it was."""
        from beeper_tui.service.book.decisions import DecisionsError

        if not self.done:
            self.notify("Nothing to undo.", title="People", timeout=2)
            return
        decision, item, at = self.done.pop()
        try:
            await self.book.undo(decision)
        except DecisionsError as exc:
            self.notify(str(exc), title="People", severity="error", markup=False)
            return
        self.suggestions.insert(at, item)
        self._show(at)

    def action_close(self) -> None:
        """Close the view."""
        self.dismiss(None)
