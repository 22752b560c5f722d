"""Command-line plumbing shared by every subcommand: the parser class, argument types."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NoReturn

from beeper_tui.api.redact import mask_secrets

if TYPE_CHECKING:
    from beeper_tui.config import Settings

__all__ = [
    "SHARED_FLAGS",
    "OneLineParser",
    "add_shared_flags",
    "argv_secrets",
    "command_secrets",
    "command_settings",
    "non_negative_int",
    "positive_int",
    "scrub",
    "silence_stdout",
    "takes",
]


def scrub(text: str, secrets: Sequence[str]) -> str:
    """``text`` with every secret replaced by ``***`` (whole tokens only, see ``mask_secrets``)."""
    return mask_secrets(text, secrets)


def argv_secrets(argv: Sequence[str]) -> list[str]:
    """Tokens the user gave (``--token``, ``BEEPER_ACCESS_TOKEN``): never to be echoed."""
    found = [v for v in (os.environ.get("BEEPER_ACCESS_TOKEN"),) if v]
    for i, arg in enumerate(argv):
        if arg == "--token" and i + 1 < len(argv):
            found.append(argv[i + 1])
        elif arg.startswith("--token="):
            found.append(arg.removeprefix("--token="))
    return found


def command_secrets(args: argparse.Namespace) -> list[str]:
    """What no message of a running command may echo: every token the user gave it."""
    import sys

    return argv_secrets(sys.argv[1:]) + [t for t in (getattr(args, "token", None),) if t]


class OneLineParser(argparse.ArgumentParser):
    """Prints one line naming the problem (no usage dump), never a token, and exits 2."""

    def __init__(self, *args: Any, secrets: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.secrets = secrets
        self.commands: Mapping[str, argparse.ArgumentParser] = {}
        """The subcommands' parsers, by name (the top-level parser only)."""
        self.options: Mapping[str, str] = {}
        """The app's options, dest → flag (the top-level parser only)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {scrub(message, self.secrets)}\n")


def non_negative_int(text: str) -> int:
    """argparse type: a whole number >= 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {text}")
    return value


def desktop_version(text: str) -> str:
    """argparse type: a Beeper Desktop build the demo can play (``4.2.700``)."""
    from beeper_tui.demo.generations import DesktopVersion

    try:
        DesktopVersion.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def positive_int(text: str) -> int:
    """argparse type: a whole number >= 1."""
    value = non_negative_int(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


SHARED_FLAGS: Final[dict[str, tuple[str, dict[str, Any]]]] = {
    # dest: (flag, argparse keywords)
    "base_url": ("--base-url", {"metavar": "URL", "help": "Beeper Desktop API URL"}),
    "token": ("--token", {"metavar": "TOKEN", "help": "access token (prefer the env var)"}),
    "demo": ("--demo", {"action": "store_true", "help": "use the embedded demo data"}),
    "config": ("--config", {"metavar": "PATH", "type": Path, "help": "config file to use"}),
    "no_cache": (
        "--no-cache",
        {"action": "store_true", "help": "keep the address book in memory only"},
    ),
}
"""Options that mean the same before and after a subcommand (``beeper-tui --demo search x``
is ``beeper-tui search --demo x``)."""


def add_shared_flags(parser: argparse.ArgumentParser, dests: Iterable[str], *, top: bool) -> None:
    """Add the :data:`SHARED_FLAGS` named by ``dests`` to ``parser``.

    On the top-level parser they default to None (a switch to False); on a
    command's parser their default is suppressed, so one given before the
    command is kept unless the command's own copy is given too (argparse lets a
    subparser's defaults win).
    """
    for dest in dests:
        flag, options = SHARED_FLAGS[dest]
        switch = options.get("action") == "store_true"
        default = (False if switch else None) if top else argparse.SUPPRESS
        parser.add_argument(flag, dest=dest, default=default, **options)


def takes(parser: argparse.ArgumentParser, *dests: str) -> None:
    """Say which of the top-level parser's options the command ``parser`` honours.

    Any other top-level option given before the command is an error, never
    silently ignored (``beeper-tui --page-size 5 search x``).
    """
    parser.set_defaults(takes=frozenset(dests))


def command_settings(args: argparse.Namespace, prog: str, secrets: list[str]) -> Settings | None:
    """The settings a command runs with: its shared options > environment > config file.

    None after one line on stderr naming what is wrong (the caller exits 2);
    ``secrets`` gains the token in use, so no later message can echo it.
    """
    import sys

    from beeper_tui.config import ConfigError, resolve_settings
    from beeper_tui.service.text_hygiene import clean_text

    flags = {"base_url": args.base_url, "access_token": args.token}
    if "demo" in getattr(args, "takes", ()):
        flags["demo"] = args.demo or None
    try:
        settings = resolve_settings(flags, config_path=args.config)
    except ConfigError as exc:
        line = scrub(clean_text(str(exc), newlines=False) or "", secrets)
        print(f"{prog}: error: {line}", file=sys.stderr, flush=True)
        return None
    secrets.extend(s for s in (settings.token,) if s)
    return settings


def silence_stdout() -> None:
    """Point a dead stdout (a closed pipe) at /dev/null, so the exit's final flush fails no
    more: the reader went away, nothing is left to say."""
    import contextlib
    import sys

    with contextlib.suppress(Exception):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
