"""The address book on disk: one SQLite file, private to the user, schema-versioned, ours.

Every method here is blocking; :class:`~beeper_tui.service.book.AddressBook`
runs them on its one worker thread so the event loop never waits on the
disk. One connection is shared under a lock; writes take SQLite's write lock
up front (``BEGIN IMMEDIATE``) and wait for it (``busy_timeout``, then
bounded retries), so any number of processes share one book.

What this module does with the file at the book's path:

- **Ours**: ``PRAGMA application_id`` is :data:`APPLICATION_ID` and
  ``PRAGMA user_version`` holds :data:`SCHEMA_VERSION`. A book from a *newer*
  app is never read: it is moved aside (``book.sqlite3.schema-N.bak``). One
  from an older schema is rebuilt: the book is a cache of what Desktop holds.
- **Not ours**: an SQLite file with another ``application_id`` (or an older
  file whose tables are not the book's) is never opened for writing: opening
  raises :class:`BookRefused` naming it, and the file stays as it was.
- **Not safe**: a symbolic link at the path (or at a companion), a file or
  directory owned by another user, or a directory others may write to is
  refused too (:class:`BookRefused`, with how to fix it), the way ssh refuses
  a loose config.
- **Busy**: a book another process holds is waited for
  (:data:`BUSY_TIMEOUT`); still busy, opening raises :class:`BookBusy` and the
  file is left alone.
- **Corrupt**: only what SQLite itself calls corrupt (an unreadable header,
  ``SQLITE_CORRUPT``/``SQLITE_NOTADB``, ``quick_check`` failing) is moved to
  ``book.sqlite3.corrupt-<time>.bak`` and a fresh book started;
  :attr:`BookStore.notices` says so once.
- **Read-only** (no write permission, an immutable file, a read-only disk):
  the book is opened read-only and :attr:`BookStore.read_only` is set; writes
  raise :class:`BookWriteError`.
- **Full disk**: a write fails as a whole (the transaction rolls back, the
  previous contents stay) with :class:`BookWriteError` ("disk full").

The file is created with mode 0600 (the directory 0700) before SQLite opens
it; SQLite gives its ``-wal`` and ``-shm`` companions the same mode.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final, Protocol, TypeAlias, TypeVar, cast, overload

from beeper_tui.api.errors import BeeperError

if TYPE_CHECKING:
    import logging

__all__ = [
    "APPLICATION_ID",
    "BUSY_TIMEOUT",
    "COLUMNS",
    "SCHEMA_VERSION",
    "AccountMeta",
    "BookBusy",
    "BookError",
    "BookRefused",
    "BookStore",
    "BookWriteError",
    "ContactRows",
    "DirectoryEntry",
    "StoredContact",
    "remove_book_files",
]

SCHEMA_VERSION: Final = 1
"""Bump when the tables change; add a migration or let older files rebuild.

Tables created when missing need no bump (``snapshot``, ``directory``,
``book_schema``): a file from before them gains them in place, and an app
from before them ignores them (its writes change the fingerprint, so a
snapshot it leaves behind is never read)."""

APPLICATION_ID: Final = 0x42545549
"""``PRAGMA application_id`` of a book ("BTUI"): a file without it is not ours."""

BUSY_TIMEOUT: Final = 15.0
"""Seconds to wait for another process's lock on the book before giving up."""

_COMPANIONS: Final = ("-wal", "-shm", "-journal")
_FILE_MODE: Final = 0o600
_STREAM_ROWS: Final = 4_096
_DIR_MODE: Final = 0o700
_SQLITE_MAGIC: Final = b"SQLite format 3\x00"
_TABLES: Final = frozenset(
    {"book_schema", "accounts", "contacts", "directory", "snapshot", "desktop_merges"}
)
_UNMARKED_TABLES: Final = frozenset({"accounts", "contacts", "snapshot"})
"""The tables of a book from before the mark (it is marked in place, its contacts kept)."""
_CORRUPT_CODES: Final = frozenset({11, 26})  # SQLITE_CORRUPT, SQLITE_NOTADB
_BUSY_CODES: Final = frozenset({5, 6})  # SQLITE_BUSY, SQLITE_LOCKED
_FULL_CODE: Final = 13  # SQLITE_FULL
_READONLY_CODE: Final = 8  # SQLITE_READONLY


