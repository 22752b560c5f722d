"""The book file is ours and only ours: foreign, linked, shared, locked, damaged, read-only, full.

Every case runs against real files in a temporary directory.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from pathlib import Path

import pytest

from beeper_tui.service.book import (
    AddressBook,
    BookBusy,
    BookRefused,
    BookStore,
    BookWriteError,
)
from beeper_tui.service.book import store as store_module
from tests.book_helpers import rows

ALICE = {"id": "@alice", "fullName": "Alice Liddell"}
BOB = {"id": "@bob", "fullName": "Bob Zoellner"}


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _book_with(path: Path, n: int = 2) -> None:
    people = [{"id": f"@p{i}", "fullName": f"Person Number{i} " + "x" * 200} for i in range(n)]
    store = BookStore(path)
    store.replace_account("telegram", rows({"telegram": people}))
    store.close()


# -- files that are not ours ------------------------------------------------------


def test_a_symlink_at_the_books_path_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    book_dir = tmp_path / "cache"
    book_dir.mkdir(mode=0o700)
    victim = tmp_path / "notes.txt"
    victim.write_text("mine\n")
    victim.chmod(0o644)
    (book_dir / "book.sqlite3").symlink_to(victim)
    with pytest.raises(BookRefused, match="symbolic link"):
        BookStore(book_dir / "book.sqlite3")
    assert victim.read_text() == "mine\n"
    assert _mode(victim) == 0o644
    empty = tmp_path / "empty"
    empty.touch()
    (book_dir / "book.sqlite3").unlink()
    (book_dir / "book.sqlite3").symlink_to(empty)
    with pytest.raises(BookRefused):
        BookStore(book_dir / "book.sqlite3")
    assert empty.read_bytes() == b""


def test_a_symlinked_companion_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "book.sqlite3"
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep")
    path.with_name("book.sqlite3-wal").symlink_to(victim)
    with pytest.raises(BookRefused, match="symbolic link"):
        BookStore(path)
    assert victim.read_bytes() == b"keep"


def test_another_applications_database_is_never_written(tmp_path: Path) -> None:
    for app_id, version in ((0, 1), (0x12345678, 0), (0, 7)):
        path = tmp_path / f"other-{app_id}-{version}.sqlite3"
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.execute("INSERT INTO notes VALUES ('hello')")
        conn.execute(f"PRAGMA application_id = {app_id}")
        conn.execute(f"PRAGMA user_version = {version}")
        conn.commit()
        conn.close()
        path.chmod(0o644)
        before = path.read_bytes()
        with pytest.raises(BookRefused, match="not a beeper-tui address book") as refused:
            BookStore(path)
        assert str(path) in str(refused.value)
        assert path.read_bytes() == before
        assert _mode(path) == 0o644
        assert not path.with_name(path.name + "-wal").exists()


def test_a_book_of_another_user_or_in_a_directory_others_write_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    with pytest.raises(BookRefused, match="chmod 700"):
        BookStore(shared / "book.sqlite3")
    assert not (shared / "book.sqlite3").exists()

    mine = tmp_path / "mine"
    _book_with(mine / "book.sqlite3")
    before = (mine / "book.sqlite3").read_bytes()
    # Seen from another user: the directory and the file are not theirs.
    monkeypatch.setattr(os, "getuid", lambda: os.stat(mine).st_uid + 1)
    with pytest.raises(BookRefused, match="another user"):
        BookStore(mine / "book.sqlite3")
    assert (mine / "book.sqlite3").read_bytes() == before


# -- busy is not broken -------------------------------------------------------------


def test_a_book_locked_by_another_process_is_waited_for_never_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "book.sqlite3"
    _book_with(path)
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("DELETE FROM snapshot")
    released = threading.Timer(0.5, lambda: holder.execute("COMMIT"))
    store = BookStore(path, busy_timeout=10)
    try:
        assert [m.account_id for m in store.accounts()] == ["telegram"]  # read while held
        released.start()
        store.replace_account("slack", rows({"slack": [ALICE]}))  # waited for the lock
        assert [m.account_id for m in store.accounts()] == ["slack", "telegram"]
    finally:
        released.join()
        store.close()
        holder.close()
    assert list(tmp_path.glob("*.bak")) == []


def test_a_book_held_exclusively_too_long_is_busy_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "book.sqlite3"
    _book_with(path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(BookBusy, match="locked by another process"):
            BookStore(path, busy_timeout=0.3)
    finally:
        holder.execute("COMMIT")
        holder.close()
    assert list(tmp_path.glob("*.bak")) == []
    again = BookStore(path)
    assert [m.account_id for m in again.accounts()] == ["telegram"]
    again.close()


def test_running_out_of_file_descriptors_is_not_corruption(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "book.sqlite3"
    _book_with(path)

    def no_fds(*args: object, **kwargs: object) -> int:
        raise OSError(24, "Too many open files")

    monkeypatch.setattr(store_module.os, "open", no_fds)
    with pytest.raises(store_module.BookError, match="Too many open files"):
        BookStore(path)
    monkeypatch.undo()
    assert list(tmp_path.glob("*.bak")) == []
    assert [m.account_id for m in BookStore(path).accounts()] == ["telegram"]


# -- only what SQLite calls corrupt is set aside ---------------------------------------


async def test_corrupt_pages_under_an_intact_header_are_set_aside_once(tmp_path: Path) -> None:
    path = tmp_path / "book.sqlite3"
    _book_with(path, n=400)
    size = path.stat().st_size
    with path.open("r+b") as file:  # the header stays; the pages after it are garbage
        file.seek(4096)
        file.write(os.urandom(size - 4096))
    book = await AddressBook.open(path)
    try:
        assert book.account_ids == ()
        assert len(book.notices) == 1
        assert "damaged" in book.notices[0]
        (aside,) = tmp_path.glob("book.sqlite3.corrupt-*.bak")
        assert aside.stat().st_size == size
        await book.replace_account("telegram", rows({"telegram": [ALICE]}))
    finally:
        await book.close()
    again = await AddressBook.open(path)
    assert again.notices == []
    assert again.account_ids == ("telegram",)
    await again.close()


# -- read-only and full ---------------------------------------------------------------


async def test_an_unwritable_book_is_read_with_one_notice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "book.sqlite3"
    _book_with(path)
    real_open = os.open

    def denied(file: object, flags: int, *args: object) -> int:
        if Path(str(file)) == path and flags & (os.O_RDWR | os.O_WRONLY):
            raise PermissionError(13, "Permission denied")  # as for chmod 0400 or chattr +i
        return real_open(file, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(store_module.os, "open", denied)
    book = await AddressBook.open(path)
    try:
        assert book.read_only
        assert len(book.notices) == 1
        assert "read-only" in book.notices[0]
        assert book.account_ids == ("telegram",)
        assert book.search("number1").total > 0
        with pytest.raises(BookWriteError, match="read-only"):
            await book.replace_account("slack", rows({"slack": [ALICE]}))
    finally:
        await book.close()


async def test_a_full_disk_keeps_the_old_book_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "book.sqlite3"
    book = await AddressBook.open(path)
    try:
        await book.replace_account("telegram", rows({"telegram": [ALICE, BOB]}))
        # No page may be added: what a full disk does to SQLite (SQLITE_FULL).
        pages = book._store._conn.execute("PRAGMA page_count").fetchone()[0]
        book._store._conn.execute(f"PRAGMA max_page_count = {pages}")
        many = [{"id": f"@n{i}", "fullName": "N " + "y" * 500} for i in range(500)]
        with pytest.raises(BookWriteError, match="disk full"):
            await book.replace_account("telegram", rows({"telegram": many}))
        assert book.count("telegram") == 2
        assert book.search("alice").total == 1
    finally:
        await book.close()


def test_damage_found_by_a_later_write_sets_the_file_aside_too(tmp_path: Path) -> None:
    path = tmp_path / "book.sqlite3"
    _book_with(path, n=400)
    store = BookStore(path)  # opening reads only the first page
    try:
        size = path.stat().st_size
        with path.open("r+b") as file:
            file.seek(4096)
            file.write(os.urandom(size - 4096))
        store.replace_account("slack", rows({"slack": [ALICE]}))
        assert [m.account_id for m in store.accounts()] == ["slack"]
        assert len(store.notices) == 1
        assert len(list(tmp_path.glob("book.sqlite3.corrupt-*.bak"))) == 1
    finally:
        store.close()
