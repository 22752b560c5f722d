"""The App's address book: open it at start, sync it, show its state, open offline on it.

The App owns one :class:`BookDriver`; the driver owns the
:class:`~beeper_tui.service.book_keeper.BookKeeper` and writes the App's
``book_status`` reactive (the one source of what the book is doing).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from textual.css.query import NoMatches

from beeper_tui.book_path import default_book_path
from beeper_tui.service.accounts import bare_account
from beeper_tui.service.backend import Backend
from beeper_tui.service.book_keeper import BookKeeper
from beeper_tui.service.networks import network_name
from beeper_tui.service.scope import ALL_ACCOUNTS

from .gc_freeze import freeze_long_lived
from .safe_text import inert

if TYPE_CHECKING:
    from .app import BeeperApp

__all__ = ["READ_BEFORE_DRAWING", "STATUS_TICK", "BookDriver"]

STATUS_TICK = 30.0
"""Seconds between refreshes of "last synced 12 min ago"."""

READ_BEFORE_DRAWING = 0.4
"""Seconds the app waits for the book before drawing its first screen without it."""


class BookDriver:
    """Everything the App does with the address book, kept out of ``app.py``."""

    def __init__(self, app: BeeperApp, backend: Backend) -> None:
        self.app = app
        settings = app.settings
        self.keeper: BookKeeper | None = None
        """The book and its sync (None with the book off)."""
        if settings.book != "off":
            on_disk = settings.book == "disk" and not backend.is_demo  # demo data stays in memory
            self.keeper = BookKeeper(
                (settings.book_path or default_book_path()) if on_disk else None,
                region=settings.phone_region,
                on_change=self.status_changed,
            )
        self._synced_once = False
        self._timers_set = False
        self._failure_shown: str | None = None

    async def read(self) -> None:
        """Read the book before the screen is first drawn (the first frame can list it).

        Waits :data:`READ_BEFORE_DRAWING` at most: a book that must be rebuilt
        (no current snapshot) arrives on a screen that is already up.
        """
        if self.keeper is not None:
            await self.keeper.read(READ_BEFORE_DRAWING)

    async def open(self, backend: Backend | None = None) -> None:
        """Open the book for ``backend`` (the App's) before the session starts (an offline
        start can show it)."""
        keeper, app = self.keeper, self.app
        if keeper is None:
            return
        book = await keeper.open()
        if book is not None:
            (backend or app.backend).book = book
            book.add_listener(self._changed)
            if not self._timers_set:
                self._timers_set = True
                if app.settings.sync_minutes:
                    app.set_interval(app.settings.sync_minutes * 60, self.sync)
                app.set_interval(STATUS_TICK, self.status_changed)
            for notice in keeper.notices:  # set aside, read-only: said once, at opening
                app.notify(notice, title="Address book", severity="warning", markup=False)
        elif keeper.open_error:
            app.notify(
                f"The address book could not be opened: {inert(keeper.open_error)}",
                title="Address book",
                severity="warning",
                markup=False,
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
            BookKeeper(None, region=self.app.settings.phone_region, on_change=self.status_changed),
        )
        self._synced_once = False
        await users.close()
        await self.open(demo)

    def open_offline(self) -> bool:
        """Desktop cannot be reached at start: open on the book if it holds anything."""
        return self.keeper is not None and self.keeper.has_contents

    def accounts_loaded(self) -> None:
        """The first account list starts the first sync; accounts that join later sync too."""
        if not self._synced_once:
            self._synced_once = True
            self.sync()
            return
        if (keeper := self._keeper_to_sync()) is not None:
            backend = self.app.backend
            keeper.sync_new(backend.client, backend.accounts.accounts)

    def sync(self) -> None:
        """Sync from Desktop in the background (a running sync carries on)."""
        if (keeper := self._keeper_to_sync()) is not None:
            backend = self.app.backend
            keeper.sync(backend.client, backend.accounts.accounts)

    def _keeper_to_sync(self) -> BookKeeper | None:
        """The keeper, when Desktop is there, its accounts are known and the book is theirs."""
        keeper, app = self.keeper, self.app
        backend = app.backend
        # A book is synced only from the backend it belongs to: after a switch to the
        # demo, the demo's own (in memory), never the user's file.
        if keeper is None or app.offline or not backend.accounts.loaded:
            return None
        return keeper if backend.book is keeper.book else None

    def _changed(self) -> None:
        freeze_long_lived()  # the new index: 100,000s of long-lived objects
        with contextlib.suppress(NoMatches):
            self.app.pane.book_changed()
        self.status_changed()

    def status_changed(self) -> None:
        """Recompute the App's ``book_status`` ("Syncing Slack 4,200 / 20,000", offline)."""
        keeper, app = self.keeper, self.app
        if keeper is None:
            return

        def name_of(account_id: str) -> str:
            account = app.backend.accounts.get(account_id)
            return network_name(account) if account is not None else account_id

        app.book_status = keeper.status(name_of, offline=app.offline)
        failure = keeper.sync_failure()  # the service's words ("sync failed: disk full")
        if failure is not None and failure != self._failure_shown:
            app.notify(failure, title="Address book", severity="error", markup=False)
        self._failure_shown = failure

    def show_cached(self) -> bool:
        """At start, before Desktop answers: list the book at once, if it holds anyone.

        Reaching Desktop takes a moment (and may fail): the user's contacts
        need not wait for it. The accounts' own list replaces the book's when
        it comes, and the cursor stays on its person.
        """
        if not self.open_offline():
            return False
        self._browse_book("Connecting to Beeper Desktop…\nYour address book is listed meanwhile.")
        return True

    def show_offline(self) -> None:
        """Desktop was not reachable at start: browse the book until it comes back."""
        self._browse_book(
            "Beeper Desktop can't be reached: showing your address book offline.\n"
            "Search works; messaging needs Desktop. Reconnecting by itself…"
        )

    def _browse_book(self, message: str) -> None:
        keeper, app = self.keeper, self.app
        if keeper is None or keeper.book is None:
            return
        with contextlib.suppress(NoMatches):  # the app is closing
            app.detail.show_message(message)
            app.sidebar.show_accounts([bare_account(a) for a in keeper.book.account_ids])
            app.pane.scope(ALL_ACCOUNTS)

    def needs_desktop(self, what: str) -> bool:
        """True (and says why) when ``what`` cannot be done because Desktop is offline."""
        if not self.app.offline:
            return False
        self.app.notify(
            f"{what} needs Beeper Desktop, which can't be reached right now (reconnecting…).",
            title="Offline",
            severity="warning",
            markup=False,
        )
        return True

    async def close(self) -> None:
        """Stop syncing and close the book."""
        if self.keeper is not None:
            await self.keeper.close()
