"""All accounts while the book holds only some: the book for those, the server for the rest.

The first sync takes a while on a big account (a 20,000-member workspace), and
an account may fail to sync at all. Until every account is in the book, "All
accounts" shows the book's ranked people for the accounts it holds, then what
the other accounts' own search answers, page by page, as before the book.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from beeper_tui.api.errors import BeeperError

from .accounts import AccountDirectory, searched_accounts
from .all_accounts import AllAccountsPager
from .book import AddressBook, BookPerson
from .book_source import BookSource
from .contacts import (
    NO_MARKS,
    NetworkOf,
    RowMarks,
    SummaryPart,
    failures_summary,
    gaps_summary,
)
from .lazy_rows import LazyRows
from .lookups import LookupGap
from .person import Contact, position_of
from .scope import ALL_ACCOUNTS, Scope

__all__ = ["MixedSource", "book_answers", "book_holds"]


def book_answers(
    book: AddressBook | None, accounts: AccountDirectory, scope: Scope
) -> list[str] | None:
    """The accounts the book answers ``scope`` for alone, or None.

    The book answers once every account of the scope has synced; until then
    the server's search does (for All accounts, beside the book: :func:`book_holds`).
    With no account list (offline), the book answers for every account in it.
    """
    if book is None:
        return None
    if scope is not ALL_ACCOUNTS:
        return [scope] if book.ready(scope) else None
    if not accounts.loaded:
        return list(book.account_ids) or None
    ids = [a.account_id for a in searched_accounts(accounts.accounts)]
    return ids if ids and all(book.ready(a) for a in ids) else None


def book_holds(book: AddressBook | None, accounts: AccountDirectory, scope: Scope) -> list[str]:
    """For All accounts with the account list known: the accounts the book holds already."""
    if book is None or scope is not ALL_ACCOUNTS or not accounts.loaded:
        return []
    return [a.account_id for a in searched_accounts(accounts.accounts) if book.ready(a.account_id)]


class _Rows(LazyRows[Contact]):
    """The book's rows, then the server's, read through as they are now (both grow)."""

    def __init__(self, source: MixedSource) -> None:
        self._source = source

    def __len__(self) -> int:
        return len(self._source.book.items) + len(self._source.server.items)

    def _row(self, i: int) -> Contact:
        book = self._source.book.items
        if i < len(book):
            return book[i]
        return self._source.server.items[i - len(book)]


class MixedSource:
    """Ranked book rows for the accounts the book holds, then server rows for the others."""

    def __init__(self, book: BookSource, server: AllAccountsPager) -> None:
        self.book = book
        self.server = server
        self.query = book.query
        self.lookup_gaps: tuple[LookupGap, ...] = ()
        """Networks that cannot look the query up (and were not asked), for the count line."""
        self._rows = _Rows(self)

    def __repr__(self) -> str:
        return f"MixedSource({self.book!r}, server accounts={self.server_accounts})"

    @property
    def server_accounts(self) -> list[str]:
        """The accounts not in the book yet, answered by their own search."""
        return [p.account_id for p in self.server.pagers]

    @property
    def on_update(self) -> Callable[[], None] | None:
        """Called when the server's rows or state changed outside an awaited call."""
        return self.server.on_update

    @on_update.setter
    def on_update(self, callback: Callable[[], None] | None) -> None:
        self.server.on_update = callback

    @property
    def on_failure(self) -> Callable[[str, BeeperError], None] | None:
        """Called with (account ID, error) as a server account fails."""
        return self.server.on_failure

    @on_failure.setter
    def on_failure(self, callback: Callable[[str, BeeperError], None] | None) -> None:
        self.server.on_failure = callback

    @property
    def people(self) -> Sequence[BookPerson]:
        """The book's rows as :class:`BookPerson` (the first ``len(people)`` rows)."""
        return self.book.people

    @property
    def items(self) -> Sequence[Contact]:
        """The book's people, best first, then the server's rows in arrival order."""
        return self._rows

    @property
    def started(self) -> bool:
        """Whether the book's search and the servers' first round have run."""
        return self.book.started and self.server.started

    @property
    def lookup_error(self) -> BeeperError | None:
        """Why an exact lookup failed in the book's accounts, if it did."""
        return self.book.lookup_error

    @property
    def has_more(self) -> bool:
        """Whether a server account may have more."""
        return self.server.has_more

    @property
    def loading(self) -> bool:
        """Whether lookups or a server page are on their way."""
        return self.book.loading or self.server.loading

    @property
    def error(self) -> BeeperError | None:
        """The servers' error when the book has no row to show (else see :attr:`failures`)."""
        return None if self.book.items else self.server.error

    @property
    def failures(self) -> Mapping[str, BeeperError]:
        """Server account ID → why its last page failed."""
        return self.server.failures

    @property
    def retrying(self) -> bool:
        """Whether a failed server account will be asked again by itself."""
        return self.server.retrying

    async def load_next(self) -> list[Contact]:
        """The book's search first (once), then the servers' next round."""
        if not self.book.started:
            await self.book.load_next()
        return await self.server.load_next()

    async def retry(self) -> None:
        """Ask the server accounts that failed again."""
        await self.server.retry()

    def position(self, key: tuple[str, str]) -> int | None:
        """Where the person with identity ``key`` (account ID, user ID) now is, if listed."""
        found = self.book.position(key)
        if found is not None:
            return found
        found = position_of(self.server.items, key)
        return None if found is None else len(self.book.items) + found

    def close(self) -> None:
        """Drop the servers' pending retries."""
        self.server.close()

    @property
    def export_count(self) -> tuple[int, bool] | None:
        """Not known here: until every account is synced the export asks Desktop for each."""
        return None

    def summary(self, network_of: NetworkOf) -> list[SummaryPart]:
        """The book's count, then ``· 120+ from Slack (not synced yet)``, then what failed."""
        syncing = ", ".join(network_of(a) for a in self.server_accounts)
        more = f"{len(self.server.items):,}{'+' if self.has_more else ''}"
        return [
            *self.book.summary(network_of),
            SummaryPart(f" · {more} from {syncing} (not synced yet)", "note", limit=160),
            *failures_summary(self.failures, network_of),
            *gaps_summary(self.lookup_gaps),
        ]

    def row_marks(self, i: int) -> RowMarks:
        """The book's rows' marks; the server's rows (accounts still syncing) have none."""
        return self.book.row_marks(i) if i < len(self.book.items) else NO_MARKS
