"""The command line: one argparse tree, the only place with argv and exit codes.

``beeper-tui`` with no command opens the app; each subcommand lives in its own
module (``*_command.py``) and adds itself to the tree with ``register``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from . import accounts_command, app_command, demo_server_command, export_command
from .common import OneLineParser, argv_secrets

__all__ = ["build_parser", "main"]

_ENVIRONMENT = """\
environment:
  BEEPER_ACCESS_TOKEN   access token for Beeper Desktop's API
  BEEPER_BASE_URL       API base URL (BEEPER_DESKTOP_BASE_URL is accepted too)

precedence: flags > environment > config file > defaults.
"""


def build_parser(secrets: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The whole command tree (``beeper-tui --help``, ``beeper-tui COMMAND --help``)."""
    parser = OneLineParser(
        prog="beeper-tui",
        description="A fast, keyboard-first terminal contact browser for Beeper Desktop.",
        epilog=_ENVIRONMENT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        secrets=secrets,
    )
    app_command.add_arguments(parser)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", dest="command")
    # Subparsers are built by the parent's class: pass the secrets on.
    commands.add_parser = _with_secrets(commands.add_parser, secrets)  # type: ignore[method-assign]
    export_command.register(commands)
    accounts_command.register(commands)
    demo_server_command.register(commands)
    return parser


def _with_secrets(add_parser: Callable[..., Any], secrets: Sequence[str]) -> Callable[..., Any]:
    def add(name: str, **kwargs: Any) -> Any:
        kwargs.setdefault("secrets", secrets)
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        return add_parser(name, **kwargs)

    return add


def parse(argv: Sequence[str]) -> argparse.Namespace | int:
    """Parsed arguments, or the exit status when parsing ended the command (help, error)."""
    parser = build_parser(argv_secrets(argv))
    try:
        args, extra = parser.parse_known_args(list(argv))
        if extra:
            # Report on the parser of the command they were given to, not the top one.
            commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
            owner = commands.choices.get(args.command, parser) if args.command else parser
            owner.error(f"unrecognized arguments: {' '.join(extra)}")
        return args
    except SystemExit as exc:  # --help, --version, or a bad argument (already reported)
        return exc.code if isinstance(exc.code, int) else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``beeper-tui`` command; returns the exit status."""
    args = parse(sys.argv[1:] if argv is None else argv)
    if isinstance(args, int):
        return args
    run: Callable[[argparse.Namespace], int] = args.run
    return run(args)
