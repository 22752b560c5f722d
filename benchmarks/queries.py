"""The queries the figures type: drawn from the demo's own names, seeded, repeatable."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from beeper_tui.demo import DemoAccount

__all__ = ["server_queries", "ten_char_query", "typed_queries"]


def ascii_names(account: DemoAccount) -> list[str]:
    """Lower-case names of plain letters and spaces: what a figure can type as-is."""
    names = []
    for contact in account.contacts:
        name = contact.get("fullName")
        if isinstance(name, str) and name.isascii() and name.replace(" ", "").isalpha():
            names.append(name.lower())
    return names


def ten_char_query(account: DemoAccount) -> str:
    """A 10-letter name fragment matching between 1 and 40 contacts (one page).

    Without a space: the pane trims the query, so "aaron " would not be a new
    search and an undebounced client would send 9 requests for 10 keys.
    """
    for word in (w for name in ascii_names(account) for w in name.split()):
        query = word[:10]
        if len(query) == 10 and 1 <= len(account.index.match(query)) <= 40:
            return query
    raise RuntimeError("no suitable 10-letter query in the demo dataset")


def typed_queries(account: DemoAccount, count: int, seed: int = 2) -> list[str]:
    """Distinct 3-8 character name fragments, as people type them."""
    rng = random.Random(seed)
    names = ascii_names(account)
    queries: list[str] = []
    while len(queries) < count:
        name = rng.choice(names)
        words = name.split()
        word = rng.choice(words)
        query = word[: rng.randint(3, 8)]
        if len(query) >= 3 and query not in queries:
            queries.append(query)
    return queries


def server_queries(account: DemoAccount, count: int, seed: int = 7) -> list[str]:
    """Typical queries: name prefixes and fragments, handles, mail, digits, misses."""
    rng = random.Random(seed)
    contacts = account.contacts
    queries: list[str] = []
    while len(queries) < count:
        contact = contacts[rng.randrange(len(contacts))]
        name = contact.get("fullName")
        username = contact.get("username")
        email = contact.get("email")
        phone = contact.get("phoneNumber")
        kind = rng.randrange(9)
        query: str | None = None
        if kind <= 2 and isinstance(name, str):
            query = name[: rng.randint(1, 8)]
        elif kind == 3 and isinstance(name, str) and " " in name:
            query = name.split()[-1]
        elif kind == 4 and isinstance(name, str) and len(name) > 4:
            start = rng.randrange(len(name) - 3)
            query = name[start : start + rng.randint(3, 5)]
        elif kind == 5 and isinstance(username, str):
            query = username[: rng.randint(2, len(username))]
        elif kind == 6 and isinstance(email, str):
            query = email if rng.random() < 0.5 else email.split("@")[1][:5]
        elif kind == 7 and isinstance(phone, str):
            digits = phone[-7:]
            query = f"{digits[:3]} {digits[3:5]}"
        elif kind == 8:
            query = "".join(rng.choice("qxzjvk") for _ in range(rng.randint(3, 6)))
        if query and query.strip():
            queries.append(query)
    return queries
