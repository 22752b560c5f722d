"""The book keeper's status line: sync progress, and offline with the last sync time."""

from __future__ import annotations

import time
from pathlib import Path

from beeper_tui.service.book import SyncProgress
from beeper_tui.service.book_keeper import BookKeeper, ago


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
