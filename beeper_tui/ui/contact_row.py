"""What one row of the contact list says: badge, name (matches highlighted), marks, columns.

Every piece is cut by terminal cells, so a row is exactly as wide as the list.
A row is built as plain ``(text, style)`` pieces and turned into segments
once, without a Rich ``Text`` in between: a screen of rows is drawn on every
page that arrives, and building, truncating and rendering a ``Text`` per row
cost more than the rest of the frame. The segments are the ones
``Text.render`` would give for the same row (a styled piece is a segment of
its own; unstyled pieces next to each other make one), so the screen and the
snapshots are unchanged.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style

from beeper_tui.service.names import best_name, clean, secondary_text
from beeper_tui.service.person import Contact
from beeper_tui.service.phones import format_phone
from beeper_tui.service.users import UserFields

from .cell_text import display_text, fit

__all__ = [
    "UNREAD_MARK",
    "WIDE_LIST",
    "Piece",
    "RowMarks",
    "RowStyles",
    "Spans",
    "row_pieces",
    "row_segments",
]

_SECONDARY_MAX = 28
_NAME_MIN = 20

UNREAD_MARK: Final = " ●"
"""After the name of someone who wrote something unread (one cell everywhere)."""

WIDE_LIST: Final = 84
"""From this many cells the list shows handle, phone and email in columns of their own."""

Spans = tuple[tuple[int, int], ...]
RowMarks = Callable[[int], tuple[Spans, bool]]
"""Row index → (character ranges of the name to highlight, whether the person is in the book)."""

Piece = tuple[str, Style | None]
"""Some text of a row and its style (``None``: the row's own)."""


@dataclass(frozen=True, slots=True)
class RowStyles:
    """The theme's styles for the parts of a row (resolved by the list)."""

    muted: Style
    network: Style
    you: Style
    blocked: Style
    outsider: Style
    match: Style


_NAME_ROOM: Final = 40
"""Cells of name (and its marks, "⊘ · not in your contacts") before the columns grow:
more room goes to handle, phone and email first."""

_COLUMN_GROWTH: Final = ((1, 6), (0, 12), (2, 22))
"""(column, most extra cells) in the order spare room is given: a whole phone
number first (``+33 6 25 17 86 57``), then longer handles, then whole emails."""


def column_widths(width: int) -> list[int]:
    """Cells of the handle, phone and (when there is room) email columns in a ``width`` row.

    They depend on the width only, so every row's columns line up. The name
    keeps :data:`_NAME_ROOM` cells; the room beyond goes to the columns up to
    what their values need, then back to the name.
    """
    widths = [19, 17] if width < WIDE_LIST + 12 else [19, 17, 26]
    spare = width - sum(w + 1 for w in widths) - 8 - _NAME_ROOM  # 8: the lead and badges
    for column, most in _COLUMN_GROWTH:
        if spare <= 0:
            break
        if column < len(widths):
            extra = min(spare, most)
            widths[column] += extra
            spare -= extra
    return widths


def _columns(user: UserFields, width: int) -> list[tuple[str, int]]:
    """(value, cells) of the handle, phone and email columns that fit ``width``."""
    handle = clean(user.username) or ""
    phone = clean(user.phone_number)
    email = clean(user.email) or ""
    values = [handle, format_phone(phone) if phone else "", email]
    return list(zip(values, column_widths(width), strict=False))


def _name_pieces(user: UserFields, width: int, spans: Spans, match: Style) -> list[Piece]:
    """The name cut to ``width`` cells, the letters the query matched highlighted."""
    raw = best_name(user)
    name = fit(display_text(raw), width)
    if not spans or display_text(raw) != raw:  # cleaned text would shift the ranges
        return [(name, None)]
    length = len(name)
    ranges = [(start, min(end, length)) for start, end in spans if 0 <= start < min(end, length)]
    if not ranges:
        return [(name, None)]
    # Cut where any range starts or ends, as Rich does: overlapping ranges give
    # several highlighted pieces, each its own segment.
    edges = sorted({0, length, *(edge for pair in ranges for edge in pair)})
    pieces: list[Piece] = []
    for start, end in itertools.pairwise(edges):
        lit = any(a <= start and end <= b for a, b in ranges)
        pieces.append((name[start:end], match if lit else None))
    return pieces


def _markers(user: UserFields, in_book: bool, styles: RowStyles) -> list[Piece]:
    markers: list[Piece] = []
    if user.is_self:
        markers.append((" ★ you", styles.you))
    if user.cannot_message:
        markers.append((" ⊘", styles.blocked))
    if not in_book:
        markers.append((" · not in your contacts", styles.outsider))
    return markers


def row_pieces(
    contact: Contact,
    width: int,
    styles: RowStyles,
    badge: str | None,
    marks: tuple[Spans, bool] = ((), True),
    *,
    unread: bool = False,
) -> list[Piece]:
    """The row for ``contact``, at most about ``width`` cells (``row_segments`` fits it).

    ``unread``: they wrote something not yet read (a small mark after the name).
    """
    user = contact.user
    pieces: list[Piece] = [(" ", None)]
    lead = 1
    if badge is not None:
        pieces += [(badge, styles.network), (" ", None)]
        lead += cell_len(badge) + 1
    spans, in_book = marks
    markers = _markers(user, in_book, styles)
    if unread:
        markers.insert(0, (UNREAD_MARK, styles.match))
    marker_cells = sum(cell_len(text) for text, _ in markers)
    columns = _columns(user, width) if width >= WIDE_LIST else None
    if columns is not None:
        extra = sum(w + 1 for _, w in columns)
        name_width = max(1, width - lead - marker_cells - extra - 1)
        spilled = _spilled(best_name(user), columns)
        pad = 0
        if spilled:
            # The marks follow the handle ("@zoe_m28 · not in your contacts"), then the
            # room up to the columns kept.
            name_width += sum(w + 1 for _, w in columns[:spilled])
            columns = columns[spilled:]
            shown = min(cell_len(display_text(best_name(user))), name_width)
            pad, name_width = name_width - shown, shown
        pieces += _name_pieces(user, name_width, spans, styles.match)
        pieces += markers
        if pad:
            pieces.append((" " * pad, None))
        for value, col_width in columns:
            pieces += [(" ", None), (fit(display_text(value), col_width), styles.muted)]
        return pieces
    secondary = display_text(secondary_text(user), limit=_SECONDARY_MAX * 2)
    # The name comes first: the handle gets what is left beyond 20 cells of name.
    room = width - lead - marker_cells - _NAME_MIN - 2
    sec_width = max(0, min(cell_len(secondary), _SECONDARY_MAX, width * 2 // 5, room))
    name_width = max(1, width - lead - marker_cells - sec_width - 2)
    if not in_book and not clean(user.full_name):
        # Someone a lookup found, named by the handle or number looked up: it
        # is shown whole, and "not in your contacts" is what gets cut.
        whole = cell_len(display_text(best_name(user)))
        name_width = max(name_width, min(whole, width - lead - sec_width - 2))
    pieces += _name_pieces(user, name_width, spans, styles.match)
    pieces += markers
    if sec_width:
        sec = fit(secondary, sec_width, pad=False)
        pieces += [(" ", None), (" " * (sec_width - cell_len(sec)) + sec, styles.muted)]
    return pieces


def _spilled(name: str, columns: list[tuple[str, int]]) -> int:
    """How many of the first ``columns`` the name spills into.

    A person named by their handle or number (someone a lookup found) would
    show it twice, the name cut to ``@…``: the name takes the room of the
    column saying the same, and of the empty columns before it.
    """
    shown = {name, format_phone(name)}
    if not any(value in shown for value, _ in columns):
        return 0
    n = 0
    while n < len(columns) and (not columns[n][0] or columns[n][0] in shown):
        n += 1
    return n


def _cut(pieces: list[Piece], plain: str) -> list[Piece]:
    """``pieces`` re-cut along ``plain``, a shortened copy of their joined text."""
    out: list[Piece] = []
    offset = 0
    for text, style in pieces:
        if offset >= len(plain):
            break
        out.append((plain[offset : offset + len(text)], style))
        offset += len(text)
    return out


def row_segments(pieces: list[Piece], width: int, row: Style, cursor: Style) -> list[Segment]:
    """The segments of a row exactly ``width`` cells wide.

    A row too wide ends in an ellipsis; a short one is padded in the row's
    style. Styled pieces sit on the row's style, with ``cursor`` (the cursor
    row's style, or a null style) on top so its colours win.
    """
    plain = "".join(text for text, _ in pieces)
    cells = cell_len(plain)
    if cells > width:
        pieces = _cut(pieces, set_cell_size(plain, width - 1) + "…")
    elif cells < width:
        pieces = [*pieces, (" " * (width - cells), None)]
    segments: list[Segment] = []
    run: list[str] = []
    for text, style in pieces:
        if not text:
            continue
        if not style:  # no style, or a null one: Rich makes no span of either
            run.append(text)
            continue
        if run:
            segments.append(Segment("".join(run), row))
            run = []
        segments.append(Segment(text, row + style + cursor))
    if run:
        segments.append(Segment("".join(run), row))
    return segments
