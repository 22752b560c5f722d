"""User text cut to a number of terminal cells, the same in every terminal.

Columns in the chats picker and the network menu line up only if each piece
takes exactly the cells it was given. U+FE0F (emoji presentation) and joiners are
dropped for display: tmux 3.3 draws ❤️ in one cell where Rich counts two.
"""

from __future__ import annotations

import unicodedata
from importlib import import_module

import rich.cells
from rich.cells import cell_len, set_cell_size
from rich.text import Text

from .safe_text import inert, steady_widths

__all__ = ["cell_text", "display_text", "fit", "spacing_marks_take_a_cell"]


def display_text(value: str | None, *, limit: int = 400) -> str:
    """``value`` made inert, with the characters terminals measure differently removed."""
    return steady_widths(inert(value, limit=limit))


def fit(text: str, width: int, *, pad: bool = True) -> str:
    """``text`` cut with an ellipsis to ``width`` cells (padded with spaces with ``pad``).

    The same cut as ``Text.truncate(width, overflow="ellipsis", pad=pad)``, except that
    no room gives no text (Rich would keep all but the last character and an ellipsis).
    """
    if width <= 0:
        return ""
    cells = cell_len(text)
    if cells > width:
        return set_cell_size(text, width - 1) + "…"
    if pad and cells < width:
        return text + " " * (width - cells)
    return text


def cell_text(value: str | None, width: int, style: str = "", *, pad: bool = True) -> Text:
    """``value`` made inert, cut with an ellipsis to ``width`` cells (padded with ``pad``)."""
    return Text(fit(display_text(value), width, pad=pad), style=style, end="", no_wrap=True)


def spacing_marks_take_a_cell() -> None:
    """Count spacing combining marks (category Mc, Devanagari ``ि``) as one cell, as terminals do.

    Rich 15 gives them no cell; glibc's ``wcwidth`` (which tmux uses), xterm
    and Markus Kuhn's reference ``wcwidth`` give them one. With Rich's count a
    Hindi name made every line after it one cell longer on screen than Textual
    thought, and partial redraws left the right border broken until a resize.
    Applied once to the table Rich loads; idempotent.
    """
    from rich._unicode_data import load

    table = load("auto")
    module = import_module(
        ".unicode" + table.unicode_version.replace(".", "-"), "rich._unicode_data"
    )
    if getattr(module, "beeper_tui_marks", False):
        return
    widths: list[tuple[int, int, int]] = []
    for start, end, width in table.widths:
        if width != 0:
            widths.append((start, end, width))
            continue
        run_start = start
        run_width = _mark_width(start)
        for code in range(start + 1, end + 1):
            code_width = _mark_width(code)
            if code_width != run_width:
                widths.append((run_start, code - 1, run_width))
                run_start, run_width = code, code_width
        widths.append((run_start, end, run_width))
    patched = type(table)(table.unicode_version, widths, table.narrow_to_wide)
    setattr(module, "cell_table", patched)  # noqa: B010 - a module mypy cannot see
    setattr(module, "beeper_tui_marks", True)  # noqa: B010
    load.cache_clear()
    rich.cells.get_character_cell_size.cache_clear()
    rich.cells.cached_cell_len.cache_clear()


def _mark_width(code: int) -> int:
    return 1 if unicodedata.category(chr(code)) == "Mc" else 0
