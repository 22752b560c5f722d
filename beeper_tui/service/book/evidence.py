"""Likely pairs the automatic merge missed: "Maybe the same person".

The book merges identities that share a phone number or an email address on
its own. Weaker evidence is only suggested, for the user to decide:

- the same full name of two words or more (case, accents and punctuation
  aside) on two different accounts;
- the same username on two different accounts, unless both have names that
  disagree: no word in common, and neither first word starts the other
  ("K" and "Kim", "Tom" and "Tomás" agree; "Sophia Hobbs" and "Stephen"
  with one username are a coincidence of handles, not one person).

A name or username shared by more than :data:`COMMON_LIMIT` identities is
common ("Maria Garcia") and never suggested. A pair the user rejected, or
two identities already one person, is not suggested. Suggestions are ranked
best first: both a name and a username agree, then the rarer the evidence
the better, then by name.

Runs over a whole :class:`~.search.BookIndex` in well under a second for
100,000 identities; call it off the event loop (the book's worker thread).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from beeper_tui.service.names import clean

from .decisions import Identity
from .fold import fold, tokens

if TYPE_CHECKING:
    from .search import BookIndex

__all__ = ["COMMON_LIMIT", "Suggestion", "suggestions"]

COMMON_LIMIT: Final = 5
"""A name or username held by more identities than this is common: never evidence."""
_MIN_USERNAME: Final = 4  # "jo", "bob": too short to say anything


@dataclass(frozen=True, slots=True)
class Suggestion:
    """Two identities that may be one person, and why, in words.

    ``a`` and ``b`` are (account ID, user ID); ``names`` their displayed
    names; ``score`` orders suggestions (lower first).
    """

    a: Identity
    b: Identity
    reason: str
    names: tuple[str, str]
    score: tuple[int, int, str] = (0, 0, "")

    @property
    def pair(self) -> frozenset[Identity]:
        """The two identities, unordered."""
        return frozenset((self.a, self.b))


def suggestions(
    index: BookIndex,
    networks: Mapping[str, str] | None = None,
    rejected: Iterable[frozenset[Identity]] = (),
) -> list[Suggestion]:
    """Open suggestions over the whole book, best first (see the module docstring).

    ``networks`` maps account IDs to network names for the reasons;
    ``rejected`` pairs (and any pair of their two people) are left out.
    """
    networks = networks or {}
    # Most names and usernames belong to one identity: a first holder is a bare
    # int, and only a second one makes a list (100,000 lists cost a third of a second).
    first_name: dict[str, int] = {}
    first_handle: dict[str, int] = {}
    by_name: dict[str, list[int]] = {}
    by_handle: dict[str, list[int]] = {}
    loads = json.loads
    for i, text in enumerate(index.identity_jsons()):
        user = loads(text)
        name = user.get("fullName")
        if name and " " in name.strip():  # one word is never enough
            words = tokens(fold(name))
            if len(words) >= 2:
                key = " ".join(words)
                _hold(first_name, by_name, key, i)
        handle = user.get("username")
        if handle:
            key = fold(handle).strip().lstrip("@")
            if len(key) >= _MIN_USERNAME:
                _hold(first_handle, by_handle, key, i)
    del first_name, first_handle
    person = index.person_number
    refused = set()
    for pair in rejected:
        numbers = [index.identity_number(*k) for k in pair]
        if len(numbers) == 2 and None not in numbers:
            a, b = numbers
            assert a is not None
            assert b is not None
            refused.add(frozenset((person(a), person(b))))

    found: dict[frozenset[int], tuple[int, int, set[str], int]] = {}
    for kind, groups in (("name", by_name), ("username", by_handle)):
        for holders in groups.values():
            if not 2 <= len(holders) <= COMMON_LIMIT:
                continue
            for x, i in enumerate(holders):
                for j in holders[x + 1 :]:
                    if index.identity_account(i) == index.identity_account(j):
                        continue
                    if kind == "username" and _names_disagree(index, i, j):
                        continue
                    people = frozenset((person(i), person(j)))
                    if len(people) == 1 or people in refused:
                        continue
                    entry = found.get(people)
                    if entry is None:
                        found[people] = (i, j, {kind}, len(holders))
                    else:
                        entry[2].add(kind)
                        found[people] = (*entry[:3], max(entry[3], len(holders)))
    result = []
    for i, j, kinds, rarity in found.values():
        one, two = index.identity_key(i), index.identity_key(j)
        net_a = networks.get(one[0]) or one[0]
        net_b = networks.get(two[0]) or two[0]
        names = (_shown_name(index, i), _shown_name(index, j))
        what = " and ".join(sorted(kinds))
        where = f"{net_a} and {net_b}" if net_a != net_b else f"two {net_a} accounts"
        result.append(
            Suggestion(
                one,
                two,
                f"same {what} on {where}",
                names,
                (-len(kinds), rarity, fold(names[0])),
            )
        )
    result.sort(key=lambda s: (s.score, s.a, s.b))
    return result


def _hold(first: dict[str, int], shared: dict[str, list[int]], key: str, number: int) -> None:
    held = first.setdefault(key, number)
    if held != number:
        group = shared.get(key)
        if group is None:
            shared[key] = [held, number]
        else:
            group.append(number)


def _names_disagree(index: BookIndex, i: int, j: int) -> bool:
    """Whether identities ``i`` and ``j`` both have names that cannot be one person's:
    no word in common, and neither first word is the start of the other (an initial,
    a short form)."""
    one, two = _name_words(index, i), _name_words(index, j)
    if not one or not two or set(one) & set(two):
        return False
    return not (one[0].startswith(two[0]) or two[0].startswith(one[0]))


def _name_words(index: BookIndex, number: int) -> list[str]:
    name = json.loads(index.identity_jsons()[number]).get("fullName")
    return tokens(fold(name)) if isinstance(name, str) else []


def _shown_name(index: BookIndex, number: int) -> str:
    name = clean(json.loads(index.identity_jsons()[number]).get("fullName"))
    return name or index.identity_key(number)[1]