def book_log() -> logging.Logger:
    """The book's logger; :mod:`logging` is imported with its first message."""
    import logging

    return logging.getLogger("beeper_tui.service.book")


T = TypeVar("T")


class BookError(BeeperError):
    """The book file cannot be used as it is; the message says why and what to do."""


class BookRefused(BookError):
    """The file at the book's path is not ours, or not safe to use: it is left untouched."""


class BookBusy(BookError):
    """Another process held the book longer than :data:`BUSY_TIMEOUT`."""


class BookWriteError(BookError):
    """A write failed (disk full, read-only); the book keeps what it held before."""


def is_corrupt(exc: BaseException) -> bool:
    """Whether SQLite said the file is damaged (not merely busy or unopenable)."""
    return isinstance(exc, sqlite3.DatabaseError) and (
        getattr(exc, "sqlite_errorcode", 0) & 0xFF in _CORRUPT_CODES
    )


def _is_busy(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and (
        getattr(exc, "sqlite_errorcode", 0) & 0xFF in _BUSY_CODES
    )


def write_failure(exc: BaseException) -> BookWriteError:
    """A failed write in the user's words ("disk full", "the book is read-only")."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    if code == _FULL_CODE or getattr(exc, "errno", None) == errno.ENOSPC:
        return BookWriteError("disk full")
    if code == _READONLY_CODE or getattr(exc, "errno", None) in (errno.EROFS, errno.EACCES):
        return BookWriteError("the address book is read-only")
    return BookWriteError(f"cannot write the address book ({exc})")


_DIRECTORY_TABLE: Final = """
CREATE TABLE IF NOT EXISTS directory (
    account_id TEXT PRIMARY KEY,
    network TEXT NOT NULL,
    enabled INTEGER NOT NULL
);
"""
"""The accounts Desktop last listed (enabled or not) and their networks' names: what a
complete book holds, and the names ``search`` prints without asking Desktop."""

_SNAPSHOT_TABLE: Final = """
CREATE TABLE IF NOT EXISTS snapshot (
    part INTEGER PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    data BLOB NOT NULL
);
"""
"""The built index, saved so that opening the book need not rebuild it: one row per
part (see :mod:`~beeper_tui.service.book.snapshot`), each with the
:meth:`BookStore.fingerprint` of the contacts it was built from."""

_MERGES_TABLE: Final = """
CREATE TABLE IF NOT EXISTS desktop_merges (
    merge_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (merge_id, account_id, user_id)
) WITHOUT ROWID;
"""
"""The identities whose chats the user merged in Beeper (one person each ``merge_id``),
as the last sync read them from the chats' ``merge``/``mergedIntoChatID``."""

_SCHEMA: Final = (
    """
CREATE TABLE IF NOT EXISTS book_schema (
    app TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS accounts (
    account_id TEXT PRIMARY KEY,
    synced_at REAL NOT NULL,
    count INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS contacts (
    account_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    sort_key TEXT NOT NULL,
    name_words TEXT NOT NULL,
    other_words TEXT NOT NULL,
    phone_digits TEXT NOT NULL,
    person_keys TEXT NOT NULL,
    user_json TEXT NOT NULL,
    PRIMARY KEY (account_id, user_id)
) WITHOUT ROWID;
"""
    + _DIRECTORY_TABLE
    + _SNAPSHOT_TABLE
    + _MERGES_TABLE
)


StoredContact: TypeAlias = tuple[str, str, str, str, str, str, str, str]
"""One identity as stored, a plain tuple of :data:`COLUMNS`.

The search fields are folded once, at sync time (see
:func:`~beeper_tui.service.book.rows.stored_contact`), so opening a book
of 100,000 contacts does no folding or phone parsing. Lists inside a column
are joined by ``\\x1f``. A plain tuple, not a NamedTuple, on purpose: the
garbage collector stops tracking tuples of strings, so 100,000 rows in
flight do not make each full collection stop the event loop for longer.
"""

COLUMNS: Final = (
    "account_id",
    "user_id",
    "sort_key",  # folded display name for ordering (named people first)
    "name_words",  # folded words of the full name, first word first, plus spelling variants
    "other_words",  # folded username and email, whole and in parts
    "phone_digits",  # the digits of the phone number ("" without one)
    "person_keys",  # person_keys() of the user
    "user_json",  # the wire User (camelCase keys, nulls left out)
)


class ContactRows(Protocol):
    """Rows to store: a list, or anything sized that can be read again (a sync's packed pages)."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[StoredContact]: ...


@dataclass(frozen=True, slots=True)
class AccountMeta:
    """What the book knows about one account's last successful sync."""

    account_id: str
    synced_at: float
    """Unix time of the last successful full sync."""
    count: int
    """How many contacts that sync brought."""


@dataclass(frozen=True, slots=True)
class DirectoryEntry:
    """One account as Desktop last listed it: what a complete book must hold."""

    account_id: str
    network: str
    """The network's human name (``WhatsApp``), as :func:`network_name` gave it."""
    enabled: bool


def remove_book_files(path: Path) -> bool:
    """Delete the book at ``path`` and its SQLite companions; True if anything was there.

    Needs no open connection, so a file from a newer app or a broken one goes too.
    """
    found = False
    for file in (path, *(path.with_name(path.name + s) for s in _COMPANIONS)):
        try:
            file.unlink()
            found = True
        except FileNotFoundError:
            pass
    return found


def _loose(info: os.stat_result) -> bool:
    """Whether others may write here (group-writable counts unless it is the user's own group)."""
    if info.st_mode & stat.S_IWOTH:
        return True
    return bool(info.st_mode & stat.S_IWGRP) and info.st_gid != os.getgid()


def check_place(path: Path) -> None:
    """Refuse (:class:`BookRefused`) a book path that others control; create its directory.

    The directory must be the user's and closed to other writers; the file, if
    there, a regular file (not a symbolic link) of the user's. Platforms
    without user IDs (Windows) only get the symbolic-link check.
    """
    folder = path.parent
    folder.mkdir(mode=_DIR_MODE, parents=True, exist_ok=True)
    has_uid = hasattr(os, "getuid")
    info = folder.stat()
    if has_uid and info.st_uid != os.getuid():
        raise BookRefused(
            f"the address book's directory {folder} belongs to another user; "
            "remove it or set XDG_CACHE_HOME (or book_path) to a directory of your own"
        )
    if has_uid and _loose(info):
        raise BookRefused(
            f"the address book's directory {folder} is writable by others "
            f"(mode {stat.S_IMODE(info.st_mode):o}); run: chmod 700 {folder}"
        )
    for file in (path, *(path.with_name(path.name + s) for s in _COMPANIONS)):
        try:
            info = file.lstat()
        except FileNotFoundError:
            continue
        if stat.S_ISLNK(info.st_mode):
            raise BookRefused(
                f"{file} is a symbolic link; the address book never follows one. "
                "Remove the link (beeper-tui cache clear) to start a book there"
            )
        if not stat.S_ISREG(info.st_mode):
            raise BookRefused(f"{file} is not a regular file; move it away to start a book there")
        if has_uid and info.st_uid != os.getuid():
            raise BookRefused(
                f"{file} belongs to another user; remove it (beeper-tui cache clear) "
                "or set XDG_CACHE_HOME (or book_path) to a directory of your own"
            )


def _read_header(path: Path) -> bytes | None:
    """The first 100 bytes of the file, None if it does not exist (never follows a link)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return None
    try:
        return os.read(fd, 100)
    finally:
        os.close(fd)


class BookStore:
    """The SQLite file (or an in-memory database when ``path`` is None).

    Raises :class:`BookRefused` for a file that is not ours or not safe,
    :class:`BookBusy` when another process holds it too long, and
    :class:`BookError` when it cannot be opened at all (no file descriptors
    left, say); none of them touch the file.
    """

    def __init__(self, path: Path | None, *, busy_timeout: float = BUSY_TIMEOUT) -> None:
        self.path = path
        self.busy_timeout = busy_timeout
        self.read_only = False
        """True when the file could only be opened for reading: nothing is written."""
        self.notices: list[str] = []
        """What the user should hear once about this file (set aside, read-only)."""
        self._lock = threading.Lock()
        self._conn = self._connect()

    @property
    def in_memory(self) -> bool:
        """Whether nothing is written to disk (``--no-cache``)."""
        return self.path is None

    # -- opening -----------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        if self.path is None:
            memory = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
            self._create(memory)
            return memory
        check_place(self.path)
        try:
            return self._open_book()
        except sqlite3.DatabaseError as exc:
            if _is_busy(exc):
                raise BookBusy(
                    f"the address book {self.path} stayed locked by another process for "
                    f"{self.busy_timeout:g} s; try again"
                ) from None
            if not is_corrupt(exc):
                raise BookError(f"cannot open the address book {self.path}: {exc}") from None
            return self._recover(exc)
        except OSError as exc:
            raise BookError(
                f"cannot open the address book {self.path}: {exc.strerror or exc}"
            ) from None

    def recover(self, why: BaseException) -> None:
        """SQLite found the open file corrupt (``why``): move it aside, start a fresh book."""
        with self._lock:
            self._conn.close()
            self._conn = self._recover(why)

    def _recover(self, why: BaseException) -> sqlite3.Connection:
        if self.read_only:
            raise BookError(f"the address book {self.path} is damaged and read-only: {why}")
        where = self._set_aside(f"corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        self.notices.append(
            f"the address book was damaged ({why}); moved it to {where} and starting afresh"
        )
        book_log().info("address book %s is corrupt (%s); moved it to %s", self.path, why, where)
        return self._fresh()

    def _open_book(self) -> sqlite3.Connection:
        assert self.path is not None
        header = _read_header(self.path)
        if header and len(header) >= 100 and header.startswith(_SQLITE_MAGIC):
            app_id = int.from_bytes(header[68:72], "big")
            if app_id not in (0, APPLICATION_ID):
                raise self._foreign()
            if app_id == 0:
                self._probe_unmarked()
        elif header:  # not a database (random bytes, cut short): SQLite cannot read it
            return self._recover(sqlite3.DatabaseError("file is not a database"))
        conn = self._open_file()
        try:
            return self._adopt(conn)
        except BaseException:
            conn.close()
            raise

    def _probe_unmarked(self) -> None:
        """An SQLite file without our mark: refuse it unless it is a book from before the mark.

        Read through a read-only connection, so a file that is not ours is
        never changed (no WAL switch, no new table, not even its mode).
        """
        assert self.path is not None
        probe = self._sqlite(f"file:{_quote(self.path)}?mode=ro", pragmas=False)
        try:
            # The header on disk may lag the WAL (marked, not yet checkpointed), and
            # another process may be creating the book: read one committed state.
            with _one_snapshot(probe):
                marked = probe.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
                ours = marked or _unmarked_is_ours(probe)
        finally:
            probe.close()
        if not ours:
            raise self._foreign()

    def _adopt(self, conn: sqlite3.Connection) -> sqlite3.Connection:
        """Make ``conn`` a current book: create it, mark it, or set a newer one aside."""
        assert self.path is not None
        with _one_snapshot(conn):  # another process may be creating it right now
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            unmarked_ours = app_id != APPLICATION_ID and _unmarked_is_ours(conn)
            complete = _tables(conn) >= _TABLES
        if app_id == APPLICATION_ID and version > SCHEMA_VERSION:
            conn.close()
            where = self._set_aside(f"schema-{version}")
            book_log().warning(
                "address book %s was written by a newer beeper-tui (schema %d, this one reads %d);"
                " moved it to %s and starting a fresh book",
                self.path,
                version,
                SCHEMA_VERSION,
                where,
            )
            return self._fresh()
        if app_id != APPLICATION_ID and not unmarked_ours:
            raise self._foreign()  # (the header check has already refused most)
        if app_id != APPLICATION_ID or not complete:
            if self.read_only:
                return conn  # read as it stands; nothing is written
            # New, from before the mark, or from before a table: the same schema
            # version, so an older app still reads the file.
            self._retrying(lambda: self._create(conn))
        return conn

    def _foreign(self) -> BookRefused:
        return BookRefused(
            f"{self.path} is not a beeper-tui address book (another application's database?); "
            "it was left untouched. Move it away, or set book_path to another file"
        )

    def _open_file(self) -> sqlite3.Connection:
        assert self.path is not None
        try:
            # Create the file ourselves so it is never, even briefly, world-readable.
            fd = os.open(
                self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), _FILE_MODE
            )
        except PermissionError:
            return self._open_read_only()
        except OSError as exc:
            if exc.errno != errno.EROFS:
                raise
            return self._open_read_only()
        try:
            os.fchmod(fd, _FILE_MODE)
        finally:
            os.close(fd)
        conn = self._sqlite(f"file:{_quote(self.path)}")
        try:
            self._retrying(lambda: self._set_wal(conn))
        except sqlite3.OperationalError as exc:
            if getattr(exc, "sqlite_errorcode", 0) & 0xFF != _READONLY_CODE:
                conn.close()
                raise
        return conn

    @staticmethod
    def _set_wal(conn: sqlite3.Connection) -> None:
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode=WAL")

    def _open_read_only(self) -> sqlite3.Connection:
        assert self.path is not None
        self.read_only = True
        self.notices.append(
            f"the address book {self.path} is read-only: it is shown as it is, not synced"
        )
        book_log().info("address book %s is read-only; using it without syncing", self.path)
        try:
            conn = self._sqlite(f"file:{_quote(self.path)}?mode=ro")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError:
            # A WAL book in a directory we cannot write: read it as it stands.
            return self._sqlite(f"file:{_quote(self.path)}?immutable=1")

    def _sqlite(self, uri: str, *, pragmas: bool = True) -> sqlite3.Connection:
        conn = sqlite3.connect(
            uri,
            uri=True,
            check_same_thread=False,
            isolation_level=None,  # transactions are ours: BEGIN IMMEDIATE
            timeout=self.busy_timeout,
        )
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        if pragmas:
            conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    def _fresh(self) -> sqlite3.Connection:
        conn = self._open_file()
        self._retrying(lambda: self._create(conn))
        return conn

    @staticmethod
    def _create(conn: sqlite3.Connection) -> None:
        # Another process may be creating it too: whoever takes the write lock
        # first creates; the other finds the tables there (IF NOT EXISTS).
        with _transaction(conn):
            _run_script(conn, _SCHEMA)
            if not conn.execute("SELECT count(*) FROM book_schema").fetchone()[0]:
                conn.execute("INSERT INTO book_schema VALUES ('beeper-tui', ?)", (SCHEMA_VERSION,))
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _retrying(self, write: Callable[[], T]) -> T:
        """Run ``write``, trying again while another process holds the lock (bounded)."""
        deadline = time.monotonic() + self.busy_timeout
        delay = 0.01
        while True:
            try:
                return write()
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() >= deadline:
                    raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)

    def _companion(self, suffix: str) -> Path:
        assert self.path is not None
        return self.path.with_name(self.path.name + suffix)

    def _set_aside(self, label: str) -> Path:
        assert self.path is not None
        target = self.path.with_name(f"{self.path.name}.{label}.bak")
        os.replace(self.path, target)
        for suffix in _COMPANIONS:
            companion = self._companion(suffix)
            if companion.exists():
                os.replace(companion, target.with_name(target.name + suffix))
        return target

    def _remove_files(self) -> None:
        assert self.path is not None
        for path in (self.path, *(self._companion(s) for s in _COMPANIONS)):
            path.unlink(missing_ok=True)

    # -- reading and writing ------------------------------------------------

    def _read(self, sql: str, params: Sequence[object] = ()) -> list[tuple[object, ...]]:
        with self._lock:
            try:
                return self._retrying(lambda: self._conn.execute(sql, params).fetchall())
            except sqlite3.DatabaseError as exc:
                if not is_corrupt(exc) or self.path is None or self.read_only:
                    raise
                self._conn.close()
                self._conn = self._recover(exc)  # damaged under us: set aside, start afresh
                return self._conn.execute(sql, params).fetchall()

    def _write(self, change: Callable[[sqlite3.Connection], None]) -> None:
        """Run ``change`` in one write transaction; :class:`BookWriteError` if it cannot be."""
        if self.read_only:
            raise BookWriteError("the address book is read-only")

        def attempt() -> None:
            if self._conn.in_transaction:  # a one-shot reader's view (snapshot_parts) ends here
                self._conn.rollback()
            with _transaction(self._conn):
                change(self._conn)

        with self._lock:
            try:
                try:
                    self._retrying(attempt)
                except sqlite3.DatabaseError as exc:
                    if not is_corrupt(exc) or self.path is None:
                        raise
                    self._conn.close()
                    self._conn = self._recover(exc)  # damaged under us: set aside, start afresh
                    attempt()
            except sqlite3.OperationalError as exc:
                if _is_busy(exc):
                    raise BookBusy(
                        f"the address book stayed locked by another process for "
                        f"{self.busy_timeout:g} s"
                    ) from None
                raise write_failure(exc) from None
            except (sqlite3.DatabaseError, OSError) as exc:
                raise write_failure(exc) from None

    def accounts(self) -> list[AccountMeta]:
        """Every account that has synced at least once."""
        rows = self._read("SELECT account_id, synced_at, count FROM accounts ORDER BY account_id")
        return [AccountMeta(*row) for row in rows]  # type: ignore[arg-type]

    def directory(self) -> list[DirectoryEntry]:
        """The accounts Desktop last listed (empty until a sync remembered them)."""
        rows = self._read("SELECT account_id, network, enabled FROM directory ORDER BY account_id")
        return [DirectoryEntry(str(a), str(n), bool(e)) for a, n, e in rows]

    def remember_directory(self, entries: Sequence[DirectoryEntry]) -> None:
        """Make ``entries`` the account directory (what a complete book holds)."""

        def change(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM directory")
            conn.executemany(
                "INSERT OR REPLACE INTO directory VALUES (?, ?, ?)",
                ((e.account_id, e.network, int(e.enabled)) for e in entries),
            )

        self._write(change)

    def merges(self) -> list[tuple[tuple[str, str], ...]]:
        """Groups of (account ID, user ID) whose chats the user merged in Beeper."""
        try:
            rows = self._read(
                "SELECT merge_id, account_id, user_id FROM desktop_merges ORDER BY 1, 2, 3"
            )
        except sqlite3.OperationalError:  # a read-only book from before the table
            return []
        groups: dict[str, list[tuple[str, str]]] = {}
        for merge_id, account_id, user_id in rows:
            groups.setdefault(str(merge_id), []).append((str(account_id), str(user_id)))
        return [tuple(g) for g in groups.values() if len(g) > 1]

    def replace_merges(self, groups: Mapping[str, Sequence[tuple[str, str]]]) -> None:
        """Make ``groups`` (merged chat ID → its members' identities) the merges on file."""

        def change(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM desktop_merges")
            conn.executemany(
                "INSERT OR REPLACE INTO desktop_merges VALUES (?, ?, ?)",
                ((m, a, u) for m, members in groups.items() for a, u in members),
            )

        self._write(change)

    def contacts(self) -> list[StoredContact]:
        """Every stored identity, in no particular order."""
        rows = self._read(f"SELECT {', '.join(COLUMNS)} FROM contacts")
        return cast(list[StoredContact], rows)

    def contacts_in_order(self) -> Iterator[StoredContact]:
        """Every stored identity in display order (sort key, account ID, user ID), streamed.

        Read a few thousand rows at a time, the store's lock held until the
        last: the caller (an index rebuild) never holds every row at once.
        """
        sql = f"SELECT {', '.join(COLUMNS)} FROM contacts ORDER BY sort_key, account_id, user_id"
        with self._lock:
            cursor = self._retrying(lambda: self._conn.execute(sql))
            while chunk := cursor.fetchmany(_STREAM_ROWS):
                yield from cast(list[StoredContact], chunk)

    def fingerprint(self) -> str:
        """What the contacts are now: every account's last sync time and count.

        Every write changes it (a sync stamps its account; forgetting removes
        one), also a write by another beeper-tui process on the same file.
        """
        return repr([(m.account_id, m.synced_at, m.count) for m in self.accounts()])

    def load_snapshot(self, fingerprint: str | None = None) -> list[bytes] | None:
        """The saved index's parts, if built from the contacts as they are now.

        ``fingerprint``: :meth:`fingerprint` as the caller just read it (None: read it here).
        """
        rows = self._read("SELECT part, fingerprint, data FROM snapshot ORDER BY part")
        current = self.fingerprint() if fingerprint is None else fingerprint
        if not rows or any(p != i or fp != current for i, (p, fp, _) in enumerate(rows)):
            return None
        return [cast(bytes, data) for _, _, data in rows]

    def snapshot_parts(self, fingerprint: str) -> Sequence[bytes] | None:
        """The parts :meth:`load_snapshot` gives, each read from the file when first indexed.

        For a one-shot reader (``beeper-tui search`` reads a few of a hundred
        parts): from here to :meth:`close` the store reads in one transaction,
        so every part comes from the same saved index, whatever another
        process writes meanwhile; a write of this store ends that view.
        """
        if self.in_memory:
            return None
        with self._lock:
            if not self._conn.in_transaction:
                self._conn.execute("BEGIN")  # the reads below see one committed state
        if self.fingerprint() != fingerprint:  # changed since the caller read it
            return None
        sql = "SELECT count(*), min(part), max(part), count(fingerprint != ? OR NULL) FROM snapshot"
        count, low, high, stale = self._read(sql, (fingerprint,))[0]
        if not count or (low, high, stale) != (0, cast(int, count) - 1, 0):
            return None
        return _SavedParts(self, cast(int, count))

    def snapshot_part(self, number: int) -> bytes:
        """Part ``number`` of the saved index (:class:`KeyError` when there is none)."""
        rows = self._read("SELECT data FROM snapshot WHERE part = ?", (number,))
        if not rows:
            raise KeyError(f"no part {number}")
        return cast(bytes, rows[0][0])

    def snapshot_part_range(self, start: int, stop: int) -> list[bytes]:
        """Parts ``start`` to ``stop - 1`` of the saved index, in one read (fewer when gone)."""
        sql = "SELECT data FROM snapshot WHERE part >= ? AND part < ? ORDER BY part"
        return [cast(bytes, data) for (data,) in self._read(sql, (start, stop))]

    def save_snapshot(self, parts: Sequence[bytes], fingerprint: str) -> None:
        """Keep ``parts``, the index built from the contacts as ``fingerprint`` says they were."""

        def change(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM snapshot")
            conn.executemany(
                "INSERT INTO snapshot VALUES (?, ?, ?)",
                ((i, fingerprint, data) for i, data in enumerate(parts)),
            )

        self._write(change)

    def replace_account(
        self,
        account_id: str,
        contacts: ContactRows,
        *,
        synced_at: float | None = None,
    ) -> AccountMeta:
        """Make ``contacts`` the account's whole contact list, in one transaction.

        ``contacts`` is read as it is written, once per try (a busy file is tried again).

        Whoever is no longer in ``contacts`` leaves the book; a crash half way
        (or a full disk) leaves the previous list in place.
        """
        when = time.time() if synced_at is None else synced_at
        meta = AccountMeta(account_id, when, len(contacts))

        def change(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM snapshot")
            conn.execute("DELETE FROM contacts WHERE account_id = ?", (account_id,))
            conn.executemany(
                f"INSERT OR REPLACE INTO contacts ({', '.join(COLUMNS)}) VALUES"
                f" ({', '.join('?' * len(COLUMNS))})",
                contacts,
            )
            conn.execute(
                "INSERT OR REPLACE INTO accounts VALUES (?, ?, ?)",
                (account_id, meta.synced_at, meta.count),
            )

        self._write(change)
        return meta

    def forget(self, account_ids: Iterable[str]) -> None:
        """Remove these accounts and their contacts from the book."""
        ids = [(a,) for a in account_ids]

        def change(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM snapshot")
            conn.executemany("DELETE FROM contacts WHERE account_id = ?", ids)
            conn.executemany("DELETE FROM accounts WHERE account_id = ?", ids)

        self._write(change)

    def clear(self) -> None:
        """Empty the book; on disk the file and its companions are removed and recreated."""
        with self._lock:
            self._conn.close()
            if self.path is not None and not self.read_only:
                self._remove_files()
            self.read_only = False
            self._conn = self._connect()

    def remove(self) -> None:
        """Close the book and delete its file (``beeper-tui cache clear``)."""
        with self._lock:
            self._conn.close()
            if self.path is not None:
                self._remove_files()

    def close(self) -> None:
        """Close the connection (the file stays)."""
        with self._lock:
            self._conn.close()


class _SavedParts(Sequence[bytes]):
    """The saved index's parts, read one by one as asked for (:meth:`BookStore.snapshot_parts`)."""

    def __init__(self, store: BookStore, count: int) -> None:
        self._store = store
        self._count = count

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, i: int) -> bytes: ...
    @overload
    def __getitem__(self, i: slice) -> list[bytes]: ...
    def __getitem__(self, i: int | slice) -> bytes | list[bytes]:
        if isinstance(i, slice):
            start, stop, step = i.indices(self._count)
            if step != 1:
                return [self[j] for j in range(start, stop, step)]
            return self._store.snapshot_part_range(start, stop)
        if not 0 <= i < self._count:
            raise IndexError("snapshot part out of range")
        return self._store.snapshot_part(i)


def _tables(conn: sqlite3.Connection) -> frozenset[str]:
    return frozenset(
        r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
    )


def _unmarked_is_ours(conn: sqlite3.Connection) -> bool:
    """Whether a file without our ``application_id`` is empty or a book from before the mark."""
    tables = _tables(conn)
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    if not tables:
        return version == 0
    if version != SCHEMA_VERSION:
        return False
    if not {"accounts", "contacts"} <= tables <= _UNMARKED_TABLES:
        return False
    columns = tuple(r[1] for r in conn.execute("PRAGMA table_info(contacts)"))
    return bool(columns == COLUMNS)


def _quote(path: Path) -> str:
    from urllib.parse import quote

    return quote(str(path.absolute()))


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run ``script``'s statements inside the open transaction (``executescript`` commits)."""
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


@contextmanager
def _one_snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """Every read inside sees the same committed state of the file (one read transaction)."""
    conn.execute("BEGIN")
    try:
        yield
    finally:
        conn.execute("ROLLBACK")


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction that takes the write lock at once (waits, never deadlocks)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.rollback()
        raise
    try:
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.rollback()
        raise
