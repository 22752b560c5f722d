"""The beeper-tui application: accounts sidebar, contact search pane, detail panel."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar, TypeVar

from textual import events, on, work
from textual.app import App, ComposeResult, InvalidThemeError
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.reactive import reactive
from textual.widgets import Footer, Header, OptionList
from textual.worker import Worker, WorkerState

from beeper_tui.api.errors import BeeperError
from beeper_tui.api.models import Account
from beeper_tui.config import Settings
from beeper_tui.service.backend import Backend
from beeper_tui.service.discovery import find_desktop
from beeper_tui.service.person import Contact
from beeper_tui.service.scope import ALL_ACCOUNTS, Scope
from beeper_tui.service.session import Session
from beeper_tui.service.session_events import (
    AccountsFailed,
    AccountsLoaded,
    Health,
    HealthChanged,
    Notice,
    Reconnected,
    SessionEvent,
)
from beeper_tui.wiring import open_backend

from .accounts_sidebar import AccountsSidebar
from .app_keys import APP_BINDINGS, BREAKPOINTS, LayoutActions
from .book_driver import BookDriver
from .command_palette import AccountCommands, ContactCommands
from .contact_list import ContactList
from .exit_signals import ExitSignals
from .export_dialog import ExportDialog, ExportMemory
from .gc_freeze import freeze_startup_objects, note_input
from .person_actions import PersonActions
from .person_view import PersonView
from .safe_text import inert
from .search_pane import SearchPane
from .session_prompts import SessionPrompts

__all__ = ["BeeperApp"]

log = logging.getLogger("beeper_tui.ui")


_T = TypeVar("_T")


class BeeperApp(LayoutActions, PersonActions, App[None]):
    """Browse the contacts of every chat account connected to Beeper Desktop."""

    CSS_PATH = "app.tcss"
    TITLE = "beeper-tui"
    SUB_TITLE = "contacts"
    COMMANDS = App.COMMANDS | {AccountCommands, ContactCommands}
    BINDINGS: ClassVar[list[BindingType]] = APP_BINDINGS
    HORIZONTAL_BREAKPOINTS = BREAKPOINTS

    def __init__(self, settings: Settings, *, backend: Backend | None = None) -> None:
        super().__init__()
        self.settings = settings
        own_backend = backend is None and not settings.demo
        backend = backend or open_backend(
            base_url=settings.base_url,
            access_token=settings.token,
            page_size=settings.page_size,
            demo=settings.demo,
            demo_version=settings.demo_version,
            client_options=settings.client_options(),
            export_max_contacts=settings.export_max_contacts,
            remote_images=settings.remote_images,
        )
        self.book_driver = BookDriver(self, backend)
        """Opens, syncs and shows the address book (``book_driver.py``)."""
        self._exit_signals = ExitSignals(self)
        self.session = Session(
            backend,
            SessionPrompts(self),
            self._session_event,
            refresh_seconds=settings.refresh_seconds,
            find_desktop=find_desktop if own_backend and settings.base_url_is_default else None,
            offline_fallback=self.book_driver.open_offline,
        )
        """The connection to Beeper Desktop; the App observes it."""
        if backend.is_demo:
            self.sub_title = "demo data"
        self.export_memory = ExportMemory()
        """The export dialog's last format and folder, for this session."""

    @property
    def backend(self) -> Backend:
        """The session's backend (the demo's, once the user switched to it)."""
        return self.session.backend

    def compose(self) -> ComposeResult:
        yield Header(icon="☎")
        with Horizontal(id="panes"):
            yield AccountsSidebar(id="accounts")
            yield SearchPane(self.backend, debounce_ms=self.settings.debounce_ms, id="pane")
            yield PersonView(lambda: self.backend, images=self.settings.images, id="detail")
        yield Footer()

    health: reactive[Health] = reactive(Health.CONNECTING, init=False)
    """The connection's health, as the session reports it (shown under the sidebar)."""

    book_status: reactive[str | None] = reactive(None, init=False)
    """What the address book is doing ("Syncing Slack 4,200 / 20,000", "offline, last
    synced 12 min ago"); set by the :class:`BookDriver`, shown under the contact pane."""

    _gc_frozen = False
    _accounts_shown = False

    async def on_load(self) -> None:
        # Before the terminal switches to the app: a frame drawn without the
        # book's rows would be drawn again at once, and slow the rows down.
        await self.book_driver.read()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            note_input()  # no garbage sweep while the user is at the keys
        await super().on_event(event)

    async def on_mount(self) -> None:
        self._exit_signals.install()
        try:
            self.theme = self.settings.theme
        except InvalidThemeError:
            # The command line checks the name; a Settings built elsewhere may not.
            self.notify(f"Unknown theme {self.settings.theme!r}", severity="warning", markup=False)
        self.detail.show_message("Connecting…")
        self.query_one("#contacts").focus()
        if self.settings.sidebar_width:
            self.sidebar.styles.width = self.settings.sidebar_width
        self.apply_keymap()
        for warning in self.settings.warnings:
            title = (
                "Insecure connection" if warning == self.settings.clear_text_warning else "Warning"
            )
            self.notify(inert(warning), title=title, severity="warning", timeout=15, markup=False)
        self._start_session()

    @work(exclusive=True, group="connect", exit_on_error=False)
    async def _start_session(self) -> None:
        await self.book_driver.open()
        if self.book_driver.show_cached():
            # The book's rows reach the screen before connecting takes its share of the loop.
            painted = asyncio.Event()
            self.call_after_refresh(painted.set)
            await painted.wait()
            self._freeze_once()
        await self.session.start()

    def watch_book_status(self, status: str | None) -> None:
        with contextlib.suppress(NoMatches):
            self.pane.border_subtitle = status

    # -- what the session asks and tells -------------------------------------

    def _session_event(self, event: SessionEvent) -> None:
        if isinstance(event, HealthChanged):
            was = self.health
            self.health = event.health
            if event.health is Health.OFFLINE:
                self.notify(
                    "Lost connection to Beeper Desktop — retrying…",
                    title="Offline",
                    severity="warning",
                    timeout=8,
                )
                if not self.backend.accounts.loaded:
                    self.book_driver.show_offline()
            elif was is Health.OFFLINE and event.health is Health.ONLINE:
                self.notify("Reconnected to Beeper Desktop", title="Online", timeout=4)
            self.book_driver.status_changed()
        elif isinstance(event, AccountsLoaded):
            self._show_accounts(event.accounts)
            self.book_driver.accounts_loaded()
        elif isinstance(event, AccountsFailed):
            self._accounts_failed(event.error)
        elif isinstance(event, Reconnected):
            self.pane.retry()
            self.book_driver.sync()
        elif isinstance(event, Notice):
            self.notify(
                inert(event.text),
                title=event.title,
                severity="warning" if event.warning else "information",
                timeout=10 if event.warning else 5,
                markup=False,
            )

    def watch_health(self, health: Health) -> None:
        subtitles = {Health.STALE: "stale", Health.OFFLINE: "offline"}
        with contextlib.suppress(NoMatches):
            self.sidebar.border_subtitle = subtitles.get(health)
            # What the detail panel shows may be out of date too: it says so.
            self.detail.border_subtitle = subtitles.get(health)

    @property
    def offline(self) -> bool:
        """Whether Beeper Desktop was lost and the app is trying to get it back."""
        return self.session.offline

    def report_unexpected(self, error: BaseException | None) -> None:
        """An error nobody expected: into the log with its traceback, and a toast."""
        log.error("unexpected error", exc_info=error)
        what = f"{type(error).__name__}: {error}" if error else "unknown error"
        where = f" Details in {self.settings.log_file}." if self.settings.log_file else ""
        self.notify(
            f"Something went wrong ({inert(what, limit=200)}).{where} The app keeps running.",
            title="Unexpected error",
            severity="error",
            markup=False,
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.report_unexpected(event.worker.error)

    async def on_unmount(self) -> None:
        self._exit_signals.restore()
        await self.book_driver.close()
        await self.session.aclose()

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

    # -- accounts --------------------------------------------------------------

    @work(exclusive=True, group="accounts", exit_on_error=False)
    async def refresh_accounts(self, *, quiet: bool = False) -> None:
        """Reload the account list; badges update, the highlight stays."""
        await self.session.refresh(quiet=quiet)

    def _accounts_failed(self, exc: BeeperError) -> None:
        self.notify(inert(exc.message), title="Accounts", severity="error", markup=False)
        if not self.backend.accounts.loaded:
            self.detail.show_message(f"Could not load accounts.\n{inert(exc.message)}")
            self.pane.scope(None)

    def _show_accounts(self, accounts: Sequence[Account]) -> None:
        first_load = not self._accounts_shown
        self._accounts_shown = True
        self.sidebar.show_accounts(accounts, self.backend.accounts.contact_problems)
        self._freeze_once()
        if not accounts:
            self.detail.show_message("No accounts. Connect a chat network in Beeper Desktop.")
            self.pane.scope(None)
        elif first_load:
            # Searched again even in the same scope: the book listed before the
            # accounts came may cover other accounts than the enabled ones.
            self._scope(self.sidebar.highlighted_scope or ALL_ACCOUNTS, again=True)

    def _freeze_once(self) -> None:
        """Once the first rows are up: keep full collections off the start-up objects."""
        if not self._gc_frozen:
            self._gc_frozen = True
            self.call_after_refresh(freeze_startup_objects)

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
        get = self.backend.accounts.get
        self.detail.show_contact(contact, get(contact.account_id), get)

    # -- actions ---------------------------------------------------------------------

    def action_refresh(self) -> None:
        """Refresh accounts, retry a page that failed, and re-sync the address book."""
        self.notify("Refreshing accounts, retrying what failed…", title="Refresh", timeout=3)
        self.refresh_accounts()
        self.pane.retry()
        self.book_driver.sync()

    def action_export(self) -> None:
        """Write the current result set (every page) to a file, with progress."""
        if not self.backend.accounts.loaded and self.book_driver.needs_desktop("Export"):
            return
        scope = self.pane.account_id
        plan = self.backend.export_plan(scope) if scope is not None else None
        if plan is None:
            self.notify("There is no account to export yet.", severity="warning")
            return
        self.push_screen(
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
