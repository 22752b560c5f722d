"""Syncing the address book from the demo server over loopback HTTP, and exact lookups."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path

import pytest
from starlette.applications import Starlette

from beeper_tui.api.client import BeeperClient
from beeper_tui.api.models import Account, AccountStatus
from beeper_tui.demo import (
    DEMO_TOKEN,
    Dataset,
    DemoState,
    build_dataset,
    create_demo_app,
    serve_in_thread,
)
from beeper_tui.service.book import MAX_PAGE_SIZE, AddressBook, SyncProgress
from tests.demo_fixtures import BASELINE_VERSION

LIST = r"/contacts/list$"


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    # The default dataset with a small Slack workspace: every test syncs it whole.
    return build_dataset(big_account_size=400)


@pytest.fixture
def app(dataset: Dataset) -> Starlette:
    return create_demo_app(dataset, desktop_version=BASELINE_VERSION, record=True)


@pytest.fixture
def state(app: Starlette) -> DemoState:
    demo: DemoState = app.state.demo
    return demo


@pytest.fixture
def server(app: Starlette) -> Iterator[str]:
    with serve_in_thread(app) as base_url:
        yield base_url


@pytest.fixture
async def client(server: str) -> AsyncIterator[BeeperClient]:
    # No client-side retries: the sync's own handling of 429 is what is tested.
    async with BeeperClient(server, DEMO_TOKEN, max_retries=0) as c:
        yield c


@pytest.fixture
async def book(tmp_path: Path) -> AsyncIterator[AddressBook]:
    opened = await AddressBook.open(tmp_path / "book.sqlite3", region="FR")
    yield opened
    await opened.close()


@pytest.fixture
async def accounts(client: BeeperClient) -> list[Account]:
    return await client.list_accounts()


def _id(accounts: Sequence[Account], key: str) -> str:
    return next(a.account_id for a in accounts if key in a.account_id)


def _enabled(accounts: Sequence[Account]) -> list[str]:
    return [a.account_id for a in accounts if a.status is not AccountStatus.DISABLED]


async def test_sync_fills_the_book_in_pages_of_at_most_200(
    book: AddressBook,
    client: BeeperClient,
    accounts: list[Account],
    state: DemoState,
    dataset: Dataset,
) -> None:
    enabled = _enabled(accounts)
    assert not any(book.ready(a) for a in enabled)
    errors = await book.syncer(client).run(accounts)
    assert errors == dict.fromkeys(enabled)
    pages = state.requests_to(LIST)
    assert pages
    assert all(int(r.params["limit"]) <= MAX_PAGE_SIZE for r in pages)
    disabled = _id(accounts, "facebookgo")
    assert not any(disabled in r.path for r in pages)
    assert not book.ready(disabled)
    for account_id in enabled:
        demo_account = dataset.account(account_id)
        assert demo_account is not None
        assert book.ready(account_id)
        assert book.count(account_id) == len(demo_account.contacts)
    assert [p.name for p in book.search("morrison zoe").people][:1] == ["Zoe Morrison"]


async def test_one_request_at_a_time_per_account(
    book: AddressBook, client: BeeperClient, accounts: list[Account], state: DemoState
) -> None:
    state.faults.add(path=LIST, delay_ms=40)
    await book.syncer(client, concurrency=3).run(accounts)
    by_account: dict[str, list[float]] = {}
    for r in state.requests_to(LIST):
        by_account.setdefault(r.path, []).append(r.received_at)
    whatsapp = next(times for path, times in by_account.items() if "whatsapp" in path)
    assert len(whatsapp) >= 6  # 1,200 contacts in pages of 200
    for times in by_account.values():
        gaps = [b - a for a, b in itertools.pairwise(times)]
        # The next page is asked only after the previous answer, which took 40 ms.
        assert all(gap >= 0.039 for gap in gaps), gaps


async def test_progress_counts_against_the_previous_sync(
    book: AddressBook, client: BeeperClient, accounts: list[Account]
) -> None:
    seen: list[SyncProgress] = []
    telegram = _id(accounts, "telegram")
    sync = book.syncer(client, observer=seen.append)
    await sync.run(accounts)
    first = [p for p in seen if p.account_id == telegram]
    assert first[0] == SyncProgress(telegram, 0, None)
    assert first[-1].done
    assert first[-1].error is None
    assert [p.fetched for p in first[1:-1]] == [200, 400, 600, 800]
    count = book.count(telegram)
    assert count == first[-1].fetched == 800

    seen.clear()
    await sync.run(accounts)
    again = [p for p in seen if p.account_id == telegram]
    assert {p.expected for p in again} == {count}


async def test_rate_limited_page_waits_retry_after(
    book: AddressBook, client: BeeperClient, accounts: list[Account], state: DemoState
) -> None:
    telegram = _id(accounts, "telegram")
    state.faults.add(path=f"{telegram}{LIST}", status=429, retry_after=0.3, times=2)
    errors = await book.syncer(client).run(accounts)
    assert errors[telegram] is None
    times = [r.received_at for r in state.requests_to(f"{telegram}{LIST}")]
    assert times[1] - times[0] >= 0.29
    assert times[2] - times[1] >= 0.29
    assert book.count(telegram) == 800


async def test_removed_contact_leaves_the_book_and_a_failed_sync_keeps_it(
    book: AddressBook,
    client: BeeperClient,
    accounts: list[Account],
    state: DemoState,
    dataset: Dataset,
) -> None:
    gmessages = _id(accounts, "gmessages")
    sync = book.syncer(client)
    await sync.run(accounts)
    contacts = dataset.account(gmessages).contacts  # type: ignore[union-attr]
    gone, kept = contacts[5], contacts[6]
    assert book.index.person_of(gmessages, str(gone["id"])) is not None

    # A sync that fails half way changes nothing.
    state.faults.add(path=f"{gmessages}{LIST}", status=500, times=1)
    assert await sync.sync_account(gmessages) is not None
    assert book.count(gmessages) == len(contacts)
    assert book.index.person_of(gmessages, str(gone["id"])) is not None

    # The account's list no longer has ``gone``: after a re-sync, neither has the book.
    remaining = [c for c in contacts if c is not gone]
    page = {"items": remaining, "hasMore": False, "oldestCursor": None, "newestCursor": None}
    state.faults.add(path=f"{gmessages}{LIST}", body=page, times=1)
    assert await sync.sync_account(gmessages) is None
    assert book.index.person_of(gmessages, str(gone["id"])) is None
    assert book.index.person_of(gmessages, str(kept["id"])) is not None
    assert book.count(gmessages) == len(contacts) - 1


async def test_a_repeated_cursor_ends_the_list(
    book: AddressBook, client: BeeperClient, accounts: list[Account], state: DemoState
) -> None:
    signal = _id(accounts, "signal")
    looping = {
        "items": [{"id": "@loop:beeper.local", "fullName": "Loop Lupin"}],
        "hasMore": True,
        "oldestCursor": "same-cursor",
    }
    state.faults.add(path=f"{signal}{LIST}", body=looping)
    assert await book.syncer(client).sync_account(signal) is None
    assert len(state.requests_to(f"{signal}{LIST}")) == 2
    assert book.count(signal) == 1


async def test_slow_account_best_match_still_ranks_first(
    book: AddressBook, client: BeeperClient, accounts: list[Account], state: DemoState
) -> None:
    telegram = _id(accounts, "telegram")
    state.faults.add(path=f"{telegram}{LIST}", delay_ms=200)
    finished: list[str] = []
    sync = book.syncer(
        client,
        observer=lambda p: p.done and finished.append(p.account_id),
        concurrency=len(accounts),
    )
    await sync.run(accounts)
    assert finished[-1] == telegram  # the slow account answered last
    lindqvist = book.search("lindqvist zoe").people
    assert lindqvist[0].name == "Zoë Lindqvist"
    assert lindqvist[0].contact.account_id == telegram
    jose = [p.name for p in book.search("jose maria").people]
    assert jose[0] == "José María Núñez"


async def test_exact_phone_lookup_is_named_from_the_book(
    book: AddressBook, client: BeeperClient, accounts: list[Account], state: DemoState
) -> None:
    await book.syncer(client).run(accounts)
    enabled = _enabled(accounts)
    state.clear_requests()
    result = await book.lookup(client, "06 12 34 56 78", enabled)  # national, region FR
    asked = {r.params.get("query") for r in state.requests_to(r"/contacts$")}
    assert asked == {"+33612345678"}
    first = result.people[0]
    assert first.name == "Renée Dubois"
    assert first.in_book
    assert first.contact.account_id == _id(accounts, "telegram")
    assert all(p.in_book for p in result.people)
    assert len(first.contact.identities) > 1  # lookup hits on other networks joined her row
    assert _id(accounts, "instagramgo") in result.lookup_errors  # rejects phone lookups


@pytest.mark.parametrize("region", [None, "US"])
async def test_a_national_number_no_region_reads_is_never_sent_for_lookup(
    tmp_path: Path,
    client: BeeperClient,
    accounts: list[Account],
    state: DemoState,
    region: str | None,
) -> None:
    book = await AddressBook.open(tmp_path / "national.sqlite3", region=region)
    try:
        await book.syncer(client).run(accounts)
        state.clear_requests()
        result = await book.lookup(client, "06 12 34 56 78", _enabled(accounts))
        # Asked as typed, a network would guess +1 0612345678 and "find" a stranger.
        assert state.requests_to(r"/contacts$") == []
        assert [p.name for p in result.people] == ["Renée Dubois"]
        assert all(p.in_book for p in result.people)
        state.clear_requests()
        await book.lookup(client, "0033 6 12 34 56 78", _enabled(accounts))
        asked = {r.params.get("query") for r in state.requests_to(r"/contacts$")}
        assert asked == {"+33612345678"}  # 00 is the international prefix
    finally:
        await book.close()


async def test_lookup_only_rows_are_marked_and_last(
    book: AddressBook, client: BeeperClient, accounts: list[Account]
) -> None:
    await book.syncer(client).run(accounts)
    result = await book.lookup(client, "@zoe_lq", _enabled(accounts))
    marks = [p.in_book for p in result.people]
    assert marks[0] is True
    assert result.people[0].name == "Zoë Lindqvist"
    assert False in marks
    assert marks == sorted(marks, reverse=True)  # every book row before any lookup-only row
    assert result.total == len(result.people)


async def test_cancel_keeps_what_the_book_had(
    book: AddressBook, client: BeeperClient, accounts: list[Account], state: DemoState
) -> None:
    await book.syncer(client).run(accounts)
    before = {a: book.count(a) for a in _enabled(accounts)}
    state.faults.add(path=LIST, delay_ms=50)
    started = asyncio.Event()
    sync = book.syncer(client, observer=lambda p: p.fetched and started.set())
    task = sync.start(accounts)
    assert sync.start(accounts) is task  # a running sync is not started twice
    await started.wait()
    await sync.cancel()
    assert task.cancelled()
    assert not sync.running
    assert {a: book.count(a) for a in _enabled(accounts)} == before
