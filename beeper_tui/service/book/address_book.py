"""The address book facade: a store on disk, an index in memory, sync and lookups."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from beeper_tui.api.client import BeeperClient
from beeper_tui.api.errors import BeeperError
from beeper_tui.service.names import IdentifierKind, identifier_kind
from beeper_tui.service.person import Contact, PersonIndex, person_keys
from beeper_tui.service.phones import e164_in_region, format_phone
from beeper_tui.service.users import UserInfo

from .decisions import Decision, PeopleDecisions
from .people import BookPerson, BookResult, person_row
from .query import parse_query
from .search import BookIndex
from .snapshot import SnapshotError
from .store import (
    AccountMeta,
    BookError,
    BookStore,
    DirectoryEntry,
    StoredContact,
    is_corrupt,
)
from .sync import DEFAULT_CONCURRENCY, BookSync, SyncProgress

if TYPE_CHECKING:
    from .evidence import Suggestion

__all__ = ["AddressBook", "BookOpening"]

log = logging.getLogger("beeper_tui.service.book")

_REBUILD_SPACING = 2.0
_SAVE_DELAY = 10.0
"""Seconds the book must stay unchanged before its rebuilt index is saved: during a
sync each account's rebuild replaces the last, and saving every one was wasted work."""
_FIRST_SCREEN = 120  # rows: a tall terminal's first screen, and some

T = TypeVar("T")


def _worker() -> ThreadPoolExecutor:
    # One thread for all of the book's disk and index work: a single thread
    # competing with the event loop for the GIL delays it far less than
    # several would, and writes to the one SQLite connection stay in order.
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="address-book")


def _read_index(store: BookStore, *, warm: bool) -> tuple[BookIndex, str | None]:
    """The index of the contacts on disk, and the fingerprint to save it under if it was built.

    A current snapshot is read back (a tenth of the cost of building); without
    one the index is built from the contacts. In memory there are no snapshots.
    """
    if store.in_memory:
        return BookIndex(store.contacts(), warm=warm), None
    fingerprint = store.fingerprint()
    try:
        parts = store.load_snapshot(fingerprint)
    except sqlite3.Error as exc:  # a cache of a cache: rebuild rather than fail
        log.info("the address book's saved index cannot be read (%s); rebuilding it", exc)
        parts = None
    if parts is not None:
        try:
            index = BookIndex.from_snapshot(parts)
        except SnapshotError as exc:
            log.info("the address book's saved index is unusable (%s); rebuilding it", exc)
        else:
            if warm:
                index.warm()
            return index, None
    index = BookIndex(store.contacts(), warm=warm)
    return index, fingerprint


def _save_index(store: BookStore, index: BookIndex, fingerprint: str) -> None:
    """Save ``index`` unless the contacts changed since it was built (runs on the worker)."""
    if store.read_only:
        return
    try:
        if store.fingerprint() == fingerprint:
            store.save_snapshot(index.snapshot(), fingerprint)
    except Exception as exc:  # a cache of a cache: never worth more than a log line
        log.info("could not save the address book's index: %s", exc)


_Loaded: TypeAlias = tuple[
    BookStore, BookIndex, list[AccountMeta], list[DirectoryEntry], str | None, PeopleDecisions
]


def _load(path: Path | None, people_path: Path | None) -> _Loaded:
    people = PeopleDecisions.load(people_path)
    store = BookStore(path)
    try:
        try:
            # The typo tables are built after opening: the cached list paints sooner.
            index, unsaved = _read_index(store, warm=False)
            meta, directory = store.accounts(), store.directory()
        except sqlite3.DatabaseError as exc:
            if not is_corrupt(exc):
                raise BookError(f"cannot read the address book {path}: {exc}") from None
            store.recover(exc)  # SQLite says the file is damaged: set it aside, start afresh
            index, unsaved = _read_index(store, warm=False)
            meta, directory = store.accounts(), store.directory()
    except BaseException:
        store.close()
        raise
    index = people.apply(index)
    _prepare_first_screen(index)
    return store, index, meta, directory, unsaved, people


def _prepare_first_screen(index: BookIndex) -> None:
    """Do here, on the worker, what drawing the first screenful would do on the event loop.

    The list at start is everyone by name: its order is computed (and cached)
    now, and the phones of its first rows are formatted once; ``phonenumbers``
    loads each country's metadata on first use, which cost the first frame
    tens of milliseconds.
    """
    for person in index.search("").people[:_FIRST_SCREEN]:
        for identity in person.contact.identities:
            if identity.user.phone_number:
                format_phone(identity.user.phone_number)


