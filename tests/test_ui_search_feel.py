"""How searching feels: typed text is never lost to a race, the book answers on every key.

A burst is keys posted at once, all queued before the first is handled (typing
fast, a paste, a terminal macro): what the user typed must all arrive.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest
from textual import events

from beeper_tui.ui.app import BeeperApp
from beeper_tui.ui.search_pane import SearchBox
from tests.ui_helpers import settle

SIZE = (120, 40)


def _key(key: str) -> events.Key:
    return events.Key(key, key if len(key) == 1 else None)


async def _typed(app: BeeperApp, pilot: Any, text: str) -> SearchBox:
    """``text`` typed into the search box and searched for."""
    await settle(pilot)
    await pilot.press("slash", *text)
    await settle(pilot)
    box = app.query_one("#search", SearchBox)
    assert box.value == text
    return box


async def _burst(app: BeeperApp, pilot: Any, keys: Iterable[str]) -> None:
    for key in keys:
        app.post_message(_key(key))
    await settle(pilot)


@pytest.mark.parametrize(
    "keys",
    [
        ("escape", *"mia"),  # Esc empties the box; what follows is a new search
        ("ctrl+u", *"mia"),  # ctrl+u empties the box
        ("escape", "slash", *"mia"),
        ("backspace", "backspace", "backspace", *"mia"),  # the editing keys act in order too
        ("ctrl+u", *"mx", "backspace", *"ia"),
        ("ctrl+u", *"ia", "left", "left", "m"),
    ],
)
async def test_keys_typed_right_after_clearing_the_box_all_arrive(
    make_app: Callable[..., BeeperApp], keys: tuple[str, ...]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        box = await _typed(app, pilot, "zoe")
        await _burst(app, pilot, keys)
        assert box.value == "mia"
        assert app.pane.wanted_query == "mia"


async def test_keys_typed_right_after_escape_from_the_list_all_arrive(
    make_app: Callable[..., BeeperApp],
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        box = await _typed(app, pilot, "zoe")
        await pilot.press("enter")
        await settle(pilot)
        assert app.pane.contact_list.has_focus
        await _burst(app, pilot, ("escape", *"mia"))
        assert box.value == "mia"
        await _burst(app, pilot, ("escape", "slash", *"ana"))
        assert box.value == "ana"
