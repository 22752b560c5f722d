"""What a book holds, read once from its file, and the questions asked of it.

:class:`BookContents` is immutable: the index, each synced account's last
sync, and the account list Desktop last gave. The TUI's
:class:`~beeper_tui.service.book.AddressBook` holds one and swaps it whole
after each change; ``beeper-tui search`` reads one with :func:`read_book`,
synchronously: no event loop, no thread, no HTTP client, so it answers from
the file in a few times an interpreter's own start.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from .decisions import PeopleDecisions
from .people import BookResult
from .search import BookIndex
from .snapshot import SnapshotError
from .store import AccountMeta, BookError, BookStore, DirectoryEntry, book_log, is_corrupt

__all__ = ["BookContents", "BookRead", "read_book", "read_index", "rebuilt"]


@dataclass(frozen=True, slots=True)
class BookContents:
    """The index and what the book knows of its accounts, as one consistent whole."""

    index: BookIndex = field(default_factory=BookIndex)
    meta: Mapping[str, AccountMeta] = field(default_factory=dict)
    """Account ID → its last sync (only accounts that synced fully)."""
    directory: Mapping[str, DirectoryEntry] = field(default_factory=dict)
    """Account ID → Desktop's last word on it (listed, enabled or not)."""
    region: str | None = None
    """ISO country code for phones typed in national format (None: international only)."""
    merged: tuple[tuple[tuple[str, str], ...], ...] = ()
    """Groups of (account ID, user ID) whose chats the user merged in Beeper (one person each)."""

    def with_index(self, index: BookIndex, meta: Iterable[AccountMeta]) -> BookContents:
        """These contents after the contacts on disk changed."""
        return replace(self, index=index, meta={m.account_id: m for m in meta})

    def with_people_index(self, index: BookIndex) -> BookContents:
        """These contents with the same identities grouped into people anew (a decision)."""
        return replace(self, index=index)

    def with_merged(self, merged: Iterable[tuple[tuple[str, str], ...]]) -> BookContents:
        """These contents knowing which chats Desktop merged (the index is regrouped apart)."""
        return replace(self, merged=tuple(merged))

    def with_directory(self, entries: Iterable[DirectoryEntry]) -> BookContents:
        """These contents with Desktop's newest account list."""
        return replace(self, directory={e.account_id: e for e in entries})

    @property
    def account_ids(self) -> tuple[str, ...]:
        """Accounts that have synced at least once, sorted."""
        return tuple(sorted(self.meta))

    def network_names(self) -> dict[str, str]:
        """Account ID → its network's name, as Desktop last named it."""
        return {e.account_id: e.network for e in self.directory.values()}

    def missing(self, account_ids: Iterable[str] | None = None) -> list[str]:
        """Enabled accounts (of ``account_ids``, None: all) the book has not fully synced.

        The book knows every enabled account Desktop listed at the last sync;
        an account whose sync never finished (Desktop quit, the process died,
        the disk filled, the account failed) is missing until a sync completes it.
        """
        wanted = (
            [e.account_id for e in self.directory.values() if e.enabled]
            if account_ids is None
            else list(account_ids)
        )
        return [a for a in wanted if a not in self.meta]

    def ready(self, account_id: str) -> bool:
        """Whether ``account_id`` has synced: if not, ask the server instead of the book."""
        return account_id in self.meta

    def count(self, account_id: str) -> int | None:
        """How many contacts the account's last sync brought, or None if it never synced."""
        meta = self.meta.get(account_id)
        return None if meta is None else meta.count

    def last_synced(self, account_id: str | None = None) -> datetime | None:
        """When ``account_id`` last synced; with None, the latest sync of any account."""
        if account_id is None:
            times = [m.synced_at for m in self.meta.values()]
            return datetime.fromtimestamp(max(times), UTC) if times else None
        meta = self.meta.get(account_id)
        return None if meta is None else datetime.fromtimestamp(meta.synced_at, UTC)

    def oldest_sync(self) -> datetime | None:
        """The least recent of the accounts' last syncs (how stale the book is at worst)."""
        times = [m.synced_at for m in self.meta.values()]
        return datetime.fromtimestamp(min(times), UTC) if times else None

    def search(
        self, query: str, account_ids: Iterable[str] | None = None, limit: int | None = None
    ) -> BookResult:
        """Ranked people in the book for ``query`` (empty: everyone, by name).

        ``account_ids`` limits the search and each person's identities to those
        accounts (None: all). ``people`` holds at most ``limit`` rows, built as
        they are read; ``total`` counts every matching person.
        """
        return self.index.search(query, account_ids, limit, region=self.region)


