"""Filling the book: page every enabled account's whole ``contacts/list`` into it.

After the contacts, the one-to-one chats are paged too, for one thing only:
which of them the user merged in Beeper (a merged chat's ``merge.chatIDs``,
its members' ``mergedIntoChatID``). The people on the other side of those
chats are one person (:func:`merged_people`), kept in the book as strong
evidence; builds without merged chats simply have none.

A few accounts are synced at once; within one account pages are asked one
after the other (the next cursor comes from the previous answer), so there are
never two requests for one account's next page. A 429 answer is waited out
(its ``Retry-After``, bounded) and the same page asked again. An account's
contacts replace its old ones only when its whole list has arrived: a failed
or cancelled sync leaves the book as it was for that account.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import marshal
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

from beeper_tui.api.client import MAX_LIMIT, BeeperClient
from beeper_tui.api.errors import BeeperError, RateLimitedError
from beeper_tui.api.models import Account, Chat, ContactPage, User
from beeper_tui.service.accounts import is_enabled
from beeper_tui.service.networks import network_name

from .rows import USER, stored_contact
from .store import BookError, ContactRows, DirectoryEntry, StoredContact

__all__ = [
    "MAX_PAGE_SIZE",
    "BookSync",
    "SyncProgress",
    "SyncTarget",
    "directory_accounts",
    "directory_of",
    "merged_people",
]

MAX_PAGE_SIZE: Final = MAX_LIMIT
"""The API's maximum ``limit`` for ``contacts/list``; the sync never asks for more."""
DEFAULT_CONCURRENCY: Final = 3
_MAX_EMPTY_PAGES: Final = 3
_CONVERT_SLICE: Final = 50
_MAX_CHAT_PAGES: Final = 200

log = logging.getLogger("beeper_tui.service.book")


@dataclass(frozen=True, slots=True)
class SyncProgress:
    """Where one account's sync stands ("Syncing Slack 4,200 / 20,000")."""

    account_id: str
    fetched: int
    """Contacts received so far in this sync."""
    expected: int | None
    """The previous sync's count (a guess at the total), or None on a first sync."""
    done: bool = False
    """True once the account finished, successfully or not."""
    error: BeeperError | None = None
    """Why it failed (the book keeps the account's previous contacts)."""


class SyncTarget(Protocol):
    """What a sync fills: the :class:`~.address_book.AddressBook` is one."""

    def count(self, account_id: str) -> int | None:
        """How many contacts the account's last sync brought, or None if it never synced."""

    async def replace_account(self, account_id: str, rows: ContactRows) -> None:
        """Make ``rows`` the account's contacts."""

    async def replace_merges(self, groups: dict[str, list[tuple[str, str]]]) -> None:
        """Make ``groups`` (merged chat ID → identities) the chats merged in Beeper."""


def merged_people(chats: Sequence[Chat]) -> dict[str, list[tuple[str, str]]]:
    """Merged chat ID → (account ID, user ID) of the person in each of its member chats.

    A member is named by the merged chat's ``merge.chatIDs`` or by its own
    ``mergedIntoChatID``; its person is the one participant who is not the
    user. Groups of fewer than two identities say nothing and are left out.
    """
    by_id = {c.id: c for c in chats}
    members: dict[str, dict[str, None]] = {}
    for chat in chats:
        if chat.merge is not None:
            members.setdefault(chat.id, {}).update(dict.fromkeys(chat.merge.chat_ids))
        if chat.merged_into_chat_id:
            members.setdefault(chat.merged_into_chat_id, {})[chat.id] = None
    groups: dict[str, list[tuple[str, str]]] = {}
    for merged_id, chat_ids in members.items():
        people: dict[tuple[str, str], None] = {}
        for chat_id in chat_ids:
            member = by_id.get(chat_id)
            if member is None or member.merge is not None:
                continue
            others = [u for u in member.participants.items if not u.is_self]
            if len(others) == 1:
                people[(member.account_id, others[0].id)] = None
        if len(people) > 1:
            groups[merged_id] = list(people)
    return groups


