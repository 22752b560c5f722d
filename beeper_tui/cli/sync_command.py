"""``beeper-tui sync``: fill the address book from Desktop, for cron or a systemd timer.

Every enabled account is synced again (or the one ``--account`` names). On a
terminal, progress is redrawn on stderr ("Syncing Slack 4,200 / 20,000");
otherwise the command is quiet unless something fails. Exit status: 0 when
every account synced, 1 when one failed or Desktop could not be asked, 2 for
a usage or settings problem.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, Final

from .common import add_shared_flags, command_secrets, command_settings, takes

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from beeper_tui.config import Settings
    from beeper_tui.service.book import SyncProgress

__all__ = ["register", "run"]

PROG: Final = "beeper-tui sync"


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``sync`` to the command tree."""
    parser = commands.add_parser(
        "sync",
        help="sync the address book from Beeper Desktop (for cron or a timer)",
        description=(
            "Sync every enabled account's contacts into the address book (the one "
            "`beeper-tui search` answers from). Progress on a terminal, quiet otherwise. "
            "Exit status 1 when an account failed or Desktop could not be reached."
        ),
    )
    parser.add_argument(
        "--account", metavar="ACCOUNT", help="only this account (network name, code or ID prefix)"
    )
    dests = ("base_url", "token", "config")
    add_shared_flags(parser, dests, top=False)
    takes(parser, *dests)
    parser.set_defaults(run=run)


class _Progress:
    """One line on a terminal's stderr, redrawn as accounts report ("Syncing Slack 4,200")."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names
        self.shown = False

    def __call__(self, progress: SyncProgress) -> None:
        name = self.names.get(progress.account_id, progress.account_id)
        total = f" / {progress.expected:,}" if progress.expected else ""
        state = "done" if progress.done else "…"
        line = f"Syncing {name} {progress.fetched:,}{total} {state}"
        sys.stderr.write(f"\r\x1b[2K{line}")
        sys.stderr.flush()
        self.shown = True

    def end(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[2K")
            sys.stderr.flush()


async def _sync(args: argparse.Namespace, settings: Settings, demo_app: ASGIApp | None) -> int:
    from beeper_tui.api.errors import BeeperError
    from beeper_tui.book_path import default_book_path
    from beeper_tui.service.accounts import AccountMatchError
    from beeper_tui.service.book import AddressBook
    from beeper_tui.service.text_hygiene import clean_text
    from beeper_tui.wiring import open_backend

    from .book_sync import sync_book

    def say(kind: str, text: str) -> None:
        print(f"{PROG}: {kind}: {clean_text(text, newlines=False) or ''}", file=sys.stderr)

    try:
        book = await AddressBook.open(default_book_path(), region=settings.phone_region)
    except BeeperError as exc:  # refused, busy, unreadable: nothing to sync into
        say("error", str(exc))
        return 1
    backend = open_backend(
        base_url=settings.base_url,
        access_token=settings.token,
        demo_app=demo_app,
        client_options=settings.client_options(),
    )
    progress = _Progress(book.network_names()) if sys.stderr.isatty() else None
    try:
        for notice in book.notices:
            say("warning", notice)
        if book.read_only:
            say("error", "the address book can only be read: nothing synced")
            return 1
        try:
            outcome = await sync_book(book, backend, args.account, every=True, observer=progress)
        except AccountMatchError as exc:
            say("error", str(exc))
            return 2
        except BeeperError as exc:
            say("error", str(exc))
            return 1
        finally:
            if progress is not None:
                progress.end()
        for account_id, why in outcome.failed.items():
            say("error", f"{outcome.names.get(account_id, account_id)}: {why}")
        if sys.stderr.isatty():
            synced = ", ".join(outcome.names.get(a, a) for a in outcome.synced) or "nothing"
            print(f"{PROG}: synced {synced}", file=sys.stderr)
        return 1 if outcome.failed else 0
    finally:
        await backend.aclose()
        await book.close()


def run(args: argparse.Namespace, *, demo_app: ASGIApp | None = None) -> int:
    """Sync as ``args`` say; returns the exit status."""
    import asyncio

    secrets = command_secrets(args)
    settings = command_settings(args, PROG, secrets)
    if settings is None:
        return 2
    try:
        return asyncio.run(_sync(args, settings, demo_app))
    except KeyboardInterrupt:
        return 130
