"""Make user-controlled text inert before it reaches the screen.

Names, handles and server messages come from strangers on many networks. They
are always shown as plain :class:`rich.text.Text` (never parsed as markup), and
first pass through :func:`inert`, which turns control characters into visible
symbols and drops invisible formatting characters that could reorder or hide
what the user sees. Lone surrogates (valid in JSON as ``\\ud800``, not
encodable as UTF-8) become U+FFFD: written raw, the terminal would get the
six characters ``\\ud800`` where every width count said one cell.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Final

from rich.text import Text

__all__ = ["MAX_DISPLAY_CHARS", "inert", "safe_text", "steady_widths"]

MAX_DISPLAY_CHARS: Final = 400
"""Longer strings are cut with an ellipsis: a 10,000-character name stays readable."""

# Formatting characters that must survive: they join emoji and scripts.
_KEEP_FORMAT: Final = frozenset({"\u200c", "\u200d"})  # ZWNJ, ZWJ


@lru_cache(maxsize=4096)
def _needs_cleaning(value: str) -> bool:
    return any(
        unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") and ch not in _KEEP_FORMAT
        for ch in value
    )


def inert(value: str | None, *, limit: int = MAX_DISPLAY_CHARS) -> str:
    """``value`` with control characters made visible and hidden formatting removed.

    C0/C1 controls become Unicode control pictures (ESC shows as ``␛``), so an
    escape sequence in a name is seen, never executed. Bidi overrides, zero-width
    spaces and other format characters (except the joiners emoji need) are
    dropped. Line breaks become spaces; lone surrogates become U+FFFD, one
    cell like any other.
    """
    if not value:
        return ""
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    if value.isascii() and value.isprintable():
        return value
    if not _needs_cleaning(value):
        return value
    out: list[str] = []
    for ch in value:
        cat = unicodedata.category(ch)
        if cat == "Cc":
            code = ord(ch)
            if ch in "\n\r\t":
                out.append(" ")
            elif code < 0x20:
                out.append(chr(0x2400 + code))
            elif code == 0x7F:
                out.append("\u2421")
            else:
                out.append("\ufffd")
        elif cat in ("Zl", "Zp"):
            out.append(" ")
        elif cat == "Cs":
            out.append("\ufffd")
        elif cat == "Cf" and ch not in _KEEP_FORMAT:
            continue
        else:
            out.append(ch)
    return "".join(out)


# Shown differently by different terminals: the emoji presentation selectors
# (tmux 3.3 draws ❤️ in one cell, Rich counts two) and the zero-width joiner
# (a ZWJ family is one glyph in some terminals, three in tmux and in Rich).
# Without them every terminal and Rich agree on the cells.
_UNSTABLE_WIDTH: Final = str.maketrans({"\ufe0f": None, "\ufe0e": None, "\u200d": None})


def steady_widths(value: str) -> str:
    """``value`` without the characters terminals and Rich measure differently.

    The one cell-width rule for user text on screen: rows, titles, headings and
    dialogs all draw a name through it, so no border moves in any terminal.
    """
    return value.translate(_UNSTABLE_WIDTH)


def safe_text(value: str | None, style: str = "", *, limit: int = MAX_DISPLAY_CHARS) -> Text:
    """User text as a plain :class:`Text` (no markup parsing), made :func:`inert`.

    Drawn with :func:`steady_widths`, as every user text on screen is.
    """
    return Text(steady_widths(inert(value, limit=limit)), style=style, no_wrap=False, end="")
