"""The address book facade: a store on disk, an index in memory, sync and lookups."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from beeper_tui.api.errors import BeeperError
from beeper_tui.service.names import IdentifierKind, identifier_kind
from beeper_tui.service.person import Contact, PersonIndex, person_keys
from beeper_tui.service.phones import e164_in_region, format_phone, needs_region
from beeper_tui.service.users import UserInfo

from .contents import BookContents, read_book, read_index
from .decisions import PeopleDecisions
from .heap import give_back_freed_memory
from .people import BookResult, person_row
from .query import parse_query
from .store import (
    BookError,
)

if TYPE_CHECKING:
    from beeper_tui.api.client import BeeperClient

    from .contents import BookRead
    from .decisions import Decision
    from .evidence import Suggestion
    from .people import BookPerson
    from .search import BookIndex
    from .store import (
        AccountMeta,
        BookStore,
        ContactRows,
        DirectoryEntry,
    )
    from .sync import BookSync, SyncProgress

__all__ = ["AddressBook", "BookOpening"]

log = logging.getLogger("beeper_tui.service.book")

_REBUILD_SPACING = 2.0
_SAVE_DELAY = 10.0
"""Seconds the book must stay unchanged before its rebuilt index is saved: during a
sync each account's rebuild replaces the last, and saving every one was wasted work."""
_TRIM_DELAY = 2.0
"""Seconds after a rebuild before the freed heap is given back: the screen has searched the
new index by then, and the old one is gone."""
_FIRST_SCREEN = 120  # rows: a tall terminal's first screen, and some

Merged = tuple[tuple[str, str], ...]
"""(account ID, user ID) of each identity whose chat the user merged into one in Beeper."""

T = TypeVar("T")


def _worker() -> ThreadPoolExecutor:
    # One thread for all of the book's disk and index work: a single thread
    # competing with the event loop for the GIL delays it far less than
    # several would, and writes to the one SQLite connection stay in order.
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="address-book")


def _save_index(store: BookStore, index: BookIndex, fingerprint: str) -> None:
    """Save ``index`` unless the contacts changed since it was built (runs on the worker)."""
    if store.read_only:
        return
    try:
        if store.fingerprint() == fingerprint:
            store.save_snapshot(index.snapshot(), fingerprint)
    except Exception as exc:  # a cache of a cache: never worth more than a log line
        log.info("could not save the address book's index: %s", exc)
    give_back_freed_memory()  # the snapshot's parts


