"""The command line: one argparse tree, the only place with argv and exit codes.

``beeper-tui`` with no command opens the app; each subcommand lives in its own
module (``*_command.py``) and adds itself to the tree with ``register``. A command
line that names a command builds only that command's branch of the tree (``search``
runs on every address completion: it imports no other command), and one with no
command at all (the app) builds none; help, completion and a command line that
does not parse build it whole.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from typing import Any, Final

from . import app_command
from .common import OneLineParser, argv_secrets, silence_stdout

__all__ = ["COMMANDS", "NO_COMMAND", "build_parser", "main"]

COMMANDS: Final = {
    "export": "export_command",
    "search": "search_command",
    "sync": "sync_command",
    "cache": "cache_command",
    "accounts": "accounts_command",
    "demo-server": "demo_server_command",
    "login": "login_command",
    "logout": "login_command",
    "messages": "messages_command",
    "doctor": "doctor_command",
    "completion": "completion_command",
    "people": "people_command",
}
"""Each command's module, in the order ``--help`` lists them (one module may add several)."""

NO_COMMAND: Final = ""
"""What :func:`build_parser`'s ``only`` is for a command line that names no command (the app):
no command's branch is built, so opening the app imports none of them."""

_ENVIRONMENT = """\
environment:
  BEEPER_ACCESS_TOKEN   access token for Beeper Desktop's API
  BEEPER_BASE_URL       API base URL (BEEPER_DESKTOP_BASE_URL is accepted too)

precedence: flags > environment > config file > defaults.
"""


def build_parser(secrets: Sequence[str] = (), *, only: str | None = None) -> OneLineParser:
    """The command tree (``beeper-tui --help``, ``beeper-tui COMMAND --help``).

    ``only`` names the one command whose branch is built (None: every command;
    :data:`NO_COMMAND`: none).
    """
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
    if only is None:
        wanted = list(dict.fromkeys(COMMANDS.values()))
    else:
        wanted = [COMMANDS[only]] if only != NO_COMMAND else []
    for name in wanted:
        importlib.import_module(f"{__name__}.{name}").register(commands)
    if "completion" in commands.choices:
        # The completion script is generated from this very tree.
        commands.choices["completion"].set_defaults(root_parser=parser)
    return parser


class _Unsure(Exception):
    """The command line is not one a partial tree can be trusted with."""


class _Probe(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        raise _Unsure(message)


def _command_of(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names, read past the app's own options and their values.

    :data:`NO_COMMAND` when there is none (the app). None when help or the
    version is asked for, when the command is ``completion`` (made from the
    whole tree) or unknown, or when the options before it do not parse: the
    whole tree then answers, errors and all.
    """
    for arg in argv:
        if arg in ("-h", "--help", "--version"):
            return None
        if not arg.startswith("-"):
            break
    probe = _Probe(add_help=False)
    app_command.add_arguments(probe)
    probe.add_argument("command", nargs="?")
    probe.add_argument("rest", nargs=argparse.REMAINDER)
    try:
        found = probe.parse_args(list(argv))
    except _Unsure:
        return None
    command: str | None = found.command
    if command is None and not found.rest:
        return NO_COMMAND
    return command if command in COMMANDS and command != "completion" else None


def parse(argv: Sequence[str]) -> argparse.Namespace | int:
    """Parsed arguments, or the exit status when parsing ended the command (help, error)."""
    parser = build_parser(argv_secrets(argv), only=_command_of(argv))
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
    try:
        return run(args)
    except BrokenPipeError:  # the reader went away (``| head``): no traceback for that
        silence_stdout()
        return 1
