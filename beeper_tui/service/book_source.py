"""Results from the address book: the ``ContactSource`` the list shows once the book is ready.

The whole ranked result is known at once (the book is local), so there is no
paging: ``has_more`` is always False, ``items`` holds every matching person
(built lazily as rows are drawn), and End reaches the real end at once. A
query that looks like a phone number, email address or ``@username`` also asks
each account's exact lookup (:meth:`AddressBook.lookup`); hits outside the
book follow the book's rows, marked ``in_book=False``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from beeper_tui.api.errors import BeeperError

from .contacts import NO_MARKS, NetworkOf, RowMarks, SummaryPart, gaps_summary, lookup_summary
from .lazy_rows import LazyRows
from .lookups import not_offered
from .names import IdentifierKind, identifier_kind
from .person import Contact, position_of
from .phones import REGION_HINT, needs_region
from .scope import ALL_ACCOUNTS, Scope

if TYPE_CHECKING:
    from beeper_tui.api.client import BeeperClient

    from .book import AddressBook, BookPerson, BookResult
    from .lookups import LookupGap

__all__ = [
    "REGION_HINT",
    "BookSource",
    "PeopleContacts",
    "asks_desktop",
    "book_only_source",
    "needs_country",
    "region_hint",
]


def needs_country(query: str, region: str | None) -> bool:
    """Whether ``query`` is a phone number typed without its country that ``region`` (the
    ``phone_region`` setting) cannot read: only the numbers ending like it are found."""
    return identifier_kind(query) == IdentifierKind.PHONE and needs_region(query, region)


def region_hint(query: str, region: str | None, found: int) -> list[SummaryPart]:
    """`` · set phone_region`` for the count line when ``query`` :func:`needs_country` and
    nobody was ``found`` (the list's status row says it in full: :data:`REGION_HINT`)."""
    if found or not needs_country(query, region):
        return []
    return [SummaryPart(" · no country code: set phone_region", "warning")]


def asks_desktop(query: str) -> bool:
    """Whether the book's answer to ``query`` waits for Desktop (an exact lookup of a phone
    number, email address or @username) while it can be reached; else the book alone
    answers, in a few milliseconds."""
    return identifier_kind(query) is not None


def book_only_source(book: AddressBook | None, scope: Scope, query: str = "") -> BookSource | None:
    """The book's people of ``scope`` before any backend exists (the app's first frame).

    What the backend's own source would be with no account list and Desktop not
    asked yet: the book answers for every account it holds (or for ``scope``'s
    one, once synced); None when it holds none of them.
    """
    if book is None:
        return None
    if scope is ALL_ACCOUNTS:
        ids = list(book.account_ids)
        return BookSource(book, None, ids, query) if ids else None
    return BookSource(book, None, [scope], query) if book.ready(scope) else None


class PeopleContacts(LazyRows[Contact]):
    """The ``contact`` of each :class:`BookPerson`, read lazily (a list draws a screenful)."""

    def __init__(self, people: Sequence[BookPerson]) -> None:
        self.people = people

    def __len__(self) -> int:
        return len(self.people)

    def _row(self, i: int) -> Contact:
        return self.people[i].contact


class BookSource:
    """Ranked people from an :class:`AddressBook` for one query over some accounts."""

    def __init__(
        self,
        book: AddressBook,
        client: BeeperClient | None,
        account_ids: Sequence[str],
        query: str = "",
        *,
        asked: Sequence[str] | None = None,
    ) -> None:
        self.book = book
        self.client = client
        """Asked for exact lookups; None when Desktop cannot be reached (offline)."""
        self.account_ids = tuple(account_ids)
        self.asked = self.account_ids if asked is None else tuple(asked)
        """The accounts asked for an exact lookup: those whose network offers it."""
        self.query = query.strip()
        self.lookup_gaps: tuple[LookupGap, ...] = ()
        """Networks that cannot look the query up (and were not asked), for the count line."""
        self.on_update: Callable[[], None] | None = None
        self.on_failure: Callable[[str, BeeperError], None] | None = None
        self._result: BookResult | None = None
        self._items: PeopleContacts = PeopleContacts(())
        self._loading = False
        self.population = 0
        """How many people the searched accounts hold in all (the "of 25,470")."""

    def __repr__(self) -> str:
        return f"BookSource(accounts={len(self.account_ids)}, query={self.query!r})"

    @property
    def result(self) -> BookResult | None:
        """The ranked result, once :meth:`load_next` ran."""
        return self._result

    @property
    def people(self) -> Sequence[BookPerson]:
        """The rows as :class:`BookPerson` (name, highlight spans, in the book or not)."""
        return self._items.people

    @property
    def total(self) -> int:
        """How many people matched."""
        return len(self._items)

    @property
    def items(self) -> Sequence[Contact]:
        """Every matching person, best first."""
        return self._items

    @property
    def started(self) -> bool:
        """Whether the search ran."""
        return self._result is not None

    @property
    def lookup_error(self) -> BeeperError | None:
        """Why an account's exact lookup failed (the book's rows still show)."""
        errors = self._result.lookup_errors if self._result is not None else {}
        return next((e for e in errors.values() if not not_offered(e)), None)

    @property
    def has_more(self) -> bool:
        """Never: the whole ranked result is known."""
        return False

    @property
    def loading(self) -> bool:
        """Whether exact lookups are on their way."""
        return self._loading

    @property
    def error(self) -> BeeperError | None:
        """Nothing fails: the book is local."""
        return None

    @property
    def failures(self) -> Mapping[str, BeeperError]:
        """Nothing fails: the book is local."""
        return {}

    @property
    def retrying(self) -> bool:
        """Never: nothing to retry."""
        return False

    async def load_next(self) -> list[Contact]:
        """Run the search (the first call only); rows are read from :attr:`items`, not returned."""
        if self._result is not None or self._loading:
            return []
        self._loading = True
        try:
            if self.client is not None and asks_desktop(self.query):
                result = await self.book.lookup(
                    self.client, self.query, self.account_ids, lookup_accounts=self.asked
                )
            else:
                result = self.book.search(self.query, self.account_ids)
        finally:
            self._loading = False
        self._result = result
        self._items = PeopleContacts(result.people)
        self.population = (
            self.book.search("", self.account_ids).total if self.query else result.total
        )
        return []

    def position(self, key: tuple[str, str]) -> int | None:
        """Where the person with identity ``key`` (account ID, user ID) now is, if listed."""
        people = self._items.people
        finder = getattr(people, "position", None)
        if finder is not None:
            found: int | None = finder(key)
            return found
        return position_of(self._items, key)

    async def retry(self) -> None:
        """Nothing to retry."""

    def close(self) -> None:
        """Nothing pending."""

    @property
    def export_count(self) -> tuple[int, bool] | None:
        """Every matching person: the whole result is known."""
        return len(self._items), False

    def summary(self, network_of: NetworkOf) -> list[SummaryPart]:
        """``1,204 of 25,470`` (true totals: the book knows every match)."""
        n, population = self.total, self.population
        if self.query:
            parts = [SummaryPart(f"{n:,} of {population:,}", "count")]
        else:
            parts = [SummaryPart(f"{n:,} {'person' if n == 1 else 'people'}", "count")]
        if self._loading:
            parts.append(SummaryPart(" · looking up…", "note"))
        elif self._result is not None and self.query:
            parts += region_hint(self.query, self.book.region, n)
        return parts + lookup_summary(self.lookup_error) + gaps_summary(self.lookup_gaps)

    def row_marks(self, i: int) -> RowMarks:
        """Where the query matched the name, and whether the person is in the book."""
        people = self._items.people
        if i >= len(people):
            return NO_MARKS
        person = people[i]
        return person.spans, person.in_book
