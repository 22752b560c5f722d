"""Substring search over an account's contacts, fast enough for 100,000 of them.

All searchable text of an account is normalised once and joined into one big
string; a query is a loop of ``str.find`` (a C-speed scan) plus a ``bisect``
over the start offsets to turn a hit into a contact position. Phone numbers
get their own digits-only haystack so ``415 555`` finds ``+1 (415) 555-…``.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from itertools import compress, repeat
from operator import contains
from typing import Any

# Separators that can never appear in normalised text or queries, so a match
# can never straddle two fields or two contacts.
_FIELD_SEP = "\x1f"
_CONTACT_SEP = "\x1e"
_SEPARATORS = str.maketrans("", "", _FIELD_SEP + _CONTACT_SEP)
_PHONE_QUERY = re.compile(r"[\d\s\-()+.]*\d[\d\s\-()+.]*")
_CACHE_SIZE = 32
# Needles this short, or hitting more than 1/_BROAD of the parts, are tested
# part by part instead of with a find + bisect per hit.
_SHORT_QUERY = 2
_BROAD = 8
_DENSITY_CHECK = 256

_TEXT_KEYS = ("fullName", "username", "email")


# Letters NFKD leaves alone although people type them without the stroke.
_UNDECOMPOSABLE = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ı": "i", "ð": "d", "Ð": "D",
     "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "TH", "ħ": "h", "Ħ": "H"}
)  # fmt: skip


def normalize(text: str) -> str:
    """Case- and accent-insensitive form: NFKD, drop combining marks, casefold.

    Whitespace runs collapse to one space, and a few letters with strokes
    that Unicode does not decompose (ł, ø, đ...) fold to their base letter.
    """
    if text.isascii():
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSABLE))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def phone_digits(query: str) -> str | None:
    """The digits of ``query`` if it looks like (part of) a phone number."""
    if _PHONE_QUERY.fullmatch(query):
        return "".join(c for c in query if c.isdigit())
    return None


class _Haystack:
    """Many strings joined with a separator, searchable as one.

    ``members[i]`` is the contact position of ``parts[i]`` (ascending).
    """

    def __init__(self, parts: list[str], members: Sequence[int]) -> None:
        self.parts = parts
        self.members = members
        offsets: list[int] = []
        position = 0
        for part in parts:
            offsets.append(position)
            position += len(part) + 1
        self.offsets = offsets
        self.text = _CONTACT_SEP.join(parts)

    def _part_at(self, position: int) -> int:
        return bisect_right(self.offsets, position) - 1

    def find_all(self, needle: str) -> list[int]:
        """Contact positions of all parts containing ``needle``."""
        parts = self.parts
        if len(needle) <= _SHORT_QUERY:
            local = self._test_each(needle, 0)
        else:
            local = self._scan(needle, 0, len(parts), dense_switch=True)
        members = self.members
        return [members[i] for i in local]

    def _test_each(self, needle: str, first: int) -> list[int]:
        # One C-level ``in`` per part: cheaper than find + bisect per hit once
        # most parts match.
        parts = self.parts
        tests = map(contains, parts[first:], repeat(needle))
        return list(compress(range(first, len(parts)), tests))

    def _scan(
        self, needle: str, first: int, limit: int, *, dense_switch: bool = False
    ) -> list[int]:
        offsets, find = self.offsets, self.text.find
        count = len(offsets)
        hits: list[int] = []
        if first >= count:
            return hits
        position = find(needle, offsets[first])
        while position >= 0:
            i = self._part_at(position)
            hits.append(i)
            if len(hits) >= limit or i + 1 >= count:
                break
            if dense_switch and len(hits) % _DENSITY_CHECK == 0 and len(hits) * _BROAD > i:
                # Most parts match: test the rest part by part instead.
                hits.extend(self._test_each(needle, i + 1))
                break
            # Resume at the next part so each part is reported once.
            position = find(needle, offsets[i + 1])
        return hits

    def forward(self, needle: str, after: int, limit: int) -> list[int]:
        """Up to ``limit`` matching contact positions greater than ``after``."""
        members = self.members
        return [members[i] for i in self._scan(needle, bisect_right(members, after), limit)]

    def backward(self, needle: str, before: int, limit: int) -> list[int]:
        """Up to ``limit`` matching contact positions just below ``before``, ascending."""
        members, offsets, rfind = self.members, self.offsets, self.text.rfind
        stop = bisect_left(members, before)
        hits: list[int] = []
        if stop == 0:
            return hits
        end = offsets[stop] - 1 if stop < len(offsets) else len(self.text)
        while True:
            position = rfind(needle, 0, end)
            if position < 0:
                break
            i = self._part_at(position)
            hits.append(members[i])
            if len(hits) >= limit or i == 0:
                break
            end = offsets[i] - 1
        hits.reverse()
        return hits


def _width(text: str) -> int:
    """0, 1 or 2 for Latin-1, BMP and astral text: CPython's storage classes."""
    top = ord(max(text, default="\0"))
    return 0 if top < 0x100 else 1 if top < 0x10000 else 2


