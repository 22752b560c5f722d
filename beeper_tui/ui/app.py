"""The beeper-tui application: accounts sidebar, contact search pane, detail panel."""

from __future__ import annotations

import asyncio
import gc
import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import App, ComposeResult, InvalidThemeError
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.widgets import Footer, Header, OptionList
from textual.worker import Worker, WorkerState

from beeper_tui.api.errors import (
    APIStatusError,
    AuthenticationError,
    BeeperError,
    CannotConnectError,
    ProtocolError,
)
from beeper_tui.api.models import Account
from beeper_tui.config import Settings, save_config_values
from beeper_tui.service.all_accounts import ALL_ACCOUNTS
from beeper_tui.service.backend import Backend
from beeper_tui.service.names import best_name
from beeper_tui.service.networks import account_label, network_name
from beeper_tui.service.person import Contact
from beeper_tui.wiring import open_backend

from .accounts_sidebar import AccountsSidebar
from .command_palette import AccountCommands, ContactCommands
from .connect_screens import ConnectErrorScreen, TokenEntered, TokenScreen
from .contact_list import ContactList
from .copy_menu import CopyMenu
from .export_dialog import ExportDialog
from .help_screen import HelpScreen
from .person_view import PersonView
from .safe_text import inert
from .search_pane import SearchBox, SearchPane

__all__ = ["BeeperApp"]

log = logging.getLogger("beeper_tui.ui")


def _rejected(error: AuthenticationError) -> str:
    """What the token screen says when Beeper Desktop refused the token."""
    return f"Beeper Desktop rejected the token: {error.body.message or 'unauthorized'}"


def _freeze_startup_objects() -> None:
    """Keep the cyclic GC from rescanning everything that exists once the app is up.

    Imports, widgets and caches are ~100,000 long-lived objects; each full
    collection rescanned them all and stalled the event loop for 50-100 ms
    while the user typed. Frozen objects are still freed by reference counting.
    """
    gc.collect()
    gc.freeze()


