"""How searching feels: typed text is never lost to a race, the book answers on every key.

A burst is keys posted at once, all queued before the first is handled (typing
fast, a paste, a terminal macro): what the user typed must all arrive.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest
from starlette.applications import Starlette
from textual import events

from beeper_tui.demo import Dataset, DemoState, build_dataset, create_demo_app
from beeper_tui.service.book_source import BookSource
from beeper_tui.service.names import best_name
from beeper_tui.ui.app import BeeperApp
from beeper_tui.ui.search_pane import SearchBox
from tests.demo_fixtures import BASELINE_VERSION
from tests.ui_helpers import app_on_demo, settle, wait_for

SIZE = (120, 40)


@pytest.fixture(scope="module")
def small() -> Dataset:
    return build_dataset(big_account_size=400)


@pytest.fixture
def app_small(small: Dataset) -> Starlette:
    return create_demo_app(small, desktop_version=BASELINE_VERSION)


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


async def test_the_book_answers_every_key_and_the_server_waits_for_a_pause(
    app_small: Starlette,
) -> None:
    # A debounce far longer than any wait below: only the book's path may skip it.
    app = app_on_demo(app_small, book="memory", debounce_ms=5000)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await wait_for(pilot, lambda: isinstance(app.pane.pager, BookSource), 60)
        await pilot.press("slash")
        for typed in ("m", "mo", "mor", "morr"):
            await pilot.press(typed[-1])
            await wait_for(pilot, lambda: app.pane.result_count is not None, 2)
            assert app.pane.pager is not None
            assert app.pane.pager.query == typed  # this key's answer, not the last pause's
    server_only = app_on_demo(app_small, book="off", debounce_ms=5000)
    async with server_only.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"morr")
        await pilot.pause()
        assert server_only.pane.searching  # the server is asked once the typing pauses
        assert server_only.pane.pager is not None
        assert server_only.pane.pager.query == ""


async def test_the_first_sync_never_moves_the_cursor_to_someone_else(
    app_small: Starlette,
) -> None:
    state: DemoState = app_small.state.demo
    # The book fills while the user looks: every account joining it reorders the list.
    state.faults.add(path=r"/contacts/list$", delay_ms=150)
    app = app_on_demo(app_small, book="memory", debounce_ms=0)
    async with app.run_test(size=SIZE) as pilot:
        lst = app.pane.contact_list
        await wait_for(pilot, lambda: lst.highlighted is not None, 30)
        first = lst.highlighted
        assert first is not None
        assert lst.cursor == 0  # the user moved nothing
        strangers: list[str] = []  # anyone else highlighted meanwhile, by name

        def look() -> None:
            now = lst.highlighted
            if now is not None and first.key not in {c.key for c in now.identities}:
                strangers.append(best_name(now.user))

        keeper = app.book_driver.keeper
        while keeper is None or keeper.syncing or not isinstance(app.pane.pager, BookSource):
            await pilot.pause(0.02)
            look()
            keeper = app.book_driver.keeper
        await settle(pilot)
        look()
        assert strangers == []
