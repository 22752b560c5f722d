"""The address book in the app: ranked people, lookups, offline start, re-sync, the cursor."""

from __future__ import annotations

import re
import socket
import threading
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from starlette.applications import Starlette

from beeper_tui.book_path import default_book_path, demo_book_path
from beeper_tui.config import Settings
from beeper_tui.demo import DEMO_TOKEN, Dataset, DemoState, build_dataset, create_demo_app
from beeper_tui.demo.faults import Latency
from beeper_tui.demo.server import serve_in_thread
from beeper_tui.service.book import address_book
from beeper_tui.service.book_source import BookSource
from beeper_tui.service.contacts import ContactSource
from beeper_tui.service.mixed_source import MixedSource
from beeper_tui.service.session_events import Health
from beeper_tui.ui.app import BeeperApp
from beeper_tui.ui.book_driver import BookDriver
from beeper_tui.ui.contact_list import ContactList
from beeper_tui.ui.messages import ServicePoster
from beeper_tui.wiring import open_backend
from tests.demo_fixtures import BASELINE_VERSION
from tests.ui_helpers import app_on_demo, settle, toasts, wait_for

SIZE = (120, 40)
LIST = r"/contacts/list$"


@pytest.fixture(scope="module")
def small() -> Dataset:
    # The default dataset with a small Slack workspace: every test syncs it whole.
    return build_dataset(big_account_size=400)


@pytest.fixture
def app_small(small: Dataset) -> Starlette:
    return create_demo_app(small, desktop_version=BASELINE_VERSION, record=True)


def book_app(demo: Starlette, **overrides: Any) -> BeeperApp:
    return app_on_demo(demo, book="memory", debounce_ms=0, **overrides)


async def synced(app: BeeperApp, pilot: Any) -> ContactList:
    """Wait until the list shows the book's results; the list."""
    await settle(pilot)
    await wait_for(pilot, lambda: isinstance(app.pane.pager, BookSource), 60)
    await wait_for(
        pilot, lambda: app.book_driver.keeper is not None and not app.book_driver.keeper.syncing, 60
    )
    await settle(pilot)
    return app.query_one("#contacts", ContactList)


async def search(app: BeeperApp, pilot: Any, text: str) -> ContactList:
    app.pane.search_box.value = text
    await settle(pilot, 0.05)
    return app.query_one("#contacts", ContactList)


def count_line(app: BeeperApp) -> str:
    return str(app.query_one("#count").render())


def row_text(lst: ContactList, y: int) -> str:
    return "".join(seg.text for seg in lst.render_line(y))


async def test_words_in_any_order_find_the_person_with_true_totals(app_small: Starlette) -> None:
    app = book_app(app_small)
    async with app.run_test(size=SIZE) as pilot:
        await synced(app, pilot)
        everyone = app.pane.pager
        assert isinstance(everyone, BookSource)
        population = everyone.total
        assert count_line(app) == f"{population:,} people"
        lst = await search(app, pilot, "morrison zoe")
        assert lst.highlighted is not None
        assert app.pane.pager is not everyone
        people = app.pane.pager.people  # type: ignore[union-attr]
        assert people[0].name == "Zoe Morrison"
        assert people[0].spans  # the matched letters are highlighted
        assert count_line(app) == f"{len(people):,} of {population:,}"
        assert "Zoe Morrison" in row_text(lst, 0)


async def test_a_query_typed_at_start_in_the_demo_searches_the_whole_ranked_book(
    app_small: Starlette,
) -> None:
    # The demo's book is seconds away at start (every account's pages, here slowed so the
    # server's own search answers long before it): "morrison zoe" typed at once must not
    # get the server's word-order-bound "no results", but the book's best match.
    app_small.state.demo.faults.add(path=LIST, delay_ms=400)
    app = book_app(app_small)
    answers: list[ContactSource] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"morrison zoe")  # type-to-search from the list, at once

        def answered() -> bool:
            pager = app.pane.pager
            if pager is not None and pager.query == "morrison zoe" and not app.pane.searching:
                answers.append(pager)
                return True
            return False

        await wait_for(pilot, answered, 60)
        first = answers[0]
        assert isinstance(first, BookSource)  # the whole ranked book, not the server's search
        assert first.people[0].name == "Zoe Morrison"
        assert "Zoe Morrison" in row_text(app.query_one("#contacts", ContactList), 0)
        await settle(pilot)