def directory_of(accounts: Sequence[Account]) -> list[DirectoryEntry]:
    """What the book remembers of Desktop's account list: IDs, networks' names, enabled."""
    return [DirectoryEntry(a.account_id, network_name(a), is_enabled(a)) for a in accounts]


def directory_accounts(entries: Sequence[DirectoryEntry]) -> list[Account]:
    """The remembered accounts, bare (ID and network), for matching
    ``--account`` offline with the same resolver as online."""
    return [
        Account.model_validate(
            {"accountID": e.account_id, "user": {"id": ""}, "network": e.network or None}
        )
        for e in entries
    ]


class FetchedRows:
    """An account's contacts as fetched, one packed buffer a page (:mod:`marshal`).

    A 100,000-contact account is 100,000 rows of eight strings: held as they
    are until written, they would spread over the small-object heap and keep
    it (the index built next fills the gaps only in part). A page packed as
    one buffer is one large allocation, handed back whole once written. Read
    again (``iter``) for each write attempt; ``in`` asks by user ID.
    """

    def __init__(self) -> None:
        self._pages: list[bytes] = []
        self._ids: set[str] = set()

    def add(self, rows: Sequence[StoredContact]) -> None:
        """Keep ``rows`` (of user IDs not kept yet)."""
        if rows:
            self._pages.append(marshal.dumps(list(rows)))
            self._ids.update(r[USER] for r in rows)

    def __contains__(self, user_id: object) -> bool:
        return user_id in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def __iter__(self) -> Iterator[StoredContact]:
        for page in self._pages:
            yield from marshal.loads(page)


