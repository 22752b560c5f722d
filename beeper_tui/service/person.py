"""A person: one or more identities (a user in one account), and how they are merged."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .lazy_rows import LazyRows
from .names import best_name, clean
from .phones import phone_key
from .users import UserFields, UserInfo

__all__ = [
    "Contact",
    "PersonIndex",
    "messageable_identities",
    "name_source",
    "person_keys",
    "person_name",
    "position_of",
]


@dataclass(frozen=True, slots=True)
class Contact:
    """A user as found in one account's contacts.

    In "All accounts", one row may stand for a person found on several
    networks: ``others`` then holds the same person's other identities.
    """

    user: UserInfo
    account_id: str
    others: tuple[Contact, ...] = ()

    def __post_init__(self) -> None:
        # One form in memory: a wire ``User`` given here is kept as its UserInfo.
        if not isinstance(self.user, UserInfo):
            object.__setattr__(self, "user", UserInfo.of(self.user))

    @property
    def id(self) -> str:
        """The Beeper user ID (primary key of a person within an account)."""
        return self.user.id

    @property
    def key(self) -> tuple[str, str]:
        """(account ID, user ID): what identifies one identity everywhere."""
        return (self.account_id, self.user.id)

    @property
    def identities(self) -> tuple[Contact, ...]:
        """This identity first, then the person's identities on other accounts."""
        return (self, *self.others)

    def merged_with(self, other: Contact) -> Contact:
        """The same person with ``other`` (and its identities) added."""
        known = {c.key for c in self.identities}
        extra = tuple(c for c in other.identities if c.key not in known)
        plain = tuple(Contact(c.user, c.account_id) for c in extra)
        return Contact(self.user, self.account_id, self.others + plain)


def messageable_identities(contact: Contact) -> list[Contact]:
    """The person's identities Beeper can start a chat with, in order."""
    return [c for c in contact.identities if not c.user.cannot_message]


def person_keys(user: UserFields) -> list[str]:
    """What makes two contacts the same person: normalised phone, case-folded email."""
    keys: list[str] = []
    phone = phone_key(user.phone_number)
    if phone:
        keys.append("tel:" + phone)
    if user.email and "@" in user.email:
        keys.append("mail:" + user.email.strip().casefold())
    return keys


def name_source(users: Sequence[UserFields]) -> int:
    """Which of a person's identities gives the person's name (an index into ``users``).

    The fullest full name (the most letters: "Zoe Morrison" over "Zoe M.",
    emoji not counted), the first of equals; without any, the first
    username; else the first identity. So a merged person is never shown as
    a bare number or address when any of their identities has a name.
    """
    best, best_letters = -1, -1
    for i, user in enumerate(users):
        name = clean(user.full_name)
        if name:
            letters = sum(ch.isalpha() for ch in name)
            if letters > best_letters:
                best, best_letters = i, letters
    if best >= 0:
        return best
    return next((i for i, user in enumerate(users) if clean(user.username)), 0)


def person_name(users: Sequence[UserFields]) -> str:
    """The name a person with these identities is shown under (see :func:`name_source`)."""
    if not users:
        raise ValueError("a person has at least one identity")
    return best_name(users[name_source(users)])


class PersonIndex(LazyRows[Contact]):
    """Rows of people built from identities, merged by phone or email, in arrival order.

    Adding an identity costs the same however many identities a person
    already has: each row keeps its identities in a list and the
    :class:`Contact` for a row is built once per change, when it is read.
    """

    def __init__(self) -> None:
        self._identities: list[list[Contact]] = []
        self._known: list[set[tuple[str, str]]] = []
        self._built: list[Contact | None] = []
        self._row_by_key: dict[str, int] = {}

    def add(self, contact: Contact) -> bool:
        """Add ``contact`` (and its identities); True when it started a new row."""
        keys = person_keys(contact.user)
        row = next((self._row_by_key[k] for k in keys if k in self._row_by_key), None)
        if row is None:
            row = len(self._identities)
            self._identities.append([])
            self._known.append(set())
            self._built.append(None)
        new_row = not self._identities[row]
        known = self._known[row]
        for identity in contact.identities:
            if identity.key in known:
                continue
            known.add(identity.key)
            self._identities[row].append(Contact(identity.user, identity.account_id))
            self._built[row] = None
        for key in keys:
            self._row_by_key.setdefault(key, row)
        return new_row

    def extend(self, contacts: Iterable[Contact]) -> list[Contact]:
        """Add every contact; return those that started a new row."""
        return [c for c in contacts if self.add(c)]

    def __len__(self) -> int:
        return len(self._identities)

    def _row(self, i: int) -> Contact:
        built = self._built[i]
        if built is None:
            first, *rest = self._identities[i]
            built = Contact(first.user, first.account_id, tuple(rest))
            self._built[i] = built
        return built


def position_of(rows: Sequence[Contact], key: tuple[str, str]) -> int | None:
    """Where the person with identity ``key`` (account ID, user ID) is in ``rows``, if there."""
    for i, contact in enumerate(rows):
        if any(c.key == key for c in contact.identities):
            return i
    return None
