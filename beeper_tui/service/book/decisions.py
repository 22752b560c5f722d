"""Who is who, as the user decided it: links, splits and rejections kept in ``people.toml``.

The book merges identities automatically (same phone or email, see
:func:`~beeper_tui.service.person.person_keys`). The user corrects that with
three kinds of :class:`Decision`, each naming identities by (account ID,
user ID):

- ``link`` A B: A and B are one person (their people are joined);
- ``split`` A: A is taken out of the person the automatic merge put it in;
- ``reject`` A B: A and B are not the same person (never suggested again,
  and an earlier link of the pair is undone).

Decisions are kept in order in a human-readable TOML file (mode 0600) and
applied to every index the book builds (:meth:`PeopleDecisions.apply`), so a
re-sync never undoes them. A later decision about the same identities wins;
undoing one removes it from the file. Identities that are not in the book are
kept in the file and ignored until they come back.

A file that cannot be read is never written over: :class:`DecisionsError`
names the line, the book goes on without the decisions, and deciding anew is
refused until the file is fixed (nothing the user wrote is lost).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from beeper_tui.api.errors import BeeperError

if TYPE_CHECKING:
    from .search import BookIndex

__all__ = [
    "DESKTOP_MERGED",
    "KINDS",
    "Decision",
    "DecisionsError",
    "Identity",
    "Kind",
    "PeopleDecisions",
    "desktop_links",
    "effective",
]

Identity = tuple[str, str]
"""(account ID, user ID): one identity, as the book keys it."""
Kind = Literal["link", "split", "reject"]
KINDS: Final[tuple[Kind, ...]] = ("link", "split", "reject")

HEADER: Final = """\
# beeper-tui: who is who, as you decided it.
#
# Each [[decision]] is one of:
#   kind = "link"    a and b are the same person (joined into one row)
#   kind = "split"   a is taken out of the person it was merged into
#   kind = "reject"  a and b are not the same person (never suggested again)
# An identity is [account ID, user ID], as Beeper names them. A later decision
# about the same identities wins; delete an entry to undo it. Entries about
# people no longer in your book are kept and apply again when they return.
# "about" is only a reminder for you; beeper-tui does not read it.
"""

_TABLE: Final = re.compile(r"^[ \t]*\[\[[ \t]*decision[ \t]*\]\]", re.MULTILINE)


class DecisionsError(BeeperError):
    """The decisions file cannot be read (the message names the file and the line)."""


@dataclass(frozen=True, slots=True)
class Decision:
    """One decision: ``kind`` about identity ``a`` (and ``b`` for a link or a rejection)."""

    kind: Kind
    a: Identity
    b: Identity | None = None
    about: str = ""
    """Who the identities are, in words, for a reader of the file."""

    @property
    def pair(self) -> frozenset[Identity]:
        """The identities the decision is about."""
        return frozenset((self.a,) if self.b is None else (self.a, self.b))

    def same_as(self, other: Decision) -> bool:
        """Whether ``other`` is this decision (``about`` aside)."""
        return self.kind == other.kind and self.pair == other.pair


@dataclass(frozen=True, slots=True)
class Effective:
    """What a list of decisions comes to once later ones override earlier ones."""

    links: tuple[tuple[Identity, Identity], ...]
    splits: frozenset[Identity]
    rejects: frozenset[frozenset[Identity]]


def effective(decisions: Iterable[Decision]) -> Effective:
    """The links, splits and rejections left after each later decision overrode earlier ones.

    A link and a rejection of the same pair: the later wins. A split of A
    drops the earlier links that involve A (a later link brings A back).
    """
    links: dict[frozenset[Identity], tuple[Identity, Identity]] = {}
    splits: dict[Identity, None] = {}
    rejects: dict[frozenset[Identity], None] = {}
    # The pairs each identity was linked in (some since undone: popping those does nothing),
    # so a split finds its links at once, not by a pass over every link.
    linked_in: dict[Identity, list[frozenset[Identity]]] = {}
    for d in decisions:
        if d.kind == "split":
            splits[d.a] = None
            for pair in linked_in.pop(d.a, ()):
                links.pop(pair, None)
        elif d.b is not None and d.a != d.b:
            pair = d.pair
            if d.kind == "link":
                rejects.pop(pair, None)
                links[pair] = (d.a, d.b)
                linked_in.setdefault(d.a, []).append(pair)
                linked_in.setdefault(d.b, []).append(pair)
            else:
                links.pop(pair, None)
                rejects[pair] = None
    return Effective(tuple(links.values()), frozenset(splits), frozenset(rejects))


class PeopleDecisions:
    """The decisions file: read at open, written (whole, atomically) after each change.

    ``path`` None keeps decisions in memory only (tests, ``--no-cache`` demo).
    ``error`` is why the file could not be read; then :meth:`save` refuses.
    """

    def __init__(self, path: Path | None, decisions: Sequence[Decision] = ()) -> None:
        self.path = path
        self.decisions: tuple[Decision, ...] = tuple(decisions)
        self.error: DecisionsError | None = None

    @classmethod
    def load(cls, path: Path | None) -> PeopleDecisions:
        """The decisions in ``path`` (none if it does not exist; ``error`` set if unreadable)."""
        people = cls(path)
        if path is None:
            return people
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return people
        except (OSError, UnicodeDecodeError) as exc:
            people.error = DecisionsError(f"cannot read {path}: {exc}")
            return people
        try:
            people.decisions = tuple(parse(text))
        except DecisionsError as exc:
            people.error = DecisionsError(f"{path}: {exc}")
        return people

    # -- changes -------------------------------------------------------------

    def with_decision(self, decision: Decision) -> tuple[Decision, ...]:
        """The decisions with ``decision`` added last (an equal earlier one removed)."""
        kept = tuple(d for d in self.decisions if not d.same_as(decision))
        return (*kept, decision)

    def without(self, decision: Decision) -> tuple[Decision, ...]:
        """The decisions with the last one equal to ``decision`` removed (an undo)."""
        for i in range(len(self.decisions) - 1, -1, -1):
            if self.decisions[i].same_as(decision):
                return self.decisions[:i] + self.decisions[i + 1 :]
        return self.decisions

    def save(self, decisions: Sequence[Decision]) -> None:
        """Make ``decisions`` the file's contents (atomically, mode 0600), then keep them.

        Raises :class:`DecisionsError` when the file could not be read (it is
        the user's to fix, never written over) or cannot be written.
        """
        if self.error is not None:
            raise DecisionsError(f"{self.error} — fix or remove it to decide again")
        if self.path is not None:
            try:
                _write_private(self.path, render(decisions))
            except OSError as exc:
                raise DecisionsError(f"cannot write {self.path}: {exc}") from None
        self.decisions = tuple(decisions)

    # -- use -----------------------------------------------------------------

    def effective(self) -> Effective:
        """The decisions as they apply (see :func:`effective`)."""
        return effective(self.decisions)

    def apply(self, index: BookIndex, merged: Iterable[Sequence[Identity]] = ()) -> BookIndex:
        """``index`` with its people as the user decided (identities not in it ignored).

        ``merged`` are the groups whose chats Desktop merged: joined as if the
        user had linked them first, so a later split or rejection undoes them.
        """
        return apply(index, effective((*desktop_links(merged), *self.decisions)))


DESKTOP_MERGED: Final = "Desktop merged these chats"
"""The ``about`` of a link that Desktop's merged chats made (not in the user's file)."""


def desktop_links(merged: Iterable[Sequence[Identity]]) -> list[Decision]:
    """The links Desktop's merged chats stand for: each member with the group's first."""
    return [
        Decision("link", group[0], other, DESKTOP_MERGED) for group in merged for other in group[1:]
    ]


def apply(index: BookIndex, decided: Effective) -> BookIndex:
    """``index`` regrouped by ``decided``: splits first, then links, in order."""
    number = index.identity_number
    splits = [i for i in (number(*k) for k in decided.splits) if i is not None]
    links: list[tuple[int, int]] = []
    for a, b in decided.links:
        i, j = number(*a), number(*b)
        if i is not None and j is not None:
            links.append((i, j))
    return index.with_people(sorted(splits), links)


# -- the file ------------------------------------------------------------------


def parse(text: str) -> Iterator[Decision]:
    """The decisions in a file's text; :class:`DecisionsError` names the line of a bad one."""
    import tomllib  # only when there is a file: most books have no decisions

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DecisionsError(f"not valid TOML: {exc}") from None
    entries = data.get("decision", [])
    lines = [text.count("\n", 0, m.start()) + 1 for m in _TABLE.finditer(text)]
    if not isinstance(entries, list):
        raise DecisionsError("'decision' must be a list of [[decision]] tables")
    for n, entry in enumerate(entries):
        where = f"line {lines[n]}" if n < len(lines) else f"decision {n + 1}"
        yield _decision(entry, where)


