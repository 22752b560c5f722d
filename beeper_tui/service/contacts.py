"""Contact paging and search for one (account, query): what the result list asks for."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal, Protocol

from beeper_tui.api.errors import BeeperError

from .lookups import gaps_line, not_offered
from .names import IdentifierKind, identifier_kind
from .person import Contact, position_of
from .phones import e164_in_region
from .retry import RetryTimer, auto_retry_delay
from .users import UserInfo

if TYPE_CHECKING:
    from beeper_tui.api.client import BeeperClient
    from beeper_tui.api.models import ContactPage, User

    from .lookups import LookupGap

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "NO_MARKS",
    "ContactPager",
    "ContactSource",
    "NetworkOf",
    "RowMarks",
    "Spans",
    "SummaryPart",
    "SummaryRole",
    "exact_lookup_query",
    "failures_summary",
    "paged_summary",
]

DEFAULT_PAGE_SIZE: Final = 50
# A server that keeps answering empty pages with fresh cursors would page forever.
_MAX_EMPTY_PAGES: Final = 3

log = logging.getLogger("beeper_tui.service")

Spans = tuple[tuple[int, int], ...]
"""Where the query matched in a row's name: (start, end) character offsets."""

RowMarks = tuple[Spans, bool]
"""A row's marks: the query's matches in its name, and whether the person is in the book."""

NO_MARKS: Final[RowMarks] = ((), True)
"""A row with no highlight and no "not in the book" mark."""

NetworkOf = Callable[[str], str]
"""An account ID's network name, for the words of a summary."""

SummaryRole = Literal["count", "note", "warning", "alert"]
"""What a part of a summary line is: the count, a remark, something that failed, a failure
the user should act on. The screen picks the look; the source picks the words."""


@dataclass(frozen=True, slots=True)
class SummaryPart:
    """One piece of a source's summary line (the line above the result list)."""

    text: str
    role: SummaryRole
    limit: int | None = None
    """At most this many characters of ``text`` are shown (user text, such as an error)."""


def paged_summary(source: ContactSource) -> list[SummaryPart]:
    """``120 contacts loaded · more available``, and a failed exact lookup."""
    n = len(source.items)
    noun = "result" if source.query else "contact"
    parts = [SummaryPart(f"{n:,} {noun}{'' if n == 1 else 's'}", "count")]
    if source.has_more:
        parts.append(SummaryPart(" loaded · more available", "note"))
    elif n:
        parts.append(SummaryPart(" · all loaded", "note"))
    return parts + lookup_summary(source.lookup_error) + gaps_summary(source.lookup_gaps)


def gaps_summary(gaps: Sequence[LookupGap]) -> list[SummaryPart]:
    """`` · Discord can't look up phone numbers``: the networks not asked, said as a remark."""
    line = gaps_line(gaps)
    return [] if line is None else [SummaryPart(f" · {line}", "note", limit=120)]


def lookup_summary(error: BeeperError | None) -> list[SummaryPart]:
    """`` · exact lookup failed: …`` when an exact-identifier lookup failed."""
    if error is None:
        return []
    return [
        SummaryPart(" · exact lookup failed: ", "warning"),
        SummaryPart(error.message, "warning", limit=80),
    ]


def failures_summary(
    failures: Mapping[str, BeeperError], network_of: NetworkOf
) -> list[SummaryPart]:
    """`` · failed: Slack (timed out) — r retries`` for the accounts that failed, if any."""
    if not failures:
        return []
    failed = [f"{network_of(a)} ({error.message})" for a, error in failures.items()]
    return [
        SummaryPart(" · failed: ", "alert"),
        SummaryPart("; ".join(failed), "warning", limit=160),
        SummaryPart(" — r retries", "warning"),
    ]


def exact_lookup_query(query: str) -> str | None:
    """What an exact lookup of ``query`` asks Desktop: the identifier, a phone number as
    E.164 (``0033 6…`` is ``+336…``); None when ``query`` is no identifier, or a number
    typed without its country code (a network would guess one: ``+1 06…``)."""
    kind = identifier_kind(query)
    if kind == IdentifierKind.PHONE:
        return e164_in_region(query, None)
    return query if kind is not None else None