class ContactIndex:
    """Search index over one account's contacts, built once per account.

    Text is grouped by CPython string width so that one emoji does not make
    the whole haystack four bytes per character. ``match`` returns every hit
    (cached: paging asks the same query again for every page); ``window``
    returns just one page's worth, which is what the endpoints need.
    """

    def __init__(self, contacts: Sequence[Mapping[str, Any]]) -> None:
        self._size = len(contacts)
        groups: tuple[tuple[list[str], list[int]], ...] = (([], []), ([], []), ([], []))
        phones: list[str] = []
        for position, contact in enumerate(contacts):
            fields = []
            for key in _TEXT_KEYS:
                value = contact.get(key)
                if isinstance(value, str) and value:
                    fields.append(normalize(value).translate(_SEPARATORS))
            text = _FIELD_SEP.join(fields)
            parts, members = groups[_width(text)]
            parts.append(text)
            members.append(position)
            phone = contact.get("phoneNumber")
            phones.append(
                "".join(c for c in phone if c.isdigit()) if isinstance(phone, str) else ""
            )
        self._texts = [_Haystack(parts, members) for parts, members in groups if parts]
        self._phones = _Haystack(phones, range(self._size))
        self._cache: OrderedDict[str, tuple[int, ...]] = OrderedDict()

    def __len__(self) -> int:
        return self._size

    def _haystacks(self, query: str) -> list[tuple[_Haystack, str]] | None:
        """What to search for where; None for a blank query (everything matches)."""
        needle = normalize(query).translate(_SEPARATORS)
        if not needle:
            return None
        plan = [(haystack, needle) for haystack in self._texts]
        digits = phone_digits(needle)
        if digits:
            plan.append((self._phones, digits))
        return plan

    def match(self, query: str) -> Sequence[int]:
        """Sorted positions of contacts matching ``query``; all of them if it is blank."""
        plan = self._haystacks(query)
        if plan is None:
            return range(self._size)
        key = normalize(query)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        hits: set[int] = set()
        for haystack, needle in plan:
            hits.update(haystack.find_all(needle))
        result = tuple(sorted(hits))
        self._cache[key] = result
        if len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return result

    def window(
        self, query: str, *, limit: int, after: int = -1, before: int | None = None
    ) -> list[int]:
        """Up to ``limit`` sorted matching positions, without finding every match.

        With ``before``, the last ones below it; otherwise the first ones above
        ``after``. Cost grows with ``limit``, not with how broad the query is.
        """
        plan = self._haystacks(query)
        if before is not None:
            if plan is None:
                return list(range(max(0, min(before, self._size) - limit), min(before, self._size)))
            found: set[int] = set()
            for haystack, needle in plan:
                found.update(haystack.backward(needle, before, limit))
            return sorted(found)[-limit:] if limit else []
        if plan is None:
            return list(range(after + 1, min(after + 1 + limit, self._size)))
        found = set()
        for haystack, needle in plan:
            found.update(haystack.forward(needle, after, limit))
        return sorted(found)[:limit]
