"""``beeper-tui accounts``: every chat account with its ID, network, status and user.

The IDs are what ``--account`` takes (a network name or a unique prefix works
too); this command is how a person finds them.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from beeper_tui.config import ConfigError, resolve_settings
from beeper_tui.service.names import best_name
from beeper_tui.service.networks import network_name, status_badge
from beeper_tui.service.text_hygiene import clean_text

from .common import add_shared_flags, command_secrets, scrub, takes

if TYPE_CHECKING:
    from beeper_tui.api.models import Account

__all__ = ["register", "run"]

PROG: Final = "beeper-tui accounts"


def register(commands: Any) -> None:
    """Add ``accounts`` to the command tree."""
    parser = commands.add_parser(
        "accounts",
        help="list the chat accounts (IDs for --account)",
        description="List every chat account: ID, network, status and the account's user. "
        "--account accepts an ID, a network name (whatsapp) or a unique prefix.",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output")
    dests = ("base_url", "token", "demo", "config")
    add_shared_flags(parser, dests, top=False)
    takes(parser, *dests)
    parser.set_defaults(run=run)


def _row(account: Account) -> dict[str, str]:
    return {
        "id": account.account_id,
        "network": network_name(account),
        "status": status_badge(account.status).label,
        "statusText": account.status_text or "",
        "user": best_name(account.user),
    }


def _text(rows: Sequence[dict[str, str]]) -> str:
    from rich.cells import cell_len

    columns = ("id", "network", "status", "user")
    # Server text is user-controlled: no escapes or line breaks reach the terminal.
    table = [[clean_text(r[c], newlines=False) or "" for c in columns] for r in rows]
    header = [c.upper() for c in columns]
    widths = [max(cell_len(line[i]) for line in [header, *table]) for i in range(len(columns))]

    def join(values: Sequence[str]) -> str:
        cells = (v + " " * (w - cell_len(v)) for v, w in zip(values, widths, strict=True))
        return "  ".join(cells).rstrip()

    return "\n".join(join(line) for line in [header, *table])


async def _accounts(settings: Any, demo: bool) -> list[Account]:
    from beeper_tui.wiring import open_backend

    backend = open_backend(
        base_url=settings.base_url,
        access_token=settings.token,
        page_size=settings.page_size,
        demo=demo,
        client_options=settings.client_options(),
    )
    try:
        return await backend.resolve_accounts(None)
    finally:
        await backend.aclose()


def run(args: argparse.Namespace) -> int:
    """List the accounts as ``args`` say; returns the exit status."""
    import asyncio  # loaded by the commands that use it, not to build the command tree

    secrets = command_secrets(args)

    def error(text: str) -> None:
        line = scrub(clean_text(text, newlines=False) or "", secrets)
        print(f"{PROG}: error: {line}", file=sys.stderr, flush=True)

    try:
        settings = resolve_settings(
            {"base_url": args.base_url, "access_token": args.token, "demo": args.demo or None},
            config_path=args.config,
        )
    except ConfigError as exc:
        error(str(exc))
        return 2
    if not settings.demo and not settings.token:
        error(
            "no access token: set BEEPER_ACCESS_TOKEN, pass --token, "
            "or save one from the app (or use --demo)"
        )
        return 2
    secrets.extend(s for s in (settings.token,) if s)
    from beeper_tui.api.errors import BeeperError

    try:
        accounts = asyncio.run(_accounts(settings, settings.demo))
    except BeeperError as exc:
        error(str(exc))
        return 1
    rows = [_row(a) for a in accounts]
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        print(_text(rows))
    return 0
