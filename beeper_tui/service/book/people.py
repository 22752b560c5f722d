"""Result rows: a ranked person (:class:`BookPerson`), and the result of a query."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Final, Protocol

from beeper_tui.service.lazy_rows import LazyRows
from beeper_tui.service.names import best_name
from beeper_tui.service.person import Contact, name_source
from beeper_tui.service.users import UserInfo

from .query import Term, match_spans

if TYPE_CHECKING:
    from beeper_tui.api.errors import BeeperError

__all__ = [
    "BUILT_ROWS",
    "BookPerson",
    "BookResult",
    "LazyPeople",
    "PeopleLookup",
    "person_row",
    "user_of",
]

BUILT_ROWS: Final = 1_024
"""Rows a :class:`LazyPeople` keeps built: many screenfuls; the rest are built again when read."""


@dataclass(frozen=True, slots=True)
class BookPerson:
    """One row of results: a person, with every identity in the searched accounts.

    ``contact`` is shaped like the rest of the app expects: its ``user`` is
    the identity the name comes from, ``others`` the person's other
    identities. ``spans`` are character ranges of ``name`` to highlight.
    """

    contact: Contact
    name: str
    spans: tuple[tuple[int, int], ...] = ()
    in_book: bool = True
    """False for an exact-lookup hit that is not one of the user's contacts."""

    @property
    def key(self) -> tuple[str, str]:
        """(account ID, user ID) of the identity the row is named after: keeps a cursor put."""
        return self.contact.key


class PeopleLookup(Protocol):
    """Where :class:`LazyPeople` builds its rows: the :class:`~.search.BookIndex` is one."""

    def person(self, person: int, terms: Sequence[Term], scope: frozenset[int]) -> BookPerson:
        """The :class:`BookPerson` for a person number, with identities in ``scope``."""

    def person_of(self, account_id: str, user_id: str) -> int | None:
        """The person number of an identity in the book, or None."""


class LazyPeople(LazyRows[BookPerson]):
    """Ranked people, built into :class:`BookPerson` only when read (a list shows a screenful)."""

    def __init__(
        self,
        index: PeopleLookup,
        persons: Sequence[int],
        terms: Sequence[Term],
        scope: frozenset[int],
    ) -> None:
        self._index = index
        self._persons = persons
        self._terms = terms
        self._scope = scope
        self._built: dict[int, BookPerson] = {}

    def __len__(self) -> int:
        return len(self._persons)

    def _row(self, i: int) -> BookPerson:
        # Least recently read last: the rows on screen (read at every frame) stay,
        # a list paged through to its end keeps a few screenfuls, not every person.
        built = self._built
        person = built.pop(i, None)
        if person is None:
            person = self._index.person(self._persons[i], self._terms, self._scope)
            if len(built) >= BUILT_ROWS:
                del built[next(iter(built))]
        built[i] = person
        return person

    def position(self, key: tuple[str, str]) -> int | None:
        """Where the person with identity ``key`` (account ID, user ID) is, if listed."""
        person = self._index.person_of(*key)
        if person is None:
            return None
        try:
            return self._persons.index(person)
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class BookResult:
    """Ranked people for a query, and how many matched in all (``total`` ≥ ``len(people)``)."""

    people: Sequence[BookPerson]
    total: int
    query: str = ""
    lookup_errors: Mapping[str, BeeperError] = field(default_factory=dict)
    """Account ID → why its exact-identifier lookup failed (:meth:`AddressBook.lookup`)."""


def person_row(
    identities: Sequence[Contact], terms: Sequence[Term], *, in_book: bool = True
) -> BookPerson:
    """A result row for one person's identities: named by :func:`person_name`, spans found."""
    source = name_source([c.user for c in identities])
    first = identities[source]
    rest = tuple(c for i, c in enumerate(identities) if i != source)
    name = best_name(first.user)
    return BookPerson(
        Contact(first.user, first.account_id, rest), name, match_spans(name, terms), in_book
    )


@lru_cache(maxsize=4096)
def user_of(user_json: str) -> UserInfo:
    """The user of a stored row (its JSON text), read once per few thousand rows drawn."""
    return UserInfo.from_json(user_json)
