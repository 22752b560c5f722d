"""The app's keys and layout: bindings with IDs, the pane actions, the user's keymap.

Every binding the user can rebind has an ID (``[keymap]`` in config.toml maps
IDs to keys, applied with ``App.set_keymap``). The layout adapts to the width
through ``HORIZONTAL_BREAKPOINTS`` (a class on the screen, rules in
``app.tcss``); ``ctrl+d`` and ``ctrl+b`` show or hide the detail panel and the
sidebar at any size, recorded as ``-detail-open``/``-detail-closed`` and
``-sidebar-open``/``-sidebar-closed`` on the main screen.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Final, cast

from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.keys import Keys
from textual.widget import Widget
from textual.widgets import Input

if TYPE_CHECKING:
    from .app import BeeperApp

__all__ = [
    "APP_BINDINGS",
    "BREAKPOINTS",
    "NARROW_CLASSES",
    "LayoutActions",
    "check_keymap",
    "known_binding_ids",
]

BREAKPOINTS: Final = [(0, "-tiny"), (70, "-narrow"), (100, "-normal"), (160, "-wide")]
"""Width classes of the screen: below 100 columns the detail panel is a toggle,
below 70 the sidebar shows badges only, from 160 the list grows columns."""

NARROW_CLASSES: Final = ("-tiny", "-narrow")
"""Widths at which the detail panel opens over the list instead of beside it."""

_ACCOUNT_KEYS: Final = [
    Binding(str(n), f"account({n - 1})", "Account by sidebar row", show=False) for n in range(1, 10)
]

APP_BINDINGS: Final[list[BindingType]] = [
    Binding("q", "quit", "Quit", id="app.quit"),
    Binding("question_mark", "help", "Help", id="app.help"),
    # As in fzf: ctrl+c quits from anywhere, even a dialog or the search box.
    Binding(
        "ctrl+c", "quit", "Quit from anywhere", id="app.quit_anywhere", show=False, priority=True
    ),
    # Priority, so keys typed in the same burst after "/" already reach the box.
    Binding("slash,ctrl+f", "focus_search", "Search", id="app.search", priority=True),
    Binding("escape", "clear_search", "Clear search", id="app.clear_search", show=False),
    Binding("r", "refresh", "Refresh", id="app.refresh"),
    Binding("c", "copy", "Copy", id="contact.copy"),
    Binding("m", "message", "Message", id="contact.message"),
    Binding("o", "open_chats", "Chats", id="person.open_chat"),
    Binding("i", "toggle_ids", "IDs", id="person.toggle_ids", show=False),
    Binding("e", "export", "Export", id="contact.export"),
    Binding("ctrl+d", "toggle_detail", "Details", id="app.toggle_detail", priority=True),
    Binding("ctrl+b", "toggle_sidebar", "Accounts", id="app.toggle_sidebar", priority=True),
    Binding("h", "pane(-1)", "Pane to the left", id="app.pane_left", show=False),
    Binding("l", "pane(1)", "Pane to the right", id="app.pane_right", show=False),
    *_ACCOUNT_KEYS,
    Binding(
        "left_square_bracket",
        "account_step(-1)",
        "Previous account",
        id="app.account_prev",
        show=False,
    ),
    Binding(
        "right_square_bracket", "account_step(1)", "Next account", id="app.account_next", show=False
    ),
]
"""The app's own bindings (the panes add theirs)."""

_MODIFIERS: Final = ("ctrl+", "shift+", "alt+", "meta+", "super+", "hyper+")
_KEY_NAMES: Final = frozenset(k.value for k in Keys)


def _valid_key(key: str) -> bool:
    rest = key.strip()
    while rest.startswith(_MODIFIERS):
        rest = rest.split("+", 1)[1]
    if len(rest) == 1:
        return rest.isprintable() and not rest.isspace()
    if rest in _KEY_NAMES or rest in ("space", "tab", "enter", "escape", "backspace"):
        return True
    try:  # Textual names symbol keys by their Unicode name: question_mark, …
        unicodedata.lookup(rest.replace("_", " ").upper())
    except KeyError:
        return False
    return True


def known_binding_ids(nodes: Iterable[DOMNode | type[DOMNode]]) -> set[str]:
    """The IDs of every binding the classes of ``nodes`` declare (their ``BINDINGS``)."""
    ids: set[str] = set()
    for node in nodes:
        cls = node if isinstance(node, type) else type(node)
        for base in cls.__mro__:
            for binding in vars(base).get("BINDINGS", ()):
                if isinstance(binding, Binding) and binding.id:
                    ids.add(binding.id)
    return ids


def check_keymap(keymap: Mapping[str, str], known: set[str]) -> tuple[dict[str, str], list[str]]:
    """The usable part of ``keymap`` and one phrase per unusable entry."""
    usable: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, keys in keymap.items():
        if binding_id not in known:
            problems.append(f"unknown binding {binding_id!r}")
        elif not keys.strip() or not all(_valid_key(k) for k in keys.split(",")):
            problems.append(f"bad key {keys!r} for {binding_id}")
        else:
            usable[binding_id] = keys
    return usable, problems


