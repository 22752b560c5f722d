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
rank is its worst word's tier, then the sum of its words' tiers, then whether
a query word starts the name, then whether the contact is one of the user's own
or a member of a big directory (:data:`DIRECTORY_SIZE`); ties go by folded
displayed name, then account and user ID. People (identities merged by
phone or email over the whole book) rank by their best identity.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain, compress, repeat
from operator import eq
from typing import TYPE_CHECKING, Any, Final
from zlib import crc32

from beeper_tui.service.person import Contact

from .people import BookPerson, BookResult, LazyPeople, person_row, user_of
from .query import EXACT, FUZZY, FUZZY_MIN_LENGTH, OTHER, PREFIX, Term, parse_query
from .rows import (
    ACCOUNT,
    EMPTY_BUCKET,
    KEY_SEP,
    SORT,
    USER,
    Postings,
    PrefixTable,
    gentle_sorted,
    prefix_range,
)
from .snapshot import LazyBlob, LazyTuple, SnapshotError, pack, unpack, unpack_lazily
from .store import StoredContact
from .text_column import END_TYPE, TextColumn

__all__ = ["DIRECTORY_SIZE", "BookIndex"]

_PHONE_SEP: Final = "\x1e"
_PRECOMPUTED_PREFIXES: Final = 14  # typo look-ups for words up to 13 letters cost no build
_TIER_SPAN: Final = 64  # room for the sum of the tiers of up to 21 words
_CACHES: Final = frozenset({"_truncated", "_browse"})  # filled as queries need them
_NOT_SAVED: Final = _CACHES | {"_undecided", "_pending"}  # decisions are applied after loading
_COLUMNS: Final = ("_account", "_json_ends", "_first_word")  # one item per identity
_PARTIAL: Final = frozenset({"_json_blob"})
"""Byte columns a lazy snapshot reads part by part: a query needs only its hits' JSON."""
_WHOLE: Final = frozenset({"_name_vocab"})
"""Fields a lazy snapshot decodes whole: small, and a typo looks them up hundreds of times."""
DIRECTORY_SIZE: Final = 5_000
"""An account with more contacts is a directory (a workspace's members): within a
tier, its people follow the user's own contacts ("jose" finds the Telegram friend
before forty Slack colleagues named Jose)."""


# -- the index ---------------------------------------------------------------------


def _key_hash(account_id: str, user_id: str) -> int:
    """An identity's key as 32 bits, the same in every process (it is saved in the snapshot)."""
    return crc32(f"{account_id}{KEY_SEP}{user_id}".encode())


