"""Where the address book's files live.

The book itself is a cache (the user cache directory, ``XDG_CACHE_HOME`` moves
it); who is who, as the user decided (``people.toml``), is the user's own and
lives in the user config directory (``XDG_CONFIG_HOME``).
"""

from __future__ import annotations

import re
from pathlib import Path

import platformdirs

__all__ = [
    "BOOK_FILE",
    "PEOPLE_FILE",
    "app_book_path",
    "default_book_path",
    "default_people_path",
    "demo_book_path",
]

BOOK_FILE = "book.sqlite3"
PEOPLE_FILE = "people.toml"


def default_book_path() -> Path:
    """``<user cache dir>/beeper-tui/book.sqlite3`` (the book creates the directory)."""
    return Path(platformdirs.user_cache_dir("beeper-tui")) / BOOK_FILE


def demo_book_path(version: str | None = None) -> Path:
    """``<user cache dir>/beeper-tui/book-demo.sqlite3``: the demo's book, built from its
    deterministic dataset on a first ``--demo`` start and read back at the next one (in
    a second, where building it takes seconds). ``book-demo-<version>.sqlite3`` for an
    older Desktop build the demo plays (``--demo-version``): builds differ in what they
    list."""
    suffix = f"-{re.sub(r'[^0-9A-Za-z._-]', '_', version)}" if version else ""
    return Path(platformdirs.user_cache_dir("beeper-tui")) / f"book-demo{suffix}.sqlite3"


def app_book_path(
    book: str, *, demo: bool, keep_demo_book: bool = False, demo_version: str | None = None
) -> Path | None:
    """The app's book file for the ``book`` setting, or None (kept in memory, or off).

    The demo's contacts never go into the user's book: in memory, or (``--demo``
    with the book on disk, ``keep_demo_book``) in a book of the demo's own.
    """
    if book != "disk":
        return None
    if not demo:
        return default_book_path()
    return demo_book_path(demo_version) if keep_demo_book else None


def default_people_path(*, demo: bool = False) -> Path:
    """``<user config dir>/beeper-tui/people.toml`` (``people-demo.toml`` for the demo's people)."""
    name = "people-demo.toml" if demo else PEOPLE_FILE
    return Path(platformdirs.user_config_dir("beeper-tui", appauthor=False)) / name
