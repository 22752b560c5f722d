"""The help screen: the keys that apply where the focus is, and a legend of every mark.

Built from the public bindings API (``Screen.active_bindings``): what the
footer would offer, plus the bindings it hides, grouped by the pane that owns
them. Scrolling bindings Textual adds to every scrollable widget are left out:
the arrows already say what they do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Final

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Static

__all__ = ["LEGEND", "HelpScreen", "binding_rows"]

LEGEND: Final = (
    ("●", "account connected"),
    ("◐", "connecting or backfilling"),
    ("▲", "needs you: connection, reconnect or attention required"),
    ("○", "disconnected or disabled"),
    ("?", "status unknown (older Desktop build)"),
    ("⊘", "Beeper cannot start a chat with this person"),
    ("+2", "the person is on two more networks"),
    ("★", "you"),
    ("✱", "All accounts: search everywhere"),
)
"""Every badge and mark the screen draws, and what it means."""

_HIDDEN_ACTIONS: Final = frozenset(
    {"help_quit", "command_palette", "focus_next", "focus_previous", "scroll_home", "scroll_end"}
)


def _section(namespace: object, binding: Binding) -> str:
    if isinstance(namespace, App):
        return "Everywhere"
    if isinstance(namespace, Screen):
        if binding.id:
            return "Everywhere"  # the main screen's own keys (with IDs) work on every pane
        return "Screen"
    names = {"AccountsSidebar": "Accounts", "SearchBox": "Search box", "ContactList": "List"}
    name = type(namespace).__name__
    return names.get(name, "Details" if name == "PersonView" else name)


def binding_rows(
    app: App[object], active: Mapping[str, ActiveBinding]
) -> list[tuple[str, list[tuple[str, str]]]]:
    """(section, [(keys, description)]) from ``active``; keys merged per description."""
    sections: dict[str, dict[str, list[str]]] = {}
    # The App's keys lead, as the App declares them (the screen repeats a few).
    app_first = sorted(active.items(), key=lambda item: not isinstance(item[1].node, App))
    for key, bound in app_first:
        binding = bound.binding
        action = binding.action.split("(")[0]
        if not binding.description or binding.system or action in _HIDDEN_ACTIONS:
            continue
        if action.startswith("scroll_") or action in ("page_left", "page_right"):
            continue  # Textual's scrolling keys: the list's own cursor keys are listed
        rows = sections.setdefault(_section(bound.node, binding), {})
        keys = rows.setdefault(binding.description, [])
        shown = app.get_key_display(Binding(key, binding.action))
        if shown not in keys:
            keys.append(shown)
    order = ["Everywhere", "Screen", "Accounts", "Search box", "List", "Details"]
    ranked = sorted(sections.items(), key=lambda s: order.index(s[0]) if s[0] in order else 99)
    return [(title, [(" ".join(k), d) for d, k in rows.items()]) for title, rows in ranked]


class HelpScreen(ModalScreen[None]):
    """Keys that apply here, and the legend; escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close help"),
    ]

    def __init__(self, active: Mapping[str, ActiveBinding]) -> None:
        super().__init__()
        self.active = dict(active)
        self.text = ""
        """The help as plain text (what a reader sees)."""

    def compose(self) -> ComposeResult:
        lines: list[str] = []
        key_style = f"bold {self.app.get_css_variables().get('accent', 'cyan')}"
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()

        def add(left: Text | str, right: Text | str) -> None:
            table.add_row(left, right)
            plain = (left.plain if isinstance(left, Text) else left).strip()
            lines.append(f"  {plain}  {right}" if plain and right else plain or str(right))

        for title, rows in binding_rows(self.app, self.active):
            add(Text(title, "bold underline"), "")
            for keys, description in rows:
                add(Text(keys, key_style), description)
            add("", "")
        add(Text("In the list", "bold underline"), "")
        add(Text("a letter or digit", key_style), "searches for it: no letter acts on anyone")
        add(Text("[ ]", key_style), "previous / next account (1-9 in the sidebar: by row)")
        add("", "")
        add(Text("Marks", "bold underline"), "")
        for mark, meaning in LEGEND:
            add(Text(mark, key_style), meaning)
        add("", "")
        add(Text("Mouse", "bold underline"), "")
        add(Text("click", key_style), "focus a pane, pick an account or a contact")
        add(Text("wheel", key_style), "scroll; the list loads more as you near its end")
        add("", "")
        add(Text("something wrong?", "bold"), Text("run beeper-tui doctor", key_style))
        self.text = "\n".join(lines)
        with VerticalScroll(id="help-body") as body:
            body.border_title = "Keys  (escape to close)"
            yield Static(table)
        yield Footer()
