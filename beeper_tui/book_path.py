"""Where the address book's files live.

The book itself is a cache (the user cache directory, ``XDG_CACHE_HOME`` moves
it); who is who, as the user decided (``people.toml``), is the user's own and
lives in the user config directory (``XDG_CONFIG_HOME``).
"""

from __future__ import annotations

from pathlib import Path

import platformdirs

__all__ = ["BOOK_FILE", "PEOPLE_FILE", "default_book_path", "default_people_path"]

BOOK_FILE = "book.sqlite3"
PEOPLE_FILE = "people.toml"


def default_book_path() -> Path:
    """``<user cache dir>/beeper-tui/book.sqlite3`` (the book creates the directory)."""
    return Path(platformdirs.user_cache_dir("beeper-tui")) / BOOK_FILE


def default_people_path(*, demo: bool = False) -> Path:
    """``<user config dir>/beeper-tui/people.toml`` (``people-demo.toml`` for the demo's people)."""
    name = "people-demo.toml" if demo else PEOPLE_FILE
    return Path(platformdirs.user_config_dir("beeper-tui", appauthor=False)) / name
