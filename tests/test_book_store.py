"""The address book on disk: private modes, schema versions, reopening, clearing."""

from __future__ import annotations

import logging
import sqlite3
import stat
from pathlib import Path

import pytest

from beeper_tui.service.book import SCHEMA_VERSION, AddressBook, BookStore
from beeper_tui.service.book.store import BookRefused
from tests.book_helpers import rows

ALICE = {"id": "@alice", "fullName": "Alice Liddell", "phoneNumber": "+14155552671"}
BOB = {"id": "@bob", "fullName": "Bob Zoellner"}


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_file_and_wal_are_private(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "book.sqlite3"
    store = BookStore(path)
    try:
        store.replace_account("telegram", rows({"telegram": [ALICE]}))
        wal = path.with_name(path.name + "-wal")
        shm = path.with_name(path.name + "-shm")
        assert wal.exists()
        assert (_mode(path), _mode(wal), _mode(shm)) == (0o600, 0o600, 0o600)
        assert _mode(path.parent) == 0o700
    finally:
        store.close()


def test_an_existing_loose_file_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "book.sqlite3"
    BookStore(path).close()
    path.chmod(0o644)
    BookStore(path).close()
    assert _mode(path) == 0o600


async def test_reopen_a_book_written_by_an_earlier_run(tmp_path: Path) -> None:
    path = tmp_path / "book.sqlite3"
    first = await AddressBook.open(path)
    await first.replace_account("telegram", rows({"telegram": [ALICE, BOB]}))
    await first.close()

    again = await AddressBook.open(path)  # offline: no client anywhere
    try:
        assert again.ready("telegram")
        assert not again.ready("slack")
        assert again.count("telegram") == 2
        assert again.last_synced("telegram") is not None
        assert [p.name for p in again.search("liddell").people] == ["Alice Liddell"]
    finally:
        await again.close()


async def test_a_newer_schema_is_set_aside_not_read(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "book.sqlite3"
    book = await AddressBook.open(path)
    await book.replace_account("telegram", rows({"telegram": [ALICE]}))
    await book.close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()

    with caplog.at_level(logging.WARNING, logger="beeper_tui.service.book"):
        reopened = await AddressBook.open(path)
    try:
        assert not reopened.ready("telegram")
        assert reopened.search("alice").total == 0
        aside = path.with_name(f"book.sqlite3.schema-{SCHEMA_VERSION + 1}.bak")
        assert aside.exists()
        assert "newer beeper-tui" in caplog.text
        assert str(aside) in caplog.text
        with sqlite3.connect(aside) as old:
            assert old.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
        old.close()
    finally:
        await reopened.close()


async def test_a_database_without_our_mark_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "book.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE contacts (id TEXT)")
        conn.execute("INSERT INTO contacts VALUES ('x')")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(BookRefused, match="not a beeper-tui address book"):
        await AddressBook.open(path)
    assert path.read_bytes() == before
    assert not path.with_name("book.sqlite3-wal").exists()


async def test_a_file_that_is_not_a_database_is_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "book.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    book = await AddressBook.open(path)
    try:
        assert book.account_ids == ()
        (aside,) = tmp_path.glob("book.sqlite3.corrupt-*.bak")
        assert aside.read_bytes().startswith(b"this is")
    finally:
        await book.close()


async def test_in_memory_book_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    book = await AddressBook.open(None)
    await book.replace_account("telegram", rows({"telegram": [ALICE]}))
    assert book.path is None
    assert book.search("alice").total == 1
    await book.close()
    assert list(tmp_path.iterdir()) == []


async def test_clear_and_remove(tmp_path: Path) -> None:
    path = tmp_path / "book.sqlite3"
    book = await AddressBook.open(path)
    await book.replace_account("telegram", rows({"telegram": [ALICE]}))
    await book.clear()
    assert not book.ready("telegram")
    assert book.search("alice").total == 0
    await book.remove()
    assert not path.exists()
    assert not path.with_name(path.name + "-wal").exists()


async def test_replacing_an_account_drops_who_is_gone(tmp_path: Path) -> None:
    book = await AddressBook.open(tmp_path / "book.sqlite3")
    try:
        await book.replace_account("telegram", rows({"telegram": [ALICE, BOB]}))
        await book.replace_account("slack", rows({"slack": [BOB]}))
        await book.replace_account("telegram", rows({"telegram": [ALICE]}))
        assert [p.contact.key for p in book.search("bob").people] == [("slack", "@bob")]
        assert book.count("telegram") == 1
    finally:
        await book.close()


def test_default_book_path_follows_xdg_cache_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from beeper_tui.book_path import default_book_path

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr("sys.platform", "linux")
    assert default_book_path() == tmp_path / "beeper-tui" / "book.sqlite3"
