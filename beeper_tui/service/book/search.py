"""The in-memory index over the whole book, and ranked, typo-tolerant queries on it.

Built once per change of the book (off the event loop) from
:class:`~beeper_tui.service.book.store.StoredContact` rows; a query is then a
few ``bisect`` range look-ups in sorted vocabularies, one ``rapidfuzz`` pass
for typos, and integer sorting, all on the calling thread.

How a query matches: it is split into words at spaces, and every word must
match the contact (in any order). A word matches when it is, after case- and
accent-folding, a whole word of the name (tier 0), the start of a word of the
name (tier 1), the start of the username, email address or one of their parts,
or a run of digits in the phone number (tier 2), or, for words of four letters
or more, a word of the name with one typo, transposition or missing letter
(tier 3, OSA distance 1, also against the start of longer words). A contact's
rank is its worst word's tier, then the sum of its words' tiers; ties go by
folded displayed name, then account and user ID. People (identities merged by
phone or email over the whole book) rank by their best identity.
"""

from __future__ import annotations

import heapq
import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain, repeat
from typing import Any, Final, TypeVar, cast, overload

from rapidfuzz import process
from rapidfuzz.distance import OSA

from beeper_tui.api.errors import BeeperError
from beeper_tui.api.models import User
from beeper_tui.service.names import IdentifierKind, best_name, clean, identifier_kind
from beeper_tui.service.person import Contact, name_source, person_keys
from beeper_tui.service.phones import e164_in_region

from .fold import TOKEN_RE, fold, fold_with_offsets, german_variant, tokens
from .store import StoredContact

