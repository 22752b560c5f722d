"""The contact search pane: search box, result count and the result list.

Typing waits ``debounce_ms`` of quiet before one request goes out (an exclusive
worker sleeps first; each keystroke cancels the sleeping one); the address book
answers every key at once. Answers are
checked against the query and account still wanted before they touch the
screen, so a late answer for an old query never shows.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import weakref
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, ClassVar, Final

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from beeper_tui.api.errors import BeeperError, DesktopTooOldError
from beeper_tui.service.book_source import book_only_source
from beeper_tui.service.contacts import ContactSource, SummaryRole
from beeper_tui.service.networks import (
    network_code,
    network_code_of_id,
    network_name,
    network_of_account_id,
)
from beeper_tui.service.person import Contact
from beeper_tui.service.scope import ALL_ACCOUNTS, Scope

from .app_keys import act_in_order
from .cell_text import cell_text, display_text, fit
from .contact_list import ContactList
from .export_dialog import ResultCount
from .gc_freeze import IdleSweep, freeze_page
from .messages import UnexpectedError
from .safe_text import inert

if TYPE_CHECKING:
    from beeper_tui.service.backend import Backend
    from beeper_tui.service.book import AddressBook

__all__ = ["BUSY_DELAY", "SearchBox", "SearchPane"]

_BADGE_WIDTH = 5

BUSY_DELAY = 0.3
"""Seconds an answer may take before the busy indicator shows (no flicker on fast answers)."""

SearchKey = tuple[Scope | None, str]

_ROLE_STYLES: Final[dict[SummaryRole, str]] = {
    "count": "bold",
    "note": "dim",
    "warning": "yellow",
    "alert": "bold yellow",
}
"""How each part of a source's summary looks in the count line."""


def _account_id(account_id: str) -> str:
    """How a source names an account before the account list is known: by its ID."""
    return account_id