class ContactSource(Protocol):
    """What the result list needs from anything that yields contacts page by page."""

    query: str
    lookup_gaps: tuple[LookupGap, ...]
    """The networks that cannot look the query up (and were not asked), for the summary."""

    @property
    def started(self) -> bool:
        """Whether the first page (round) has been loaded."""

    @property
    def lookup_error(self) -> BeeperError | None:
        """Why an exact-identifier lookup failed, if it did."""

    @property
    def items(self) -> Sequence[Contact]:
        """Every contact loaded so far, in display order, without duplicates."""

    @property
    def has_more(self) -> bool:
        """Whether another page may exist."""

    @property
    def loading(self) -> bool:
        """Whether a page request is in flight."""

    @property
    def error(self) -> BeeperError | None:
        """The error of the last failed page, cleared when a page succeeds."""

    @property
    def failures(self) -> Mapping[str, BeeperError]:
        """Account ID → why its last page failed (empty when nothing failed)."""

    @property
    def retrying(self) -> bool:
        """Whether a retry is waiting to run by itself (after a 429's ``Retry-After``)."""

    on_update: Callable[[], None] | None
    """Called when rows or state changed outside a call the caller awaits (a retry)."""

    on_failure: Callable[[str, BeeperError], None] | None
    """Called with (account ID, error) as each request fails, awaited by the caller or not."""

    async def load_next(self) -> list[Contact]:
        """Load the next page; return the contacts it added."""

    async def retry(self) -> None:
        """Load again whatever failed (the first page, the next page, failed accounts)."""

    def close(self) -> None:
        """Drop pending retries: nobody is looking at this source any more."""

    @property
    def export_count(self) -> tuple[int, bool] | None:
        """How many people an export of this result writes, and whether more may exist
        (None: not known from here, the export asks Desktop itself)."""

    def summary(self, network_of: NetworkOf) -> list[SummaryPart]:
        """The line above the results, as words and roles: how many, what failed."""

    def position(self, key: tuple[str, str]) -> int | None:
        """Where the person with identity ``key`` (account ID, user ID) is now, if listed."""

    def row_marks(self, i: int) -> RowMarks:
        """The marks of row ``i``: the query's matches in the name, in the book or not."""