class BookIndex:
    """Every identity in the book, folded and indexed; immutable once built.

    Build it off the event loop (the book's worker thread): ordering and
    indexing 100,000 contacts takes a second or two of CPU. Identities are
    numbered in display order (folded name, account, user ID), so a number is
    its own tie-breaker.
    """

    def __init__(self, rows: Sequence[StoredContact] = (), *, warm: bool = True) -> None:
        order_keys = [f"{r[SORT]}\0{r[ACCOUNT]}\0{r[USER]}" for r in rows]
        order = gentle_sorted(range(len(rows)), key=order_keys.__getitem__)
        del order_keys
        self._build((rows[i] for i in order), warm=warm)

    @classmethod
    def in_order(cls, rows: Iterable[StoredContact], *, warm: bool = True) -> BookIndex:
        """The index of ``rows`` given in display order (sort key, account ID, user ID).

        ``rows`` is read once, as it comes: a store streams them a few thousand
        at a time, so a rebuild never holds every stored row at once (100,000
        rows are about 100 MB of short-lived strings, and the heap they
        fragment stays with the process).
        """
        index = object.__new__(cls)
        index._build(rows, warm=warm)
        return index

    def _build(self, rows: Iterable[StoredContact], *, warm: bool) -> None:
        # Few, flat objects (strings, arrays): a book of 100,000 contacts must
        # not give the garbage collector millions of containers to walk, or a
        # full collection stops the event loop for a third of a second.
        # Long lists are tuples: a tuple of strings is untracked by the garbage
        # collector after one pass, a list of 100,000 is walked at every full
        # collection, and each full collection stops the event loop thread.
        account_number: dict[str, int] = {}  # as met; renumbered in sorted order at the end
        account = array("H")
        # One buffer, not a string per identity (see .text_column).
        blob = self._json_blob = array("B")
        ends = self._json_ends = array(END_TYPE)
        key_hashes = array("I")  # CRC-32 of each identity's key: no string per identity
        first_words: list[str] = []
        first_word = first_words.append
        same_word: dict[str, str] = {"": ""}  # one string per distinct first word
        names = Postings()
        others = Postings()
        phones: list[str] = []
        phone_owner = array("I")
        # People: the same first-key-wins merge as PersonIndex, over the whole book.
        person_of = self._person_of = array("I")
        members: dict[int, list[int]] = {}
        row_by_key: dict[str, int] = {}
        n = 0
        for i, row in enumerate(rows):
            acct, user, _, name_words, other_words, phone_digits, keys_text, user_json = row
            n = i + 1
            number = account_number.get(acct)
            if number is None:
                number = account_number[acct] = len(account_number)
            account.append(number)
            blob.frombytes(user_json.encode())
            ends.append(len(blob))
            key_hashes.append(_key_hash(acct, user))
            if name_words:
                words = name_words.split(KEY_SEP)
                first_word(same_word.setdefault(words[0], words[0]))
                for word in words:
                    names.add(word, i)
            else:
                first_word("")
            if other_words:
                for word in other_words.split(KEY_SEP):
                    others.add(word, i)
            if phone_digits:
                phones.append(phone_digits)
                phone_owner.append(i)
            keys = keys_text.split(KEY_SEP) if keys_text else []
            head = next((row_by_key[k] for k in keys if k in row_by_key), i)
            person_of.append(head)
            if head != i:
                members.setdefault(head, [head]).append(i)
            for k in keys:
                row_by_key.setdefault(k, head)
        del same_word
        self.account_ids: tuple[str, ...] = tuple(sorted(account_number))
        sorted_number = {a: i for i, a in enumerate(self.account_ids)}
        renumber = [sorted_number[a] for a in account_number]  # dicts keep insertion order
        self._account = account = array("H", map(renumber.__getitem__, account))
        self._n = n
        by_hash = gentle_sorted(range(n), key=key_hashes.__getitem__)
        self._key_owner = array("I", by_hash)
        self._key_hashes = array("I", map(key_hashes.__getitem__, by_hash))
        del by_hash, key_hashes
        self._members = members
        self._row_by_key = row_by_key
        sizes = Counter(account)
        directories = {a for a, size in sizes.items() if size > DIRECTORY_SIZE}
        # Only a mix of directories and the user's own contacts needs the bit.
        self._far: array[int] | None = (
            array("B", (a in directories for a in account))
            if 0 < len(directories) < len(sizes)
            else None
        )
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
        self._truncated: dict[int, PrefixTable] = {}
        if warm:
            self.warm()
        self._browse: dict[frozenset[int], list[int]] = {}
        self._all = frozenset(range(len(self.account_ids)))
        self._undecided: BookIndex | None = None
        """The index before the user's decisions (:meth:`with_people`), or None: this is it."""
        self._pending: dict[str, Callable[[], Any]] = {}
        """Fields of a lazily read snapshot not decoded yet (:meth:`from_snapshot`)."""

    def snapshot(self) -> list[bytes]:
        """The index as snapshot parts for :meth:`from_snapshot` (its caches left out)."""
        if self._undecided is not None:  # the decisions are the user's file's, not the cache's
            return self._undecided.snapshot()
        self._read_all()
        return pack({k: v for k, v in vars(self).items() if k not in _NOT_SAVED})

    @classmethod
    def from_snapshot(cls, parts: Sequence[bytes], *, lazy: bool = False) -> BookIndex:
        """The index :meth:`snapshot` saved; :class:`SnapshotError` when it does not fit.

        ``lazy``: each field is checked and decoded when first read (a one-shot
        ``search`` reads a fraction of them); a damaged one raises
        :class:`SnapshotError` then, from whatever read it.
        """
        fields = unpack_lazily(parts)
        index = cls((), warm=False)  # its caches empty: they fill for the fields read back
        if fields.keys() != vars(index).keys() - _NOT_SAVED:
            raise SnapshotError("the index has other fields than the snapshot")
        if lazy:
            for name in fields:
                delattr(index, name)  # read back by __getattr__, when first asked for
            index._pending = fields
            return index
        vars(index).update(unpack(parts))
        for name in _COLUMNS:
            index._check_length(name)
        return index

    if not TYPE_CHECKING:  # to the type checker, every field is always there

        def __getattr__(self, name: str) -> Any:
            """A field of a lazily read snapshot, decoded now (called only when it is missing)."""
            decode = self.__dict__.get("_pending", {}).pop(name, None)
            if decode is None:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            value = decode()
            read_whole = isinstance(value, LazyTuple) and name in _WHOLE
            read_whole |= isinstance(value, LazyBlob) and name not in _PARTIAL
            if read_whole:
                value = value.whole()
            setattr(self, name, value)
            if name in _COLUMNS:
                self._check_length(name)
            return value

    def _check_length(self, name: str) -> None:
        if len(getattr(self, name)) != self._n:
            raise SnapshotError("the snapshot's columns disagree on how many identities")

    def _read_all(self) -> None:
        """Decode every field a lazy snapshot has not yet."""
        for name in list(self._pending):
            getattr(self, name)
        for name in _PARTIAL:
            value = getattr(self, name)
            if isinstance(value, LazyBlob):
                setattr(self, name, value.whole())

    def warm(self) -> None:
        """Build the typo look-up tables ahead of the first query (``warm=False`` defers it).

        A query before then looks up every spelling one edit away instead
        (:meth:`_edited_ranges`: the same matches, slower per query than the
        tables, much faster than building them for a single query).
        """
        for length in range(FUZZY_MIN_LENGTH, _PRECOMPUTED_PREFIXES + 1):
            self._prefixes(length)

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
        if terms:
            persons = self.ranked_persons(terms, scope)
        elif query.strip():  # only punctuation ("(", "--"): nothing to look for, nobody matches
            persons = []
        else:
            persons = self._browse_order(scope)
        total = len(persons)
        shown = persons if limit is None else persons[: max(0, limit)]
        return BookResult(LazyPeople(self, shown, terms, scope), total, query)

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
        first_word, far = self._first_word, self._far
        keys: list[int]
        if not rest and far is None:
            span = (_TIER_SPAN + 1) * 4
            keys = [
                ((t * span) + (not first_word[c].startswith(leads)) * 2) * n + c
                for c, t in first.items()
            ]
        elif not rest:
            assert far is not None
            span = (_TIER_SPAN + 1) * 4
            keys = [
                ((t * span) + (not first_word[c].startswith(leads)) * 2 + far[c]) * n + c
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
                    lead = not first_word[c].startswith(leads)
                    bit = far[c] if far is not None else 0
                    keys.append(((combo * 2 + lead) * 2 + bit) * n + c)
        if scope != self._all:
            account = self._account
            keys = [k for k in keys if account[k % n] in scope]
        keys.sort()
        person_of = self._person_of
        return list(dict.fromkeys([person_of[k % n] for k in keys]))

    def _browse_order(self, scope: frozenset[int]) -> list[int]:
        cached = self._browse.get(scope)
        if cached is None:
            # A person is listed once, at their first identity (``person_of[p] == p``):
            # picked out at C speed, the whole book's list paints sooner at start.
            heads = compress(range(self._n), map(eq, self._person_of, range(self._n)))
            if scope == self._all:
                cached = list(heads)
            else:
                account, members = self._account, self._members
                cached = [
                    p
                    for p in heads
                    if account[p] in scope
                    or (p in members and any(account[m] in scope for m in members[p]))
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
            lo, hi = prefix_range(self._other_vocab, term.text)
            start = self._other_start
            found.update(zip(self._other_flat[start[lo] : start[hi]], repeat(OTHER)))
        for digits in term.digits:
            found.update(zip(self._phone_hits(digits), repeat(OTHER)))
        for ending in term.endings:
            found.update(zip(self._phone_endings(ending), repeat(OTHER)))
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
        lo, hi = prefix_range(vocab, word)
        exact_end = lo + 1 if lo < hi and vocab[lo] == word else lo
        # Prefix first, exact last: a later pair overrides an earlier one in dict.update.
        yield from zip(flat[start[exact_end] : start[hi]], repeat(PREFIX))
        yield from zip(flat[start[lo] : start[exact_end]], repeat(EXACT))

    def _fuzzy_ranges(self, word: str) -> list[tuple[int, int]]:
        # Every vocabulary word within one edit of ``word``, or starting with
        # such a word, has its first len(word) or len(word)+1 letters within
        # one edit of it (a shorter word is its own prefix). The vocabulary is
        # sorted, so the words sharing a prefix are one range: comparing the
        # distinct prefixes is enough.
        n = len(word)
        tables = [self._truncated.get(length) for length in (n, n + 1)]
        if None in tables:
            return list(self._edited_ranges(word))
        from rapidfuzz import process  # with the tables only: a one-shot search never loads it
        from rapidfuzz.distance import OSA

        ranges: list[tuple[int, int]] = []
        for table in tables:
            assert table is not None
            # One edit leaves either the first letter in place, or the second,
            # or swaps or shifts them: only prefixes whose first or second
            # letter is word[0] or word[1] can match.
            seen: set[int] = set()
            for position in (0, 1):
                bucket = table.by_letter[position]
                for letter in {word[0], word[1]}:
                    prefixes, numbers = bucket.get(letter, EMPTY_BUCKET)
                    for _, _, j in process.extract(
                        word, prefixes, scorer=OSA.distance, score_cutoff=1, limit=None
                    ):
                        number = numbers[j]
                        if number not in seen:
                            seen.add(number)
                            ranges.append((table.starts[number], table.starts[number + 1]))
        return ranges

    def _edited_ranges(self, word: str) -> Iterator[tuple[int, int]]:
        """What the typo tables of lengths ``len(word)`` and one more find, without them.

        Before :meth:`warm` (a one-shot ``beeper-tui search``, the first keys
        after opening) every spelling one edit from ``word`` is looked up by
        ``bisect``, a letter added or changed only where the vocabulary has
        that letter after the same start: a few hundred look-ups, where
        building two tables costs tens of milliseconds.
        """
        vocab = self._name_vocab
        n = len(word)
        starts = {word}  # n or n + 1 letters: every word starting with one
        whole: set[str] = set()  # n - 1 letters: that word itself (it is its own prefix)
        for i in range(n):
            whole.add(word[:i] + word[i + 1 :])
            if i + 1 < n:
                starts.add(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
        for i in range(n + 1):
            head = word[:i]
            for letter in self._next_letters(head):
                starts.add(head + letter + word[i:])
                if i < n:
                    starts.add(head + letter + word[i + 1 :])
        for spelling in starts:
            lo, hi = prefix_range(vocab, spelling)
            if lo < hi:
                yield lo, hi
        for spelling in whole:
            lo = bisect_left(vocab, spelling)
            if lo < len(vocab) and vocab[lo] == spelling:
                yield lo, lo + 1

    def _next_letters(self, head: str) -> Iterator[str]:
        """Each letter that follows ``head`` in some word of the name vocabulary, once."""
        vocab = self._name_vocab
        lo, hi = prefix_range(vocab, head)
        after = len(head)
        while lo < hi:
            word = vocab[lo]
            if len(word) == after:  # ``head`` itself
                lo += 1
                continue
            letter = word[after]
            yield letter
            lo = prefix_range(vocab, head + letter)[1]

    def _prefixes(self, length: int) -> PrefixTable:
        cached = self._truncated.get(length)
        if cached is None:
            cached = self._truncated[length] = PrefixTable(self._name_vocab, length)
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

    def _phone_endings(self, digits: str) -> list[int]:
        blob, starts, owner = self._phone_blob, self._phone_starts, self._phone_owner
        hits: list[int] = []
        wanted = digits + _PHONE_SEP
        pos = blob.find(wanted)
        while pos != -1:
            hits.append(owner[bisect_right(starts, pos) - 1])
            pos = blob.find(wanted, pos + len(wanted))
        if blob.endswith(digits):  # the last number has no separator after it
            hits.append(owner[-1])
        return hits

    # -- people --------------------------------------------------------------

    def person_of(self, account_id: str, user_id: str) -> int | None:
        """The person number of an identity in the book, or None."""
        i = self.identity_number(account_id, user_id)
        return None if i is None else self._person_of[i]

    def person_by_keys(self, keys: Iterable[str]) -> int | None:
        """The person who has any of these :func:`person_keys`, or None."""
        for k in keys:
            row = self._row_by_key.get(k)
            if row is not None:
                return self._person_of[row]  # the user's decisions may have moved it
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
        identities = [
            Contact(user_of(self._json(m)), self.account_ids[self._account[m]]) for m in members
        ]
        known = {c.key for c in identities}
        identities.extend(c for c in extra if c.key not in known)
        return person_row(identities, terms)

    # -- the user's decisions (see .decisions) -----------------------------------

    def identity_number(self, account_id: str, user_id: str) -> int | None:
        """The number of an identity in the index, or None when it is not in the book."""
        wanted = _key_hash(account_id, user_id)
        hashes, owner = self._key_hashes, self._key_owner
        at = bisect_left(hashes, wanted)
        while at < len(hashes) and hashes[at] == wanted:  # another identity may share the CRC
            number = owner[at]
            if self.identity_key(number) == (account_id, user_id):
                return number
            at += 1
        return None

    def identity_key(self, number: int) -> tuple[str, str]:
        """(account ID, user ID) of identity ``number``."""
        user = user_of(self._json(number))
        return (self.account_ids[self._account[number]], user.id)

    def identity_jsons(self) -> Sequence[str]:
        """Every identity's stored JSON, by number (read by :mod:`.evidence` without pydantic)."""
        return TextColumn(self._json_blob, self._json_ends)

    def _json(self, number: int) -> str:
        """The stored JSON of identity ``number``."""
        ends = self._json_ends
        start = ends[number - 1] if number else 0
        return self._json_blob[start : ends[number]].tobytes().decode()

    def identity_account(self, number: int) -> str:
        """The account ID of identity ``number``."""
        return self.account_ids[self._account[number]]

    def person_number(self, number: int) -> int:
        """The person identity ``number`` belongs to (its first identity's number)."""
        return self._person_of[number]

    def members(self, person: int) -> list[int]:
        """The identity numbers of person ``person``, in display order."""
        return list(self._members.get(person, [person]))

    def with_people(self, splits: Sequence[int], links: Sequence[tuple[int, int]]) -> BookIndex:
        """This index with identities ``splits`` taken out of their people, then ``links`` joined.

        Regroups the automatic merge (never a previous call's: the result of
        one call regroups from the same start), sharing every other table.
        A person keeps the number of its first identity, so display order and
        the browse list hold; a split identity stands alone.
        """
        base = self._undecided or self
        if not splits and not links:
            return base
        person_of = array("I", base._person_of)
        members = {p: list(m) for p, m in base._members.items()}
        decided = object.__new__(BookIndex)
        vars(decided).update(vars(base))
        decided._pending = dict(base._pending)  # each decodes the fields it reads

        def regroup(people: list[int], old: Iterable[int]) -> None:
            for p in old:
                members.pop(p, None)
            if len(people) > 1:
                people.sort()
                members[people[0]] = people
            for m in people:
                person_of[m] = people[0]

        for i in splits:
            p = person_of[i]
            group = members.get(p)
            if group is None:
                continue
            regroup([m for m in group if m != i], (p,))
            person_of[i] = i
        for i, j in links:
            pi, pj = person_of[i], person_of[j]
            if pi != pj:
                regroup(members.get(pi, [pi]) + members.get(pj, [pj]), (pi, pj))
        decided._person_of = person_of
        decided._members = members
        decided._browse = {}
        decided._undecided = base
        return decided