class LayoutActions:
    """Actions about panes and accounts, mixed into :class:`~beeper_tui.ui.app.BeeperApp`."""

    @property
    def _app(self) -> BeeperApp:
        return cast("BeeperApp", self)

    def apply_keymap(self) -> None:
        """Apply ``[keymap]`` from the settings; one toast names what was ignored."""
        if not self._app.settings.keymap:
            return
        known = known_binding_ids([self._app, *self._app.query("*")])
        from .copy_menu import CopyMenu
        from .export_dialog import ExportDialog

        known |= known_binding_ids([CopyMenu, ExportDialog])
        usable, problems = check_keymap(self._app.settings.keymap, known)
        self._app.set_keymap(usable)
        if problems:
            self._app.notify(
                "[keymap] in the config: " + "; ".join(problems) + " (ignored)",
                title="Keymap",
                severity="warning",
                timeout=15,
                markup=False,
            )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        main = self._app.screen_stack[0] if self._app.screen_stack else None
        if action in ("toggle_detail", "toggle_sidebar", "focus_search"):
            if self._app.screen is not main:
                return False  # a dialog is open: these keys are its own
            if action == "focus_search" and isinstance(self._app.focused, Input):
                return False  # "/" types a slash in the search box
        return True

    @property
    def _narrow(self) -> bool:
        return any(self._app.pane.screen.has_class(c) for c in NARROW_CLASSES)

    def open_detail(self) -> None:
        """Show the detail panel (over the list on a narrow terminal) and focus it."""
        screen = self._app.pane.screen
        screen.remove_class("-detail-closed")
        screen.add_class("-detail-open")
        self._app.detail.focus()

    def close_detail(self) -> None:
        """Hide the detail panel; the list gets the focus back."""
        screen = self._app.pane.screen
        screen.remove_class("-detail-open")
        screen.add_class("-detail-closed")
        self._app.pane.contact_list.focus()

    @property
    def detail_over_list(self) -> bool:
        """Whether the detail panel covers the list (narrow terminal, opened by the user)."""
        return self._app._narrow and self._app.pane.screen.has_class("-detail-open")

    def action_toggle_detail(self) -> None:
        """Show or hide the detail panel."""
        if self._app.detail.display:
            self._app.close_detail()
        else:
            self._app.open_detail()

    def action_toggle_sidebar(self) -> None:
        """Show or hide the accounts sidebar (at any width)."""
        screen = self._app.pane.screen
        tiny = screen.has_class("-tiny")
        shown = self._app.sidebar.display and not (tiny and not screen.has_class("-sidebar-open"))
        screen.set_class(not shown, "-sidebar-open")
        screen.set_class(shown, "-sidebar-closed")
        if shown and self._app.sidebar.has_focus:
            self._app.pane.contact_list.focus()
        elif not shown:
            self._app.sidebar.focus()

    def action_clear_search(self) -> None:
        """Close the detail panel over the list, else empty the search."""
        if self._app.detail_over_list:
            self._app.close_detail()
        else:
            self._app.pane.clear_search()

    def action_focus_search(self) -> None:
        """Put the cursor in the search box, at once (so a pasted burst lands there)."""
        if self._app.detail_over_list:
            self._app.close_detail()
        self._app.screen.set_focus(self._app.pane.search_box)

    def action_pane(self, step: int) -> None:
        """Move the focus to the visible pane left (-1) or right (1) of the current one."""
        panes: list[Widget] = [self._app.sidebar, self._app.pane, self._app.detail]
        visible = [p for p in panes if p.display]
        focused = self._app.focused
        current = next(
            (
                i
                for i, p in enumerate(visible)
                if focused is not None and p in focused.ancestors_with_self
            ),
            1 if self._app.pane in visible else 0,
        )
        target = visible[max(0, min(len(visible) - 1, current + step))]
        if target is self._app.pane:
            self._app.pane.contact_list.focus()
        else:
            target.focus()

    def action_account(self, row: int) -> None:
        """Switch to the account on ``row`` of the sidebar (0: All accounts)."""
        sidebar = self._app.sidebar
        if 0 <= row < sidebar.option_count:
            sidebar.highlighted = row

    def action_account_step(self, step: int) -> None:
        """Switch to the previous (-1) or next (1) account in the sidebar."""
        sidebar = self._app.sidebar
        if sidebar.option_count:
            sidebar.highlighted = ((sidebar.highlighted or 0) + step) % sidebar.option_count

    def action_help(self) -> None:
        """Show the keys that apply where the focus is, and the legend of marks."""
        from .help_screen import HelpScreen

        self._app.push_screen(HelpScreen(self._app.screen.active_bindings))