class BookOpening:
    """A book being read on its worker thread, from the moment this is made.

    The App makes one in its load event, before its screen is composed, so the
    reading is under way (or done) by the time the screen needs the book.
    """

    def __init__(
        self, path: Path | None, *, region: str | None = None, people: Path | None = None
    ) -> None:
        self.region = region
        self._worker = _worker()
        self._loading = self._worker.submit(_load, path, people)

    async def read(self, within: float | None = None) -> None:
        """Wait until the book is read, or ``within`` seconds (its errors are :meth:`book`'s)."""
        waiting = asyncio.wrap_future(self._loading)
        # Its error is raised by book(); seen here, asyncio does not report it as lost.
        waiting.add_done_callback(lambda done: done.cancelled() or done.exception())
        await asyncio.wait({waiting}, timeout=within)

    async def book(self) -> AddressBook:
        """The open book (the error that opening it raised, if it failed)."""
        try:
            loaded = await asyncio.wrap_future(self._loading)
        except BaseException:
            self._worker.shutdown(wait=False)
            raise
        store, index, meta, directory, unsaved, people = loaded
        book = AddressBook(
            store, index, meta, self.region, self._worker, directory=directory, people=people
        )
        loop = asyncio.get_running_loop()
        book._warming = loop.run_in_executor(self._worker, index.warm)
        if unsaved is not None:
            book._save_later(unsaved)  # rebuilt: saved once the book is still, or at close
        return book


