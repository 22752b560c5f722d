"""Where the address book file lives: the user cache directory (``XDG_CACHE_HOME`` moves it)."""

from __future__ import annotations

from pathlib import Path

import platformdirs

__all__ = ["BOOK_FILE", "default_book_path"]

BOOK_FILE = "book.sqlite3"


def default_book_path() -> Path:
    """``<user cache dir>/beeper-tui/book.sqlite3`` (the book creates the directory)."""
    return Path(platformdirs.user_cache_dir("beeper-tui")) / BOOK_FILE
