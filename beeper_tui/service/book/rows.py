"""The index's building blocks: a contact's stored row, and the packed tables built from rows.

A :data:`~beeper_tui.service.book.store.StoredContact` row holds every search
field folded once (at sync time); :class:`Postings` packs word → identity
numbers into flat arrays and :class:`PrefixTable` groups a sorted vocabulary
by prefix for typo look-ups. Few, flat objects: the garbage collector must not
be given millions of containers to walk.
"""

from __future__ import annotations

import heapq
import re
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final, TypeVar, cast

from beeper_tui.service.names import best_name, clean
from beeper_tui.service.person import person_keys
from beeper_tui.service.users import UserFields, UserInfo

from .fold import fold, german_variant, tokens
from .query import DIGITS_MIN_LENGTH
from .store import StoredContact

__all__ = [
    "ACCOUNT",
    "EMPTY_BUCKET",
    "JSON",
    "KEYS",
    "KEY_SEP",
    "SORT",
    "USER",
    "Postings",
    "PrefixTable",
    "gentle_sorted",
    "prefix_range",
    "stored_contact",
]

_TOP: Final = "\U0010ffff"
_SORT_CHUNK: Final = 4_096
KEY_SEP: Final = "\x1f"
"""Separates the words (and keys) packed into one column of a stored row."""
# Positions in a StoredContact row (store.COLUMNS).
ACCOUNT, USER, SORT, NAMES, OTHERS, PHONE, KEYS, JSON = range(8)

T = TypeVar("T")


def gentle_sorted(items: Iterable[T], key: Callable[[T], Any] | None = None) -> list[T]:
    """``sorted(items)`` in chunks merged in Python, so no single C call holds the GIL long.

    Index builds run in a thread; one ``sorted`` of 300,000 strings would stop
    the event loop thread for the whole sort.
    """
    values = list(items)
    if len(values) <= _SORT_CHUNK:
        return sorted(values, key=key)  # type: ignore[type-var, arg-type]
    chunks = [
        sorted(values[i : i + _SORT_CHUNK], key=key)  # type: ignore[type-var, arg-type]
        for i in range(0, len(values), _SORT_CHUNK)
    ]
    return list(heapq.merge(*chunks, key=key))  # type: ignore[arg-type]


EMPTY_BUCKET: Final[tuple[Sequence[str], array[int]]] = ((), array("I"))


class PrefixTable:
    """The distinct ``length``-letter prefixes of a sorted vocabulary, for typo look-ups.

    ``starts[k]:starts[k+1]`` is the vocabulary range of prefix ``k``;
    ``by_letter[p][c]`` lists the prefixes whose letter ``p`` (0 or 1) is ``c``.
    """

    def __init__(self, vocab: Sequence[str], length: int) -> None:
        self.starts = array("I")
        self.by_letter: tuple[dict[str, tuple[Sequence[str], array[int]]], ...] = ({}, {})
        last = None
        number = 0
        for i, word in enumerate(vocab):
            prefix = word[:length]
            if prefix == last:
                continue
            last = prefix
            self.starts.append(i)
            for position in (0, 1):
                if len(prefix) > position:
                    bucket = self.by_letter[position].get(prefix[position])
                    if bucket is None:
                        bucket = self.by_letter[position][prefix[position]] = ([], array("I"))
                    cast(list[str], bucket[0]).append(prefix)
                    bucket[1].append(number)
            number += 1
        self.starts.append(len(vocab))
        # Tuples of strings: the garbage collector stops walking them (see the module docstring).
        self.by_letter = tuple(
            {letter: (tuple(words), numbers) for letter, (words, numbers) in table.items()}
            for table in self.by_letter
        )


class Postings:
    """Word → identity numbers, packed at the end into one flat array (CSR).

    Most usernames and addresses belong to one identity: those keep a bare
    int until a second owner shows up, so building makes few objects.
    """

    def __init__(self) -> None:
        self._single: dict[str, int] = {}
        self._multi: dict[str, array[int]] = {}

    def add(self, word: str, owner: int) -> None:
        multi = self._multi.get(word)
        if multi is not None:
            multi.append(owner)
            return
        single = self._single.get(word)
        if single is None:
            self._single[word] = owner
        elif single != owner:
            self._multi[word] = array("I", (single, owner))

    def packed(self) -> tuple[tuple[str, ...], array[int], array[int]]:
        """(sorted words, owners of all words end to end, where each word's owners start)."""
        vocab = tuple(gentle_sorted(self._single))
        flat = array("I")
        start = array("I")
        single, multi = self._single, self._multi
        for word in vocab:
            start.append(len(flat))
            owners = multi.get(word)
            if owners is None:
                flat.append(single[word])
            else:
                flat.extend(owners)
        start.append(len(flat))
        self._single, self._multi = {}, {}
        return vocab, flat, start


def stored_contact(account_id: str, user: UserFields) -> StoredContact:
    """The book's row for ``user`` seen in ``account_id``: every search field folded once."""
    name = clean(user.full_name)
    names: list[str] = []
    if name:
        names = list(dict.fromkeys(tokens(fold(name))))
        variant = german_variant(name)
        if variant:
            names.extend(w for w in tokens(variant) if w not in names)
    digits = "".join(ch for ch in user.phone_number or "" if ch.isdigit())
    return (
        account_id,
        user.id,
        _sort_key(user, named=name is not None),
        KEY_SEP.join(names),
        KEY_SEP.join(_other_words(user)),
        digits if len(digits) >= DIGITS_MIN_LENGTH else "",
        KEY_SEP.join(person_keys(user)),
        UserInfo.of(user).to_json(),
    )


_LEADING_NOISE: Final = re.compile(r"^[\W_]+")


def _sort_key(user: UserFields, *, named: bool) -> str:
    # Like a phone's address book: named people first, leading punctuation and
    # control characters ignored, names starting with a letter before others.
    key = _LEADING_NOISE.sub("", fold(best_name(user)))
    group = ("0" if key[:1].isalpha() else "1") if named else "2"
    return group + key


def _other_words(user: UserFields) -> list[str]:
    words: dict[str, None] = {}
    username = clean(user.username)
    if username:
        handle = fold(username).lstrip("@")
        words[handle] = None
        words.update(dict.fromkeys(tokens(handle)))
    email = clean(user.email)
    if email:
        address = fold(email)
        local, _, domain = address.partition("@")
        words.update(dict.fromkeys((address, local)))
        words.update(dict.fromkeys(tokens(local)))
        if domain:
            words[domain] = None
    words.pop("", None)
    return list(words)


def prefix_range(vocab: Sequence[str], word: str) -> tuple[int, int]:
    lo = bisect_left(vocab, word)
    return lo, bisect_left(vocab, word + _TOP, lo)