async def test_the_demo_keeps_a_book_of_its_own_never_the_users() -> None:
    def driver(settings: Settings, *, keep: bool) -> BookDriver:
        return BookDriver(
            settings,
            ServicePoster(lambda: None),
            demo=True,
            keep_demo_book=keep,
            backend=lambda: None,
            offline=lambda: False,
        )

    drivers = [
        driver(Settings(demo=True, book="disk"), keep=True),  # `beeper-tui --demo`
        driver(Settings(demo=True, book="disk", demo_version="1.0.0"), keep=True),
        driver(Settings(demo=True, book="disk"), keep=False),  # a demo someone else built
    ]
    try:
        paths = [d.keeper.path if d.keeper is not None else "off" for d in drivers]
        assert paths == [demo_book_path(), demo_book_path("1.0.0"), None]
        assert default_book_path() not in paths
    finally:
        for d in drivers:
            await d.close()


async def test_a_slow_accounts_best_match_still_ends_on_top(
    app_small: Starlette, small: Dataset
) -> None:
    state: DemoState = app_small.state.demo
    telegram = next(a.account_id for a in small.accounts if "telegram" in a.account_id)
    state.faults.add(path=f"{telegram}{LIST}", delay_ms=300)
    app = book_app(app_small)
    async with app.run_test(size=SIZE) as pilot:
        await synced(app, pilot)
        lst = await search(app, pilot, "lindqvist zoe")
        assert lst.highlighted is not None
        assert lst.highlighted.account_id == telegram
        assert "Zoë Lindqvist" in row_text(lst, 0)


async def test_an_exact_phone_search_shows_the_person_by_name(app_small: Starlette) -> None:
    app = book_app(app_small)
    async with app.run_test(size=SIZE) as pilot:
        await synced(app, pilot)
        lst = await search(app, pilot, "+33612345678")
        assert "Renée Dubois" in row_text(lst, 0)
        assert lst.highlighted is not None
        assert len(lst.highlighted.identities) > 1  # the lookup hits joined her row


async def test_a_national_number_without_phone_region_finds_her_or_says_what_to_set(
    app_small: Starlette,
) -> None:
    state: DemoState = app_small.state.demo
    app = book_app(app_small, phone_region="")
    async with app.run_test(size=SIZE) as pilot:
        await synced(app, pilot)
        state.clear_requests()
        lst = await search(app, pilot, "06 12 34 56 78")
        await wait_for(pilot, lambda: lst.items and "Renée Dubois" in row_text(lst, 0))
        assert len(lst.items) == 1
        assert "phone_region" not in count_line(app)
        lst = await search(app, pilot, "06 99 98 97 96")
        await wait_for(pilot, lambda: "phone_region" in count_line(app))
        assert count_line(app).startswith("0 of ")
        assert 'set phone_region = "FR"' in lst.status_text  # the exact setting, wrapped whole
        assert "config.toml" in lst.status_text
        assert state.requests_to(r"/contacts$") == []  # no network guessed a country


async def test_lookup_only_rows_are_marked_and_ranked_last(app_small: Starlette) -> None:
    app = book_app(app_small)
    async with app.run_test(size=SIZE) as pilot:
        await synced(app, pilot)
        lst = await search(app, pilot, "@zoe_lq")
        rows = [row_text(lst, y) for y in range(len(lst.items))]
        assert "Zoë Lindqvist" in rows[0]
        assert "not in your contacts" not in rows[0]
        marked = ["not in your contacts" in r for r in rows]
        assert any(marked)
        assert marked == sorted(marked)  # every marked row after every book row


