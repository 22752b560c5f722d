"""``beeper-tui cache clear`` / ``cache path``: the address book file in the user cache dir."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from beeper_tui.book_path import default_book_path
from beeper_tui.service.book import remove_book_files

__all__ = ["register", "run"]


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``cache`` to the command tree."""
    parser = commands.add_parser(
        "cache",
        help="the local address book: where it is, or remove it",
        description=(
            "The address book (every synced contact, for fast offline search) lives in the "
            "user cache directory (XDG_CACHE_HOME moves it). Removing it is always safe: "
            "the next start syncs it again. The demo's own books (--demo) go with it."
        ),
    )
    parser.add_argument("action", choices=("clear", "path"), help="clear: remove it; path: print")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Remove or locate the book; returns the exit status."""
    path = default_book_path()
    if args.action == "path":
        print(path)
        return 0
    # The user's book, then the demo's (``--demo`` keeps its own beside it, one per build).
    books = [path, *sorted(path.parent.glob("book-demo*.sqlite3"))]
    removed = []
    for book in books:
        try:
            if remove_book_files(book):
                removed.append(book)
        except OSError as exc:
            why = exc.strerror or exc
            print(f"beeper-tui cache: error: cannot remove {book}: {why}", file=sys.stderr)
            return 1
    for book in removed:
        print(f"removed {book}")
    if not removed:
        print(f"no address book at {path}")
    return 0
