"""Queries: a query split into folded terms, and which letters of a name they matched.

How a query matches: it is split into words at spaces, and every word must
match the contact (in any order). A word matches when it is, after case- and
accent-folding, a whole word of the name (tier :data:`EXACT`), the start of a
word of the name (:data:`PREFIX`), the start of the username, email address or
one of their parts, or a run of digits in the phone number (:data:`OTHER`), or,
for words of four letters or more, a word of the name with one typo,
transposition or missing letter (:data:`FUZZY`, OSA distance 1, also against
the start of longer words).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from beeper_tui.service.names import IdentifierKind, identifier_kind
from beeper_tui.service.phones import e164_in_region

from .fold import TOKEN_RE, fold, fold_with_offsets, tokens

__all__ = [
    "DIGITS_MIN_LENGTH",
    "EXACT",
    "FUZZY",
    "FUZZY_MIN_LENGTH",
    "OTHER",
    "PREFIX",
    "Term",
    "match_spans",
    "one_edit_apart",
    "parse_query",
]

EXACT: Final = 0
"""A query word is a whole word of the name."""
PREFIX: Final = 1
"""A query word starts a word of the name."""
OTHER: Final = 2
"""A query word starts the username or email (or a part of them), or is in the phone number."""
FUZZY: Final = 3
"""A query word is a word of the name with one typo."""

FUZZY_MIN_LENGTH: Final = 4
"""Shorter words are matched exactly: one typo in three letters matches too much."""
DIGITS_MIN_LENGTH: Final = 3
"""Shorter digit runs are not looked for in phone numbers."""
_PHONEISH: Final = re.compile(r"[\d\s\-().+]+")


@dataclass(frozen=True, slots=True)
class Term:
    """One word of a query, folded."""

    text: str
    """The folded word without a leading ``@`` or ``+`` (matched against usernames, emails)."""
    parts: tuple[str, ...]
    """Its letters-and-digits runs (matched against the words of names)."""
    digits: tuple[str, ...] = ()
    """Digit strings to look for in phone numbers."""


def parse_query(query: str, region: str | None = None) -> list[Term]:
    """The terms of ``query``; a whole phone number is one term of digits.

    ``region`` reads a national number (``06 12 34 56 78`` in ``"FR"``) as
    E.164 too, so it finds ``+33612345678``.
    """
    text = query.strip()
    if not text:
        return []
    if identifier_kind(text) == IdentifierKind.PHONE:
        forms = ["".join(ch for ch in text if ch.isdigit())]
        e164 = e164_in_region(text, region)
        if e164 is not None and e164[1:] not in forms:
            forms.append(e164[1:])
        return [Term("", (), tuple(forms))]
    terms: list[Term] = []
    for chunk in text.split():
        folded = fold(chunk).lstrip("@+")
        parts = tuple(tokens(folded))
        if not parts:
            continue
        digits: tuple[str, ...] = ()
        if _PHONEISH.fullmatch(chunk):
            run = "".join(ch for ch in chunk if ch.isdigit())
            if len(run) >= DIGITS_MIN_LENGTH:
                digits = (run,)
        terms.append(Term(folded, parts, digits))
    return terms


def one_edit_apart(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` are at most one edit apart (OSA distance <= 1).

    An edit: a letter left out, added, changed, or two neighbours swapped.
    """
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    i = 0
    for x, y in zip(a, b, strict=False):  # the first difference
        if x != y:
            break
        i += 1
    if len(a) > len(b):
        return a[i + 1 :] == b[i:]
    if len(a) < len(b):
        return a[i:] == b[i + 1 :]
    return (
        a[i + 1 :] == b[i + 1 :]
        or (  # one changed, or two swapped
            a[i + 2 :] == b[i + 2 :] and a[i : i + 2] == b[i + 1 : i + 2] + b[i : i + 1]
        )
    )


def _one_typo(word: str, token: str) -> bool:
    """Whether ``token`` is ``word`` with one typo, or starts with such a word."""
    n = len(word)
    return any(one_edit_apart(word, candidate) for candidate in (token, token[:n], token[: n + 1]))


def match_spans(name: str, terms: Sequence[Term]) -> tuple[tuple[int, int], ...]:
    """Character spans ``[start, end)`` of ``name`` that ``terms`` matched, sorted, merged."""
    if not terms:
        return ()
    folded, starts, ends = fold_with_offsets(name)
    words = [(m.start(), m.end(), m.group()) for m in TOKEN_RE.finditer(folded)]
    found: list[tuple[int, int]] = []
    for term in terms:
        for part in term.parts:
            for start, end, word in words:
                if word.startswith(part):
                    found.append((start, start + len(part)))
                elif len(part) >= FUZZY_MIN_LENGTH and _one_typo(part, word):
                    found.append((start, end))
    spans: list[tuple[int, int]] = []
    for start, end in sorted(found):
        span = (starts[start], ends[end - 1])
        if spans and span[0] <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], span[1]))
        else:
            spans.append(span)
    return tuple(spans)