async def test_a_contact_removed_from_an_account_leaves_the_list_on_r(
    app_small: Starlette, small: Dataset
) -> None:
    state: DemoState = app_small.state.demo
    gmessages = next(a for a in small.accounts if "gmessages" in a.account_id)
    contacts = gmessages.contacts
    gone = contacts[5]
    app = book_app(app_small)
    async with app.run_test(size=SIZE) as pilot:
        await synced(app, pilot)
        app.main_screen.switch_account(gmessages.account_id)
        lst = await synced(app, pilot)
        ids = {c.user.id for c in lst.items}
        assert gone["id"] in ids
        page = {
            "items": [c for c in contacts if c is not gone],
            "hasMore": False,
            "oldestCursor": None,
        }
        state.faults.add(path=f"{gmessages.account_id}{LIST}", body=page, times=1)
        lst.focus()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: gone["id"] not in {c.user.id for c in lst.items}, 30)
        assert len(lst.items) == len(contacts) - 1


async def test_the_cursor_stays_on_its_person_when_the_book_refreshes(
    app_small: Starlette,
) -> None:
    app = book_app(app_small)
    async with app.run_test(size=SIZE) as pilot:
        lst = await synced(app, pilot)
        lst.focus()
        for _ in range(7):
            await pilot.press("down")
        before = lst.highlighted
        assert before is not None
        screen_row = lst.cursor - int(lst.scroll_offset.y)
        assert screen_row == 7
        source = app.pane.pager
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: app.pane.pager is not source, 30)
        await settle(pilot)
        assert lst.highlighted is not None
        assert lst.highlighted.key == before.key
        assert lst.cursor - int(lst.scroll_offset.y) == screen_row  # no jump under the cursor


async def test_jose_and_end_on_the_big_workspace(
    demo_dataset: Dataset,
) -> None:
    demo = create_demo_app(demo_dataset, desktop_version=BASELINE_VERSION, record=True)
    state: DemoState = demo.state.demo
    app = book_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await synced(app, pilot)
        # Beside 20,000 colleagues, "jose" still finds the Telegram friend in the first rows.
        lst = await search(app, pilot, "jose")
        assert "José María Núñez" in [c.user.full_name for c in lst.items[:10]]
        lst = await search(app, pilot, "")
        slack = next(a for a in demo_dataset.accounts if a.account_id.startswith("slackgo"))
        app.main_screen.switch_account(slack.account_id)
        lst = await synced(app, pilot)
        lst.focus()
        state.clear_requests()
        await pilot.press("end")
        await pilot.pause()
        assert len(lst.items) == 20_000
        assert lst.cursor == 19_999
        assert lst.status_text == "— end of list · 20,000 —"
        assert state.requests_to(LIST) == []  # nothing paged: the book holds them all


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def book_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the app keeps its book: the user cache directory, here under ``tmp_path``."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = default_book_path()
    assert path.is_relative_to(tmp_path)
    return path


def http_book_app(base_url: str) -> BeeperApp:
    settings = Settings(
        base_url=base_url,
        access_token=DEMO_TOKEN,
        debounce_ms=0,
        refresh_seconds=0,
        theme="textual-dark",
        config_path=None,
        book="disk",
    )
    backend = open_backend(base_url=base_url, access_token=DEMO_TOKEN, max_retries=0)
    app = BeeperApp(settings, backend=backend)
    app.session.reconnect_delays = (0.1,)
    return app


