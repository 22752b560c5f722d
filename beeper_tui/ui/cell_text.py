"""User text cut to a number of terminal cells, the same in every terminal.

Columns in the chats picker and the network menu line up only if each piece
takes exactly the cells it was given. U+FE0F (emoji presentation) and joiners are
dropped for display: tmux 3.3 draws ❤️ in one cell where Rich counts two.
"""

from __future__ import annotations

from rich.text import Text

from .safe_text import inert

__all__ = ["cell_text", "display_text"]

# Shown differently by different terminals: the emoji presentation selector
# (tmux 3.3 draws ❤️ in one cell, Rich counts two) and the zero-width joiner
# (a ZWJ family is one glyph in some terminals, three in tmux and in Rich).
# Without them every terminal and Rich agree on the cells.
_UNSTABLE_WIDTH = str.maketrans({"\ufe0f": None, "\ufe0e": None, "\u200d": None})


def display_text(value: str | None, *, limit: int = 400) -> str:
    """``value`` made inert, with the characters terminals measure differently removed."""
    return inert(value, limit=limit).translate(_UNSTABLE_WIDTH)


def cell_text(value: str | None, width: int, style: str = "", *, pad: bool = True) -> Text:
    """``value`` made inert, cut with an ellipsis to ``width`` cells (padded with ``pad``)."""
    text = Text(display_text(value), style=style, end="")
    text.no_wrap = True
    text.truncate(max(0, width), overflow="ellipsis", pad=pad)
    return text