def _load(path: Path | None, region: str | None, people: Path | None) -> BookRead:
    read = read_book(path, region=region, people=people)
    _prepare_first_screen(read.contents.index)
    give_back_freed_memory()  # the snapshot's parts, or the rows the index was built from
    return read


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
        self._loading = self._worker.submit(_load, path, region, people)

    async def read(self, within: float | None = None) -> None:
        """Wait until the book is read, or ``within`` seconds (its errors are :meth:`book`'s)."""
        waiting = asyncio.wrap_future(self._loading)
        # Its error is raised by book(); seen here, asyncio does not report it as lost.
        waiting.add_done_callback(lambda done: done.cancelled() or done.exception())
        await asyncio.wait({waiting}, timeout=within)

    async def book(self) -> AddressBook:
        """The open book (the error that opening it raised, if it failed)."""
        try:
            read = await asyncio.wrap_future(self._loading)
        except BaseException:
            self._worker.shutdown(wait=False)
            raise
        book = AddressBook(read.store, read.contents, self._worker, people=read.people)
        loop = asyncio.get_running_loop()
        book._warming = loop.run_in_executor(self._worker, read.contents.index.warm)
        if read.unsaved is not None:
            book._save_later(read.unsaved)  # rebuilt: saved once the book is still, or at close
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
        contents: BookContents,
        worker: ThreadPoolExecutor | None = None,
        *,
        people: PeopleDecisions | None = None,
    ) -> None:
        self._store = store
        self.people = people or PeopleDecisions(None)
        """Who is who as the user decided (:mod:`.decisions`), applied to every index."""
        self._worker = worker or _worker()
        self.contents = contents
        """What the book holds now (replaced whole, never changed, when the book changes)."""
        self._listeners: list[Callable[[], None]] = []
        self._reload_lock = asyncio.Lock()
        self._dirty = False
        self._built_at = 0.0
        self._last_build = 0.0
        self._warming: asyncio.Future[None] | None = None
        self._pending_save: tuple[asyncio.TimerHandle, str] | None = None
        self._pending_trim: asyncio.TimerHandle | None = None

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
        return self.contents.index

    @property
    def region(self) -> str | None:
        """ISO country code for phones typed in national format (None: international only)."""
        return self.contents.region

    @property
    def account_ids(self) -> tuple[str, ...]:
        """Accounts that have synced at least once, sorted."""
        return self.contents.account_ids

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
        return tuple(self.contents.directory.values())

    def network_names(self) -> dict[str, str]:
        """Account ID → its network's name, as Desktop last named it."""
        return self.contents.network_names()

    def missing(self, account_ids: Iterable[str] | None = None) -> list[str]:
        """Enabled accounts (of ``account_ids``, None: all) the book has not fully synced
        (see :meth:`BookContents.missing`)."""
        return self.contents.missing(account_ids)

    async def remember_accounts(self, entries: Sequence[DirectoryEntry]) -> None:
        """Keep the account list Desktop just gave (what a complete book must hold)."""
        self.contents = self.contents.with_directory(entries)
        if not self._store.read_only:
            try:
                await self._in_worker(self._store.remember_directory, list(entries))
            except BookError as exc:  # kept in memory; the next sync tries again
                log.info("could not save the account list in the address book: %s", exc)

    def ready(self, account_id: str) -> bool:
        """Whether ``account_id`` has synced: if not, ask the server instead of the book."""
        return self.contents.ready(account_id)

    def count(self, account_id: str) -> int | None:
        """How many contacts the account's last sync brought, or None if it never synced."""
        return self.contents.count(account_id)

    def last_synced(self, account_id: str | None = None) -> datetime | None:
        """When ``account_id`` last synced; with None, the latest sync of any account."""
        return self.contents.last_synced(account_id)

    def add_listener(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` (on the event loop) each time the book's contents change."""
        self._listeners.append(listener)

    # -- queries ------------------------------------------------------------------

    def search(
        self, query: str, account_ids: Iterable[str] | None = None, limit: int | None = None
    ) -> BookResult:
        """Ranked people in the book for ``query`` (see :meth:`BookContents.search`)."""
        return self.contents.search(query, account_ids, limit)

    async def lookup(
        self,
        client: BeeperClient,
        query: str,
        accounts: Sequence[str],
        *,
        limit: int | None = None,
        lookup_accounts: Sequence[str] | None = None,
    ) -> BookResult:
        """:meth:`search`, plus each account's exact lookup when ``query`` is an identifier.

        For a phone number, email address or ``@username``, every account in
        ``accounts`` is asked (``GET …/contacts?query=``; a national number is
        sent as E.164 when :attr:`region` reads it, and not sent at all when it
        does not: a network would guess its country). A hit that is, or shares a
        phone or email with, someone in the book joins that person's row
        (named as the book names them); other hits follow the book's rows with
        ``in_book=False``. One account failing is noted in ``lookup_errors``.
        ``lookup_accounts`` narrows the lookup (not the search) to the accounts whose
        network offers it.
        """
        kind = identifier_kind(query)
        index = self.index
        if kind is None or (kind == IdentifierKind.PHONE and needs_region(query, self.region)):
            return index.search(query, accounts, limit, region=self.region)
        asked = query.strip()
        if kind == IdentifierKind.PHONE:
            asked = e164_in_region(asked, self.region) or asked
        ask = accounts if lookup_accounts is None else lookup_accounts
        answers = await asyncio.gather(
            *(client.search_contacts(a, asked) for a in ask), return_exceptions=True
        )
        errors: dict[str, BeeperError] = {}
        hits: list[Contact] = []
        for account_id, answer in zip(ask, answers, strict=True):
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
        concurrency: int | None = None,
    ) -> BookSync:
        """A :class:`BookSync` that fills this book from ``client`` (``concurrency``: accounts
        synced at once, :data:`~.sync.DEFAULT_CONCURRENCY` by default)."""
        # The sync (and the HTTP client and API models it needs) loads when the book
        # first syncs, not with the book: the app lists the book before it connects.
        from .sync import DEFAULT_CONCURRENCY, BookSync

        return BookSync(
            self,
            client,
            observer=observer,
            concurrency=DEFAULT_CONCURRENCY if concurrency is None else concurrency,
        )

    async def replace_account(self, account_id: str, rows: ContactRows) -> None:
        """Make ``rows`` the account's contacts (on disk, then in the index)."""
        await self._in_worker(self._store.replace_account, account_id, rows)
        await self._reload()

    async def replace_merges(self, groups: dict[str, list[tuple[str, str]]]) -> None:
        """Keep which chats the user merged in Beeper; people are regrouped when that changed."""
        merged = [tuple(g) for _, g in sorted(groups.items()) if len(g) > 1]
        if not self._store.read_only:
            await self._in_worker(self._store.replace_merges, groups)
        if tuple(sorted(merged)) == tuple(sorted(self.contents.merged)):
            return
        index = self.people.apply(self.index, merged)
        self.contents = self.contents.with_merged(merged).with_people_index(index)
        for listener in list(self._listeners):
            listener()

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
        self._cancel_trim()
        await self._in_worker(self._store.remove)
        self._worker.shutdown(wait=False)
        self.contents = BookContents(region=self.region)

    async def close(self) -> None:
        """Close the store (saving an index not yet saved); the file stays for the next start."""
        self._cancel_trim()
        pending = self._pending_save
        if pending is not None:
            pending[0].cancel()
            await self._in_worker(_save_index, self._store, self.index, pending[1])
        await self._in_worker(self._store.close)
        self._worker.shutdown(wait=False)

    def _save_later(self, fingerprint: str) -> None:
        """Save the index once the book has been still for a while (see :data:`_SAVE_DELAY`)."""
        if self._pending_save is not None:
            self._pending_save[0].cancel()
        index = self.index

        def save() -> None:
            self._pending_save = None
            if self.index is index:
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
        index = self.people.apply(self.index, self.contents.merged)
        self.contents = self.contents.with_people_index(index)
        for listener in list(self._listeners):
            listener()

    def why_joined(self, contact: Contact) -> list[str]:
        """Why ``contact``'s identities are one person, a line per join (:mod:`.joins`)."""
        from .joins import why_joined

        return why_joined(
            contact.identities,
            self.contents.merged,
            self.people.effective(),
            self.network_names(),
        )

    async def suggestions(self) -> list[Suggestion]:
        """Open "maybe the same person" suggestions, best first (found on the book's thread)."""
        from .evidence import suggestions  # only this view needs it

        index, networks = self.index, self.network_names()
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

            def load() -> tuple[BookIndex, list[AccountMeta], str | None, list[Merged]]:
                index, unsaved = read_index(store, warm=True)
                merged = store.merges()
                return self.people.apply(index, merged), store.accounts(), unsaved, merged

            started = time.monotonic()
            decided = self.people.decisions
            index, meta, unsaved, merged = await self._in_worker(load)
            if self.people.decisions is not decided:  # the user decided during the rebuild
                index = self.people.apply(index, merged)
            self.contents = self.contents.with_merged(merged).with_index(index, meta)
            if unsaved is not None:
                self._save_later(unsaved)
            self._built_at = time.monotonic()
            self._last_build = self._built_at - started
        for listener in list(self._listeners):
            listener()
        self._trim_later()

    def _cancel_trim(self) -> None:
        if self._pending_trim is not None:
            self._pending_trim.cancel()
            self._pending_trim = None

    def _trim_later(self) -> None:
        """Give the heap back once the screen has let go of the replaced index (see .heap)."""
        self._cancel_trim()

        def trim() -> None:
            self._pending_trim = None
            self._worker.submit(give_back_freed_memory)

        self._pending_trim = asyncio.get_running_loop().call_later(_TRIM_DELAY, trim)