def _decision(entry: Any, where: str) -> Decision:
    if not isinstance(entry, dict):
        raise DecisionsError(f"{where}: a decision must be a table")
    kind = entry.get("kind")
    if kind not in KINDS:
        raise DecisionsError(f"{where}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
    a = _identity(entry.get("a"), f"{where}: a")
    b = None if kind == "split" else _identity(entry.get("b"), f"{where}: b")
    about = entry.get("about", "")
    return Decision(kind, a, b, about if isinstance(about, str) else "")


def _identity(value: Any, where: str) -> Identity:
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) and v for v in value):
        return (value[0], value[1])
    raise DecisionsError(f"{where} must be [account ID, user ID], not {value!r}")


def render(decisions: Iterable[Decision]) -> str:
    """The file's text for ``decisions``: the explaining header, then one table each."""
    import tomli_w  # only writing needs it

    parts = [HEADER]
    for d in decisions:
        table: dict[str, Any] = {"kind": d.kind, "a": list(d.a)}
        if d.b is not None:
            table["b"] = list(d.b)
        if d.about:
            table["about"] = d.about
        parts.append("\n[[decision]]\n" + tomli_w.dumps(table))
    return "".join(parts)


def _write_private(path: Path, text: str) -> None:
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temp = tempfile.mkstemp(prefix=".people-", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
