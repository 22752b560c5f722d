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

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Final

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
from beeper_tui.config import Settings
from beeper_tui.service.accounts import bare_account
from beeper_tui.service.names import best_name
from beeper_tui.service.person import Contact
from beeper_tui.service.scope import ALL_ACCOUNTS, Scope
from beeper_tui.service.session_events import Health

from .accounts_sidebar import AccountsSidebar
from .app_keys import NARROW_CLASSES, SCREEN_BINDINGS
from .book_driver import STATUS_TICK
from .contact_list import ContactList
from .export_dialog import ExportDialog, ExportMemory
from .gc_freeze import freeze_long_lived, freeze_startup_objects
from .messages import (
    AccountsFailed,
    AccountsLoaded,
    BackendSwitched,
    BookChanged,
    BookStatus,
    DesktopBuild,
    HealthChanged,
    LiveChatChanged,
    LiveMessages,
    LiveRefresh,
    LiveStatus,
    Reconnected,
    ServicePoster,
    SuggestionCount,
    Toast,
    UnexpectedError,
)
from .person_view import PersonView
from .safe_text import inert
from .search_pane import SearchPane

if TYPE_CHECKING:
    from beeper_tui.api.models import Account
    from beeper_tui.service.backend import Backend
    from beeper_tui.service.book import AddressBook
    from beeper_tui.service.book.decisions import Decision
    from beeper_tui.service.session import Session

    from .book_driver import BookDriver

__all__ = ["OFFLINE_TOAST_SECONDS", "MainScreen"]

log = logging.getLogger("beeper_tui.ui")

