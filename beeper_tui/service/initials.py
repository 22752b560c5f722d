"""The face a person has before (or without) their picture: initials on a colour.

Apart from :mod:`beeper_tui.service.avatars` so the person view draws it
without Pillow or the HTTP client: the app's first frame needs neither.
"""

from __future__ import annotations

import re
import zlib
from typing import Final

__all__ = ["avatar_colour", "initials"]

_WORD: Final = re.compile(r"[^\W_]+")
_PALETTE: Final = (
    "#1f6f8b",
    "#6a4c93",
    "#2d6a4f",
    "#9c4221",
    "#5f4b8b",
    "#1d4e89",
    "#8a3b5c",
    "#386641",
    "#7b5e2a",
    "#3d5a80",
    "#7a2e3a",
    "#2a6f6f",
)


def initials(name: str | None) -> str:
    """One or two capital letters for ``name``: first and last word, ``#`` for a number."""
    words: list[str] = _WORD.findall(name or "")
    if not words:
        stripped = (name or "").strip()
        first = stripped[:1]
        return first if first and first.isprintable() and not first.isspace() else "?"
    if words[0].isdigit():
        return "#"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 and not words[-1].isdigit() else "")
    return letters.upper()[:2]


def avatar_colour(user_id: str) -> str:
    """A background colour (``#rrggbb``) that stays the same for a user ID across runs."""
    return _PALETTE[zlib.crc32(user_id.encode("utf-8", "surrogatepass")) % len(_PALETTE)]
