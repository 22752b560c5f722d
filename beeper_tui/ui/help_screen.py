"""The help screen, generated from the bindings the widgets really have."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Static

__all__ = ["HelpScreen", "binding_rows"]


def binding_rows(node: DOMNode) -> list[tuple[str, str]]:
    """(keys, description) for every described binding of ``node``, keys merged per action."""
    by_action: dict[str, tuple[list[str], str]] = {}
    for key, bindings in node._bindings.key_to_bindings.items():
        for binding in bindings:
            if not binding.description:
                continue
            keys, _ = by_action.setdefault(binding.action, ([], binding.description))
            shown = node.app.get_key_display(Binding(key, binding.action))
            if shown not in keys:
                keys.append(shown)
    return [(" ".join(keys), description) for keys, description in by_action.values()]


class HelpScreen(ModalScreen[None]):
    """Keys of the app and of each pane; escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close help"),
    ]

    def __init__(self, sections: list[tuple[str, DOMNode]]) -> None:
        super().__init__()
        self.sections = sections
        self.text = ""
        """The help as plain text (what a reader sees)."""

    def compose(self) -> ComposeResult:
        lines: list[str] = []
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for title, node in self.sections:
            rows = binding_rows(node)
            if not rows:
                continue
            table.add_row(Text(title, "bold underline"), "")
            lines.append(title)
            for keys, description in rows:
                table.add_row(Text(keys, "bold cyan"), description)
                lines.append(f"  {keys}  {description}")
            table.add_row("", "")
        table.add_row(Text("Mouse", "bold underline"), "")
        table.add_row(Text("click", "bold cyan"), "focus a pane, pick an account or a contact")
        table.add_row(Text("wheel", "bold cyan"), "scroll; the list loads more as you near its end")
        table.add_row("", "")
        table.add_row(
            Text("Note", "bold underline"),
            "While the search box has focus, letter keys type; escape or down leaves it.",
        )
        self.text = "\n".join(lines)
        with VerticalScroll(id="help-body") as body:
            body.border_title = "Keys  (escape to close)"
            yield Static(table)
