"""``beeper-tui search TEXT``: ranked people from the address book, for pipelines and mail clients.

With no book yet (or ``--no-cache``) the enabled accounts are synced first.
``--format mutt`` prints what mutt's and aerc's ``query_command`` read: one
status line, then ``email<TAB>name<TAB>networks`` per address.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from beeper_tui.api.errors import BeeperError
from beeper_tui.book_path import default_book_path
from beeper_tui.config import ConfigError, resolve_settings
from beeper_tui.service.book import AddressBook, BookPerson
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
    parser.add_argument("--account", metavar="ID", help="only this account")
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


async def _search(args: argparse.Namespace, settings: Any, demo_app: ASGIApp | None) -> int:
    demo = settings.demo or demo_app is not None
    path = None if args.no_cache or demo else default_book_path()
    book = await AddressBook.open(path, region=settings.phone_region)
    backend = open_backend(
        base_url=settings.base_url,
        access_token=settings.token,
        demo=demo,
        demo_app=demo_app,
        client_options=settings.client_options(),
    )
    try:
        wanted = [args.account] if args.account else list(book.account_ids)
        networks: dict[str, str] = {}
        if not wanted or not all(book.ready(a) for a in wanted):
            accounts = await backend.resolve_accounts(args.account)
            networks = {a.account_id: network_name(a) for a in accounts}
            results = await book.syncer(backend.client).run(accounts)
            for account_id, error in results.items():
                if error is not None:
                    print(f"{PROG}: warning: {account_id}: {_clean(str(error))}", file=sys.stderr)
        ids = [args.account] if args.account else None
        result = book.search(args.text, ids, args.limit)
        sys.stdout.write(render(result.people, result.total, args.format, networks))
        sys.stdout.flush()
        return 0 if result.total else 1
    except BeeperError as exc:
        print(f"{PROG}: error: {_clean(str(exc))}", file=sys.stderr)
        return 1
    finally:
        await backend.aclose()
        await book.close()


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
    except BrokenPipeError:
        return 1
    except KeyboardInterrupt:
        return 130
