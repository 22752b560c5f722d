"""The app's keys: bindings with IDs, the width breakpoints, the user's keymap.

Every binding the user can rebind has an ID (``[keymap]`` in config.toml maps
IDs to keys, applied with ``App.set_keymap``). The App binds what works
everywhere (quit, help); the main screen binds what works on its panes. The
layout adapts to the width through ``HORIZONTAL_BREAKPOINTS`` (a class on the
screen, rules in ``app.tcss``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from typing import Final

from textual import events
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.keys import Keys
from textual.widget import Widget

__all__ = [
    "ACCOUNT_KEYS",
    "APP_BINDINGS",
    "BREAKPOINTS",
    "NARROW_CLASSES",
    "SCREEN_BINDINGS",
    "act_in_order",
    "check_keymap",
    "known_binding_ids",
]

BREAKPOINTS: Final = [(0, "-tiny"), (70, "-narrow"), (100, "-normal"), (160, "-wide")]
"""Width classes of the screen: below 100 columns the detail panel is a toggle,
below 70 the sidebar shows badges only, from 160 the list grows columns."""

NARROW_CLASSES: Final = ("-tiny", "-narrow")
"""Widths at which the detail panel opens over the list instead of beside it."""

ACCOUNT_KEYS: Final[list[BindingType]] = [
    Binding(str(n), f"account({n - 1})", "Account by row", id=f"app.account_{n}", show=False)
    for n in range(1, 10)
]
"""Digits pick an account in the sidebar only: in the list they search (phone numbers)."""

APP_BINDINGS: Final[list[BindingType]] = [
    Binding("ctrl+q", "quit", "Quit", id="app.quit"),
    Binding("question_mark,f1", "help", "Help", id="app.help"),
    # As in fzf: ctrl+c quits from anywhere, even a dialog or the search box.
    Binding(
        "ctrl+c", "quit", "Quit from anywhere", id="app.quit_anywhere", show=False, priority=True
    ),
]
"""The app's own bindings: they work on every screen."""

SCREEN_BINDINGS: Final[list[BindingType]] = [
    # Type-to-filter, as in fzf, Telescope and Raycast: a printable key typed on
    # the list searches, so no letter acts on anyone. Actions are ctrl chords
    # that the search box leaves alone (they work while typing a query too).
    # The App's two shown keys again, first: the footer lists the screen's keys before
    # the App's, and quit and help lead it. (The App's own serve the dialogs.)
    Binding("ctrl+q", "app.quit", "Quit", id="app.quit"),
    Binding("question_mark,f1", "app.help", "Help", id="app.help"),
    # Priority, so keys typed in the same burst after "/" already reach the box.
    Binding("slash,ctrl+f", "focus_search", "Search", id="app.search", priority=True),
    Binding("escape", "clear_search", "Clear search", id="app.clear_search", show=False),
    Binding("ctrl+r", "refresh", "Refresh", id="app.refresh"),
    Binding("ctrl+o", "message", "Message", id="contact.message", priority=True),
    Binding("ctrl+g", "open_chats", "Chats", id="person.open_chat", priority=True),
    Binding("ctrl+y", "copy", "Copy", id="contact.copy", priority=True),
    Binding("ctrl+t", "toggle_ids", "IDs", id="person.toggle_ids", show=False, priority=True),
    Binding("ctrl+s", "export", "Export", id="contact.export", priority=True),
    # Keys that act on someone are chords: letters typed on the list always search.
    Binding("ctrl+n", "remind", "Remind", id="person.remind", show=False, priority=True),
    Binding("ctrl+l", "more_messages", "Older messages", id="person.more_messages", show=False),
    Binding("f3", "suggestions", "Maybe same", id="people.suggestions", show=False),
    Binding("f4", "link_person", "Link with…", id="person.link", show=False),
    Binding("f5", "split_person", "Split…", id="person.split", show=False),
    Binding("f6", "undo_people", "Undo link/split", id="person.undo", show=False),
    Binding("ctrl+d", "toggle_detail", "Details", id="app.toggle_detail", priority=True),
    Binding("ctrl+b", "toggle_sidebar", "Accounts", id="app.toggle_sidebar", priority=True),
    Binding("shift+left", "pane(-1)", "Pane to the left", id="app.pane_left", show=False),
    Binding("shift+right", "pane(1)", "Pane to the right", id="app.pane_right", show=False),
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
"""The main screen's bindings (its panes add theirs); a dialog over it has its own keys."""

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


async def act_in_order(widget: Widget, event: events.Key) -> bool:
    """Run the binding of ``event``'s key now, as the focused ``widget`` reads the key.

    Textual runs a (non-priority) binding only once its key has bubbled up to
    the App, while a letter is handled as soon as the focused widget reads it:
    typed fast (or while the loop was busy), ``zoe``, ctrl+u, ``mia`` gave an
    empty box, the letters inserted before ctrl+u acted; escape then ``mia``
    on the list erased ``mia``. The search box and the list call this for
    every key that is not a letter, so keys act in the order they were typed.
    False when no enabled binding wants the key (it goes on as usual).
    """
    bindings = widget.screen.active_bindings
    for key in event.aliases:
        active = bindings.get(key)
        if active is None:
            continue
        if not active.enabled:
            return False
        event.stop()
        event.prevent_default()
        await widget.app.run_action(active.binding.action, active.node)
        return True
    return False
