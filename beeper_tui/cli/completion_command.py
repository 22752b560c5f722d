"""``beeper-tui completion bash|zsh|fish``: shell completion generated from the argparse tree.

The script comes from ``shtab`` reading the one parser, so it never drifts
from the commands. ``--account`` completes account IDs and network names
from the address book (``beeper-tui completion --account-words``): a local
file, quick, and never a request to Desktop.
"""

from __future__ import annotations

import argparse
from typing import Any, Final

__all__ = ["SHELLS", "register", "run"]

SHELLS: Final = ("bash", "zsh", "fish")
_ACCOUNT_WORDS: Final = "beeper-tui completion --account-words 2>/dev/null"


def register(commands: Any) -> None:
    """Add ``completion`` to the command tree."""
    parser = commands.add_parser(
        "completion",
        help="print a shell completion script (bash, zsh, fish)",
        description="Print the completion script for SHELL. bash: "
        'eval "$(beeper-tui completion bash)" in ~/.bashrc; zsh: beeper-tui completion zsh '
        "> ~/.zfunc/_beeper-tui; fish: beeper-tui completion fish > "
        "~/.config/fish/completions/beeper-tui.fish.",
    )
    parser.add_argument("shell", nargs="?", choices=SHELLS, help="the shell")
    parser.add_argument(
        "--account-words",
        action="store_true",
        help="print the account IDs and network names --account completes, one a line",
    )
    parser.set_defaults(run=run)


def account_words() -> list[str]:
    """Account IDs and network names from the address book; nothing when there is none."""
    from beeper_tui.book_path import default_book_path
    from beeper_tui.service.accounts import bare_account
    from beeper_tui.service.book import BookStore
    from beeper_tui.service.networks import network_name

    path = default_book_path()
    if not path.exists():
        return []
    store = BookStore(path)
    try:
        ids = [meta.account_id for meta in store.accounts()]
    finally:
        store.close()
    names = {network_name(bare_account(i)).casefold().replace(" ", "-") for i in ids}
    return sorted(set(ids) | {n for n in names if n not in ids})


def script(parser: argparse.ArgumentParser, shell: str) -> str:
    """The completion script of ``parser`` for ``shell``, ``--account`` completing accounts."""
    import shtab

    words = shtab.cmd(_ACCOUNT_WORDS)
    for action in _actions(parser):
        if "--account" in action.option_strings:
            action.complete = words  # type: ignore[attr-defined]
    return str(shtab.complete(parser, shell=shell))


def _actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    found = list(parser._actions)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                found.extend(_actions(sub))
    return found


def run(args: argparse.Namespace) -> int:
    """Print the script (or the account words)."""
    import sys

    if args.account_words:
        print("\n".join(account_words()))
        return 0
    if args.shell is None:
        print("beeper-tui completion: error: name a shell: bash, zsh or fish", file=sys.stderr)
        return 2
    print(script(args.root_parser, args.shell))
    return 0
