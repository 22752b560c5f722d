"""``beeper-tui doctor``: one screenful that says what is wrong and how to fix it.

Desktop found where, which build, where the token comes from and whether it
works, whether sensitive actions are allowed, each account's status, the
address book, the cache directory's permissions and the terminal's graphics.
``--format json`` is the same for a bug report. The token is never printed.
"""

from __future__ import annotations

import argparse
from typing import Any, Final

from .common import add_shared_flags, command_secrets, command_settings, scrub, takes

__all__ = ["register", "run"]

PROG: Final = "beeper-tui doctor"


def register(commands: Any) -> None:
    """Add ``doctor`` to the command tree."""
    parser = commands.add_parser(
        "doctor",
        help="say what is wrong and how to fix it (paste it into bug reports)",
        description="Check Beeper Desktop, the token, the accounts, the address book, the "
        "cache directory and the terminal, and say how to fix what is wrong.",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output")
    dests = ("base_url", "token", "demo", "config")
    add_shared_flags(parser, dests, top=False)
    takes(parser, *dests)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the report; exit 0 when nothing is wrong, 1 when something is."""
    import asyncio
    import json

    from .doctor_report import gather, render

    secrets = command_secrets(args)
    settings = command_settings(args, PROG, secrets)
    if settings is None:
        return 2
    report = asyncio.run(gather(settings))
    if args.format == "json":
        text = json.dumps(report.as_json(), ensure_ascii=False, indent=2)
    else:
        text = render(report)
    print(scrub(text, secrets))
    return 1 if report.problems else 0
