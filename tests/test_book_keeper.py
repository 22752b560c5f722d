"""The book keeper's status line: sync progress, and offline with the last sync time."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from beeper_tui.demo import build_dataset, create_demo_app
from beeper_tui.demo.faults import Latency
from beeper_tui.service.accounts import bare_account, is_enabled
from beeper_tui.service.book import SyncProgress
from beeper_tui.service.book_keeper import BookKeeper, ago
from beeper_tui.wiring import open_backend


def test_ago() -> None:
    assert ago(5) == "just now"
    assert ago(12 * 60 + 5) == "12 min ago"
    assert ago(3 * 3600) == "3 h ago"
    assert ago(86400) == "1 day ago"
    assert ago(3 * 86400) == "3 days ago"


async def test_status_offline_says_when_the_book_last_synced(tmp_path: Path) -> None:
    keeper = BookKeeper(tmp_path / "book.sqlite3")
    book = await keeper.open()
    assert book is not None
    assert keeper.status(str, offline=True) == "offline"
    assert not keeper.has_contents
    await book.replace_account("acct", [])
    assert keeper.has_contents
    assert keeper.status(str, offline=False) is None
    assert keeper.status(str, offline=True) == "offline, last synced just now"
    await keeper.close()


async def test_a_book_that_cannot_be_opened_is_reported_and_the_app_runs_without(
    tmp_path: Path,
) -> None:
    (tmp_path / "not-a-dir").write_text("")
    keeper = BookKeeper(tmp_path / "not-a-dir" / "book.sqlite3")
    assert await keeper.open() is None
    assert keeper.open_error
    assert keeper.status(str, offline=True) is None


def test_progress_names_the_account_that_moves() -> None:
    changes: list[float] = []
    keeper = BookKeeper(None, on_change=lambda: changes.append(time.monotonic()))
    keeper._progress(SyncProgress("slack", 4200, 20000))
    assert changes
    assert keeper.failed == {}


async def _until_idle(keeper: BookKeeper) -> None:
    for _ in range(600):
        if not keeper.syncing:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the sync never finished")


async def test_accounts_found_later_are_synced_too_and_failures_not_retried() -> None:
    demo = create_demo_app(build_dataset(big_account_size=400), latency=Latency(fixed_ms=30))
    backend = open_backend(base_url="http://demo.invalid", access_token=None, demo_app=demo)
    listed = await backend.accounts.refresh()
    accounts = [a for a in listed if is_enabled(a)]
    disabled = [a for a in listed if not is_enabled(a)]
    assert disabled
    first, later = accounts[:2], accounts[2:]
    keeper = BookKeeper(None)
    book = await keeper.open()
    assert book is not None
    try:
        keeper.sync(backend.client, first)
        assert keeper.syncing
        # Found while the first sync runs (iMessage on 4.3 builds): synced beside it.
        keeper.sync_new(backend.client, [*first, *later[:2]])
        await _until_idle(keeper)
        assert all(book.ready(a.account_id) for a in [*first, *later[:2]])
        assert not any(book.ready(a.account_id) for a in later[2:])

        # Found after it ended: synced on their own; one the server does not know fails ...
        gone = bare_account("no-such-account")
        keeper.sync_new(backend.client, [*accounts, gone])
        assert keeper.syncing
        await _until_idle(keeper)
        assert all(book.ready(a.account_id) for a in accounts)
        assert set(keeper.failed) == {"no-such-account"}
        # ... and is not tried again by every account refresh; nor is a disabled one.
        keeper.sync_new(backend.client, [*listed, gone])
        assert not keeper.syncing
        assert not any(book.ready(a.account_id) for a in disabled)
    finally:
        await keeper.close()
        await backend.aclose()


async def test_closing_stops_the_accounts_syncing_beside_the_main_sync() -> None:
    demo = create_demo_app(build_dataset(big_account_size=400), latency=Latency(fixed_ms=50))
    backend = open_backend(base_url="http://demo.invalid", access_token=None, demo_app=demo)
    accounts = [a for a in await backend.accounts.refresh() if is_enabled(a)]
    keeper = BookKeeper(None)
    assert await keeper.open() is not None
    try:
        keeper.sync(backend.client, accounts[:1])
        keeper.sync_new(backend.client, accounts)  # the rest join while it runs
        assert keeper.syncing
        await asyncio.sleep(0.1)
    finally:
        await keeper.close()  # no task left fetching into a closed book
        await backend.aclose()
    assert not keeper.syncing


async def test_a_resync_that_cannot_be_saved_says_disk_full_and_keeps_the_book(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    small = create_demo_app(build_dataset(big_account_size=100))
    backend = open_backend(base_url="http://demo.invalid", access_token=None, demo_app=small)
    listed = await backend.accounts.refresh()
    # The same accounts, one of them grown: the re-sync needs more room on disk.
    grown = create_demo_app(build_dataset(big_account_size=1000))
    later = open_backend(base_url="http://demo.invalid", access_token=None, demo_app=grown)
    keeper = BookKeeper(tmp_path / "book.sqlite3")
    book = await keeper.open()
    assert book is not None
    try:
        keeper.sync(backend.client, listed)
        await _until_idle(keeper)
        counts = {a: book.count(a) for a in book.account_ids}
        assert counts
        assert book.missing() == []
        assert keeper.status(str, offline=False) is None
        # The disk fills: no page may be added to the file (SQLite's SQLITE_FULL).
        store = book._store
        pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
        store._conn.execute(f"PRAGMA max_page_count = {pages}")
        keeper.sync(later.client, await later.accounts.refresh())
        await _until_idle(keeper)
        assert keeper.status(str, offline=False) == "sync failed: disk full"
        assert keeper.sync_failure() == "sync failed: disk full"
        assert {a: book.count(a) for a in book.account_ids} == counts
        assert any("disk full" in r.getMessage() for r in caplog.records)
    finally:
        await keeper.close()
        await backend.aclose()
        await later.aclose()
