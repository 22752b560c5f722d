"""The command line: one argparse tree, the only place with argv and exit codes.

``beeper-tui`` with no command opens the app; each subcommand lives in its own
module (``*_command.py``) and adds itself to the tree with ``register``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from . import (
    accounts_command,
    app_command,
    cache_command,
    completion_command,
    demo_server_command,
    doctor_command,
    export_command,
    login_command,
    messages_command,
    people_command,
    search_command,
    sync_command,
)
from .common import OneLineParser, argv_secrets

__all__ = ["build_parser", "main"]

_ENVIRONMENT = """\
environment:
  BEEPER_ACCESS_TOKEN   access token for Beeper Desktop's API
  BEEPER_BASE_URL       API base URL (BEEPER_DESKTOP_BASE_URL is accepted too)

precedence: flags > environment > config file > defaults.
"""


def build_parser(secrets: Sequence[str] = ()) -> OneLineParser:
    """The whole command tree (``beeper-tui --help``, ``beeper-tui COMMAND --help``)."""
    parser = OneLineParser(
        prog="beeper-tui",
        description="A fast, keyboard-first terminal contact browser for Beeper Desktop.",
        epilog=_ENVIRONMENT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        secrets=secrets,
    )
    parser.options = app_command.add_arguments(parser)

    class CommandParser(OneLineParser):
        """A command's parser: it hides the same secrets and keeps its help's layout."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("secrets", secrets)
            kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
            super().__init__(*args, **kwargs)

    commands = parser.add_subparsers(
        title="commands", metavar="COMMAND", dest="command", parser_class=CommandParser
    )
    parser.commands = commands.choices
    export_command.register(commands)
    search_command.register(commands)
    sync_command.register(commands)
    cache_command.register(commands)
    accounts_command.register(commands)
    demo_server_command.register(commands)
    login_command.register(commands)
    messages_command.register(commands)
    doctor_command.register(commands)
    completion_command.register(commands)
    # The completion script is generated from this very tree.
    commands.choices["completion"].set_defaults(root_parser=parser)
    people_command.register(commands)
    return parser


def parse(argv: Sequence[str]) -> argparse.Namespace | int:
    """Parsed arguments, or the exit status when parsing ended the command (help, error)."""
    parser = build_parser(argv_secrets(argv))
    try:
        args, extra = parser.parse_known_args(list(argv))
        # Report on the parser of the command they were given to, not the top one.
        owner = parser.commands.get(args.command, parser) if args.command else parser
        if extra:
            owner.error(f"unrecognized arguments: {' '.join(extra)}")
        misplaced = _misplaced(parser, args)
        if misplaced:
            owner.error(f"{misplaced} does not apply to '{args.command}'")
        return args
    except SystemExit as exc:  # --help, --version, or a bad argument (already reported)
        return exc.code if isinstance(exc.code, int) else 0


def _misplaced(parser: OneLineParser, args: argparse.Namespace) -> str | None:
    """The first option given before a command that the command does not honour, if any.

    The top-level parser holds the app's options; a command says which of them it
    takes (:func:`~.common.takes`). Any other one, given, would be silently
    ignored: it is an error instead.
    """
    if not args.command:
        return None
    honoured: frozenset[str] = getattr(args, "takes", frozenset())
    for dest, flag in parser.options.items():
        if dest not in honoured and getattr(args, dest, None) not in (None, False):
            return flag
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``beeper-tui`` command; returns the exit status."""
    args = parse(sys.argv[1:] if argv is None else argv)
    if isinstance(args, int):
        return args
    run: Callable[[argparse.Namespace], int] = args.run
    return run(args)