class BookSync:
    """Syncs accounts into a :class:`SyncTarget` (the book); :meth:`start` it again to re-sync.

    ``observer`` is called on the event loop with a :class:`SyncProgress`
    after every page and when each account finishes.
    """

    def __init__(
        self,
        book: SyncTarget,
        client: BeeperClient,
        *,
        observer: Callable[[SyncProgress], None] | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        page_size: int = MAX_PAGE_SIZE,
        max_rate_limit_waits: int = 5,
        max_retry_wait: float = 30.0,
    ) -> None:
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.book = book
        self.client = client
        self.observer = observer
        self.concurrency = concurrency
        self.page_size = page_size
        self.max_rate_limit_waits = max_rate_limit_waits
        """How many 429 answers in a row one page may get before the account fails."""
        self.max_retry_wait = max_retry_wait
        """The longest single wait for a ``Retry-After``, in seconds."""
        self.progress: dict[str, SyncProgress] = {}
        """The latest progress of every account in the current (or last) sync."""
        self._account_locks: dict[str, asyncio.Lock] = {}
        self._task: asyncio.Task[dict[str, BeeperError | None]] | None = None

    @property
    def running(self) -> bool:
        """Whether a sync started with :meth:`start` is still going."""
        return self._task is not None and not self._task.done()

    def start(self, accounts: Sequence[Account]) -> asyncio.Task[dict[str, BeeperError | None]]:
        """Sync ``accounts`` in the background; while one runs, return that one instead."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.run(accounts), name="book-sync")
        return self._task

    async def cancel(self) -> None:
        """Stop the background sync, if any; accounts not finished keep their old contacts."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            # Waits for the task to unwind; a cancel of the caller still propagates.
            await asyncio.gather(task, return_exceptions=True)

    async def run(self, accounts: Sequence[Account]) -> dict[str, BeeperError | None]:
        """Sync every enabled account; return account ID → None or why it failed."""
        ids = [a.account_id for a in accounts if is_enabled(a)]
        gate = asyncio.Semaphore(self.concurrency)
        results = await asyncio.gather(*(self.sync_account(a, gate=gate) for a in ids))
        await self.sync_merges(ids)
        return dict(zip(ids, results, strict=True))

    async def sync_merges(self, account_ids: Sequence[str]) -> None:
        """Read which chats the user merged in Beeper (see :func:`merged_people`) into the book.

        Only a whole listing replaces what the book knew: a failure keeps it.
        """
        if not account_ids:
            return
        chats: list[Chat] = []
        cursor: str | None = None
        try:
            for _ in range(_MAX_CHAT_PAGES):
                page = await self.client.search_chats(
                    type="single", account_ids=account_ids, cursor=cursor, limit=self.page_size
                )
                chats.extend(page.items)
                if not page.has_more or not page.oldest_cursor or page.oldest_cursor == cursor:
                    break
                cursor = page.oldest_cursor
            await self.book.replace_merges(merged_people(chats))
        except BeeperError as exc:
            log.info("could not read the chats merged in Beeper: %s", exc)

    async def sync_account(
        self, account_id: str, *, gate: asyncio.Semaphore | None = None
    ) -> BeeperError | None:
        """Sync one account now; None on success, else the error (the old data stays).

        ``gate`` bounds how many accounts are fetched at once; writing the
        result into the book happens outside it, so the next account's pages
        are asked meanwhile.
        """
        lock = self._account_locks.setdefault(account_id, asyncio.Lock())
        async with lock:
            expected = self.book.count(account_id)
            try:
                async with gate or contextlib.nullcontext():
                    self._report(SyncProgress(account_id, 0, expected))
                    rows = await self._fetch_all(account_id, expected)
            except BeeperError as exc:
                log.info("sync of %s failed: %s", account_id, exc)
                self._report(SyncProgress(account_id, 0, expected, done=True, error=exc))
                return exc
            # Shielded: once the whole list is here, a cancel must not lose it half-written.
            try:
                await asyncio.shield(self.book.replace_account(account_id, rows))
            except BookError as exc:  # disk full, read-only: the old contacts stay
                log.info("sync of %s could not be saved: %s", account_id, exc)
                self._report(SyncProgress(account_id, 0, expected, done=True, error=exc))
                return exc
            self._report(SyncProgress(account_id, len(rows), expected, done=True))
            return None

    async def _fetch_all(self, account_id: str, expected: int | None) -> FetchedRows:
        rows = FetchedRows()
        cursor: str | None = None
        seen_cursors: set[str] = set()
        empty_pages = 0
        while True:
            page = await self._page(account_id, cursor)
            before = len(rows)
            firsts: dict[str, User] = {}
            for user in page.items:
                if user.id not in rows:
                    firsts.setdefault(user.id, user)  # the first of each ID, as before
            fresh = list(firsts.values())
            # Folding and phone parsing cost ~30 µs a contact: done on the loop
            # in slices, yielding between them, rather than in yet another
            # thread fighting the loop for the GIL.
            converted: list[StoredContact] = []
            for start in range(0, len(fresh), _CONVERT_SLICE):
                if start:
                    await asyncio.sleep(0)
                converted.extend(
                    stored_contact(account_id, user)
                    for user in fresh[start : start + _CONVERT_SLICE]
                )
            rows.add(converted)
            empty_pages = 0 if len(rows) > before else empty_pages + 1
            self._report(SyncProgress(account_id, len(rows), expected))
            following = page.oldest_cursor
            if page.has_more is False or not following:
                break
            if following in seen_cursors:
                log.warning("%s: cursor repeated; the list ends here", account_id)
                break
            if empty_pages >= _MAX_EMPTY_PAGES:
                log.warning("%s: %d pages brought nobody new; stopping", account_id, empty_pages)
                break
            seen_cursors.add(following)
            cursor = following
        return rows

    async def _page(self, account_id: str, cursor: str | None) -> ContactPage:
        waits = 0
        while True:
            try:
                return await self.client.list_contacts(
                    account_id, cursor=cursor, limit=self.page_size
                )
            except RateLimitedError as exc:
                waits += 1
                if waits > self.max_rate_limit_waits:
                    raise
                delay = exc.retry_after if exc.retry_after is not None else float(2**waits)
                delay = min(delay, self.max_retry_wait)
                log.info("%s: rate limited; waiting %.1f s", account_id, delay)
                await asyncio.sleep(delay)

    def _report(self, progress: SyncProgress) -> None:
        self.progress[progress.account_id] = progress
        if self.observer is not None:
            self.observer(progress)