class AddressBook:
    """Every contact of every synced account, searchable offline. Open with :meth:`open`.

    Reading (:meth:`search`, :meth:`ready`, ...) is synchronous and fast; it
    reads an immutable :class:`BookIndex` that is swapped whole after each
    account's sync, so a result being shown never changes under the reader.
    """

    def __init__(
        self,
        store: BookStore,
        index: BookIndex,
        meta: Sequence[AccountMeta],
        region: str | None,
        worker: ThreadPoolExecutor | None = None,
        *,
        directory: Sequence[DirectoryEntry] = (),
        people: PeopleDecisions | None = None,
    ) -> None:
        self._store = store
        self.people = people or PeopleDecisions(None)
        """Who is who as the user decided (:mod:`.decisions`), applied to every index."""
        self._directory = {e.account_id: e for e in directory}
        self._worker = worker or _worker()
        self._index = index
        self._meta = {m.account_id: m for m in meta}
        self.region = region
        """ISO country code for phones typed in national format (None: international only)."""
        self._listeners: list[Callable[[], None]] = []
        self._reload_lock = asyncio.Lock()
        self._dirty = False
        self._built_at = 0.0
        self._last_build = 0.0
        self._warming: asyncio.Future[None] | None = None
        self._pending_save: tuple[asyncio.TimerHandle, str] | None = None

    @classmethod
    async def open(
        cls, path: Path | None, *, region: str | None = None, people: Path | None = None
    ) -> AddressBook:
        """Open (or create) the book at ``path``; None keeps it in memory only (``--no-cache``).

        ``people`` is the user's decisions file (None: no decisions kept).
        """
        return await BookOpening(path, region=region, people=people).book()

    # -- state ------------------------------------------------------------------

    @property
    def path(self) -> Path | None:
        """Where the book lives, or None in memory."""
        return self._store.path

    @property
    def index(self) -> BookIndex:
        """The current index (replaced, never changed, when the book changes)."""
        return self._index

    @property
    def account_ids(self) -> tuple[str, ...]:
        """Accounts that have synced at least once, sorted."""
        return tuple(sorted(self._meta))

    @property
    def read_only(self) -> bool:
        """Whether the file could only be opened for reading (it is shown, never synced)."""
        return self._store.read_only

    @property
    def notices(self) -> list[str]:
        """What the user should be told once about the file (set aside, read-only)."""
        return self._store.notices

    @property
    def directory(self) -> tuple[DirectoryEntry, ...]:
        """The accounts Desktop last listed, enabled or not (empty before the first sync)."""
        return tuple(self._directory.values())

    def network_names(self) -> dict[str, str]:
        """Account ID → its network's name, as Desktop last named it."""
        return {e.account_id: e.network for e in self._directory.values()}

    def missing(self, account_ids: Iterable[str] | None = None) -> list[str]:
        """Enabled accounts (of ``account_ids``, None: all) the book has not fully synced.

        The book knows every enabled account Desktop listed at the last sync
        (:meth:`remember_accounts`); an account whose sync never finished
        (Desktop quit, the process died, the disk filled, the account failed)
        is missing until a sync completes it.
        """
        wanted = (
            [e.account_id for e in self._directory.values() if e.enabled]
            if account_ids is None
            else list(account_ids)
        )
        return [a for a in wanted if a not in self._meta]

    async def remember_accounts(self, entries: Sequence[DirectoryEntry]) -> None:
        """Keep the account list Desktop just gave (what a complete book must hold)."""
        self._directory = {e.account_id: e for e in entries}
        if not self._store.read_only:
            try:
                await self._in_worker(self._store.remember_directory, list(entries))
            except BookError as exc:  # kept in memory; the next sync tries again
                log.info("could not save the account list in the address book: %s", exc)

    def ready(self, account_id: str) -> bool:
        """Whether ``account_id`` has synced: if not, ask the server instead of the book."""
        return account_id in self._meta

    def count(self, account_id: str) -> int | None:
        """How many contacts the account's last sync brought, or None if it never synced."""
        meta = self._meta.get(account_id)
        return None if meta is None else meta.count

    def last_synced(self, account_id: str | None = None) -> datetime | None:
        """When ``account_id`` last synced; with None, the latest sync of any account."""
        if account_id is None:
            times = [m.synced_at for m in self._meta.values()]
            return datetime.fromtimestamp(max(times), UTC) if times else None
        meta = self._meta.get(account_id)
        return None if meta is None else datetime.fromtimestamp(meta.synced_at, UTC)

    def add_listener(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` (on the event loop) each time the book's contents change."""
        self._listeners.append(listener)

    # -- queries ------------------------------------------------------------------

    def search(
        self, query: str, account_ids: Iterable[str] | None = None, limit: int | None = None
    ) -> BookResult:
        """Ranked people in the book for ``query`` (empty: everyone, by name).

        ``account_ids`` limits the search and each person's identities to those
        accounts (None: all). ``people`` holds at most ``limit`` rows, built as
        they are read; ``total`` counts every matching person.
        """
        return self._index.search(query, account_ids, limit, region=self.region)

    async def lookup(
        self,
        client: BeeperClient,
        query: str,
        accounts: Sequence[str],
        *,
        limit: int | None = None,
    ) -> BookResult:
        """:meth:`search`, plus each account's exact lookup when ``query`` is an identifier.

        For a phone number, email address or ``@username``, every account in
        ``accounts`` is asked (``GET …/contacts?query=``; a national number is
        sent as E.164 when :attr:`region` reads it). A hit that is, or shares a
        phone or email with, someone in the book joins that person's row
        (named as the book names them); other hits follow the book's rows with
        ``in_book=False``. One account failing is noted in ``lookup_errors``.
        """
        kind = identifier_kind(query)
        index = self._index
        if kind is None:
            return index.search(query, accounts, limit, region=self.region)
        asked = query.strip()
        if kind == IdentifierKind.PHONE:
            asked = e164_in_region(asked, self.region) or asked
        answers = await asyncio.gather(
            *(client.search_contacts(a, asked) for a in accounts), return_exceptions=True
        )
        errors: dict[str, BeeperError] = {}
        hits: list[Contact] = []
        for account_id, answer in zip(accounts, answers, strict=True):
            if isinstance(answer, BeeperError):
                log.info("exact lookup on %s failed: %s", account_id, answer)
                errors[account_id] = answer
            elif isinstance(answer, BaseException):
                raise answer
            else:
                hits.extend(Contact(UserInfo.of(user), account_id) for user in answer)
        terms = parse_query(query, self.region)
        scope = index.scope(accounts)
        ranked = index.ranked_persons(terms, scope)
        extra: dict[int, list[Contact]] = {p: [] for p in ranked}
        outsiders = PersonIndex()
        for hit in hits:
            person = index.person_of(*hit.key)
            if person is None:
                person = index.person_by_keys(person_keys(hit.user))
                if person is None:
                    outsiders.add(hit)
                    continue
                extra.setdefault(person, []).append(hit)
            else:
                extra.setdefault(person, [])
        people: list[BookPerson] = [
            index.person(p, terms, scope, extra=found) for p, found in extra.items()
        ]
        people.extend(person_row(o.identities, terms, in_book=False) for o in outsiders)
        total = len(people)
        return BookResult(people if limit is None else people[:limit], total, query, errors)

    # -- changes -------------------------------------------------------------------

    def syncer(
        self,
        client: BeeperClient,
        *,
        observer: Callable[[SyncProgress], None] | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> BookSync:
        """A :class:`BookSync` that fills this book from ``client``."""
        return BookSync(self, client, observer=observer, concurrency=concurrency)

    async def replace_account(self, account_id: str, rows: Sequence[StoredContact]) -> None:
        """Make ``rows`` the account's contacts (on disk, then in the index)."""
        await self._in_worker(self._store.replace_account, account_id, rows)
        await self._reload()

    async def forget(self, account_ids: Iterable[str]) -> None:
        """Remove accounts (and their contacts) from the book."""
        await self._in_worker(self._store.forget, list(account_ids))
        await self._reload()

    async def clear(self) -> None:
        """Empty the book (the file is removed and started afresh)."""
        await self._in_worker(self._store.clear)
        await self._reload()

    async def remove(self) -> None:
        """Close the book and delete its file (``beeper-tui cache clear``)."""
        await self._in_worker(self._store.remove)
        self._worker.shutdown(wait=False)
        self._index = BookIndex()
        self._meta = {}

    async def close(self) -> None:
        """Close the store (saving an index not yet saved); the file stays for the next start."""
        pending = self._pending_save
        if pending is not None:
            pending[0].cancel()
            await self._in_worker(_save_index, self._store, self._index, pending[1])
        await self._in_worker(self._store.close)
        self._worker.shutdown(wait=False)

    def _save_later(self, fingerprint: str) -> None:
        """Save the index once the book has been still for a while (see :data:`_SAVE_DELAY`)."""
        if self._pending_save is not None:
            self._pending_save[0].cancel()
        index = self._index

        def save() -> None:
            self._pending_save = None
            if self._index is index:
                self._worker.submit(_save_index, self._store, index, fingerprint)

        handle = asyncio.get_running_loop().call_later(_SAVE_DELAY, save)
        self._pending_save = (handle, fingerprint)

    # -- who is who (see .decisions and .evidence) --------------------------------

    async def decide(self, decision: Decision) -> None:
        """Add the user's ``decision`` (saved to the file first), then show people as decided.

        Raises :class:`~.decisions.DecisionsError` when the file cannot be
        written or was unreadable (the book is left as it was).
        """
        await self._set_decisions(self.people.with_decision(decision))

    async def undo(self, decision: Decision) -> None:
        """Take ``decision`` back (its last occurrence), as if it was never made."""
        await self._set_decisions(self.people.without(decision))

    async def _set_decisions(self, decisions: Sequence[Decision]) -> None:
        await self._in_worker(self.people.save, decisions)
        # Applied here, on the loop (a copy of one array and the merged people):
        # a rebuild finishing meanwhile has already replaced ``_index``.
        self._index = self.people.apply(self._index)
        for listener in list(self._listeners):
            listener()

    async def suggestions(self) -> list[Suggestion]:
        """Open "maybe the same person" suggestions, best first (found on the book's thread)."""
        from .evidence import suggestions  # only this view needs it

        index, networks = self._index, self.network_names()
        rejected = self.people.effective().rejects
        return await self._in_worker(suggestions, index, networks, rejected)

    async def _in_worker(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._worker, fn, *args)

    async def _reload(self) -> None:
        # Several accounts finishing together share one rebuild: whoever gets
        # the lock rebuilds from what is on disk now, later waiters find the
        # flag cleared and return.
        #
        # Rebuilding a 100,000-contact index costs a second or two of CPU; when
        # accounts finish in a row, wait twice as long as the last rebuild
        # took before the next, so rebuilding takes at most a third of the
        # time and more finished accounts share each one.
        self._dirty = True
        async with self._reload_lock:
            if not self._dirty:
                return
            pause = _REBUILD_SPACING * self._last_build - (time.monotonic() - self._built_at)
            if pause > 0:
                await asyncio.sleep(pause)
            self._dirty = False
            store = self._store

            def load() -> tuple[BookIndex, list[AccountMeta], str | None]:
                index, unsaved = _read_index(store, warm=True)
                return self.people.apply(index), store.accounts(), unsaved

            started = time.monotonic()
            decided = self.people.decisions
            self._index, meta, unsaved = await self._in_worker(load)
            if self.people.decisions is not decided:  # the user decided during the rebuild
                self._index = self.people.apply(self._index)
            if unsaved is not None:
                self._save_later(unsaved)
            self._built_at = time.monotonic()
            self._last_build = self._built_at - started
            self._meta = {m.account_id: m for m in meta}
        for listener in list(self._listeners):
            listener()
