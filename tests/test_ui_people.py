"""The person view's link and split, and the "Maybe the same person" view, on the demo's book."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.applications import Starlette
from textual.widgets import Input, OptionList

from beeper_tui.book_path import default_people_path
from beeper_tui.demo import Dataset, build_dataset, create_demo_app
from beeper_tui.service.book import AddressBook
from beeper_tui.service.book.decisions import PeopleDecisions
from beeper_tui.service.book_source import BookSource
from beeper_tui.ui.app import BeeperApp
from beeper_tui.ui.link_picker import LinkPicker
from beeper_tui.ui.split_picker import SplitPicker
from beeper_tui.ui.suggestions_screen import SuggestionsScreen
from tests.demo_fixtures import BASELINE_VERSION
from tests.ui_helpers import app_on_demo, settle, wait_for

SIZE = (120, 40)


@pytest.fixture(scope="module")
def small() -> Dataset:
    return build_dataset(big_account_size=400)


@pytest.fixture
def demo(small: Dataset) -> Starlette:
    return create_demo_app(small, desktop_version=BASELINE_VERSION)


async def _synced(app: BeeperApp, pilot: Any) -> AddressBook:
    await settle(pilot)
    await wait_for(pilot, lambda: isinstance(app.pane.pager, BookSource), 60)
    keeper = app.book_driver.keeper
    await wait_for(pilot, lambda: keeper is not None and not keeper.syncing, 60)
    await settle(pilot)
    book = app.backend.book
    assert book is not None
    return book


def _has(person: Any, key: tuple[str, str]) -> bool:
    return key in {c.key for c in person.contact.identities}


def _together(book: AddressBook, a: tuple[str, str], b: tuple[str, str]) -> bool:
    return book.index.person_of(*a) == book.index.person_of(*b)


async def test_y_links_the_best_suggestion_and_u_takes_it_back(demo: Starlette) -> None:
    app = app_on_demo(demo, book="memory", debounce_ms=0)
    async with app.run_test(size=SIZE) as pilot:
        book = await _synced(app, pilot)
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, SuggestionsScreen))
        screen = app.screen
        assert isinstance(screen, SuggestionsScreen)
        await wait_for(pilot, lambda: bool(screen.suggestions), 30)
        count = len(screen.suggestions)
        first = screen.suggestions[0]
        assert not _together(book, first.a, first.b)
        await pilot.press("y")
        await wait_for(pilot, lambda: _together(book, first.a, first.b))
        assert len(screen.suggestions) == count - 1
        assert screen.query_one(OptionList).option_count == count - 1
        saved = PeopleDecisions.load(default_people_path(demo=True)).decisions
        assert [(d.kind, d.a, d.b) for d in saved] == [("link", first.a, first.b)]
        await pilot.press("u")
        await wait_for(pilot, lambda: not _together(book, first.a, first.b))
        assert screen.suggestions[0] == first
        await pilot.press("n")
        await wait_for(pilot, lambda: len(screen.suggestions) == count - 1)
        assert all(s.pair != first.pair for s in await book.suggestions())
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, SuggestionsScreen))


async def test_the_person_view_links_then_splits_the_highlighted_person(demo: Starlette) -> None:
    app = app_on_demo(demo, book="memory", debounce_ms=0)
    async with app.run_test(size=SIZE) as pilot:
        book = await _synced(app, pilot)
        first = (await book.suggestions())[0]
        app.pane.search_box.value = first.names[0]
        await settle(pilot, 0.05)
        lst = app.pane.contact_list
        await wait_for(pilot, lambda: lst.highlighted is not None)
        shown = app.pane.pager.people  # type: ignore[union-attr]
        row = next(i for i, p in enumerate(shown) if _has(p, first.a))
        lst.index = row
        await settle(pilot)
        contact = lst.highlighted
        assert contact is not None
        lst.focus()
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, LinkPicker))
        picker = app.screen
        assert isinstance(picker, LinkPicker)
        picker.query_one(Input).value = first.names[1]
        await wait_for(pilot, lambda: any(_has(p, first.b) for p in picker.found))
        options = picker.query_one(OptionList)
        options.highlighted = next(i for i, p in enumerate(picker.found) if _has(p, first.b))
        await pilot.press("enter")
        await wait_for(pilot, lambda: _together(book, first.a, first.b))
        await wait_for(
            pilot,
            lambda: lst.highlighted is not None and len(lst.highlighted.identities) >= 2,
        )
        assert not isinstance(app.screen, LinkPicker)
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(app.screen, SplitPicker))
        split = app.screen
        assert isinstance(split, SplitPicker)
        split.query_one(OptionList).highlighted = next(
            i for i, c in enumerate(split.identities) if c.key == first.b
        )
        await pilot.press("enter")
        await wait_for(pilot, lambda: not _together(book, first.a, first.b))
        kinds = [d.kind for d in PeopleDecisions.load(default_people_path(demo=True)).decisions]
        assert kinds == ["link", "split"]  # in order: the later split wins over the link
        await pilot.press("f6")
        await wait_for(pilot, lambda: _together(book, first.a, first.b))


def _subtitle(app: BeeperApp) -> str:
    subtitle = app.pane.border_subtitle
    return "" if subtitle is None else str(subtitle)


async def test_the_status_line_counts_open_suggestions_and_follows_decisions(
    demo: Starlette,
) -> None:
    app = app_on_demo(demo, book="memory", debounce_ms=0)
    async with app.run_test(size=SIZE) as pilot:
        book = await _synced(app, pilot)
        count = len(await book.suggestions())
        assert count > 1
        await wait_for(pilot, lambda: f"{count:,} maybe the same" in _subtitle(app), 30)
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, SuggestionsScreen))
        screen = app.screen
        assert isinstance(screen, SuggestionsScreen)
        await wait_for(pilot, lambda: bool(screen.suggestions), 30)
        await pilot.press("y")
        await wait_for(pilot, lambda: f"{count - 1:,} maybe the same" in _subtitle(app), 30)
        await pilot.press("u")
        await wait_for(pilot, lambda: f"{count:,} maybe the same" in _subtitle(app), 30)


async def test_the_person_view_says_why_a_shared_phone_is_one_person(demo: Starlette) -> None:
    from beeper_tui.ui.person_view import PersonView

    app = app_on_demo(demo, book="memory", debounce_ms=0)
    async with app.run_test(size=SIZE) as pilot:
        await _synced(app, pilot)
        app.pane.search_box.value = "Helen Park"
        await settle(pilot, 0.05)
        lst = app.pane.contact_list
        await wait_for(pilot, lambda: lst.highlighted is not None)
        lst.focus()
        await pilot.press("enter")
        view = app.screen.query_one(PersonView)
        await wait_for(pilot, lambda: "joined: same phone" in view.text)
        line = next(t for t in view.text.splitlines() if t.startswith("joined:"))
        assert line == "joined: same phone (Google Messages and Signal)"
