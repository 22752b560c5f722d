"""User text cut to a number of terminal cells, the same in every terminal.

Columns in the chats picker and the network menu line up only if each piece
takes exactly the cells it was given. U+FE0F (emoji presentation) is dropped
for display: tmux 3.3 draws ❤️ in one cell where Rich counts two.
"""

from __future__ import annotations

from rich.text import Text

from .safe_text import safe_text

__all__ = ["cell_text"]


def cell_text(value: str | None, width: int, style: str = "", *, pad: bool = True) -> Text:
    """``value`` made inert, cut with an ellipsis to ``width`` cells (padded with ``pad``)."""
    text = safe_text((value or "").replace("\ufe0f", ""), style)
    text.no_wrap = True
    text.truncate(max(0, width), overflow="ellipsis", pad=pad)
    return text