class BeeperApp(App[None]):
    """Browse the contacts of every chat account connected to Beeper Desktop."""

    CSS_PATH = "app.tcss"
    TITLE = "beeper-tui"
    SUB_TITLE = "contacts"
    COMMANDS = App.COMMANDS | {AccountCommands, ContactCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("slash,ctrl+f", "focus_search", "Search", id="app.search"),
        Binding("escape", "clear_search", "Clear search", id="app.clear_search", show=False),
        Binding("r", "refresh", "Refresh", id="app.refresh"),
        Binding("c", "copy", "Copy", id="contact.copy"),
        Binding("m", "message", "Message", id="contact.message"),
        Binding("e", "export", "Export", id="contact.export"),
        Binding("question_mark", "help", "Help", id="app.help"),
    ]

    def __init__(self, settings: Settings, *, backend: Backend | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.backend = backend or open_backend(
            base_url=settings.base_url,
            access_token=settings.token,
            page_size=settings.page_size,
            demo=settings.demo,
        )
        if self.backend.is_demo:
            self.sub_title = "demo data"

    def compose(self) -> ComposeResult:
        yield Header(icon="☎")
        with Horizontal(id="panes"):
            yield AccountsSidebar(id="accounts")
            yield SearchPane(self.backend, debounce_ms=self.settings.debounce_ms, id="pane")
            yield PersonView(id="detail")
        yield Footer()

    reconnect_delays: Sequence[float] = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
    """Waits between reconnection attempts; the last one repeats."""

    offline = False
    """Whether Beeper Desktop was lost and the app is trying to get it back."""

    _gc_frozen = False

    async def on_mount(self) -> None:
        try:
            self.theme = self.settings.theme
        except InvalidThemeError:
            # The command line checks the name; a Settings built elsewhere may not.
            self.notify(f"Unknown theme {self.settings.theme!r}", severity="warning", markup=False)
        self.detail.show_message("Connecting…")
        self.query_one("#contacts").focus()
        warning = self.settings.clear_text_warning
        if warning:
            self.notify(
                inert(warning),
                title="Insecure connection",
                severity="warning",
                timeout=15,
                markup=False,
            )
        self.start_session()

    # -- start-up and connection -------------------------------------------

    @work(exclusive=True, group="connect", exit_on_error=False)
    async def start_session(self) -> None:
        """Check Beeper Desktop is there, get a usable token, then load the accounts."""
        while True:
            if not self.backend.is_demo:
                try:
                    info = await self.backend.info()
                    log.info("Beeper Desktop %s at %s", info.app.version, self.backend.base_url)
                except CannotConnectError as exc:
                    if await self._cannot_connect(exc):
                        continue
                    return
                except (APIStatusError, ProtocolError) as exc:
                    # Discovery is a convenience: an older build without it still works.
                    log.info("GET /v1/info failed (%s); carrying on", exc)
                if not self.backend.client.has_token and not await self._ask_token(None):
                    return
            try:
                accounts = await self.backend.accounts.refresh()
            except AuthenticationError as exc:
                log.info("start-up: token rejected: %s", exc)
                if not await self._ask_token(_rejected(exc)):
                    return
                continue
            except CannotConnectError as exc:
                # Discovery answered but the account list did not (e.g. timed out).
                if await self._cannot_connect(exc):
                    continue
                return
            except BeeperError as exc:
                self._accounts_failed(exc)
            else:
                self._show_accounts(accounts)
            break
        if self.settings.refresh_seconds > 0:
            self.set_interval(self.settings.refresh_seconds, self._background_refresh)

    async def _cannot_connect(self, exc: CannotConnectError) -> bool:
        """Say where we tried and what to do; False when the user chose to quit."""
        log.info("start-up: %s", exc)
        choice = await self.push_screen_wait(ConnectErrorScreen(self.backend.base_url, exc.reason))
        if choice == "demo":
            await self.use_demo()
        elif choice == "quit":
            self.exit()
            return False
        return True

    @work(exclusive=True, group="reauth", exit_on_error=False)
    async def token_rejected(self, error: AuthenticationError) -> None:
        """The token stopped working mid-session (expired, revoked): ask for a new one."""
        if isinstance(self.screen, TokenScreen):
            return
        log.info("token rejected mid-session: %s", error)
        if await self._ask_token(_rejected(error)):
            self.refresh_accounts()
            self.pane.retry()

    async def _ask_token(self, reason: str | None) -> bool:
        """Ask for a token; False when the user chose to quit."""
        path = self.settings.config_path
        result = await self.push_screen_wait(
            TokenScreen(reason=reason, config_path=str(path) if path else None)
        )
        if result == "quit":
            self.exit()
            return False
        if result == "demo":
            await self.use_demo()
            return True
        assert isinstance(result, TokenEntered)
        self.backend.client.set_access_token(result.token)
        if result.save and path is not None:
            try:
                save_config_values(path, {"access_token": result.token})
            except OSError as exc:
                self.notify(
                    f"Could not save the token: {exc.strerror}", severity="error", markup=False
                )
            else:
                self.notify(f"Token saved to {path}", markup=False)
        return True

    async def use_demo(self) -> None:
        """Switch to the embedded demo (from a connection or token screen)."""
        old = self.backend
        self.backend = open_backend(
            base_url=self.settings.base_url,
            access_token=None,
            page_size=self.settings.page_size,
            demo=True,
        )
        self.pane.backend = self.backend
        self.sub_title = "demo data"
        await old.aclose()
        log.info("switched to the embedded demo")

    def connection_lost(self, error: CannotConnectError) -> None:
        """Beeper Desktop went away: say so (non-modal) and retry with backoff."""
        if self.offline:
            return
        self.offline = True
        log.warning("connection lost: %s", error)
        self.sidebar.border_subtitle = "offline"
        self.notify(
            "Lost connection to Beeper Desktop — retrying…",
            title="Offline",
            severity="warning",
            timeout=8,
        )
        self._reconnect()

    @work(exclusive=True, group="reconnect", exit_on_error=False)
    async def _reconnect(self) -> None:
        attempt = 0
        while True:
            delays = self.reconnect_delays
            await asyncio.sleep(delays[min(attempt, len(delays) - 1)])
            attempt += 1
            try:
                accounts = await self.backend.accounts.refresh()
            except CannotConnectError as exc:
                log.info("reconnect attempt %d failed: %s", attempt, exc)
                continue
            except BeeperError as exc:
                # Reachable again, even if this answer was an error.
                log.info("reconnect attempt %d reached the server: %s", attempt, exc)
                accounts = None
            break
        self.offline = False
        log.info("reconnected after %d attempt(s)", attempt)
        self.sidebar.border_subtitle = None
        self.notify("Reconnected to Beeper Desktop", title="Online", timeout=4)
        if accounts is not None:
            self._show_accounts(accounts)
        self.pane.retry()

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
        await self.backend.aclose()

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

    def _background_refresh(self) -> None:
        if not self.offline:
            self.refresh_accounts(quiet=True)

    @work(exclusive=True, group="accounts", exit_on_error=False)
    async def refresh_accounts(self, *, quiet: bool = False) -> None:
        """Reload the account list; badges update, the highlight stays."""
        try:
            accounts = await self.backend.accounts.refresh()
        except CannotConnectError as exc:
            self.sidebar.border_subtitle = "stale"
            self.connection_lost(exc)
            return
        except AuthenticationError as exc:
            self.sidebar.border_subtitle = "stale"
            self.token_rejected(exc)
            return
        except BeeperError as exc:
            log.info("account refresh failed: %s", exc)
            if not quiet or not self.backend.accounts.stale:
                self._accounts_failed(exc)
            self.sidebar.border_subtitle = "stale" if self.backend.accounts.stale else None
            return
        self._show_accounts(accounts)

    def _accounts_failed(self, exc: BeeperError) -> None:
        self.notify(inert(exc.message), title="Accounts", severity="error", markup=False)
        if not self.backend.accounts.loaded:
            self.detail.show_message(f"Could not load accounts.\n{inert(exc.message)}")
            self.pane.scope(None)

    def _show_accounts(self, accounts: Sequence[Account]) -> None:
        self.sidebar.border_subtitle = None
        first_load = self.pane.account_id is None
        self.sidebar.show_accounts(accounts)
        if first_load and not self._gc_frozen:
            self._gc_frozen = True
            self.call_after_refresh(_freeze_startup_objects)
        if not accounts:
            self.detail.show_message("No accounts. Connect a chat network in Beeper Desktop.")
            self.pane.scope(None)
        elif first_load:
            chosen = self.sidebar.highlighted_id or accounts[0].account_id
            self._scope(chosen)

    def switch_account(self, account_id: str) -> None:
        """Show ``account_id``'s contacts (the palette and the sidebar both end here)."""
        if self.sidebar.select_account(account_id):
            self._scope(account_id)

    def _scope(self, account_id: str) -> None:
        account = self.backend.accounts.get(account_id)
        if account_id == ALL_ACCOUNTS:
            self.detail.show_overview(self.backend.accounts.accounts)
        elif account is not None:
            self.detail.show_account(account)
            self._load_account_detail(account_id)
        self.pane.scope(account_id)

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

    @on(OptionList.OptionHighlighted, "#accounts")
    def _on_account_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None and event.option.id != self.pane.account_id:
            self._scope(event.option.id)

    @on(OptionList.OptionSelected, "#accounts")
    def _on_account_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None and event.option.id != self.pane.account_id:
            self._scope(event.option.id)
        self.pane.contact_list.focus()

    # -- contacts ----------------------------------------------------------------

    @on(SearchPane.RequestFailed)
    def _on_request_failed(self, event: SearchPane.RequestFailed) -> None:
        if isinstance(event.error, CannotConnectError):
            self.connection_lost(event.error)
        elif isinstance(event.error, AuthenticationError):
            self.token_rejected(event.error)

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
        self.detail.focus()

    def _show_contact(self, contact: Contact) -> None:
        get = self.backend.accounts.get
        self.detail.show_contact(contact, get(contact.account_id), get)

    # -- actions ---------------------------------------------------------------------

    def action_focus_search(self) -> None:
        """Put the cursor in the search box."""
        self.query_one("#search", SearchBox).focus()

    def action_clear_search(self) -> None:
        """Empty the search and go to the result list."""
        self.pane.clear_search()

    def action_refresh(self) -> None:
        """Refresh accounts, and retry a page that failed."""
        self.refresh_accounts()
        self.pane.retry()

    def _contact_for_action(self) -> Contact | None:
        contact = self.pane.contact_list.highlighted
        if contact is None:
            self.notify("Highlight a contact first.", severity="warning")
        return contact

    def action_copy(self) -> None:
        """Copy a detail of the highlighted contact (menu: name, phone, email, …)."""
        contact = self._contact_for_action()
        if contact is None:
            return

        def copied(choice: tuple[str, str] | None) -> None:
            if choice is None:
                return
            label, value = choice
            self.copy_to_clipboard(value)
            log.info("copied %s of %s", label, contact.id)
            self.notify(f"Copied {label.lower()}: {inert(value, limit=80)}", markup=False)

        self.push_screen(CopyMenu(contact), copied)

    def action_message(self) -> None:
        """Open the one-to-one chat with the highlighted contact in Beeper Desktop."""
        contact = self._contact_for_action()
        if contact is None:
            return
        name = inert(best_name(contact.user), limit=60)
        if all(c.user.cannot_message for c in contact.identities):
            self.notify(
                f"Can't message {name}: Beeper can't start a chat with this person "
                "(blocked, or the network offers no direct messages).",
                title="Message",
                severity="warning",
                markup=False,
            )
            return
        self._open_chat(contact, name)

    @work(group="message", exit_on_error=False)
    async def _open_chat(self, contact: Contact, name: str) -> None:
        try:
            chat_id = await self.backend.open_chat(contact)
        except BeeperError as exc:
            log.info("open chat failed: %s", exc)
            self.notify(
                f"Could not open the chat with {name}: {inert(exc.message)}",
                title="Message",
                severity="error",
                markup=False,
            )
            if isinstance(exc, CannotConnectError):
                self.connection_lost(exc)
            return
        log.info("opened chat %s", chat_id)
        self.notify(
            f"Opened the chat with {name} in Beeper Desktop.", title="Message", markup=False
        )

    def action_export(self) -> None:
        """Write the current result set (every page) to a file, with progress."""
        scope = self.pane.account_id
        directory = self.backend.accounts
        if scope == ALL_ACCOUNTS:
            accounts = list(directory.accounts)
            label, slug = "all accounts", "all"
        else:
            account = directory.get(scope) if scope else None
            if account is None:
                self.notify("There is no account to export yet.", severity="warning")
                return
            accounts = [account]
            label, slug = account_label(account), network_name(account)
        slug = re.sub(r"[^a-z0-9]+", "-", slug.casefold()).strip("-") or "contacts"
        self.push_screen(
            ExportDialog(
                self.backend,
                accounts,
                query=self.pane.query_text,
                default_path=Path.home() / f"beeper-contacts-{slug}.vcf",
                scope_label=label,
            )
        )

    def action_help(self) -> None:
        """Show every key, generated from the real bindings."""
        self.push_screen(
            HelpScreen(
                [
                    ("Everywhere", self),
                    ("Screen", self.screen),
                    ("Accounts", self.sidebar),
                    ("Search box", self.pane.search_box),
                    ("Contact list", self.pane.contact_list),
                ]
            )
        )
