"""``beeper-tui messages NAME``: the recent conversation with the best-matching person, for scripts.

The person is the first of the address book's ranking for NAME (the book is
synced first when there is none); the messages are their last ones across
every network they are on, newest first. Heavy modules are imported in
:func:`run`: listing the commands must not pay for them.
"""

from __future__ import annotations

import argparse
from typing import Any

from .common import add_shared_flags, command_secrets, command_settings, takes

__all__ = ["FORMATS", "register", "run"]

PROG = "beeper-tui messages"
FORMATS = ("text", "json")
MAX_MESSAGES = 200


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= MAX_MESSAGES:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_MESSAGES}, got {value}")
    return value


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``messages`` to the command tree."""
    parser = commands.add_parser(
        "messages",
        help="print the recent conversation with the person best matching NAME",
        description=(
            "Find the person best matching NAME in the address book (synced first when "
            "there is none) and print your last messages with them on every network, "
            "newest first. Exit status 1 when nobody matched."
        ),
    )
    parser.add_argument("name", metavar="NAME", help="who (words in any order)")
    parser.add_argument(
        "--limit", type=_limit, default=10, metavar="N", help="at most N messages (default 10)"
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format")
    parser.add_argument(
        "--no-cache",
        action="store_true",
        default=argparse.SUPPRESS,
        help="keep the book in memory only",
    )
    dests = ("base_url", "token", "demo", "config")
    add_shared_flags(parser, dests, top=False)
    takes(parser, *dests)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, *, demo_app: Any = None) -> int:
    """Print the conversation as ``args`` say; returns the exit status."""
    import asyncio

    secrets = command_secrets(args)
    settings = command_settings(args, PROG, secrets)
    if settings is None:
        return 2
    try:
        return asyncio.run(_messages(args, settings, demo_app))
    except BrokenPipeError:
        return 1
    except KeyboardInterrupt:
        return 130


async def _messages(args: argparse.Namespace, settings: Any, demo_app: Any) -> int:
    import sys

    from beeper_tui.api.errors import BeeperError
    from beeper_tui.book_path import default_book_path
    from beeper_tui.service.book import AddressBook
    from beeper_tui.service.conversation import load_conversation
    from beeper_tui.service.export.formats import clean_text
    from beeper_tui.wiring import open_backend

    def plain(text: str | None) -> str:
        return clean_text(text, newlines=False) or ""

    demo = bool(settings.demo) or demo_app is not None
    no_cache = getattr(args, "no_cache", False)
    path = None if no_cache or demo else default_book_path()
    book = await AddressBook.open(path, region=settings.phone_region)
    backend = open_backend(
        base_url=settings.base_url,
        access_token=settings.token,
        demo=demo,
        demo_app=demo_app,
        client_options=settings.client_options(),
    )
    try:
        wanted = list(book.account_ids)
        if not wanted or not all(book.ready(a) for a in wanted):
            accounts = await backend.resolve_accounts(None)
            results = await book.syncer(backend.client).run(accounts)
            for account_id, error in results.items():
                if error is not None:
                    print(f"{PROG}: warning: {account_id}: {plain(str(error))}", file=sys.stderr)
        else:
            await backend.accounts.refresh()
        result = book.search(args.name, None, 1)
        if not result.people:
            print(f"{PROG}: nobody matches {plain(args.name)!r}", file=sys.stderr)
            return 1
        person = result.people[0]
        chats = await backend.chats_with(person.contact)
        conversation = await load_conversation(
            backend.client, person.contact, chats, limit=args.limit
        )
        while len(conversation.lines) < args.limit and conversation.has_more:
            more = await load_conversation(
                backend.client,
                person.contact,
                chats,
                limit=args.limit - len(conversation.lines),
                before=conversation,
            )
            if len(more.lines) == len(conversation.lines):
                break
            conversation = more
        lines = conversation.lines[: args.limit]
        now = backend.now()
        if args.format == "json":
            import json

            from beeper_tui.service.text_hygiene import escape_invisible

            talked = conversation.last_talked
            out: dict[str, Any] = {
                "name": person.name,
                "lastTalked": None
                if talked is None
                else {"timestamp": talked.when.isoformat(), "network": talked.network},
                "messages": [
                    {
                        "id": line.id,
                        "chatID": line.chat_id,
                        "network": line.network,
                        "sender": line.sender,
                        "fromMe": line.from_me,
                        "timestamp": line.message.timestamp,
                        "text": line.preview,
                    }
                    for line in lines
                ],
            }
            talked = conversation.last_talked
            if talked is not None:
                out["lastTalked"] = {
                    "timestamp": talked.when.isoformat(),
                    "network": talked.network,
                }
            sys.stdout.write(escape_invisible(json.dumps(out, ensure_ascii=False, indent=2)) + "\n")
        else:
            talked = conversation.last_talked
            header = plain(person.name)
            if talked is not None:
                header += f" — {talked.describe(now)}"
            sys.stdout.write(header + "\n")
            if not lines:
                sys.stdout.write("(no messages)\n")
            for line in lines:
                when = line.when.astimezone().strftime("%Y-%m-%d %H:%M") if line.when else "?"
                sys.stdout.write(
                    f"{when}  {plain(line.network)}  {plain(line.sender)}: {plain(line.preview)}\n"
                )
        sys.stdout.flush()
        return 0
    except BeeperError as exc:
        print(f"{PROG}: error: {plain(str(exc))}", file=sys.stderr)
        return 1
    finally:
        await backend.aclose()
        await book.close()
