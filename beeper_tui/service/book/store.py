"""The address book on disk: one SQLite file, private to the user, schema-versioned.

Every method here is blocking; :class:`~beeper_tui.service.book.AddressBook`
runs them on its one worker thread so the event loop never waits on the
disk. One connection is shared under a lock (SQLite itself serialises
writers anyway).

The file is created with mode 0600 before SQLite opens it; SQLite gives its
``-wal`` and ``-shm`` companions the same mode. ``PRAGMA user_version`` holds
:data:`SCHEMA_VERSION`. A file from a *newer* app is never read: it is moved
aside (``book.sqlite3.schema-N.bak``) and a fresh book starts, with a warning
in the log. A file from an older schema, or one that is not a database, is
rebuilt: the book is a cache of what Beeper Desktop already holds.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TypeAlias, cast

__all__ = [
    "COLUMNS",
    "SCHEMA_VERSION",
    "AccountMeta",
    "BookStore",
    "StoredContact",
    "remove_book_files",
]

SCHEMA_VERSION: Final = 1
"""Bump when the tables change; add a migration or let older files rebuild.

The ``snapshot`` table is created when missing, without a bump: a file from
before it gains it in place, and an app from before it ignores it (its writes
change the fingerprint, so a snapshot it leaves behind is never read)."""

_COMPANIONS: Final = ("-wal", "-shm", "-journal")
_FILE_MODE: Final = 0o600
_DIR_MODE: Final = 0o700

log = logging.getLogger("beeper_tui.service.book")

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

_SCHEMA: Final = (
    """
CREATE TABLE accounts (
    account_id TEXT PRIMARY KEY,
    synced_at REAL NOT NULL,
    count INTEGER NOT NULL
);
CREATE TABLE contacts (
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
    + _SNAPSHOT_TABLE
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


@dataclass(frozen=True, slots=True)
class AccountMeta:
    """What the book knows about one account's last successful sync."""

    account_id: str
    synced_at: float
    """Unix time of the last successful full sync."""
    count: int
    """How many contacts that sync brought."""


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


class BookStore:
    """The SQLite file (or an in-memory database when ``path`` is None)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._conn = self._connect()

    @property
    def in_memory(self) -> bool:
        """Whether nothing is written to disk (``--no-cache``)."""
        return self.path is None

    # -- opening -----------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        if self.path is None:
            memory = sqlite3.connect(":memory:", check_same_thread=False)
            self._create(memory)
            return memory
        self.path.parent.mkdir(mode=_DIR_MODE, parents=True, exist_ok=True)
        conn: sqlite3.Connection | None = None
        try:
            conn = self._open_file()
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            log.warning("address book %s is unreadable (%s); starting a fresh one", self.path, exc)
            if conn is not None:
                conn.close()
            self._set_aside("unreadable")
            return self._fresh()
        if version > SCHEMA_VERSION:
            conn.close()
            where = self._set_aside(f"schema-{version}")
            log.warning(
                "address book %s was written by a newer beeper-tui (schema %d, this one reads %d);"
                " moved it to %s and starting a fresh book",
                self.path,
                version,
                SCHEMA_VERSION,
                where,
            )
            return self._fresh()
        if version == SCHEMA_VERSION:
            with conn:
                conn.executescript(_SNAPSHOT_TABLE)  # IF NOT EXISTS
            return conn
        if version == 0 and tables == 0:
            self._create(conn)
            return conn
        # An older schema (or a file without one): the book is a cache, rebuild it.
        log.info(
            "address book %s has schema %d (now %d); rebuilding", self.path, version, SCHEMA_VERSION
        )
        conn.close()
        self._remove_files()
        return self._fresh()

    def _open_file(self) -> sqlite3.Connection:
        assert self.path is not None
        # Create the file ourselves so it is never, even briefly, world-readable.
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, _FILE_MODE)
        try:
            os.fchmod(fd, _FILE_MODE)
        finally:
            os.close(fd)
        for suffix in _COMPANIONS:
            companion = self._companion(suffix)
            if companion.exists():
                os.chmod(companion, _FILE_MODE)
        conn = sqlite3.connect(self.path, check_same_thread=False)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    def _fresh(self) -> sqlite3.Connection:
        conn = self._open_file()
        self._create(conn)
        return conn

    @staticmethod
    def _create(conn: sqlite3.Connection) -> None:
        with conn:
            conn.executescript(_SCHEMA)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

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

    def accounts(self) -> list[AccountMeta]:
        """Every account that has synced at least once."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT account_id, synced_at, count FROM accounts ORDER BY account_id"
            ).fetchall()
        return [AccountMeta(*row) for row in rows]

    def contacts(self) -> list[StoredContact]:
        """Every stored identity, in no particular order."""
        with self._lock:
            rows = self._conn.execute(f"SELECT {', '.join(COLUMNS)} FROM contacts").fetchall()
        return cast(list[StoredContact], rows)

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
        with self._lock:
            rows = self._conn.execute(
                "SELECT part, fingerprint, data FROM snapshot ORDER BY part"
            ).fetchall()
        current = self.fingerprint() if fingerprint is None else fingerprint
        if not rows or any(p != i or fp != current for i, (p, fp, _) in enumerate(rows)):
            return None
        return [data for _, _, data in rows]

    def save_snapshot(self, parts: Sequence[bytes], fingerprint: str) -> None:
        """Keep ``parts``, the index built from the contacts as ``fingerprint`` says they were."""
        with self._lock, self._conn:
            self._conn.execute("DELETE FROM snapshot")
            self._conn.executemany(
                "INSERT INTO snapshot VALUES (?, ?, ?)",
                ((i, fingerprint, data) for i, data in enumerate(parts)),
            )

    def replace_account(
        self,
        account_id: str,
        contacts: Sequence[StoredContact],
        *,
        synced_at: float | None = None,
    ) -> AccountMeta:
        """Make ``contacts`` the account's whole contact list, in one transaction.

        Whoever is no longer in ``contacts`` leaves the book; a crash half way
        leaves the previous list in place.
        """
        when = time.time() if synced_at is None else synced_at
        meta = AccountMeta(account_id, when, len(contacts))
        with self._lock, self._conn:
            self._conn.execute("DELETE FROM snapshot")
            self._conn.execute("DELETE FROM contacts WHERE account_id = ?", (account_id,))
            self._conn.executemany(
                f"INSERT OR REPLACE INTO contacts ({', '.join(COLUMNS)}) VALUES"
                f" ({', '.join('?' * len(COLUMNS))})",
                contacts,
            )
            self._conn.execute(
                "INSERT OR REPLACE INTO accounts VALUES (?, ?, ?)",
                (account_id, meta.synced_at, meta.count),
            )
        return meta

    def forget(self, account_ids: Iterable[str]) -> None:
        """Remove these accounts and their contacts from the book."""
        ids = [(a,) for a in account_ids]
        with self._lock, self._conn:
            self._conn.execute("DELETE FROM snapshot")
            self._conn.executemany("DELETE FROM contacts WHERE account_id = ?", ids)
            self._conn.executemany("DELETE FROM accounts WHERE account_id = ?", ids)

    def clear(self) -> None:
        """Empty the book; on disk the file and its companions are removed and recreated."""
        with self._lock:
            self._conn.close()
            if self.path is not None:
                self._remove_files()
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
