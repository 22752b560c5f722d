"""The main screen: accounts sidebar, contact search pane, detail panel, and what happens on them.

The screen owns the view: its three panes, their keys, the layout and the
actions on the highlighted person. What the session and the address book
report arrives here as messages (``messages.py``); the screen keeps the state
several panes show (connection health, the book's status line) in reactives
the panes are bound to. The layout adapts to the width through the App's
``HORIZONTAL_BREAKPOINTS``; ``ctrl+d`` and ``ctrl+b`` show or hide the detail
panel and the sidebar at any size, recorded as ``-detail-open``/``-detail-closed``
and ``-sidebar-open``/``-sidebar-closed`` on this screen.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header, Input, OptionList
from textual.worker import Worker, WorkerState

from beeper_tui.api.errors import BeeperError
from beeper_tui.api.models import Account
from beeper_tui.config import Settings
from beeper_tui.service.accounts import bare_account
from beeper_tui.service.backend import Backend
from beeper_tui.service.person import Contact
from beeper_tui.service.scope import ALL_ACCOUNTS, Scope
from beeper_tui.service.session import Session
from beeper_tui.service.session_events import Health

from .accounts_sidebar import AccountsSidebar
from .app_keys import NARROW_CLASSES, SCREEN_BINDINGS
from .book_driver import STATUS_TICK, BookDriver
from .contact_list import ContactList
from .export_dialog import ExportDialog, ExportMemory
from .gc_freeze import freeze_long_lived, freeze_startup_objects
from .messages import (
    AccountsFailed,
    AccountsLoaded,
    BackendSwitched,
    BookChanged,
    BookStatus,
    HealthChanged,
    Reconnected,
    Toast,
    UnexpectedError,
)
from .person_view import PersonView
from .safe_text import inert
from .search_pane import SearchPane

__all__ = ["MainScreen"]

log = logging.getLogger("beeper_tui.ui")


class MainScreen(Screen[None]):
    """Browse the contacts of the accounts on the left, the person on the right."""

    class Ready(Message):
        """The panes are up: the App may apply the keymap and start the session."""

    BINDINGS: ClassVar[list[BindingType]] = SCREEN_BINDINGS

    health: reactive[Health] = reactive(Health.CONNECTING, init=False)
    """The connection's health, as the session last reported it (under the sidebar and
    the detail panel)."""

    book_status: reactive[str | None] = reactive(None, init=False)
    """What the address book is doing ("Syncing Slack 4,200 / 20,000", "offline, last
    synced 12 min ago"), as the book last reported it (under the contact pane)."""

    def __init__(self, settings: Settings, session: Session, book: BookDriver) -> None:
        super().__init__()
        self.settings = settings
        self.session = session
        """The connection to Beeper Desktop (the one owner of the backend)."""
        self.book = book
        """The address book's driver."""
        self.export_memory = ExportMemory()
        """The export dialog's last format and folder, for this session."""
        self._gc_frozen = False
        self._accounts_shown = False

    @property
    def backend(self) -> Backend:
        """The session's backend (the demo's, once the user switched to it)."""
        return self.session.backend

    def compose(self) -> ComposeResult:
        yield Header(icon="☎")
        with Horizontal(id="panes"):
            yield AccountsSidebar(id="accounts").data_bind(MainScreen.health)
            yield SearchPane(
                lambda: self.backend, debounce_ms=self.settings.debounce_ms, id="pane"
            ).data_bind(MainScreen.book_status)
            yield PersonView(
                lambda: self.backend, images=self.settings.images, id="detail"
            ).data_bind(MainScreen.health)
        yield Footer()

    def on_mount(self) -> None:
        self.detail.show_message("Connecting…")
        self.query_one("#contacts").focus()
        if self.settings.sidebar_width:
            self.sidebar.styles.width = self.settings.sidebar_width
        if self.settings.sync_minutes:
            self.set_interval(self.settings.sync_minutes * 60, self.book.sync)
        self.set_interval(STATUS_TICK, self.book.status_changed)
        self.post_message(self.Ready())

    # -- parts ---------------------------------------------------------------

    @property
    def sidebar(self) -> AccountsSidebar:
        """The accounts sidebar (``#accounts``)."""
        return self.query_one("#accounts", AccountsSidebar)

    @property
    def pane(self) -> SearchPane:
        """The contact search pane."""
        return self.query_one("#pane", SearchPane)

    @property
    def detail(self) -> PersonView:
        """The detail panel (``#detail``)."""
        return self.query_one("#detail", PersonView)

    # -- what the session and the book report --------------------------------

    @on(HealthChanged)
    def _on_health_changed(self, event: HealthChanged) -> None:
        was, self.health = self.health, event.health
        if event.health is Health.OFFLINE:
            self.notify(
                "Lost connection to Beeper Desktop — retrying…",
                title="Offline",
                severity="warning",
                timeout=8,
            )
            if not self.backend.accounts.loaded:
                self.browse_book(
                    "Beeper Desktop can't be reached: showing your address book offline.\n"
                    "Search works; messaging needs Desktop. Reconnecting by itself…"
                )
        elif was is Health.OFFLINE and event.health is Health.ONLINE:
            self.notify("Reconnected to Beeper Desktop", title="Online", timeout=4)
        self.book.status_changed()  # "offline, last synced …" comes and goes

    @on(AccountsLoaded)
    def _on_accounts_loaded(self, event: AccountsLoaded) -> None:
        self._show_accounts(event.accounts)
        self.book.accounts_loaded()

    @on(AccountsFailed)
    def _on_accounts_failed(self, event: AccountsFailed) -> None:
        message = inert(event.error.message)
        self.notify(message, title="Accounts", severity="error", markup=False)
        if not self.backend.accounts.loaded:
            self.detail.show_message(f"Could not load accounts.\n{message}")
            self.pane.scope(None)

    @on(Reconnected)
    def _on_reconnected(self) -> None:
        self.pane.retry()
        self.book.sync()

    @on(Toast)
    def _on_toast(self, event: Toast) -> None:
        self.notify(
            inert(event.text),
            title=event.title,
            severity="warning" if event.warning else "information",
            timeout=event.timeout,
            markup=False,
        )

    @on(BookStatus)
    def _on_book_status(self, event: BookStatus) -> None:
        self.book_status = event.status

    @on(BookChanged)
    def _on_book_changed(self) -> None:
        freeze_long_lived()  # the new index: 100,000s of long-lived objects
        self.pane.book_changed()

    @on(BackendSwitched)
    def _on_backend_switched(self) -> None:
        self.app.sub_title = "demo data"

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.post_message(UnexpectedError(event.worker.error))

    # -- start-up --------------------------------------------------------------

    def show_cached(self) -> bool:
        """At start, before Desktop answers: list the book at once, if it holds anyone.

        Reaching Desktop takes a moment (and may fail): the user's contacts
        need not wait for it. The accounts' own list replaces the book's when
        it comes, and the cursor stays on its person.
        """
        if not self.book.open_offline():
            return False
        self.browse_book("Connecting to Beeper Desktop…\nYour address book is listed meanwhile.")
        return True

    def browse_book(self, message: str) -> None:
        """List every account of the book, with ``message`` in the detail panel."""
        account_ids = self.book.cached_account_ids()
        if account_ids is None:
            return
        with contextlib.suppress(NoMatches):  # the app is closing
            self.detail.show_message(message)
            self.sidebar.show_accounts([bare_account(a) for a in account_ids])
            self.pane.scope(ALL_ACCOUNTS)

    def freeze_once(self) -> None:
        """Once the first rows are up: keep full collections off the start-up objects."""
        if not self._gc_frozen:
            self._gc_frozen = True
            self.call_after_refresh(freeze_startup_objects)

    # -- accounts --------------------------------------------------------------

    @work(exclusive=True, group="accounts", exit_on_error=False)
    async def refresh_accounts(self, *, quiet: bool = False) -> None:
        """Reload the account list; badges update, the highlight stays."""
        await self.session.refresh(quiet=quiet)

    def _show_accounts(self, accounts: Sequence[Account]) -> None:
        first_load = not self._accounts_shown
        self._accounts_shown = True
        self.sidebar.show_accounts(accounts, self.backend.accounts.contact_problems)
        self.freeze_once()
        if not accounts:
            self.detail.show_message("No accounts. Connect a chat network in Beeper Desktop.")
            self.pane.scope(None)
        elif first_load:
            # Searched again even in the same scope: the book listed before the
            # accounts came may cover other accounts than the enabled ones.
            self._scope(self.sidebar.highlighted_scope or ALL_ACCOUNTS, again=True)

    def switch_account(self, scope: Scope) -> None:
        """Show ``scope``'s contacts (the palette and the sidebar both end here)."""
        if self.sidebar.select_account(scope):
            self._scope(scope)

    def _scope(self, scope: Scope, *, again: bool = False) -> None:
        if scope is ALL_ACCOUNTS:
            self.detail.show_overview(self.backend.accounts.accounts)
        elif (account := self.backend.accounts.get(scope)) is not None:
            self.detail.show_account(account)
            self._load_account_detail(scope)
        self.pane.scope(scope, again=again)

    @work(exclusive=True, group="account-detail", exit_on_error=False)
    async def _load_account_detail(self, account_id: str) -> None:
        try:
            account = await self.backend.accounts.detail(account_id)
        except BeeperError as exc:
            log.info("account detail failed: %s", exc)
            return
        subject = self.detail.subject
        if isinstance(subject, Account) and subject.account_id == account_id:
            self.detail.show_account(account)

    def _chosen_scope(
        self, event: OptionList.OptionHighlighted | OptionList.OptionSelected
    ) -> Scope | None:
        """The sidebar's scope for ``event``; None too when it arrives as the app quits."""
        try:
            pane, sidebar = self.pane, self.sidebar
        except NoMatches:  # a highlight posted as the app quits, after its panes are gone
            return None
        scope = sidebar.scope_of(event.option.id)
        return scope if scope is not None and scope != pane.account_id else None

    @on(OptionList.OptionHighlighted, "#accounts")
    def _on_account_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if (scope := self._chosen_scope(event)) is not None:
            self._scope(scope)

    @on(OptionList.OptionSelected, "#accounts")
    def _on_account_selected(self, event: OptionList.OptionSelected) -> None:
        if (scope := self._chosen_scope(event)) is not None:
            self._scope(scope)
        with contextlib.suppress(NoMatches):  # as the app quits
            self.pane.contact_list.focus()

    # -- contacts ----------------------------------------------------------------

    @on(SearchPane.RequestFailed)
    @on(PersonView.RequestFailed)
    def _on_request_failed(
        self, event: SearchPane.RequestFailed | PersonView.RequestFailed
    ) -> None:
        self.session.report(event.error)
        if self.backend.accounts.contact_problems:
            # An account found only through chats failed: it stays, saying why.
            self._show_accounts(self.backend.accounts.accounts)

    @on(ContactList.Highlighted)
    def _on_contact_highlighted(self, event: ContactList.Highlighted) -> None:
        try:
            sidebar = self.sidebar
        except NoMatches:
            return  # shutting down: the panes are already gone
        if sidebar.has_focus:
            return  # the panel shows the account being browsed in the sidebar
        contact = event.contact
        if contact is None:
            if self.detail.subject is not None and not isinstance(self.detail.subject, Account):
                self.detail.show_message("No contact selected.")
            return
        self._show_contact(contact)

    @on(ContactList.Selected)
    def _on_contact_selected(self, event: ContactList.Selected) -> None:
        self._show_contact(event.contact)
        self.open_detail()

    def _show_contact(self, contact: Contact) -> None:
        self.detail.show_contact(contact, self.backend.accounts.get)

    def needs_desktop(self, what: str) -> bool:
        """True (and says why) when ``what`` cannot be done because Desktop is offline."""
        if not self.session.offline:
            return False
        self.notify(
            f"{what} needs Beeper Desktop, which can't be reached right now (reconnecting…).",
            title="Offline",
            severity="warning",
            markup=False,
        )
        return True

    # -- layout ----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # "/" types a slash in the search box.
        return not (action == "focus_search" and isinstance(self.focused, Input))

    @property
    def _narrow(self) -> bool:
        return any(self.has_class(c) for c in NARROW_CLASSES)

    def open_detail(self) -> None:
        """Show the detail panel (over the list on a narrow terminal) and focus it."""
        self.remove_class("-detail-closed")
        self.add_class("-detail-open")
        self.detail.focus()

    def close_detail(self) -> None:
        """Hide the detail panel; the list gets the focus back."""
        self.remove_class("-detail-open")
        self.add_class("-detail-closed")
        self.pane.contact_list.focus()

    @property
    def detail_over_list(self) -> bool:
        """Whether the detail panel covers the list (narrow terminal, opened by the user)."""
        return self._narrow and self.has_class("-detail-open")

    def action_toggle_detail(self) -> None:
        """Show or hide the detail panel."""
        if self.detail.display:
            self.close_detail()
        else:
            self.open_detail()

    def action_toggle_sidebar(self) -> None:
        """Show or hide the accounts sidebar (at any width)."""
        tiny = self.has_class("-tiny")
        shown = self.sidebar.display and not (tiny and not self.has_class("-sidebar-open"))
        self.set_class(not shown, "-sidebar-open")
        self.set_class(shown, "-sidebar-closed")
        if shown and self.sidebar.has_focus:
            self.pane.contact_list.focus()
        elif not shown:
            self.sidebar.focus()

    def action_clear_search(self) -> None:
        """Close the detail panel over the list, else empty the search."""
        if self.detail_over_list:
            self.close_detail()
        else:
            self.pane.clear_search()

    def action_focus_search(self) -> None:
        """Put the cursor in the search box, at once (so a pasted burst lands there)."""
        if self.detail_over_list:
            self.close_detail()
        self.set_focus(self.pane.search_box)

    def action_pane(self, step: int) -> None:
        """Move the focus to the visible pane left (-1) or right (1) of the current one."""
        panes: list[Widget] = [self.sidebar, self.pane, self.detail]
        visible = [p for p in panes if p.display]
        focused = self.focused
        current = next(
            (
                i
                for i, p in enumerate(visible)
                if focused is not None and p in focused.ancestors_with_self
            ),
            1 if self.pane in visible else 0,
        )
        target = visible[max(0, min(len(visible) - 1, current + step))]
        if target is self.pane:
            self.pane.contact_list.focus()
        else:
            target.focus()

    def action_account_step(self, step: int) -> None:
        """Switch to the previous (-1) or next (1) account in the sidebar."""
        sidebar = self.sidebar
        if sidebar.option_count:
            sidebar.highlighted = ((sidebar.highlighted or 0) + step) % sidebar.option_count

    # -- what the keys do ------------------------------------------------------

    def action_refresh(self) -> None:
        """Refresh accounts, retry a page that failed, and re-sync the address book."""
        self.notify("Refreshing accounts, retrying what failed…", title="Refresh", timeout=3)
        self.refresh_accounts()
        self.pane.retry()
        self.book.sync()

    def action_export(self) -> None:
        """Write the current result set (every page) to a file, with progress."""
        if not self.backend.accounts.loaded and self.needs_desktop("Export"):
            return
        scope = self.pane.account_id
        plan = self.backend.export_plan(scope) if scope is not None else None
        if plan is None:
            self.notify("There is no account to export yet.", severity="warning")
            return
        self.app.push_screen(
            ExportDialog(
                self.backend,
                plan.accounts,
                query=self.pane.query_text,
                default_path=Path.home() / plan.file_name("vcf"),
                scope_label=plan.label,
                count=self.pane.result_count,
                memory=self.export_memory,
            )
        )

    def _contact_for_action(self) -> Contact | None:
        contact = self.pane.contact_list.highlighted
        if contact is None:
            self.notify("Highlight a contact first.", severity="warning")
        return contact

    def action_copy(self) -> None:
        """Copy a detail of the highlighted person (for several networks, ask which first)."""
        if (contact := self._contact_for_action()) is not None:
            self.detail.copy(contact)

    def action_message(self) -> None:
        """Open the chat with the highlighted person (for several networks, ask which first)."""
        contact = self._contact_for_action()
        if contact is None or self.needs_desktop("Messaging"):
            return
        self.detail.message(contact)

    def action_open_chats(self) -> None:
        """Pick one of the chats with the highlighted person and open it in Beeper Desktop."""
        if (contact := self._contact_for_action()) is not None:
            self.detail.open_chats(contact)

    def action_toggle_ids(self) -> None:
        """Show or hide the raw IDs and URLs of the person in the detail panel."""
        self.detail.toggle_ids()
