"""The App's address book: open it at start, sync it, say how it stands, open offline on it.

The App owns one :class:`BookDriver`; the driver owns the
:class:`~beeper_tui.service.book_keeper.BookKeeper` and reports through the
:class:`~beeper_tui.ui.messages.ServicePoster`: its status line
(:class:`~beeper_tui.ui.messages.BookStatus`, the one source of what the book
is doing) and changes of its contents. It writes into no widget.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from beeper_tui.book_path import app_book_path, default_people_path
from beeper_tui.config import Settings
from beeper_tui.service.book_keeper import BookKeeper
from beeper_tui.service.networks import network_name, network_of_account_id

from .messages import ServicePoster

if TYPE_CHECKING:
    from beeper_tui.service.backend import Backend
    from beeper_tui.service.book import AddressBook, BookOpening

__all__ = ["COUNT_DELAY", "DEMO_BOOK_WAIT", "READ_BEFORE_DRAWING", "STATUS_TICK", "BookDriver"]

log = logging.getLogger("beeper_tui.ui.book_driver")

STATUS_TICK = 30.0
"""Seconds between refreshes of "last synced 12 min ago"."""

READ_BEFORE_DRAWING = 0.4
"""Seconds the app waits for the book before drawing its first screen without it."""

COUNT_DELAY = 0.5
"""Seconds the book must stay unchanged before its suggestions are counted again (a sync
changes it once per account: one count for a burst)."""

DEMO_BOOK_WAIT = 15.0
"""Seconds a search waits at most for the demo's book, built at start (a few seconds)."""


