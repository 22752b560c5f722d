"""What one row of the contact list says: badge, name (matches highlighted), marks, columns.

Every piece is cut by terminal cells, so a row is exactly as wide as the list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

from beeper_tui.api.models import User
from beeper_tui.service.names import best_name, clean, secondary_text
from beeper_tui.service.person import Contact
from beeper_tui.service.phones import format_phone

from .cell_text import cell_text, display_text

__all__ = ["WIDE_LIST", "RowMarks", "RowStyles", "Spans", "row_text"]

_SECONDARY_MAX = 28
_NAME_MIN = 20

WIDE_LIST: Final = 84
"""From this many cells the list shows handle, phone and email in columns of their own."""

Spans = tuple[tuple[int, int], ...]
RowMarks = Callable[[int], tuple[Spans, bool]]
"""Row index → (character ranges of the name to highlight, whether the person is in the book)."""


@dataclass(frozen=True, slots=True)
class RowStyles:
    """The theme's styles for the parts of a row (resolved by the list)."""

    muted: Style
    network: Style
    you: Style
    blocked: Style
    outsider: Style
    match: Style


def _columns(user: User, width: int) -> list[tuple[str, int]]:
    """(value, cells) of the handle, phone and email columns that fit ``width``."""
    handle = clean(user.username) or ""
    phone = clean(user.phone_number)
    email = clean(user.email) or ""
    columns = [(handle, 20), (format_phone(phone) if phone else "", 16)]
    if width >= WIDE_LIST + 12:
        columns.append((email, 26))
    return columns


def _name_text(user: User, width: int, spans: Spans, match: Style) -> Text:
    """The name cut to ``width`` cells, the letters the query matched highlighted."""
    raw = best_name(user)
    name = cell_text(raw, width)
    if spans and display_text(raw) == raw:  # cleaned text would shift the ranges
        for start, end in spans:
            name.stylize(match, start, min(end, len(name.plain)))
    return name


def row_text(
    contact: Contact,
    width: int,
    styles: RowStyles,
    badge: Text | None,
    marks: tuple[Spans, bool] = ((), True),
) -> Text:
    """The row for ``contact``, at most ``width`` cells (the caller pads it to exactly that)."""
    user = contact.user
    line = Text(" ", end="", no_wrap=True)
    if badge is not None:
        badge.stylize(styles.network)
        line.append_text(badge)
        line.append(" ")
    markers = Text(end="")
    if user.is_self:
        markers.append(" ★ you", styles.you)
    if user.cannot_message:
        markers.append(" ⊘", styles.blocked)
    spans, in_book = marks
    if not in_book:
        markers.append(" · not in your contacts", styles.outsider)
    columns = _columns(user, width) if width >= WIDE_LIST else None
    if columns is not None:
        extra = sum(w + 1 for _, w in columns)
        name_width = max(1, width - line.cell_len - markers.cell_len - extra - 1)
        line.append_text(_name_text(user, name_width, spans, styles.match))
        line.append_text(markers)
        for value, col_width in columns:
            line.append(" ")
            line.append_text(cell_text(value, col_width, str(styles.muted)))
    else:
        secondary = display_text(secondary_text(user), limit=_SECONDARY_MAX * 2)
        # The name comes first: the handle gets what is left beyond 20 cells of name.
        room = width - line.cell_len - markers.cell_len - _NAME_MIN - 2
        sec_width = max(0, min(cell_len(secondary), _SECONDARY_MAX, width * 2 // 5, room))
        name_width = max(1, width - line.cell_len - markers.cell_len - sec_width - 2)
        line.append_text(_name_text(user, name_width, spans, styles.match))
        line.append_text(markers)
        if sec_width:
            sec = cell_text(secondary, sec_width, pad=False)
            line.append(" ")
            line.append(" " * (sec_width - sec.cell_len) + sec.plain, styles.muted)
    return line