OFFLINE_TOAST_SECONDS: Final = 3
"""The "Lost connection" toast gives way soon: the borders and status line say "offline"."""


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

    live_status: reactive[str | None] = reactive(None, init=False)
    """Why live updates failed ("live updates off: …; retrying in 4 s"), under the contact
    pane; None while they work or the build has none (then a timer refreshes the view)."""

    desktop_build: reactive[str | None] = reactive(None, init=False)
    """The Desktop build the session talks to ("Beeper Desktop 4.3.20"), last on the
    contact pane's status line; None while unknown."""

    suggestion_status: reactive[str | None] = reactive(None, init=False)
    """How many "maybe the same person" suggestions are open ("3 maybe the same"), under
    the contact pane, as the book last counted them after a sync or a decision."""

    unread_people: reactive[frozenset[tuple[str, str]]] = reactive(frozenset(), init=False)
    """Identities (``(account ID, user ID)``) who wrote something the user has not read:
    their rows in the list carry a mark."""

    live_refresh_interval: float = 30.0
    """Seconds between refreshes of the person shown while there is no live socket."""

    def __init__(
        self,
        settings: Settings,
        session: Callable[[], Session],
        book: BookDriver,
        *,
        connected: Callable[[], bool] = lambda: True,
    ) -> None:
        super().__init__()
        self.settings = settings
        self._session = session
        self._connected = connected
        self.book = book
        """The address book's driver."""
        self.export_memory = ExportMemory()
        """The export dialog's last format and folder, for this session."""
        self._gc_frozen = False
        self._accounts_shown = False
        self._people_done: list[Decision] = []
        """Links and splits made from this screen, last last: what ``U`` takes back."""
        self._live_started = False
        self._live_task: asyncio.Task[None] | None = None

    @property
    def session(self) -> Session:
        """The connection to Beeper Desktop (the one owner of the backend).

        The App builds it once the book's first frame is painted; asked for
        before (a key pressed at once), it is built then.
        """
        return self._session()

    @property
    def backend(self) -> Backend:
        """The session's backend (the demo's, once the user switched to it)."""
        return self.session.backend

    def _backend_if_built(self) -> Backend | None:
        """The backend, without building it: None while the first frame lists the book."""
        return self.session.backend if self._connected() else None

    def compose(self) -> ComposeResult:
        yield Header(icon="☎")
        with Horizontal(id="panes"):
            yield AccountsSidebar(id="accounts").data_bind(MainScreen.health)
            yield SearchPane(
                self._backend_if_built,
                book=lambda: self.book.book,
                book_ready=self.book.demo_book,
                debounce_ms=self.settings.debounce_ms,
                id="pane",
            ).data_bind(
                MainScreen.book_status,
                MainScreen.live_status,
                MainScreen.suggestion_status,
                MainScreen.unread_people,
                MainScreen.desktop_build,
            )
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
                # Brief: the panes' borders and the status line keep saying "offline".
                timeout=OFFLINE_TOAST_SECONDS,
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
        self.book.book_settled()  # no account list, no sync: searches wait for nothing
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

    @on(DesktopBuild)
    def _on_desktop_build(self, event: DesktopBuild) -> None:
        self.desktop_build = event.line

    @on(SuggestionCount)
    def _on_suggestion_count(self, event: SuggestionCount) -> None:
        # Its own part of the line: "3 maybe the same" (f3 lists them); nothing at none.
        self.suggestion_status = f"{event.count:,} maybe the same" if event.count else None

    @on(BookChanged)
    def _on_book_changed(self) -> None:
        freeze_long_lived()  # the new index: 100,000s of long-lived objects
        self.pane.book_changed()

    @on(BackendSwitched)
    def _on_backend_switched(self) -> None:
        self.app.sub_title = "demo data"
        if self._live_started:
            self.follow_live()  # the demo's own feed in place of Desktop's

    # -- live changes ----------------------------------------------------------

    def follow_live(self) -> None:
        """Follow the session's live changes (one socket, or a timer) in a plain task.

        Not a worker: it runs for the whole session, and a worker that never
        ends would keep the app from ever being at rest. A new call (the user
        switched to the demo) replaces the feed before it.
        """
        self._live_started = True
        self.stop_live()
        self._live_task = asyncio.create_task(self._follow_live(), name="live-feed")

    def stop_live(self) -> None:
        """Cancel the live feed's task, if any (it closes its socket on the way out)."""
        task, self._live_task = self._live_task, None
        if task is not None:
            task.cancel()

    async def _follow_live(self) -> None:
        from beeper_tui.service.live import LiveFeed

        backend = self.backend
        feed = LiveFeed(
            backend.client,
            sockets=not backend.is_demo,
            refresh_interval=self.live_refresh_interval,
        )
        poster = ServicePoster(lambda: self)
        try:
            async for event in feed.events():
                poster.live_event(event)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug: say so, as a crashed worker would
            log.exception("live feed stopped")
            self.post_message(UnexpectedError(exc))
        finally:
            await feed.aclose()

    async def on_unmount(self) -> None:
        task, self._live_task = self._live_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @on(LiveMessages)
    def _on_live_messages(self, event: LiveMessages) -> None:
        unread = set(self.unread_people)
        for message in event.messages:
            mine_or_gone = message.is_sender or message.is_deleted or message.is_hidden
            if message.account_id and message.sender_id and not mine_or_gone:
                unread.add((message.account_id, message.sender_id))
        if frozenset(unread) != self.unread_people:
            self.unread_people = frozenset(unread)
        deleted = event.ids if event.deleted else ()
        self.detail.live_messages(event.chat_id, event.messages, deleted=deleted)

    @on(LiveChatChanged)
    def _on_live_chat_changed(self, event: LiveChatChanged) -> None:
        self.detail.chat_changed(event.chat_id)

    @on(LiveRefresh)
    def _on_live_refresh(self) -> None:
        self.detail.refresh_shown()

    @on(LiveStatus)
    def _on_live_status(self, event: LiveStatus) -> None:
        self.live_status = event.status

    @on(PersonView.ChatsRead)
    def _on_chats_read(self, event: PersonView.ChatsRead) -> None:
        """The person's chats as Desktop has them now: their row's mark follows."""
        unread = set(self.unread_people)
        for identity, has_unread in event.identities:
            key = (identity.account_id, identity.user.id)
            if has_unread:
                unread.add(key)
            else:
                unread.discard(key)
        if frozenset(unread) != self.unread_people:
            self.unread_people = frozenset(unread)

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
            if self._connected():  # else the account models load after the first frame
                self.sidebar.show_accounts([bare_account(a) for a in account_ids])
            self.pane.scope(ALL_ACCOUNTS)

    def connected(self) -> None:
        """The App built the session, after the book's first frame: what waited for it
        (the book's accounts in the sidebar, the highlighted person) shows now."""
        if self._accounts_shown or self.session.backend.accounts.loaded:
            return
        account_ids = self.book.cached_account_ids()
        with contextlib.suppress(NoMatches):  # the app is closing
            if account_ids:
                self.sidebar.show_accounts([bare_account(a) for a in account_ids])
            contact = self.pane.contact_list.highlighted
            if contact is not None and not self.sidebar.has_focus:
                self._show_contact(contact)

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
        if accounts and not self._live_started:
            self.follow_live()

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
        # Not a person (Contact) nor nothing: the account shown (no API model import here).
        if (
            subject is not None
            and not isinstance(subject, Contact)
            and (subject.account_id == account_id)
        ):
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
            if isinstance(self.detail.subject, Contact):
                self.detail.show_message("No contact selected.")
            return
        self._show_contact(contact)

    @on(ContactList.Selected)
    def _on_contact_selected(self, event: ContactList.Selected) -> None:
        self._show_contact(event.contact)
        self.open_detail()

    def _show_contact(self, contact: Contact) -> None:
        if not self._connected():
            return  # the first frame: the person shows once the backend is built
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
        too_old = self.backend.build.cannot_export()
        if too_old is not None:
            self.notify(too_old.message, title="Export", severity="warning", markup=False)
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

    def action_remind(self) -> None:
        """Set or remove a reminder on a chat with the highlighted person."""
        contact = self._contact_for_action()
        if contact is None or self.needs_desktop("A reminder"):
            return
        self.detail.remind(contact)

    def action_more_messages(self) -> None:
        """Show older messages of the person in the detail panel."""
        self.detail.more_messages()

    def action_toggle_ids(self) -> None:
        """Show or hide the raw IDs and URLs of the person in the detail panel."""
        self.detail.toggle_ids()

    # -- who is who (the user's decisions, see service/book/decisions.py) ---------

    def _decisions_book(self) -> AddressBook | None:
        book = self.backend.book
        if book is None:
            self.notify("Linking people needs the address book.", severity="warning")
        return book

    def action_suggestions(self) -> None:
        """Open "Maybe the same person": the book's open suggestions, y/n to decide."""
        from .suggestions_screen import SuggestionsScreen

        if (book := self._decisions_book()) is not None:
            self.app.push_screen(SuggestionsScreen(book))

    def action_link_person(self) -> None:
        """Link the highlighted person with another, picked from the book's search."""
        from .link_picker import LinkPicker

        contact = self._contact_for_action()
        book = self._decisions_book() if contact is not None else None
        if contact is None or book is None:
            return
        person = best_name(contact.user)

        def linked(other: tuple[str, str] | None) -> None:
            if other is not None:
                self._decide("link", contact.key, other, f"{person} · {other[1]}")

        self.app.push_screen(LinkPicker(book, person=person, key=contact.key), linked)

    def action_split_person(self) -> None:
        """Take one identity out of the highlighted person (asks which, for several)."""
        from .split_picker import SplitPicker

        contact = self._contact_for_action()
        book = self._decisions_book() if contact is not None else None
        if contact is None or book is None:
            return
        if not contact.others:
            self.notify("This person has one identity: nothing to split.", timeout=3)
            return

        def chosen(identity: Contact | None) -> None:
            if identity is not None:
                self._decide("split", identity.key, None, identity.user.full_name or "")

        self.app.push_screen(SplitPicker(contact, book.network_names()), chosen)

    @work(group="people")
    async def _decide(
        self, kind: str, a: tuple[str, str], b: tuple[str, str] | None, about: str
    ) -> None:
        from beeper_tui.service.book.decisions import Decision, DecisionsError

        book = self.backend.book
        if book is None:
            return
        decision = Decision("link" if kind == "link" else "split", a, b, about)
        try:
            await book.decide(decision)
        except DecisionsError as exc:
            self.notify(str(exc), title="People", severity="error", markup=False)
            return
        self._people_done.append(decision)
        said = "Linked: one person now." if kind == "link" else "Split: they stand apart now."
        self.notify(f"{said} U undoes it.", title="People", timeout=4)

    @work(group="people")
    async def action_undo_people(self) -> None:
        """Take back the last link or split made in this session."""
        from beeper_tui.service.book.decisions import DecisionsError

        book = self.backend.book
        if book is None or not self._people_done:
            self.notify("No link or split to undo.", title="People", timeout=3)
            return
        decision = self._people_done.pop()
        try:
            await book.undo(decision)
        except DecisionsError as exc:
            self.notify(str(exc), title="People", severity="error", markup=False)
            return
        self.notify(f"Undone: {decision.kind}.", title="People", timeout=3)
