"""``beeper-tui search TEXT``: ranked people from the address book, for pipelines and mail clients.

With no book yet (or ``--no-cache``) the enabled accounts are synced first;
so is an enabled account the book has never fully synced (an interrupted
first sync), and every account with ``--sync``. What cannot be synced now
(Desktop is not there, the disk is full, the book is read-only) is named in
one warning on stderr, and the answer comes from what the book holds.
``--format mutt`` prints what mutt's and aerc's ``query_command`` read: one
status line, then ``email<TAB>name<TAB>networks`` per address.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from beeper_tui.api.errors import BeeperError
from beeper_tui.book_path import default_book_path, default_people_path
from beeper_tui.config import ConfigError, resolve_settings
from beeper_tui.service.accounts import AccountMatchError, bare_account, match_account
from beeper_tui.service.book import (
    AddressBook,
    BookError,
    BookPerson,
    directory_accounts,
    directory_of,
)
from beeper_tui.service.export.formats import clean_text
from beeper_tui.service.names import secondary_text
from beeper_tui.service.networks import network_name
from beeper_tui.wiring import open_backend

from .common import argv_secrets, positive_int, scrub

if TYPE_CHECKING:
    from starlette.types import ASGIApp

__all__ = ["FORMATS", "register", "render", "run"]

PROG: Final = "beeper-tui search"
FORMATS: Final = ("text", "tsv", "json", "mutt")


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``search`` to the command tree."""
    parser = commands.add_parser(
        "search",
        help="print the ranked people of the address book matching TEXT",
        description=(
            "Search the local address book (synced first when there is none) and print "
            "the ranked people. Exit status 1 when nobody matched."
        ),
    )
    parser.add_argument("text", metavar="TEXT", help="what to look for (words in any order)")
    parser.add_argument(
        "--account", metavar="ACCOUNT", help="only this account (network name, code or ID prefix)"
    )
    parser.add_argument(
        "--sync", action="store_true", help="sync every enabled account from Desktop first"
    )
    parser.add_argument("--limit", type=positive_int, metavar="N", help="at most N people")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format")
    # SUPPRESS: ``beeper-tui --no-cache search …`` (the app's flag) counts too.
    parser.add_argument(
        "--no-cache",
        action="store_true",
        default=argparse.SUPPRESS,
        help="keep the book in memory only",
    )
    parser.add_argument("--base-url", metavar="URL", help="Beeper Desktop API URL")
    parser.add_argument("--token", metavar="TOKEN", help="access token (prefer the env var)")
    parser.add_argument("--demo", action="store_true", default=None, help="use the demo data")
    parser.add_argument("--config", metavar="PATH", type=Path, help="config file to use")
    parser.set_defaults(run=run)


def _clean(text: str | None) -> str:
    return clean_text(text, newlines=False) or ""


def render(people: Sequence[BookPerson], total: int, fmt: str, networks: dict[str, str]) -> str:
    """The output of ``search`` for ``people`` (of ``total`` matches) in ``fmt``."""
    lines: list[str] = []
    if fmt == "json":
        out = []
        for p in people:
            identities = []
            for c in p.contact.identities:
                u = c.user
                identities.append(
                    {
                        "accountID": c.account_id,
                        "network": networks.get(c.account_id, c.account_id),
                        "id": u.id,
                        "fullName": u.full_name,
                        "username": u.username,
                        "email": u.email,
                        "phoneNumber": u.phone_number,
                    }
                )
            out.append({"name": p.name, "inContacts": p.in_book, "identities": identities})
        return json.dumps(out, ensure_ascii=False, indent=2) + "\n"
    if fmt == "mutt":
        lines.append(f"beeper-tui: {total:,} {'person' if total == 1 else 'people'} found")
    for p in people:
        ids = p.contact.identities
        nets = ", ".join(dict.fromkeys(networks.get(c.account_id, c.account_id) for c in ids))
        emails = list(dict.fromkeys(_clean(c.user.email) for c in ids if c.user.email))
        name = _clean(p.name)
        if fmt == "mutt":
            lines.extend(f"{e}\t{name}\t{_clean(nets)}" for e in emails)
        elif fmt == "tsv":
            phones = dict.fromkeys(_clean(c.user.phone_number) for c in ids if c.user.phone_number)
            users = dict.fromkeys(_clean(c.user.username) for c in ids if c.user.username)
            cells = [name, ",".join(emails), ",".join(phones), ",".join(users), _clean(nets)]
            lines.append("\t".join(cells))
        else:
            extra = _clean(secondary_text(p.contact.user))
            lines.append("  ".join(x for x in (name, extra, f"({_clean(nets)})") if x))
    return "".join(f"{line}\n" for line in lines)


def _warn(text: str) -> None:
    print(f"{PROG}: warning: {text}", file=sys.stderr)