async def test_offline_start_shows_the_book_written_by_an_earlier_run(
    app_small: Starlette, book_path: Path
) -> None:
    port = _free_port()
    with serve_in_thread(app_small, port=port) as base_url:
        first = http_book_app(base_url)
        async with first.run_test(size=SIZE) as pilot:
            await synced(first, pilot)
    assert book_path.exists()
    assert book_path.stat().st_mode & 0o077 == 0

    # Desktop is gone: the second run opens on the book, offline.
    app = http_book_app(base_url)
    async with app.run_test(size=SIZE) as pilot:
        # The book is listed at once, while Desktop is still being reached ...
        await wait_for(pilot, lambda: isinstance(app.pane.pager, BookSource), 30)
        # ... and stays when it cannot be.
        await wait_for(pilot, lambda: app.health is Health.OFFLINE, 30)
        assert isinstance(app.pane.pager, BookSource)
        # The book's status reaches the pane as a message, after the health changed.
        await wait_for(
            pilot, lambda: str(app.pane.border_subtitle).startswith("offline, last synced")
        )
        assert app.sidebar.option_count > 1  # the book's accounts, known by their IDs
        lst = await search(app, pilot, "morrison zoe")
        assert "Zoe Morrison" in row_text(lst, 0)
        assert "??" not in row_text(lst, 0)  # the network is read from the account ID
        lst.focus()
        await pilot.press("ctrl+o")
        assert any("needs Beeper Desktop" in t.message for t in toasts(app))

        # Desktop comes back: the app reconnects and re-syncs by itself.
        state: DemoState = app_small.state.demo
        state.clear_requests()
        with serve_in_thread(app_small, port=port):
            await wait_for(pilot, lambda: app.health is Health.ONLINE, 30)
            await wait_for(pilot, lambda: bool(state.requests_to(LIST)), 30)
            await wait_for(pilot, lambda: not app.book_driver.keeper.syncing, 30)  # type: ignore[union-attr]
            await settle(pilot)
        # Nothing about the book's state is left: the count of suggestions, then the build.
        shown = Text.from_markup(str(app.pane.border_subtitle)).plain
        build = app.session.backend.build_line
        assert re.fullmatch(rf"([\d,]+ maybe the same · )?{re.escape(build or '')}", shown)


async def test_the_book_is_listed_before_desktop_answers_and_the_cursor_stays(
    app_small: Starlette, book_path: Path
) -> None:
    with serve_in_thread(app_small, port=_free_port()) as base_url:
        first = http_book_app(base_url)
        async with first.run_test(size=SIZE) as pilot:
            await synced(first, pilot)

        state: DemoState = app_small.state.demo
        state.latency = Latency(fixed_ms=1_500)  # a Desktop slow to answer
        app = http_book_app(base_url)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: isinstance(app.pane.pager, BookSource), 30)
            assert app.health is Health.CONNECTING
            assert not app.backend.accounts.loaded
            lst = app.query_one("#contacts", ContactList)
            assert len(lst.items) > 20
            lst.focus()
            await pilot.press("down", "down", "down")
            chosen = lst.highlighted
            assert chosen is not None
            assert lst.cursor == 3

            await wait_for(pilot, lambda: app.backend.accounts.loaded, 30)
            state.latency = None
            await settle(pilot)
            assert app.health is Health.ONLINE
            # The accounts' own list replaced the book's; the search ran again for them.
            assert app.sidebar.option_count == len(app.backend.accounts.accounts) + 1
            assert isinstance(app.pane.pager, BookSource)
            assert app.pane.pager.client is not None
            assert lst.highlighted is not None
            assert lst.highlighted.key == chosen.key


async def test_an_account_found_through_chats_is_synced_and_all_accounts_uses_the_book(
    small: Dataset,
) -> None:
    # The newest Desktop leaves iMessage out of the account list; chats bring it in
    # after the first sync has started. It must join the book, or "All accounts"
    # would wait for it forever and never be answered by the book.
    app = book_app(create_demo_app(small))
    async with app.run_test(size=SIZE) as pilot:
        await synced(app, pilot)
        found = app.backend.accounts.found_through_chats
        assert found
        book = app.backend.book
        assert book is not None
        assert found <= set(book.account_ids)
        assert isinstance(app.pane.pager, BookSource)
        assert set(app.pane.pager.account_ids) >= found