class ContactPager:
    """Pages through ``contacts/list`` for one account and query, on demand.

    One request is in flight at a time: a call while a page is loading returns
    at once with nothing. Users already seen (by ``id``) are dropped. Paging
    stops on ``hasMore`` false, a null cursor, or a cursor seen before. A failed
    page leaves everything loaded in place; calling :meth:`load_next` again
    retries the same page. When the query is a phone number, email address or
    ``@username``, the first page also asks the search endpoint (which looks the
    identifier up on the network) and puts its hits first.
    """

    def __init__(
        self,
        client: BeeperClient,
        account_id: str,
        query: str = "",
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        keep_items: bool = True,
        identifier_lookup: bool = True,
        auto_retry: bool = False,
    ) -> None:
        self.client = client
        self.auto_retry = auto_retry
        """Whether a rate-limited page is asked again by itself after ``Retry-After``."""
        self.on_update: Callable[[], None] | None = None
        self.on_failure: Callable[[str, BeeperError], None] | None = None
        self.on_account_failure: Callable[[str, BeeperError], None] | None = None
        """Told of every failed page too, for the account directory (set by the backend)."""
        self._retry = RetryTimer()
        self.keep_items = keep_items
        """False for streaming (export): pages are returned, not kept; only IDs are."""
        self.identifier_lookup = identifier_lookup
        """Whether an identifier-looking query also asks the search endpoint."""
        self.account_id = account_id
        self.query = query.strip()
        self.page_size = page_size
        self.pages_loaded = 0
        self.lookup_error: BeeperError | None = None
        """Why the exact-identifier lookup failed (the list itself still works)."""
        self.lookup_gaps: tuple[LookupGap, ...] = ()
        """Networks that cannot look the query up (and were not asked), for the count line."""
        self._items: list[Contact] = []
        self._seen_ids: set[str] = set()
        self._seen_cursors: set[str] = set()
        self._cursor: str | None = None
        self._has_more = True
        self._loading = False
        self._error: BeeperError | None = None
        self._empty_pages = 0

    def __repr__(self) -> str:
        return (
            f"ContactPager(account_id={self.account_id!r}, query={self.query!r}, "
            f"loaded={len(self._items)}, has_more={self._has_more})"
        )

    @property
    def items(self) -> Sequence[Contact]:
        """Every contact loaded so far, in server order, each ``id`` once."""
        return self._items

    @property
    def has_more(self) -> bool:
        """Whether another page may exist."""
        return self._has_more

    @property
    def loading(self) -> bool:
        """Whether a page request is in flight."""
        return self._loading

    @property
    def error(self) -> BeeperError | None:
        """The error of the last failed page; cleared when a page succeeds."""
        return self._error

    @property
    def started(self) -> bool:
        """Whether the first page has been loaded."""
        return self.pages_loaded > 0

    @property
    def failures(self) -> Mapping[str, BeeperError]:
        """This account and why its last page failed, or nothing."""
        return {self.account_id: self._error} if self._error is not None else {}

    @property
    def retrying(self) -> bool:
        """Whether a retry after ``Retry-After`` is pending."""
        return self._retry.pending

    async def retry(self) -> None:
        """Ask again for the page that failed."""
        self._retry.cancel()
        if self._error is None:
            return
        try:
            await self.load_next()
        finally:
            if self.on_update is not None:
                self.on_update()

    def close(self) -> None:
        """Drop a pending retry."""
        self._retry.cancel()

    @property
    def export_count(self) -> tuple[int, bool] | None:
        """The rows loaded, and whether more pages may exist."""
        return len(self._items), self._has_more

    def summary(self, network_of: NetworkOf) -> list[SummaryPart]:
        """``120 contacts loaded · more available`` (a failed page shows in the list)."""
        return paged_summary(self)

    def position(self, key: tuple[str, str]) -> int | None:
        """Where the person with identity ``key`` is among the rows loaded, if there."""
        return position_of(self._items, key)

    def row_marks(self, i: int) -> RowMarks:
        """No marks: the server says nothing about where the query matched."""
        return NO_MARKS

    async def load_next(self) -> list[Contact]:
        """Load the next page and return the contacts it added.

        Raises the typed :class:`BeeperError` of a failed page (also kept in
        :attr:`error`). Cancelling the caller abandons the request and leaves
        the pager as it was, ready to load the same page again.
        """
        if self._loading or not self._has_more:
            return []
        self._loading = True
        try:
            page, hits = await self._fetch()
        except BeeperError as exc:
            self._error = exc
            delay = auto_retry_delay(exc) if self.auto_retry else None
            if delay is not None:
                self._retry.arm(delay, self.retry)
            if self.on_account_failure is not None:
                self.on_account_failure(self.account_id, exc)
            if self.on_failure is not None:
                self.on_failure(self.account_id, exc)
            raise
        finally:
            self._loading = False
        self._error = None
        added = self._absorb(hits)
        added.extend(self._absorb(page.items))
        # Count pages that brought nobody new: a server repeating the same users
        # under fresh cursors must not keep the pager going forever.
        self._advance(page, got_items=bool(added))
        self.pages_loaded += 1
        return added

    async def _fetch(self) -> tuple[ContactPage, list[User]]:
        list_call = self.client.list_contacts(
            self.account_id,
            cursor=self._cursor,
            limit=self.page_size,
            query=self.query or None,
        )
        asked = exact_lookup_query(self.query)
        if self.pages_loaded or not self.identifier_lookup or asked is None:
            return await list_call, []
        page_result, hits_result = await asyncio.gather(
            list_call,
            self.client.search_contacts(self.account_id, asked),
            return_exceptions=True,
        )
        if isinstance(page_result, BaseException):
            raise page_result
        if not_offered(hits_result):
            # As the official CLI does: a network that cannot take this lookup is skipped quietly.
            log.info("identifier lookup skipped on %s: %s", self.account_id, hits_result)
            return page_result, []
        if isinstance(hits_result, BeeperError):
            # Some networks refuse identifier lookups; the list still answers.
            log.info("identifier lookup failed on %s: %s", self.account_id, hits_result)
            self.lookup_error = hits_result
            return page_result, []
        if isinstance(hits_result, BaseException):
            raise hits_result
        return page_result, hits_result

    def _absorb(self, users: Sequence[User]) -> list[Contact]:
        added: list[Contact] = []
        for user in users:
            if user.id in self._seen_ids:
                continue
            self._seen_ids.add(user.id)
            contact = Contact(UserInfo.of(user), self.account_id)
            if self.keep_items:
                self._items.append(contact)
            added.append(contact)
        return added

    def _advance(self, page: ContactPage, *, got_items: bool) -> None:
        cursor = page.oldest_cursor
        self._empty_pages = 0 if got_items else self._empty_pages + 1
        if page.has_more is False or not cursor:
            self._has_more = False
        elif cursor in self._seen_cursors:
            log.warning("%s: cursor repeated; stopping to avoid a loop", self.account_id)
            self._has_more = False
        elif self._empty_pages >= _MAX_EMPTY_PAGES:
            log.warning("%s: %d empty pages in a row; stopping", self.account_id, _MAX_EMPTY_PAGES)
            self._has_more = False
        else:
            self._seen_cursors.add(cursor)
            self._cursor = cursor
