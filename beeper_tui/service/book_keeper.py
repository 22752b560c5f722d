"""Keeping the address book: open it, sync it in the background, say how the sync stands.

The App owns one :class:`BookKeeper`. It opens the book before the session
starts (so an offline start can show it), syncs after the accounts load, on
``r``, after a reconnect and on a timer, and reads :meth:`BookKeeper.status`
for the one line that says what the book is doing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from beeper_tui.api.errors import BeeperError
from beeper_tui.service.accounts import is_enabled

from .book.address_book import BookOpening
from .book.store import BookWriteError

if TYPE_CHECKING:
    from beeper_tui.api.client import BeeperClient
    from beeper_tui.api.models import Account

    from .book import AddressBook, BookSync, SyncProgress

__all__ = ["BookKeeper", "ago"]

log = logging.getLogger("beeper_tui.service.book")


def ago(seconds: float) -> str:
    """``just now``, ``12 min ago``, ``3 h ago``, ``2 days ago``."""
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    days = int(seconds // 86400)
    return f"{days} day{'' if days == 1 else 's'} ago"


class BookKeeper:
    """One address book and its sync; ``on_change`` is called when its status line may change.

    ``path`` None keeps the book in memory only (``--no-cache``).
    """

    def __init__(
        self,
        path: Path | None,
        *,
        region: str | None = None,
        on_change: Callable[[], None] | None = None,
        people: Path | None = None,
        opening: BookOpening | None = None,
    ) -> None:
        """``opening``: this very book (``path``, ``region``, ``people``) already being read."""
        self.path = path
        self.region = region
        self.people = people
        """The user's decisions about who is who (``people.toml``; None: none kept)."""
        self.on_change = on_change
        self.book: AddressBook | None = None
        """The open book (None before :meth:`open`, or when it could not be opened)."""
        self.open_error: str | None = None
        """Why the book could not be opened, if it could not."""
        self.notices: list[str] = []
        """What opening the book has to tell the user once (set aside, read-only)."""
        self._sync: BookSync | None = None
        self._latest: str | None = None
        self._client: BeeperClient | None = None
        self.failed: dict[str, BeeperError] = {}
        """Accounts whose last sync failed, and why."""
        self._opening: BookOpening | None = opening
        self._covered: set[str] = set()
        """Accounts the running (or last) sync was started with, or joined later."""
        self._joining: set[asyncio.Future[dict[str, BeeperError | None]]] = set()
        self._tasks: set[asyncio.Future[None]] = set()

    def start_opening(self) -> None:
        """Begin reading the book now, on its own thread; :meth:`open` takes it up."""
        if self.book is None and self._opening is None:
            self._opening = BookOpening(self.path, region=self.region, people=self.people)

    async def read(self, within: float | None = None) -> None:
        """Start reading the book if nothing did; wait until it is read, or ``within`` seconds."""
        self.start_opening()
        if self._opening is not None:
            await self._opening.read(within)

    async def open(self) -> AddressBook | None:
        """Open the book (a broken file is reported and the app runs without it)."""
        if self.book is None:
            opening = self._opening or BookOpening(
                self.path, region=self.region, people=self.people
            )
            self._opening = None
            try:
                self.book = await opening.book()
            except Exception as exc:  # a bad cache file must never stop the app
                log.warning("cannot open the address book at %s: %s", self.path, exc)
                self.open_error = str(exc)
                return None
            self.notices = list(self.book.notices)
        return self.book

    @property
    def has_contents(self) -> bool:
        """Whether any account has synced into the book (an offline start can show it)."""
        return self.book is not None and bool(self.book.account_ids)

    @property
    def syncing(self) -> bool:
        """Whether a sync is running."""
        return (self._sync is not None and self._sync.running) or bool(self._joining)

    def sync(self, client: BeeperClient, accounts: Sequence[Account]) -> None:
        """Sync ``accounts`` (Desktop's whole list; the enabled ones) in the background.

        The list is remembered in the book: what a complete book holds (an
        account whose first sync never finished is missing until one does).
        While a sync runs, accounts it was not started with (found later, such
        as iMessage on builds that leave it out of the list) are synced beside
        it; the ones it covers carry on.
        """
        book = self.book
        if book is None or book.read_only:
            return  # a read-only book is shown as it is; opening it said so
        if accounts:
            from .book.sync import directory_of  # with the accounts: after the first frame

            remembering = asyncio.ensure_future(book.remember_accounts(directory_of(accounts)))
            self._tasks.add(remembering)
            remembering.add_done_callback(self._tasks.discard)
        self._sync_some(client, accounts)

    def _sync_some(self, client: BeeperClient, accounts: Sequence[Account]) -> None:
        if self.book is None:
            return
        if self._sync is None or self._client is not client:
            self._drop_joining()
            self._sync = self.book.syncer(client, observer=self._progress)
            self._client = client
        wanted = [a for a in accounts if is_enabled(a)]
        if not self.syncing:
            if not wanted:
                return
            self._sync.progress.clear()
            self._covered = {a.account_id for a in wanted}
            task = self._sync.start(wanted)
        else:
            extra = [a for a in wanted if a.account_id not in self._covered]
            if not extra:
                return
            self._covered |= {a.account_id for a in extra}
            task = asyncio.ensure_future(self._sync.run(extra))
            self._joining.add(task)
            task.add_done_callback(self._joining.discard)
        task.add_done_callback(lambda _task: self._changed())
        self._changed()

    def _drop_joining(self) -> list[asyncio.Future[dict[str, BeeperError | None]]]:
        """Cancel the accounts syncing beside the main sync; the tasks, to wait for."""
        joining = list(self._joining)
        for task in joining:
            task.cancel()
        self._joining.clear()
        return joining

    def sync_new(self, client: BeeperClient, accounts: Sequence[Account]) -> None:
        """Sync the enabled accounts the book has never held and no sync has tried yet."""
        book = self.book
        if book is None:
            return
        tried = self._covered | self.failed.keys()
        new = [
            a
            for a in accounts
            if is_enabled(a) and not book.ready(a.account_id) and a.account_id not in tried
        ]
        if new and not book.read_only:
            self._sync_some(client, new)

    def _progress(self, progress: SyncProgress) -> None:
        self._latest = progress.account_id
        if progress.done:
            if progress.error is not None:
                self.failed[progress.account_id] = progress.error
                if isinstance(progress.error, BookWriteError):
                    log.warning(
                        "sync of %s could not be saved: %s", progress.account_id, progress.error
                    )
            else:
                self.failed.pop(progress.account_id, None)
        self._changed()

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()

    def status(self, name_of: Callable[[str], str], *, offline: bool) -> str | None:
        """The book's line: ``Syncing Slack 4,200 / 20,000``, ``offline, last synced …``."""
        sync = self._sync
        if sync is not None and self.syncing:
            active = [p for p in sync.progress.values() if not p.done]
            if active:
                # The account that reported last is the one moving.
                latest = sync.progress.get(self._latest or "")
                first = latest if latest is not None and not latest.done else active[0]
                text = f"Syncing {name_of(first.account_id)} {first.fetched:,}"
                if first.expected:
                    text += f" / {max(first.expected, first.fetched):,}"
                if len(active) > 1:
                    text += f" (+{len(active) - 1} more)"
                return text
            return "Syncing…"
        failure = self.sync_failure()
        if failure is not None:
            return failure
        book = self.book
        if offline and book is not None:
            when = book.last_synced()
            if when is None:
                return "offline"
            return f"offline, last synced {ago(time.time() - when.timestamp())}"
        return None

    def sync_failure(self) -> str | None:
        """``sync failed: disk full`` when the last sync could not be saved, else None.

        A failed account (Desktop answered an error) is retried by the next
        sync and not worth the status line; a book that cannot be written is:
        it will not get better by itself, and the user may free space.
        """
        for error in self.failed.values():
            if isinstance(error, BookWriteError):
                return f"sync failed: {error.message}"
        return None

    async def cancel(self) -> None:
        """Stop a running sync (accounts not finished keep their previous contacts)."""
        joining = self._drop_joining()
        if self._sync is not None:
            await self._sync.cancel()
        await asyncio.gather(*joining, return_exceptions=True)

    async def close(self) -> None:
        """Stop syncing and close the book (the file stays for the next start)."""
        await self.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.book is not None:
            await self.book.close()
            self.book = None
