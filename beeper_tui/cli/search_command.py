"""``beeper-tui search TEXT``: ranked people from the address book, for pipelines and mail clients.

Run on every address completion (``--format mutt``), so it answers from the
book and never waits on the network when a book exists: the book is read in
this thread (no event loop, no HTTP client, no pydantic), and what it lacks
is said on stderr ("book is missing Slack", "last synced 3 h ago"), with the
command that fixes it. Only a missing or empty book, ``--sync``, ``--no-cache``
or the demo go to Desktop first (``beeper-tui sync`` keeps the book fresh).
``--format mutt`` prints what mutt's and aerc's ``query_command`` read: one
status line, then ``email<TAB>name<TAB>networks`` per address.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from .common import (
    add_shared_flags,
    command_secrets,
    command_settings,
    positive_int,
    silence_stdout,
    takes,
)

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from beeper_tui.config import Settings
    from beeper_tui.service.book import AddressBook, BookPerson
    from beeper_tui.service.book.contents import BookContents

__all__ = ["FORMATS", "register", "render", "run"]

PROG: Final = "beeper-tui search"
FORMATS: Final = ("text", "tsv", "json", "mutt")
SYNC_HINT: Final = "run `beeper-tui sync`"


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``search`` to the command tree."""
    parser = commands.add_parser(
        "search",
        help="print the ranked people of the address book matching TEXT",
        description=(
            "Search the local address book and print the ranked people; the book is "
            "synced first only when there is none (or with --sync). "
            "Exit status 1 when nobody matched."
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
    dests = ("base_url", "token", "demo", "config", "no_cache")
    add_shared_flags(parser, dests, top=False)
    takes(parser, *dests)
    parser.set_defaults(run=run)


def _clean(text: str | None) -> str:
    from beeper_tui.service.text_hygiene import clean_text

    return clean_text(text, newlines=False) or ""


def render(people: Sequence[BookPerson], total: int, fmt: str, networks: Mapping[str, str]) -> str:
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
            from beeper_tui.service.names import secondary_text

            extra = _clean(secondary_text(p.contact.user))
            lines.append("  ".join(x for x in (name, extra, f"({_clean(nets)})") if x))
    return "".join(f"{line}\n" for line in lines)


def _warn(text: str) -> None:
    print(f"{PROG}: warning: {text}", file=sys.stderr)


def _error(text: str) -> None:
    print(f"{PROG}: error: {text}", file=sys.stderr)


def _names(contents: BookContents) -> dict[str, str]:
    """Account ID → network name: as Desktop last named it, else as the ID says."""
    from beeper_tui.service.networks import network_of_account_id

    known = contents.network_names()
    ids = {*contents.account_ids, *known}
    return {a: known.get(a) or network_of_account_id(a) for a in ids}


def _ago(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 120:
        return f"{minutes} min"
    hours = minutes // 60
    return f"{hours} h" if hours < 48 else f"{hours // 24} days"


def _answer(
    args: argparse.Namespace,
    contents: BookContents,
    settings: Settings,
    *,
    rebuild: Callable[[], BookContents] | None = None,
) -> int:
    """Search ``contents`` and print the answer, with what the book lacks on stderr.

    ``rebuild``: contents with the index built from the contacts, for when a
    lazily read saved index proves damaged while the query reads it.
    """
    chosen: list[str] | None = None  # None: every account
    names = _names(contents)
    if args.account:
        from beeper_tui.service.accounts import AccountMatchError, match_account
        from beeper_tui.service.book.store import DirectoryEntry
        from beeper_tui.service.book.sync import directory_accounts

        # The accounts Desktop last listed; a book that never saw the list names its own.
        entries = list(contents.directory.values()) or [
            DirectoryEntry(a, names[a], True) for a in contents.account_ids
        ]
        try:
            chosen = [match_account(directory_accounts(entries), args.account).account_id]
        except AccountMatchError as exc:
            _error(f"{_clean(str(exc))} ({SYNC_HINT} if it is new)")
            return 2
    from beeper_tui.service.book.snapshot import SnapshotError

    try:
        result = contents.search(args.text, chosen, args.limit)
        text = render(result.people, result.total, args.format, names)
    except SnapshotError:
        if rebuild is None:
            raise
        result = rebuild().search(args.text, chosen, args.limit)
        text = render(result.people, result.total, args.format, names)
    missing = contents.missing(chosen)
    if missing:
        listed = ", ".join(dict.fromkeys(names.get(a, a) for a in missing))
        _warn(f"book is missing {listed}: {SYNC_HINT}")
    oldest = contents.oldest_sync()
    if settings.sync_minutes and oldest is not None:
        age = time.time() - oldest.timestamp()
        if age > settings.sync_minutes * 60:
            _warn(f"the address book was last synced {_ago(age)} ago: {SYNC_HINT}")
    _write(text)
    return 0 if result.total else 1


def _from_book(args: argparse.Namespace, settings: Settings, path: Path) -> int | None:
    """Answer from the book at ``path`` without the network; None when it has nobody yet."""
    if not path.exists():
        return None
    from beeper_tui.book_path import default_people_path
    from beeper_tui.service.book.contents import read_book, rebuilt
    from beeper_tui.service.book.store import BookError

    try:
        people = default_people_path()
        read = read_book(path, region=settings.phone_region, people=people, lazy=True)
    except BookError as exc:
        _warn(f"{_clean(str(exc))}; searching without it")
        return None
    try:
        for notice in read.store.notices:
            _warn(_clean(notice))
        _warn_people(read.people.error)
        if not read.contents.account_ids:
            return None  # an empty book: the first sync fills it
        return _answer(args, read.contents, settings, rebuild=lambda: rebuilt(read))
    finally:
        read.store.close()


def _warn_people(error: Exception | None) -> None:
    if error is not None:
        _warn(f"{_clean(str(error))}; your decisions about people are not applied")


async def _open_book(path: Path | None, region: str | None, people: Path) -> AddressBook:
    """The book at ``path``; one that cannot be used is named and an in-memory one used.

    ``people`` is the user's decisions file: people are shown as the user decided.
    """
    from beeper_tui.service.book import AddressBook, BookError

    try:
        book = await AddressBook.open(path, region=region, people=people)
    except BookError as exc:
        _warn(f"{_clean(str(exc))}; searching without it")
        return await AddressBook.open(None, region=region, people=people)
    for notice in book.notices:
        _warn(_clean(notice))
    _warn_people(book.people.error)
    return book


async def _sync_then_answer(
    args: argparse.Namespace, settings: Settings, path: Path | None, demo_app: ASGIApp | None
) -> int:
    """The book synced from Desktop first (no book yet, ``--sync``, in memory), then searched."""
    from beeper_tui.api.errors import BeeperError
    from beeper_tui.book_path import default_people_path
    from beeper_tui.service.accounts import AccountMatchError
    from beeper_tui.wiring import open_backend

    from .book_sync import sync_book

    demo = settings.demo or demo_app is not None
    book = await _open_book(path, settings.phone_region, default_people_path(demo=demo))
    backend = open_backend(
        base_url=settings.base_url,
        access_token=settings.token,
        demo=demo,
        demo_app=demo_app,
        client_options=settings.client_options(),
    )
    try:
        if not book.read_only:
            try:
                outcome = await sync_book(book, backend, args.account, every=args.sync)
            except AccountMatchError as exc:
                _error(_clean(str(exc)))
                return 2
            except BeeperError as exc:
                if not book.account_ids:
                    _error(_clean(str(exc)))
                    return 1
                _warn(f"{_clean(str(exc))}; answering from the address book")
            else:
                for account_id, why in outcome.failed.items():
                    _warn(f"{outcome.names.get(account_id, account_id)}: {_clean(why)}")
        return _answer(args, book.contents, settings)
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


def run(args: argparse.Namespace, *, demo_app: ASGIApp | None = None) -> int:
    """Search as ``args`` say; returns the exit status."""
    from beeper_tui.book_path import default_book_path

    secrets = command_secrets(args)
    settings = command_settings(args, PROG, secrets)
    if settings is None:
        return 2
    in_memory = bool(args.no_cache) or settings.demo or demo_app is not None
    path = None if in_memory else default_book_path()
    try:
        if path is not None and not args.sync:
            answered = _from_book(args, settings, path)
            if answered is not None:
                return answered
        import asyncio

        return asyncio.run(_sync_then_answer(args, settings, path, demo_app))
    except _OutputError as exc:
        _error(str(exc))
        silence_stdout()
        return 1
    except BrokenPipeError:
        silence_stdout()
        return 1
    except KeyboardInterrupt:
        return 130