class BookDriver:
    """Everything the app does with the address book: the book's side of the session."""

    def __init__(
        self,
        settings: Settings,
        poster: ServicePoster,
        *,
        demo: bool,
        keep_demo_book: bool = False,
        opening: BookOpening | None = None,
        backend: Callable[[], Backend | None],
        offline: Callable[[], bool],
    ) -> None:
        self.settings = settings
        self.poster = poster
        self._backend = backend
        """The session's backend (the demo's, once the user switched to it); None until the
        App builds it, after the book's first frame."""
        self._offline = offline
        """Whether Desktop was lost (the session knows)."""
        self.keeper: BookKeeper | None = None
        """The book and its sync (None with the book off)."""
        if settings.book != "off":
            self.keeper = BookKeeper(
                app_book_path(
                    settings.book,
                    demo=demo,
                    keep_demo_book=keep_demo_book,
                    demo_version=settings.demo_version,
                ),
                region=settings.phone_region,
                on_change=self.status_changed,
                people=default_people_path(demo=demo),
                opening=opening,
            )
            # Read from now on (if the command line did not start already), on the book's
            # own thread: while Textual starts (its CSS, the screen's widgets), not after.
            self.keeper.start_opening()
        self._synced_once = False
        self._failure_shown: str | None = None
        self._counting: asyncio.Task[None] | None = None
        self._first_book = asyncio.Event()
        """Set once the first sync has ended (or cannot happen): the demo's book is built."""
        if self.keeper is None or not demo:
            self._first_book.set()  # nothing to wait for: a real Desktop's book is synced later

    async def read(self) -> None:
        """Read the book before the screen is first drawn (the first frame can list it).

        Waits :data:`READ_BEFORE_DRAWING` at most: a book that must be rebuilt
        (no current snapshot) arrives on a screen that is already up.
        """
        if self.keeper is not None:
            await self.keeper.read(READ_BEFORE_DRAWING)

    @property
    def book(self) -> AddressBook | None:
        """The open book (None before :meth:`open`, with the book off, or when it failed)."""
        return self.keeper.book if self.keeper is not None else None

    def attach(self, backend: Backend) -> None:
        """The App built its backend: the book opened before is the backend's."""
        if (book := self.book) is not None:
            backend.book = book

    async def open(self, backend: Backend | None = None) -> None:
        """Open the book before the session starts (an offline start can show it); it is
        ``backend``'s, or the session's once there is one (see :meth:`attach`)."""
        keeper = self.keeper
        if keeper is None:
            return
        book = await keeper.open()
        if keeper.has_contents:
            self._first_book.set()  # the demo's book kept from the last start answers now
        if book is not None:
            if (owner := backend or self._backend()) is not None:
                owner.book = book
            book.add_listener(self._changed)
            self._count_suggestions(book)
            for notice in keeper.notices:  # set aside, read-only: said once, at opening
                self.poster.toast("Address book", notice, warning=True)
            if book.people.error is not None:  # the user's file: never written over
                self.poster.toast("People", str(book.people.error), warning=True)
        elif keeper.open_error:
            self.poster.toast(
                "Address book",
                f"The address book could not be opened: {keeper.open_error}",
                warning=True,
            )

    async def use_demo(self, demo: Backend) -> None:
        """The user switched to the demo: its contacts get a book of their own, in memory.

        The user's book is closed first (and so saved); it is never synced from
        the demo. The demo's book syncs once its accounts arrive, as at a start
        with ``--demo``, so its search ranks and matches words in any order.
        """
        if self.keeper is None:  # the book is off
            return
        # The new keeper first: a sync timer or a late account list that fires while
        # the user's book closes finds the demo's keeper, not a book on its way out.
        users, self.keeper = (
            self.keeper,
            BookKeeper(None, region=self.settings.phone_region, on_change=self.status_changed),
        )
        self._synced_once = False
        self._first_book = asyncio.Event()  # searches wait for the demo's book, as at start
        await users.close()
        await self.open(demo)

    def demo_book(self) -> Awaitable[None] | None:
        """What a search must await first, or None: the demo's book, built from its dataset
        at start (its first sync, a few seconds), so a query typed at once searches the
        whole ranked book, not the server's word-order-bound search. None for a real
        Desktop's book (synced later, never waited for); the wait lasts
        :data:`DEMO_BOOK_WAIT` seconds at most."""
        if self._first_book.is_set():
            return None
        return self._wait_for_demo_book()

    async def _wait_for_demo_book(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._first_book.wait(), DEMO_BOOK_WAIT)

    def book_settled(self) -> None:
        """The first sync will not come (the accounts failed to load): nobody waits for it."""
        self._first_book.set()

    def open_offline(self) -> bool:
        """Desktop cannot be reached at start: open on the book if it holds anything."""
        return self.keeper is not None and self.keeper.has_contents

    def accounts_loaded(self) -> None:
        """The first account list starts the first sync; accounts that join later sync too."""
        if not self._synced_once:
            self._synced_once = True
            self.sync()
            if self.keeper is None or not self.keeper.syncing:
                self._first_book.set()  # no sync started (offline, the book is off)
            return
        if (keeper := self._keeper_to_sync()) is not None:
            backend = self._backend()
            assert backend is not None  # _keeper_to_sync said so
            keeper.sync_new(backend.client, backend.accounts.accounts)

    def sync(self) -> None:
        """Sync from Desktop in the background (a running sync carries on)."""
        if (keeper := self._keeper_to_sync()) is not None:
            backend = self._backend()
            assert backend is not None  # _keeper_to_sync said so
            keeper.sync(backend.client, backend.accounts.accounts)

    def _keeper_to_sync(self) -> BookKeeper | None:
        """The keeper, when Desktop is there, its accounts are known and the book is theirs."""
        keeper, backend = self.keeper, self._backend()
        # A book is synced only from the backend it belongs to: after a switch to the
        # demo, the demo's own (in memory), never the user's file.
        if keeper is None or backend is None or self._offline() or not backend.accounts.loaded:
            return None
        return keeper if backend.book is keeper.book else None

    def _changed(self) -> None:
        self.poster.book_changed()
        self.status_changed()
        keeper = self.keeper
        if keeper is not None and keeper.book is not None:
            self._count_suggestions(keeper.book)

    def _count_suggestions(self, book: AddressBook) -> None:
        """Count the open suggestions anew (a plain task: the app must still come to rest)."""
        if self._counting is not None:
            self._counting.cancel()
        self._counting = asyncio.get_running_loop().create_task(
            self._count(book), name="suggestion-count"
        )

    async def _count(self, book: AddressBook) -> None:
        await asyncio.sleep(COUNT_DELAY)
        try:
            found = await book.suggestions()
        except RuntimeError as exc:  # the book closed meanwhile (its thread is gone)
            log.debug("suggestions not counted: %s", exc)
            return
        if self.keeper is not None and self.keeper.book is book:
            self.poster.suggestion_count(len(found))

    def status_changed(self) -> None:
        """Post the book's status line ("Syncing Slack 4,200 / 20,000", offline)."""
        keeper = self.keeper
        if keeper is None:
            return
        backend = self._backend()

        def name_of(account_id: str) -> str:
            account = backend.accounts.get(account_id) if backend is not None else None
            if account is not None:
                return network_name(account)
            return network_of_account_id(account_id)

        self.poster.book_status(keeper.status(name_of, offline=self._offline()))
        if self._synced_once and not keeper.syncing:
            self._first_book.set()
        failure = keeper.sync_failure()  # the service's words ("sync failed: disk full")
        if failure is not None and failure != self._failure_shown:
            self.poster.toast("Address book", failure, warning=True)
        self._failure_shown = failure

    def cached_account_ids(self) -> list[str] | None:
        """The accounts the open book holds (None: no book), for browsing it without Desktop."""
        keeper = self.keeper
        if keeper is None or keeper.book is None:
            return None
        return list(keeper.book.account_ids)

    async def close(self) -> None:
        """Stop syncing and close the book."""
        if self._counting is not None:
            self._counting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._counting
        if self.keeper is not None:
            await self.keeper.close()
