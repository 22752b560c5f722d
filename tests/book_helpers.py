"""Small address books built in memory, for the book's service tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from beeper_tui.api.models import User
from beeper_tui.service.book.rows import stored_contact
from beeper_tui.service.book.search import BookIndex
from beeper_tui.service.book.store import StoredContact


def rows(contacts: Mapping[str, Iterable[Mapping[str, Any]]]) -> list[StoredContact]:
    """Stored rows for ``{account_id: [wire user, ...]}``."""
    return [
        stored_contact(account_id, User.model_validate(user))
        for account_id, users in contacts.items()
        for user in users
    ]


def index(contacts: Mapping[str, Iterable[Mapping[str, Any]]]) -> BookIndex:
    """A :class:`BookIndex` over ``{account_id: [wire user, ...]}``."""
    return BookIndex(rows(contacts))


def names(index_: BookIndex, query: str, **kwargs: Any) -> list[str]:
    """The names of the people ``query`` finds, in rank order."""
    return [p.name for p in index_.search(query, **kwargs).people]
