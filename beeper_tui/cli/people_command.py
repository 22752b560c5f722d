"""``beeper-tui people``: who is who, from the command line.

``people suggestions [--format text|json]`` lists the open "maybe the same
person" pairs, best first, each with its reason and both identities' account
ID and user ID; ``people link A B``, ``people split A`` and ``people reject A B``
record the user's decision in ``people.toml`` (see
:mod:`beeper_tui.service.book.decisions`). A and B are a Beeper user ID, or a
query that names exactly one person; an ambiguous one lists the choices and
exits 2. The book is synced first when it holds nothing yet.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import TYPE_CHECKING, Any, Final

from beeper_tui.api.errors import BeeperError
from beeper_tui.book_path import default_book_path, default_people_path
from beeper_tui.service.book import AddressBook, BookPerson, directory_of
from beeper_tui.service.book.decisions import Decision, Identity, Kind
from beeper_tui.service.export.formats import clean_text
from beeper_tui.wiring import open_backend

from .common import add_shared_flags, command_secrets, command_settings, takes

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from beeper_tui.service.book.evidence import Suggestion

__all__ = ["register", "run"]

PROG: Final = "beeper-tui people"
_CHOICES_SHOWN: Final = 10


class _Refused(Exception):
    """The command cannot go on; the message says why (exit status 2)."""


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``people`` and its actions to the command tree."""
    parser = commands.add_parser(
        "people",
        help="see suggested merges; link, split or tell apart people",
        description=(
            "Who is who across networks. Decisions are kept in people.toml in the user "
            "config directory and applied on every sync. A and B: a Beeper user ID, or a "
            "query naming exactly one person (an ambiguous one lists the choices, exit 2)."
        ),
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("suggestions", help="list the open suggestions, best first")
    listing.add_argument("--format", choices=("text", "json"), default="text")
    link = actions.add_parser("link", help="A and B are the same person")
    link.add_argument("a", metavar="A")
    link.add_argument("b", metavar="B")
    split = actions.add_parser("split", help="take identity A out of the person it is in")
    split.add_argument("a", metavar="A")
    reject = actions.add_parser("reject", help="A and B are not the same person")
    reject.add_argument("a", metavar="A")
    reject.add_argument("b", metavar="B")
    dests = ("base_url", "token", "demo", "config")
    for sub in (listing, link, split, reject):
        add_shared_flags(sub, dests, top=False)
        takes(sub, *dests)
        sub.set_defaults(run=run)


def _clean(text: str | None) -> str:
    return clean_text(text, newlines=False) or ""


def _identity_json(key: Identity, name: str, networks: dict[str, str]) -> dict[str, str]:
    return {
        "accountID": key[0],
        "userID": key[1],
        "network": networks.get(key[0], key[0]),
        "name": name,
    }


def render_suggestions(found: list[Suggestion], fmt: str, networks: dict[str, str]) -> str:
    """The output of ``people suggestions`` in ``fmt``."""
    if fmt == "json":
        out = [
            {
                "reason": s.reason,
                "a": _identity_json(s.a, s.names[0], networks),
                "b": _identity_json(s.b, s.names[1], networks),
            }
            for s in found
        ]
        return json.dumps(out, ensure_ascii=False, indent=2) + "\n"
    lines = []
    for s in found:
        a, b = (
            f"{_clean(name)} ({_clean(networks.get(k[0], k[0]))} {_clean(k[1])})"
            for name, k in zip(s.names, (s.a, s.b), strict=True)
        )
        lines.append(f"{a}  ~  {b}: {s.reason}")
    return "".join(f"{line}\n" for line in lines)


def _describe(person: BookPerson, networks: dict[str, str]) -> str:
    ids = ", ".join(
        f"{_clean(networks.get(c.account_id, c.account_id))} {_clean(c.id)}"
        for c in person.contact.identities
    )
    return f"  {_clean(person.name)} ({ids})"


def resolve(book: AddressBook, text: str, *, identity: bool) -> tuple[Identity, str]:
    """The identity ``text`` names, and its person's name; :class:`_Refused` when it does not.

    A user ID in the book names that identity. Otherwise ``text`` is a query
    that must find one person; for a split (``identity``) that person must
    have a single identity, else the choices (their user IDs) are listed.
    """
    index = book.index
    networks = book.network_names()
    owners = [a for a in book.account_ids if index.identity_number(a, text) is not None]
    if len(owners) == 1:
        key = (owners[0], text)
        number = index.person_of(*key)
        assert number is not None  # found just above
        return key, index.person(number).name
    result = book.search(text)
    if result.total == 0:
        raise _Refused(f"nobody in the address book matches {_clean(text)!r}")
    if result.total > 1:
        shown = [_describe(p, networks) for p in result.people[:_CHOICES_SHOWN]]
        more = result.total - len(shown)
        tail = [f"  … and {more:,} more"] if more > 0 else []
        raise _Refused(
            f"{_clean(text)!r} names {result.total:,} people; use a user ID or a longer query:\n"
            + "\n".join(shown + tail)
        )
    person = result.people[0]
    identities = person.contact.identities
    if identity and len(identities) > 1:
        raise _Refused(
            f"{_clean(person.name)} has {len(identities)} identities; name one by its user ID:\n"
            + "\n".join(
                f"  {_clean(c.id)} ({_clean(networks.get(c.account_id, c.account_id))})"
                for c in identities
            )
        )
    return person.contact.key, person.name


async def _people(args: argparse.Namespace, settings: Any, demo_app: ASGIApp | None) -> int:
    demo = bool(settings.demo or demo_app is not None)
    book = await AddressBook.open(
        None if demo else default_book_path(),
        region=settings.phone_region,
        people=default_people_path(demo=demo),
    )
    backend = open_backend(
        base_url=settings.base_url,
        access_token=settings.token,
        demo=demo,
        demo_app=demo_app,
        client_options=settings.client_options(),
    )
    try:
        if book.people.error is not None:
            print(f"{PROG}: warning: {_clean(str(book.people.error))}", file=sys.stderr)
        if (not book.directory or book.missing()) and not book.read_only:
            try:
                everyone = await backend.resolve_accounts(None)
                await book.remember_accounts(directory_of(everyone))
                todo = [a for a in everyone if not book.ready(a.account_id)]
                await book.syncer(backend.client).run(todo)
            except BeeperError as exc:
                if not book.account_ids:
                    raise
                print(f"{PROG}: warning: {_clean(str(exc))}", file=sys.stderr)
        networks = book.network_names()
        if args.action == "suggestions":
            found = await book.suggestions()
            sys.stdout.write(render_suggestions(found, args.format, networks))
            return 0
        kind: Kind = args.action
        a, name_a = resolve(book, args.a, identity=kind == "split")
        if kind == "split":
            await book.decide(Decision("split", a, about=name_a))
            print(f"{_clean(name_a)} ({_clean(a[1])}) now stands alone.")
            return 0
        b, name_b = resolve(book, args.b, identity=False)
        if book.index.person_of(*a) == book.index.person_of(*b) and kind == "link":
            print(f"{_clean(name_a)} and {_clean(name_b)} are already one person.")
            return 0
        await book.decide(Decision(kind, a, b, f"{name_a} · {name_b}"))
        if kind == "link":
            print(f"{_clean(name_a)} and {_clean(name_b)} are now one person.")
        else:
            print(f"{_clean(name_a)} and {_clean(name_b)} will not be suggested again.")
        return 0
    except _Refused as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except BeeperError as exc:
        print(f"{PROG}: error: {_clean(str(exc))}", file=sys.stderr)
        return 1
    finally:
        await backend.aclose()
        await book.close()


def run(args: argparse.Namespace, *, demo_app: ASGIApp | None = None) -> int:
    """Do what ``args`` say; returns the exit status."""
    secrets = command_secrets(args)
    settings = command_settings(args, PROG, secrets)
    if settings is None:
        return 2
    try:
        return asyncio.run(_people(args, settings, demo_app))
    except KeyboardInterrupt:
        return 130
