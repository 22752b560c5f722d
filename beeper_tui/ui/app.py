"""The beeper-tui application: accounts sidebar, contact search pane, detail panel."""

from __future__ import annotations

import logging
from typing import ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Footer, Header, OptionList

from beeper_tui.api.errors import BeeperError
from beeper_tui.api.models import Account
from beeper_tui.config import Settings
from beeper_tui.service.backend import Backend, open_backend

from .accounts import AccountsSidebar
from .commands import AccountCommands
from .contact_list import ContactList
from .detail import DetailPanel
from .help import HelpScreen
from .safe_text import inert
from .search import SearchBox, SearchPane

__all__ = ["BeeperApp"]

log = logging.getLogger("beeper_tui.ui")


class BeeperApp(App[None]):
    """Browse the contacts of every chat account connected to Beeper Desktop."""

    CSS_PATH = "app.tcss"
    TITLE = "beeper-tui"
    SUB_TITLE = "contacts"
    COMMANDS = App.COMMANDS | {AccountCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("slash,ctrl+f", "focus_search", "Search", id="app.search"),
        Binding("escape", "clear_search", "Clear search", id="app.clear_search", show=False),
        Binding("r", "refresh", "Refresh", id="app.refresh"),
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
            yield DetailPanel(id="detail")
        yield Footer()

    async def on_mount(self) -> None:
        self.theme = self.settings.theme
        self.detail.show_message("Loading accounts…")
        self.query_one("#contacts").focus()
        self.refresh_accounts()
        if self.settings.refresh_seconds > 0:
            self.set_interval(self.settings.refresh_seconds, self._background_refresh)

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
    def detail(self) -> DetailPanel:
        """The detail panel (``#detail``)."""
        return self.query_one("#detail", DetailPanel)

    # -- accounts --------------------------------------------------------------

    def _background_refresh(self) -> None:
        self.refresh_accounts(quiet=True)

    @work(exclusive=True, group="accounts")
    async def refresh_accounts(self, *, quiet: bool = False) -> None:
        """Reload the account list; badges update, the highlight stays."""
        directory = self.backend.accounts
        try:
            accounts = await directory.refresh()
        except BeeperError as exc:
            log.info("account refresh failed: %s", exc)
            if not quiet or not directory.stale:
                self.notify(inert(exc.message), title="Accounts", severity="error", markup=False)
            if not directory.loaded:
                self.detail.show_message(f"Could not load accounts.\n{inert(exc.message)}")
                self.pane.scope(None)
            self.sidebar.border_subtitle = "stale" if directory.stale else None
            return
        self.sidebar.border_subtitle = None
        first_load = self.pane.account_id is None
        self.sidebar.show_accounts(accounts)
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
        if account is not None:
            self.detail.show_account(account)
            self._load_account_detail(account_id)
        self.pane.scope(account_id)

    @work(exclusive=True, group="account-detail")
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
        if event.option.id is not None:
            self._scope(event.option.id)
            account = self.backend.accounts.get(event.option.id)
            if account is not None:
                self.detail.show_account(account)
        self.pane.contact_list.focus()

    # -- contacts ----------------------------------------------------------------

    @on(ContactList.Highlighted)
    def _on_contact_highlighted(self, event: ContactList.Highlighted) -> None:
        if self.sidebar.has_focus:
            return  # the panel shows the account being browsed in the sidebar
        contact = event.contact
        if contact is None:
            if self.detail.subject is not None and not isinstance(self.detail.subject, Account):
                self.detail.show_message("No contact selected.")
            return
        self.detail.show_contact(contact, self.backend.accounts.get(contact.account_id))

    @on(ContactList.Selected)
    def _on_contact_selected(self, event: ContactList.Selected) -> None:
        self.detail.show_contact(event.contact, self.backend.accounts.get(event.contact.account_id))
        self.detail.focus()

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