async def test_a_book_slow_to_read_does_not_hold_back_the_first_screen(
    app_small: Starlette, book_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    real_load = address_book._load

    def slow_load(path: Path | None, *more: Any) -> Any:
        release.wait(30)  # a book without a current snapshot: rebuilt, which takes a while
        return real_load(path, *more)

    monkeypatch.setattr(address_book, "_load", slow_load)
    with serve_in_thread(app_small, port=_free_port()) as base_url:
        app = http_book_app(base_url)
        try:
            async with app.run_test(size=SIZE) as pilot:
                # The screen is up although the book is still being read.
                assert app.book_driver.keeper is not None
                assert app.book_driver.keeper.book is None
                release.set()
                await wait_for(pilot, lambda: app.backend.accounts.loaded, 30)
                await wait_for(pilot, lambda: app.backend.book is not None, 30)
        finally:
            release.set()


async def test_export_writes_the_people_on_screen(app_small: Starlette, tmp_path: Path) -> None:
    app = book_app(app_small)
    async with app.run_test(size=SIZE) as pilot:
        await synced(app, pilot)
        lst = await search(app, pilot, "+33612345678")
        shown = [c.user.full_name for c in lst.items]
        plan = app.backend.export_plan(app.pane.account_id)  # type: ignore[arg-type]
        assert plan is not None
        assert all(a.status.value != "disabled" for a in plan.accounts)
        target = tmp_path / "out.vcf"
        result = await app.backend.export_to_file(
            plan.accounts, target, "vcf", query="+33612345678"
        )
        cards = target.read_text().split("BEGIN:VCARD")[1:]
        assert result.written == len(cards) == len(shown)  # one card per person on screen
        renee = next(c for c in cards if "FN:Renée Dubois" in c)
        person = next(c for c in lst.items if c.user.full_name == "Renée Dubois")
        assert renee.count("X-BEEPER-ACCOUNT-ID") == len(person.identities) > 1
        disabled = [a.account_id for a in app.backend.accounts.accounts if a not in plan.accounts]
        assert disabled
        assert not any(a in target.read_text() for a in disabled)


async def test_the_demo_chosen_at_the_connect_screen_gets_a_book_of_its_own(
    book_path: Path,
) -> None:
    from beeper_tui.service.book import AddressBook
    from beeper_tui.ui.connect_screens import ConnectErrorScreen

    path = book_path
    app = http_book_app(f"http://127.0.0.1:{_free_port()}")  # nobody listens
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ConnectErrorScreen), 30)
        await pilot.press("d")  # "Try the demo instead"
        await wait_for(pilot, lambda: app.backend.is_demo, 30)
        await synced(app, pilot)
        lst = await search(app, pilot, "morrison zoe")  # words in any order: the book's search
        assert lst.highlighted is not None
        assert app.pane.pager.people[0].name == "Zoe Morrison"  # type: ignore[union-attr]
        demo_book = app.backend.book
        assert demo_book is not None
        assert demo_book.path is None  # in memory
    # The user's own book was left as it was: no demo contacts in it.
    book = await AddressBook.open(path)
    try:
        assert not book.account_ids
    finally:
        await book.close()


async def test_an_account_that_cannot_sync_is_searched_beside_the_book(
    app_small: Starlette, small: Dataset
) -> None:
    # Until every account is in the book, All accounts lists the book's people
    # for the accounts it holds (ranked, any word order), then what the others'
    # own search answers: an account that never syncs must not cost the rest.
    state: DemoState = app_small.state.demo
    telegram = next(a.account_id for a in small.accounts if "telegram" in a.account_id)
    # The sync's pages (200 a page) fail; the list's own pages of 50 still answer.
    state.faults.add(path=f"{telegram}{LIST}", params={"limit": "200"}, status=500)
    app = book_app(app_small)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        keeper = app.book_driver.keeper
        assert keeper is not None
        await wait_for(pilot, lambda: bool(keeper.failed) and not keeper.syncing, 60)
        lst = await search(app, pilot, "morrison zoe")
        pager = app.pane.pager
        assert isinstance(pager, MixedSource)
        assert pager.server_accounts == [telegram]
        assert pager.people[0].name == "Zoe Morrison"
        assert "Zoe Morrison" in row_text(lst, 0)
        assert "(not synced yet)" in count_line(app)

        lst = await search(app, pilot, "lindqvist")  # Zoë Lindqvist is on Telegram
        pager = app.pane.pager
        assert isinstance(pager, MixedSource)
        from_server = lst.items[len(pager.people) :]
        assert any(c.account_id == telegram for c in from_server)
        assert all(c.account_id == telegram for c in from_server)
        book_ids = {i.account_id for p in pager.people for i in p.contact.identities}
        assert telegram not in book_ids