def read_index(store: BookStore, *, warm: bool, lazy: bool = False) -> tuple[BookIndex, str | None]:
    """The index of the contacts on disk, and the fingerprint to save it under if it was built.

    A current snapshot is read back (a tenth of the cost of building); without
    one the index is built from the contacts. In memory there are no snapshots.
    ``lazy``: the snapshot's parts are read from the file and decoded as they
    are first needed (see :meth:`BookIndex.from_snapshot` and
    :meth:`BookStore.snapshot_parts`), for one query and done.
    """
    if store.in_memory:
        return _rebuilt(store, warm=warm), None
    fingerprint = store.fingerprint()
    parts: Sequence[bytes] | None
    try:
        # Lazily: each part read from the file as the query needs it, in one read transaction.
        parts = store.snapshot_parts(fingerprint) if lazy else store.load_snapshot(fingerprint)
    except sqlite3.Error as exc:  # a cache of a cache: rebuild rather than fail
        book_log().info("the address book's saved index cannot be read (%s); rebuilding it", exc)
        parts = None
    if parts is not None:
        try:
            index = BookIndex.from_snapshot(parts, lazy=lazy)
        except SnapshotError as exc:
            book_log().info("the address book's saved index is unusable (%s); rebuilding it", exc)
        else:
            if warm:
                index.warm()
            return index, None
    return _rebuilt(store, warm=warm), fingerprint


def _rebuilt(store: BookStore, *, warm: bool) -> BookIndex:
    """The index built from the stored contacts, streamed in display order."""
    return BookIndex.in_order(store.contacts_in_order(), warm=warm)


@dataclass(frozen=True, slots=True)
class BookRead:
    """A book just read from its file: the open store, its contents, and an index to save."""

    store: BookStore
    contents: BookContents
    unsaved: str | None
    """The fingerprint to save a rebuilt index under (None: it was read back, or in memory)."""
    people: PeopleDecisions
    """Who is who as the user decided, already applied to ``contents``' index."""


def read_book(
    path: Path | None, *, region: str | None = None, people: Path | None = None, lazy: bool = False
) -> BookRead:
    """Open the book at ``path`` (None: in memory) and read what it holds (blocking).

    ``people`` is the user's decisions file (None: no decisions); people are
    grouped as decided. What SQLite calls corrupt is set aside and a fresh book
    started (the store says so in its notices); anything else unreadable raises
    :class:`BookError`. The caller closes ``store`` when done.
    """
    decisions = PeopleDecisions.load(people)
    store = BookStore(path)
    try:
        try:
            # The typo tables are built after opening: the cached list paints sooner.
            index, unsaved = read_index(store, warm=False, lazy=lazy)
            meta, directory = store.accounts(), store.directory()
        except sqlite3.DatabaseError as exc:
            if not is_corrupt(exc):
                raise BookError(f"cannot read the address book {path}: {exc}") from None
            store.recover(exc)  # SQLite says the file is damaged: set it aside, start afresh
            index, unsaved = read_index(store, warm=False, lazy=lazy)
            meta, directory = store.accounts(), store.directory()
        merged = store.merges()
    except BaseException:
        store.close()
        raise
    index = decisions.apply(index, merged)
    contents = BookContents(index, region=region, merged=tuple(merged)).with_index(index, meta)
    return BookRead(store, contents.with_directory(directory), unsaved, decisions)


def rebuilt(read: BookRead) -> BookContents:
    """``read``'s contents with the index built from the contacts (its saved one was damaged)."""
    book_log().info("the address book's saved index is damaged; rebuilding it")
    index = read.people.apply(BookIndex(read.store.contacts(), warm=False))
    return read.contents.with_people_index(index)