__all__ = [
    "EXACT",
    "FUZZY",
    "FUZZY_MIN_LENGTH",
    "OTHER",
    "PREFIX",
    "BookIndex",
    "BookPerson",
    "BookResult",
    "Term",
    "match_spans",
    "parse_query",
    "stored_contact",
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
_DIGITS_MIN_LENGTH: Final = 3
_TOP: Final = "\U0010ffff"
_SORT_CHUNK: Final = 4_096
_KEY_SEP: Final = "\x1f"
# Positions in a StoredContact row (store.COLUMNS).
_ACCOUNT, _USER, _SORT, _NAMES, _OTHERS, _PHONE, _KEYS, _JSON = range(8)
_PHONE_SEP: Final = "\x1e"
_PHONEISH: Final = re.compile(r"[\d\s\-().+]+")
_PRECOMPUTED_PREFIXES: Final = 14  # typo look-ups for words up to 13 letters cost no build
_TIER_SPAN: Final = 64  # room for the sum of the tiers of up to 21 words

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


# -- queries -------------------------------------------------------------------


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
            if len(run) >= _DIGITS_MIN_LENGTH:
                digits = (run,)
        terms.append(Term(folded, parts, digits))
    return terms


def _one_typo(word: str, token: str) -> bool:
    """Whether ``token`` is ``word`` with one typo, or starts with such a word."""
    n = len(word)
    return any(
        OSA.distance(word, candidate, score_cutoff=1) <= 1
        for candidate in (token, token[:n], token[: n + 1])
    )


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


# -- results ---------------------------------------------------------------------


_EMPTY_BUCKET: Final[tuple[Sequence[str], array[int]]] = ((), array("I"))


class _PrefixTable:
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
        # Tuples of strings: the garbage collector stops walking them (see BookIndex).
        self.by_letter = tuple(
            {letter: (tuple(words), numbers) for letter, (words, numbers) in table.items()}
            for table in self.by_letter
        )


class _Postings:
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


class _LazyPeople(Sequence[BookPerson]):
    """Ranked people, built into :class:`BookPerson` only when read (a list shows a screenful)."""

    def __init__(
        self, index: BookIndex, persons: Sequence[int], terms: Sequence[Term], scope: frozenset[int]
    ) -> None:
        self._index = index
        self._persons = persons
        self._terms = terms
        self._scope = scope
        self._built: dict[int, BookPerson] = {}

    def __len__(self) -> int:
        return len(self._persons)

    @overload
    def __getitem__(self, i: int) -> BookPerson: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[BookPerson]: ...

    def __getitem__(self, i: int | slice) -> BookPerson | Sequence[BookPerson]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        person = self._built.get(i)
        if person is None:
            person = self._index.person(self._persons[i], self._terms, self._scope)
            self._built[i] = person
        return person

    def __iter__(self) -> Iterator[BookPerson]:
        return (self[i] for i in range(len(self)))

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


# -- the index ---------------------------------------------------------------------


class BookIndex:
    """Every identity in the book, folded and indexed; immutable once built.

    Build it off the event loop (the book's worker thread): ordering and
    indexing 100,000 contacts takes a second or two of CPU. Identities are
    numbered in display order (folded name, account, user ID), so a number is
    its own tie-breaker.
    """

    def __init__(self, rows: Sequence[StoredContact] = ()) -> None:
        # Few, flat objects (strings, arrays): a book of 100,000 contacts must
        # not give the garbage collector millions of containers to walk, or a
        # full collection stops the event loop for a third of a second.
        order_keys = [f"{r[_SORT]}\0{r[_ACCOUNT]}\0{r[_USER]}" for r in rows]
        order = gentle_sorted(range(len(rows)), key=order_keys.__getitem__)
        del order_keys
        rows = tuple(rows[i] for i in order)
        del order
        self._n = n = len(rows)
        self.account_ids: tuple[str, ...] = tuple(sorted({r[_ACCOUNT] for r in rows}))
        account_number = {a: i for i, a in enumerate(self.account_ids)}
        self._account = array("H", (account_number[r[_ACCOUNT]] for r in rows))
        # Long lists are tuples: a tuple of strings is untracked by the garbage
        # collector after one pass, a list of 100,000 is walked at every full
        # collection, and each full collection stops the event loop thread.
        self._user_json = tuple(r[_JSON] for r in rows)
        self._key_of = {f"{r[_ACCOUNT]}{_KEY_SEP}{r[_USER]}": i for i, r in enumerate(rows)}
        first_words: list[str] = []

        names = _Postings()
        others = _Postings()
        phones: list[str] = []
        phone_owner = array("I")
        first_word = first_words.append
        for i, (_, _, _, name_words, other_words, phone_digits, _, _) in enumerate(rows):
            if name_words:
                words = name_words.split(_KEY_SEP)
                first_word(words[0])
                for word in words:
                    names.add(word, i)
            else:
                first_word("")
            if other_words:
                for word in other_words.split(_KEY_SEP):
                    others.add(word, i)
            if phone_digits:
                phones.append(phone_digits)
                phone_owner.append(i)
        self._first_word = tuple(first_words)
        del first_words
        self._name_vocab, self._name_flat, self._name_start = names.packed()
        self._other_vocab, self._other_flat, self._other_start = others.packed()
        del names, others
        self._phone_blob = _PHONE_SEP.join(phones)
        self._phone_starts = array("I")
        offset = 0
        for digits in phones:
            self._phone_starts.append(offset)
            offset += len(digits) + 1
        self._phone_owner = phone_owner
        self._truncated: dict[int, _PrefixTable] = {}
        for length in range(FUZZY_MIN_LENGTH, _PRECOMPUTED_PREFIXES + 1):
            self._prefixes(length)

        # People: the same first-key-wins merge as PersonIndex, over the whole book.
        self._person_of = array("I", range(n))
        self._members: dict[int, list[int]] = {}
        self._row_by_key: dict[str, int] = {}
        for i, r in enumerate(rows):
            keys = r[_KEYS].split(_KEY_SEP) if r[_KEYS] else []
            row = next((self._row_by_key[k] for k in keys if k in self._row_by_key), i)
            if row != i:
                self._members.setdefault(row, [row]).append(i)
                self._person_of[i] = row
            for k in keys:
                self._row_by_key.setdefault(k, row)
        self._browse: dict[frozenset[int], list[int]] = {}
        self._all = frozenset(range(len(self.account_ids)))

    def __len__(self) -> int:
        """How many identities the index holds."""
        return self._n

    def scope(self, account_ids: Iterable[str] | None) -> frozenset[int]:
        """Account numbers for ``account_ids`` (None: every account in the book)."""
        if account_ids is None:
            return self._all
        wanted = set(account_ids)
        return frozenset(i for i, a in enumerate(self.account_ids) if a in wanted)

    # -- matching ------------------------------------------------------------

    def search(
        self,
        query: str,
        account_ids: Iterable[str] | None = None,
        limit: int | None = None,
        *,
        region: str | None = None,
    ) -> BookResult:
        """Ranked people matching ``query`` in ``account_ids`` (None: all), at most ``limit``."""
        terms = parse_query(query, region)
        scope = self.scope(account_ids)
        persons = self.ranked_persons(terms, scope) if terms else self._browse_order(scope)
        total = len(persons)
        shown = persons if limit is None else persons[: max(0, limit)]
        return BookResult(_LazyPeople(self, shown, terms, scope), total, query)

    def ranked_persons(self, terms: Sequence[Term], scope: frozenset[int]) -> list[int]:
        """Person numbers matching every term, best first."""
        tiers = sorted((self._term_tiers(t) for t in terms), key=len)
        if not tiers:
            return []
        n = self._n
        first, rest = tiers[0], tiers[1:]
        # A name whose first word a query word starts ranks above one where it
        # starts a later word ("jose" puts "José Núñez" above "Ana José").
        leads = tuple({t.parts[0] for t in terms if t.parts})
        first_word = self._first_word
        keys: list[int]
        if not rest:
            span = _TIER_SPAN + 1
            keys = [
                ((t * span) * 2 + (not first_word[c].startswith(leads))) * n + c
                for c, t in first.items()
            ]
        else:
            keys = []
            for c, t in first.items():
                worst = total = t
                for other in rest:
                    u = other.get(c)
                    if u is None:
                        break
                    total += u
                    worst = max(worst, u)
                else:
                    combo = worst * _TIER_SPAN + min(total, _TIER_SPAN - 1)
                    keys.append((combo * 2 + (not first_word[c].startswith(leads))) * n + c)
        if scope != self._all:
            account = self._account
            keys = [k for k in keys if account[k % n] in scope]
        keys.sort()
        person_of = self._person_of
        return list(dict.fromkeys([person_of[k % n] for k in keys]))

    def _browse_order(self, scope: frozenset[int]) -> list[int]:
        cached = self._browse.get(scope)
        if cached is None:
            account, members = self._account, self._members
            cached = [
                p
                for p in range(self._n)
                if self._person_of[p] == p
                and any(account[m] in scope for m in members.get(p, (p,)))
            ]
            if len(self._browse) > 8:
                self._browse.clear()
            self._browse[scope] = cached
        return cached

    def _term_tiers(self, term: Term) -> dict[int, int]:
        found: dict[int, int] = {}
        parts = term.parts
        if len(parts) == 1 and len(parts[0]) >= FUZZY_MIN_LENGTH:
            flat, start = self._name_flat, self._name_start
            ranges = self._fuzzy_ranges(parts[0])
            found.update(
                zip(
                    chain.from_iterable(flat[start[lo] : start[hi]] for lo, hi in ranges),
                    repeat(FUZZY),
                )
            )
        if term.text:
            lo, hi = _prefix_range(self._other_vocab, term.text)
            start = self._other_start
            found.update(zip(self._other_flat[start[lo] : start[hi]], repeat(OTHER)))
        for digits in term.digits:
            found.update(zip(self._phone_hits(digits), repeat(OTHER)))
        if len(parts) == 1:
            found.update(self._name_tiers(parts[0]))
        elif parts:
            each = sorted((dict(self._name_tiers(p)) for p in parts), key=len)
            for c, t in each[0].items():
                worst = t
                for other in each[1:]:
                    u = other.get(c)
                    if u is None:
                        break
                    worst = max(worst, u)
                else:
                    if found.get(c, FUZZY + 1) > worst:
                        found[c] = worst
        return found

    def _name_tiers(self, word: str) -> Iterator[tuple[int, int]]:
        vocab, flat, start = self._name_vocab, self._name_flat, self._name_start
        lo, hi = _prefix_range(vocab, word)
        exact_end = lo + 1 if lo < hi and vocab[lo] == word else lo
        # Prefix first, exact last: a later pair overrides an earlier one in dict.update.
        yield from zip(flat[start[exact_end] : start[hi]], repeat(PREFIX))
        yield from zip(flat[start[lo] : start[exact_end]], repeat(EXACT))

    def _fuzzy_ranges(self, word: str) -> list[tuple[int, int]]:
        # Every vocabulary word within one edit of ``word``, or starting with
        # such a word, has its first len(word) or len(word)+1 letters within
        # one edit of it (a shorter word is its own prefix). The vocabulary is
        # sorted, so the words sharing a prefix are one range: comparing the
        # distinct prefixes is enough. And one edit leaves either the first
        # letter in place, or the second, or swaps or shifts them: only
        # prefixes whose first or second letter is word[0] or word[1] can match.
        ranges: list[tuple[int, int]] = []
        n = len(word)
        for length in (n, n + 1):
            table = self._prefixes(length)
            seen: set[int] = set()
            for position in (0, 1):
                bucket = table.by_letter[position]
                for letter in {word[0], word[1]}:
                    prefixes, numbers = bucket.get(letter, _EMPTY_BUCKET)
                    for _, _, j in process.extract(
                        word, prefixes, scorer=OSA.distance, score_cutoff=1, limit=None
                    ):
                        number = numbers[j]
                        if number not in seen:
                            seen.add(number)
                            ranges.append((table.starts[number], table.starts[number + 1]))
        return ranges

    def _prefixes(self, length: int) -> _PrefixTable:
        cached = self._truncated.get(length)
        if cached is None:
            cached = self._truncated[length] = _PrefixTable(self._name_vocab, length)
        return cached

    def _phone_hits(self, digits: str) -> list[int]:
        blob, starts, owner = self._phone_blob, self._phone_starts, self._phone_owner
        hits: list[int] = []
        pos = blob.find(digits)
        while pos != -1:
            k = bisect_right(starts, pos) - 1
            hits.append(owner[k])
            following = starts[k + 1] if k + 1 < len(starts) else len(blob)
            pos = blob.find(digits, following)
        return hits

    # -- people --------------------------------------------------------------

    def person_of(self, account_id: str, user_id: str) -> int | None:
        """The person number of an identity in the book, or None."""
        i = self._key_of.get(f"{account_id}{_KEY_SEP}{user_id}")
        return None if i is None else self._person_of[i]

    def person_by_keys(self, keys: Iterable[str]) -> int | None:
        """The person who has any of these :func:`person_keys`, or None."""
        for k in keys:
            row = self._row_by_key.get(k)
            if row is not None:
                return row
        return None

    def person(
        self,
        person: int,
        terms: Sequence[Term] = (),
        scope: frozenset[int] | None = None,
        extra: Sequence[Contact] = (),
    ) -> BookPerson:
        """The :class:`BookPerson` for a person number, with identities in ``scope``.

        ``extra`` identities (exact-lookup hits of the same person) are added
        after the book's; the name still follows :func:`person_name`.
        """
        scope = self._all if scope is None else scope
        members = [m for m in self._members.get(person, [person]) if self._account[m] in scope]
        if not members:
            members = [person]
        identities = [Contact(_user(self._user_json[m]), self.account_ids[self._account[m]])
                      for m in members]  # fmt: skip
        known = {c.key for c in identities}
        identities.extend(c for c in extra if c.key not in known)
        return person_row(identities, terms)


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
def _user(user_json: str) -> User:
    return User.model_validate_json(user_json)


def stored_contact(account_id: str, user: User) -> StoredContact:
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
        _KEY_SEP.join(names),
        _KEY_SEP.join(_other_words(user)),
        digits if len(digits) >= _DIGITS_MIN_LENGTH else "",
        _KEY_SEP.join(person_keys(user)),
        user.model_dump_json(by_alias=True, exclude_none=True),
    )


_LEADING_NOISE: Final = re.compile(r"^[\W_]+")


def _sort_key(user: User, *, named: bool) -> str:
    # Like a phone's address book: named people first, leading punctuation and
    # control characters ignored, names starting with a letter before others.
    key = _LEADING_NOISE.sub("", fold(best_name(user)))
    group = ("0" if key[:1].isalpha() else "1") if named else "2"
    return group + key


def _other_words(user: User) -> list[str]:
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


def _prefix_range(vocab: Sequence[str], word: str) -> tuple[int, int]:
    lo = bisect_left(vocab, word)
    return lo, bisect_left(vocab, word + _TOP, lo)