class SearchBox(Input):
    """The search input; ``down`` moves into the results.

    Its keys act in the order they were typed (:func:`act_in_order`), and a
    letter typed before the focus left it (escape, enter) brings it back.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "to_results", "Results", show=False),
    ]

    class ToResults(Message):
        """The user wants to leave the box for the result list."""

    def on_mount(self) -> None:
        # Honour TEXTUAL_ANIMATIONS=none: no blinking either (keeps snapshots still).
        if self.app.animation_level == "none":
            self.cursor_blink = False

    async def _on_key(self, event: events.Key) -> None:
        if event.is_printable:
            if self.screen.focused is not self:
                # Typed before the focus left (escape, enter): the search goes on here.
                self.screen.set_focus(self)
            return  # Input inserts it
        await act_in_order(self, event)

    def action_to_results(self) -> None:
        self.post_message(self.ToResults())


class SearchPane(Vertical):
    """Search box, count line and :class:`ContactList` for one account at a time."""

    class RequestFailed(Message):
        """A search or page request failed (the error is also shown in the list)."""

        def __init__(self, error: BeeperError) -> None:
            super().__init__()
            self.error = error

    book_status: reactive[str | None] = reactive(None, init=False)
    """What the address book is doing (bound to the screen's), shown under the pane."""

    live_status: reactive[str | None] = reactive(None, init=False)
    """Why live updates failed (bound to the screen's), shown under the pane; None while
    they work (or the build has none and the view is refreshed on a timer)."""

    desktop_build: reactive[str | None] = reactive(None, init=False)
    """The Desktop build (bound to the screen's), the last segment of the status line."""

    suggestion_status: reactive[str | None] = reactive(None, init=False)
    """How many "maybe the same person" suggestions are open, in words (bound to the
    screen's): its own part of the line under the pane; None when there are none."""

    unread_people: reactive[frozenset[tuple[str, str]]] = reactive(frozenset(), init=False)
    """Who wrote something unread, as ``(account ID, user ID)`` (bound to the screen's):
    their rows carry a small mark."""

    def __init__(
        self,
        backend: Callable[[], Backend | None],
        *,
        book: Callable[[], AddressBook | None] = lambda: None,
        book_ready: Callable[[], Awaitable[None] | None] = lambda: None,
        debounce_ms: int,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._backend = backend
        self._book = book
        self._book_ready = book_ready
        """What a query awaits before it is searched, if anything: the demo's book, seconds
        away at start."""
        self.debounce = debounce_ms / 1000
        self.account_id: Scope | None = None
        """The account (or :data:`ALL_ACCOUNTS`) the results belong to."""
        self.pager: ContactSource | None = None
        """The pager behind the rows on screen."""
        self._wanted: SearchKey = (None, "")
        self._busy: Timer | None = None
        self._searching = False
        self._page_pending: ContactSource | None = None
        self._shown: SearchKey = (None, "")
        """The account and query of the rows on screen."""
        self.idle_sweep = IdleSweep(self)
        """Collects replaced result sets once the user pauses (see ``gc_freeze``)."""
        self.border_title = "Contacts"

    def compose(self) -> ComposeResult:
        # Not selected on focus: a key typed right after the focus moved (type-to-search,
        # "/" then a letter) would replace the text selected meanwhile.
        yield SearchBox(placeholder="Search contacts  ( / )", id="search", select_on_focus=False)
        yield Static("", id="count")
        yield ContactList(id="contacts")

    def on_mount(self) -> None:
        self.contact_list.type_to_search = self.type_to_search

    def watch_book_status(self) -> None:
        self._show_status()

    def watch_live_status(self) -> None:
        self._show_status()

    def watch_desktop_build(self) -> None:
        self._show_status()

    def watch_suggestion_status(self) -> None:
        self._show_status()

    def _show_status(self) -> None:
        parts = [p for p in (self.book_status, self.live_status, self.suggestion_status) if p]
        # Plain Text: a failure's words may hold brackets that markup would eat.
        line = Text(" · ".join(parts))
        if self.desktop_build:
            # Its own dim segment, last: what is happening reads first.
            line.append(" · " if parts else "")
            line.append(self.desktop_build, "dim")
        self.border_subtitle = line if line else None

    def watch_unread_people(self, unread: frozenset[tuple[str, str]]) -> None:
        self.contact_list.unread = unread

    @property
    def backend(self) -> Backend | None:
        """The session's backend (read through: the user may switch to the demo); None
        before the app built it, while the first frame lists the book alone."""
        return self._backend()

    def type_to_search(self, char: str) -> None:
        """Start a new search with ``char`` (later keys of the same burst are added to it)."""
        box = self.search_box
        if self.screen.focused is not box:
            self.screen.set_focus(box)
            box.value = char
            box.cursor_position = len(char)
        else:
            box.insert_text_at_cursor(char)

    @property
    def search_box(self) -> SearchBox:
        """The search input."""
        return self.query_one("#search", SearchBox)

    @property
    def contact_list(self) -> ContactList:
        """The result list."""
        return self.query_one("#contacts", ContactList)

    @property
    def result_count(self) -> ResultCount | None:
        """How many people the list holds, and whether more remain (None: nothing loaded yet)."""
        pager = self.pager
        if pager is None or self._shown != self._wanted or pager.error is not None:
            return None
        count = pager.export_count
        return ResultCount(*count) if count is not None else None

    @property
    def searching(self) -> bool:
        """Whether an answer is being waited for long enough to say so."""
        return self._searching

    @property
    def wanted_query(self) -> str:
        """The query the next results are for (what is typed, once the debounce ends)."""
        return self._wanted[1]

    @property
    def query_text(self) -> str:
        """The current query, trimmed."""
        return self.search_box.value.strip()

    # -- what the user does ------------------------------------------------

    def scope(self, account_id: Scope | None, *, again: bool = False) -> None:
        """Show ``account_id``'s contacts for the current query (``again``: even if shown)."""
        if account_id == self.account_id and self.pager is not None and not again:
            self._name_scope()  # the account list may name it better now
            return
        self.account_id = account_id
        self._name_scope()
        self.start_search(immediate=True)

    def _name_scope(self) -> None:
        """The border names whose contacts these are: the sidebar may be hidden or badges only."""
        scope = self.account_id
        if scope is None:
            self.border_title = "Contacts"
            return
        if scope is ALL_ACCOUNTS:
            name = "All accounts"
        else:
            backend = self.backend
            account = backend.accounts.get(str(scope)) if backend is not None else None
            if account is not None:
                name = network_name(account)
            else:  # before the account list: the ID may name the network
                name = network_of_account_id(str(scope))
        title = Text("Contacts · ")
        title.append_text(cell_text(name, 30, pad=False))
        self.border_title = title

    async def results_shown(self) -> None:
        """Wait until the search under way, if any, has put its rows on screen (or ended)."""
        searches = [w for w in self.workers if w.node is self and w.group == "search"]
        await asyncio.gather(*(w.wait() for w in searches), return_exceptions=True)

    def clear_search(self) -> None:
        """Empty the box and browse the account at once."""
        with self.search_box.prevent(Input.Changed):
            self.search_box.value = ""
        self.start_search(immediate=True)
        # At once, not after a refresh (``focus()``): the letters typed next
        # reach the list, which hands them to the box as a new search.
        self.screen.set_focus(self.contact_list)

    def retry(self) -> None:
        """Load again whatever failed: the first page, the next one, failed accounts."""
        pager = self.pager
        if pager is not None and pager.failures:
            self._retry(weakref.ref(pager))
        elif pager is None and self.account_id is not None:
            self.start_search(immediate=True)

    def book_changed(self) -> None:
        """The address book changed: show its results again (the cursor stays on its person)."""
        backend = self.backend
        if self.account_id is None:
            return
        if backend is None:
            if book_only_source(self._book(), self.account_id) is None:
                return
        elif not backend.book_covers(self.account_id):
            return
        if self._shown != self._wanted:
            return  # a search is on its way and will read the new book
        if self.pager is not None and backend is not None and not backend.book_gained(self.pager):
            return  # no account joined the book: the server's pages on screen stand
        self.start_search(immediate=True)

    @on(Input.Changed, "#search")
    def _on_query_changed(self, event: Input.Changed) -> None:
        event.stop()
        if (self.account_id, self.query_text) != self._wanted:
            self.start_search(immediate=False)

    @on(Input.Submitted, "#search")
    def _on_query_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if (self.account_id, self.query_text) != self._wanted:
            self.start_search(immediate=True)
        self.contact_list.focus()

    @on(SearchBox.ToResults)
    def _on_to_results(self) -> None:
        self.contact_list.focus()

    @on(ContactList.NearEnd)
    def _on_near_end(self, event: ContactList.NearEnd) -> None:
        event.stop()
        pager = self.pager
        if self._shown != self._wanted:
            return  # a new search is on its way: the rows on screen are going
        if pager is not None and pager.has_more and pager.error is None:
            self._request_page(pager)

    # -- searching -----------------------------------------------------------

    def start_search(self, *, immediate: bool) -> None:
        """Replace the results with those for the current account and query.

        Not ``immediate``: after ``debounce_ms`` of quiet, unless the address book
        alone answers (in milliseconds, as fzf does on every key).
        """
        key: SearchKey = (self.account_id, self.query_text)
        if not immediate and key[0] is not None:
            backend = self.backend  # none yet: the book alone answers, at once
            immediate = backend is None or backend.answers_at_once(key[0], key[1])
        self._wanted = key
        self.idle_sweep.poke()  # the rows on screen are on their way out
        # Pages of the old result set are no longer wanted.
        self.workers.cancel_group(self, "page")
        self._page_pending = None
        if not immediate and key[0] is not None:
            # Say so at once: during the debounce the old rows are on their way out.
            self._searching = True
            self._sync_status()
        self._search(key, 0.0 if immediate else self.debounce)

    @work(exclusive=True, group="search", exit_on_error=False)
    async def _search(self, key: SearchKey, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        account_id, query = key
        if account_id is None:
            self._show_pager(None)
            return
        book_ready = self._book_ready() if query else None
        if book_ready is not None:
            # Browsing lists what there is at once; a query typed at start waits for the
            # demo's whole ranked book rather than the server's word-order-bound search.
            if not self._searching:
                self._searching = True
                self._sync_status()
            await book_ready
        backend = self.backend
        if backend is not None:
            pager: ContactSource | None = backend.source(account_id, query)
        else:  # the first frame: the book alone, the backend comes after it
            pager = book_only_source(self._book(), account_id, query)
        if pager is None:
            self._show_pager(None)
            return
        # Each answer shows at once (every account's, and retries by themselves).
        # Weakly: a pager must not keep itself alive through its own callback
        # (a cycle only the collector frees, and pages are frozen out of it).
        pager.on_update = functools.partial(self._present_weakly, weakref.ref(pager), key)
        pager.on_failure = lambda _account_id, error: self._failed(key, error)
        self._start_busy(key)
        try:
            await pager.load_next()
        except BeeperError:
            pass  # reported through on_failure, kept in pager.failures for the status row
        finally:
            self._stop_busy()
        self._present(pager, key)

    def _present_weakly(self, pager: weakref.ref[ContactSource], key: SearchKey) -> None:
        source = pager()
        if source is not None:
            self._present(source, key)

    def _present(self, pager: ContactSource, key: SearchKey) -> None:
        """Put ``pager``'s rows on screen if they are still wanted, or redraw them."""
        if key != self._wanted:
            return
        if pager is not self.pager:
            self._stop_busy()
            self._show_pager(pager)
        else:
            self.contact_list.rows_changed()
            self._sync_status()

    @work(group="retry", exit_on_error=False)
    async def _retry(self, source: weakref.ref[ContactSource]) -> None:
        # Workers take a weak reference: a finished Worker keeps its arguments, and
        # asyncio keeps a cancelled timeout's handle (and its context, and so the
        # worker) until the timeout would have passed: no result set rides along.
        pager = source()
        if pager is None:
            return
        self.contact_list.set_status(Text("retrying…"))
        with contextlib.suppress(BeeperError):  # reported through on_failure
            await pager.retry()

    def _request_page(self, pager: ContactSource) -> None:
        """Ask for the next page unless one is already on its way.

        Checked synchronously: several "near the end" messages can arrive before
        a worker starts, and a second worker must not quietly retry a failure.
        """
        if self._page_pending is pager or pager.loading:
            return
        self._page_pending = pager
        self.contact_list.set_status(Text("loading more…"))
        self._load_more(weakref.ref(pager))

    @work(group="page", exit_on_error=False)
    async def _load_more(self, source: weakref.ref[ContactSource]) -> None:
        pager = source()
        if pager is None:
            return
        try:
            await pager.load_next()
        except BeeperError:
            pass  # reported through on_failure, kept in pager.failures for the status row
        finally:
            if self._page_pending is pager:
                self._page_pending = None
        if pager is not self.pager:
            return
        self.contact_list.rows_appended()
        freeze_page()
        self.idle_sweep.poke()
        self._sync_status()

    def _failed(self, key: SearchKey, error: BeeperError) -> None:
        if key == self._wanted:  # an old result set's failures are nobody's business
            self.post_message(self.RequestFailed(error))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.post_message(UnexpectedError(event.worker.error))

    def _start_busy(self, key: SearchKey) -> None:
        self._stop_busy()
        self._busy = self.set_timer(BUSY_DELAY, lambda: self._show_busy(key))

    def _stop_busy(self) -> None:
        if self._busy is not None:
            self._busy.stop()
            self._busy = None
        if self._searching:
            self._searching = False
            self._sync_status()

    def _show_busy(self, key: SearchKey) -> None:
        if key == self._wanted:
            self._searching = True
            self._sync_status()

    def _show_pager(self, pager: ContactSource | None) -> None:
        # Refreshed rows (the book filling, a sync, a reconnect) keep the cursor on
        # its person, on the first row too: the person view must not change under
        # the user's eyes while the first sync reorders the list.
        refreshed = self._shown == self._wanted and self.pager is not None
        current = self.contact_list.highlighted if refreshed else None
        if self.pager is not None and self.pager is not pager:
            self.pager.close()  # its pending retries are for rows nobody sees
        self.pager = pager
        self._shown = self._wanted
        badge = self._badge if self._wanted[0] is ALL_ACCOUNTS else None
        keep = pager.position(current.key) if pager is not None and current else None
        self.contact_list.set_items(
            pager.items if pager is not None else (),
            badge=badge,
            marks=pager.row_marks if pager is not None else None,
            keep=keep,
        )
        self._sync_status()

    def _badge(self, contact: Contact) -> str:
        """Network badges of every identity of the person (fixed width)."""
        backend = self.backend
        get = backend.accounts.get if backend is not None else lambda _: None
        codes = list(
            dict.fromkeys(
                network_code(account)
                if (account := get(c.account_id)) is not None
                else network_code_of_id(c.account_id)
                for c in contact.identities
            )
        )
        if len(codes) > 2:
            codes = [codes[0], f"+{len(codes) - 1}"]
        return fit(display_text(" ".join(codes)), _BADGE_WIDTH)

    # -- words on screen -----------------------------------------------------

    def _sync_status(self) -> None:
        count = self.query_one("#count", Static)
        # One line whatever it says (its height is fixed in the CSS): no layout.
        count.update(self._count_text(), layout=False)
        status, error, wants_more = self._status_row()
        self.contact_list.set_status(status, error=error, wants_more=wants_more)

    def _count_text(self) -> Text:
        """The line above the results: how many, what is going on, what failed."""
        pager = self.pager
        text = Text(no_wrap=True, overflow="ellipsis")
        if self._searching:
            query = self.wanted_query
            if query:
                text.append(f'Searching for "{inert(query, limit=60)}"…', "italic")
            else:
                text.append("Loading contacts…", "italic")
            return text
        if pager is None:
            return text
        backend = self.backend
        network_of = backend.network_of if backend is not None else _account_id
        for part in pager.summary(network_of):
            shown = inert(part.text, limit=part.limit) if part.limit else inert(part.text)
            text.append(shown, _ROLE_STYLES[part.role])
        return text

    def _status_row(self) -> tuple[Text, bool, bool]:
        """The row under the results: (words, whether it is an error, whether more can load)."""
        pager = self.pager
        if self.account_id is None:
            return Text("No accounts yet."), False, False
        if pager is None:
            # The count line already says "Loading contacts…" once the wait shows.
            return Text("" if self._searching else "Loading contacts…"), False, False
        if pager.error is not None:
            msg = Text("⚠ ")
            msg.append(inert(pager.error.message, limit=200))
            if pager.retrying:
                msg.append(" — retrying by itself shortly")
            elif not isinstance(pager.error, DesktopTooOldError):  # no retry makes it newer
                msg.append(" — press ctrl+r to retry")
            return msg, True, False
        if pager.loading:
            return Text("loading more…"), False, False
        if pager.has_more:
            return Text(""), False, True
        if not pager.items:
            if pager.query:
                said = Text(f'No results for "{inert(pager.query, limit=80)}".')
                backend = self.backend
                hint = backend.nobody_hint(pager.query) if backend is not None else None
                if hint:
                    said.append(f" {hint}")
                return said, False, False
            return Text("No contacts in this account."), False, False
        return Text(f"— end of list · {len(pager.items):,} —"), False, False