async def _open_book(
    path: Path | None, region: str | None, people: Path | None = None
) -> AddressBook:
    """The book at ``path``; one that cannot be used is named and an in-memory one used.

    ``people`` is the user's decisions file: people are shown as the user decided.
    """
    try:
        book = await AddressBook.open(path, region=region, people=people)
    except BookError as exc:
        _warn(f"{_clean(str(exc))}; searching without it")
        return await AddressBook.open(None, region=region, people=people)
    for notice in book.notices:
        _warn(_clean(notice))
    if book.people.error is not None:
        _warn(f"{_clean(str(book.people.error))}; your decisions about people are not applied")
    return book


def _named(networks: dict[str, str], account_id: str) -> str:
    return networks.get(account_id) or network_name(bare_account(account_id))


async def _search(args: argparse.Namespace, settings: Any, demo_app: ASGIApp | None) -> int:
    demo = settings.demo or demo_app is not None
    path = None if args.no_cache or demo else default_book_path()
    book = await _open_book(path, settings.phone_region, default_people_path(demo=demo))
    backend = open_backend(
        base_url=settings.base_url,
        access_token=settings.token,
        demo=demo,
        demo_app=demo_app,
        client_options=settings.client_options(),
    )
    try:
        chosen: list[str] | None = None  # None: every enabled account
        if args.account and book.directory:
            # The same resolver as online, over the accounts Desktop last listed.
            with contextlib.suppress(AccountMatchError):
                found = match_account(directory_accounts(book.directory), args.account)
                chosen = [found.account_id]
        need = args.sync or not book.directory or (args.account and chosen is None)
        need = need or bool(book.missing(chosen))
        failed: dict[str, str] = {}
        if need and not book.read_only:
            try:
                everyone = await backend.resolve_accounts(None)
                if args.account:
                    try:
                        scope = [match_account(everyone, args.account)]
                    except AccountMatchError as exc:
                        if exc.ambiguous:
                            raise
                        scope = await backend.resolve_accounts(args.account)
                    chosen = [a.account_id for a in scope]
                else:
                    scope = everyone
                await book.remember_accounts(directory_of(everyone))
                todo = scope if args.sync else [a for a in scope if not book.ready(a.account_id)]
                results = await book.syncer(backend.client).run(todo)
                failed = {a: _clean(str(e)) for a, e in results.items() if e is not None}
            except AccountMatchError as exc:
                print(f"{PROG}: error: {_clean(str(exc))}", file=sys.stderr)
                return 2
            except BeeperError as exc:
                if not book.account_ids:
                    print(f"{PROG}: error: {_clean(str(exc))}", file=sys.stderr)
                    return 1
                _warn(f"{_clean(str(exc))}; answering from the address book")
        if args.account and chosen is None:
            what = _clean(args.account)
            print(f"{PROG}: error: --account {what!r} is not in the address book", file=sys.stderr)
            return 2
        networks = book.network_names()
        for account_id, why in failed.items():
            _warn(f"{_named(networks, account_id)}: {why}")
        missing = book.missing(chosen)
        if missing:
            names = ", ".join(dict.fromkeys(_named(networks, a) for a in missing))
            _warn(f"book is missing {names}: run `beeper-tui search --sync TEXT`")
        result = book.search(args.text, chosen, args.limit)
        names_of = {a: _named(networks, a) for a in book.account_ids}
        _write(render(result.people, result.total, args.format, names_of))
        return 0 if result.total else 1
    except BeeperError as exc:
        print(f"{PROG}: error: {_clean(str(exc))}", file=sys.stderr)
        return 1
    finally:
        await backend.aclose()
        await book.close()


class _OutputError(Exception):
    """Standard output cannot take the results (closed, full, a broken pipe)."""


def _write(text: str) -> None:
    out = sys.stdout
    if out is None:  # started with stdout closed (``>&-``)
        raise _OutputError("standard output is closed")
    try:
        out.write(text)
        out.flush()
    except BrokenPipeError:
        raise _OutputError("the reader of the output went away (broken pipe)") from None
    except (OSError, ValueError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise _OutputError(f"cannot write the results: {why}") from None


def _silence_stdout() -> None:
    """Point the dead stdout at /dev/null so the exit's final flush fails no more."""
    with contextlib.suppress(Exception):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def run(args: argparse.Namespace, *, demo_app: ASGIApp | None = None) -> int:
    """Search as ``args`` say; returns the exit status."""
    secrets = argv_secrets(sys.argv[1:]) + [t for t in (args.token,) if t]
    try:
        settings = resolve_settings(
            {"base_url": args.base_url, "access_token": args.token, "demo": args.demo},
            config_path=args.config,
        )
    except ConfigError as exc:
        print(f"{PROG}: error: {scrub(str(exc), secrets)}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_search(args, settings, demo_app))
    except _OutputError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        _silence_stdout()
        return 1
    except BrokenPipeError:
        _silence_stdout()
        return 1
    except KeyboardInterrupt:
        return 130
