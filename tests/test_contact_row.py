"""A contact row is built from plain pieces; it must draw as Rich's ``Text`` would.

The list builds rows without ``Text`` (it is on the hot path of every page).
These tests hold it to the same segments ``Text.render`` gives for the same
pieces, and to the rules of the row: exactly as wide as given, an ellipsis
where it is cut, the matched letters highlighted.
"""

from __future__ import annotations

import itertools

import pytest
from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from beeper_tui.api.models import User
from beeper_tui.service.person import Contact
from beeper_tui.ui.cell_text import cell_text, display_text, fit
from beeper_tui.ui.contact_row import Piece, RowStyles, Spans, row_pieces, row_segments

from .test_ui_everyday import HOSTILE_NAMES

STYLES = RowStyles(
    muted=Style(color="#808080"),
    network=Style(color="cyan"),
    you=Style(color="green", bold=True),
    blocked=Style(color="yellow"),
    outsider=Style(color="#ff8800", italic=True),
    match=Style(color="#88aaff", bold=True, underline=True),
)
ROW = Style(color="#e0e0e0", bgcolor="#202020")
CURSOR = Style(color="white", bgcolor="#0044aa", bold=True)
WIDTHS = (1, 5, 12, 30, 52, 83, 84, 95, 96, 140)
SPANS: tuple[Spans, ...] = ((), ((0, 3),), ((1, 4), (2, 6)), ((0, 2), (5, 90)), ((50, 60),))


def _contact(i: int, name: str) -> Contact:
    user = User.model_validate(
        {
            "id": f"@u{i}:beeper.local",
            "fullName": name or None,
            "username": f"@{name[:6]}" if name else None,
            "phoneNumber": "+447533813808" if i % 2 else None,
            "email": f"{name[:5]}@example.org",
            "cannotMessage": i % 2 == 0,
            "isSelf": i % 3 == 0,
        }
    )
    return Contact(account_id="matrix", user=user)


def _by_text(pieces: list[Piece], width: int, row: Style, cursor: Style) -> list[Segment]:
    """What the list drew before: the pieces as a ``Text``, truncated, rendered, restyled."""
    line = Text(end="", no_wrap=True)
    for text, style in pieces:
        line.append(text, style)
    line.truncate(width, overflow="ellipsis", pad=True)
    return [
        Segment(seg.text, row + seg.style + cursor if seg.style else row)
        for seg in line.render(Console())
    ]


CONTACTS = [_contact(i, name) for i, name in enumerate(HOSTILE_NAMES)]


@pytest.mark.parametrize("width", WIDTHS)
def test_a_row_has_the_segments_rich_would_draw(width: int) -> None:
    cases = itertools.product(CONTACTS, SPANS, (None, "WA TG"), (True, False), (False, True))
    for contact, spans, badge, in_book, on_cursor in cases:
        pieces = row_pieces(contact, width, STYLES, badge, (spans, in_book))
        row = ROW + CURSOR if on_cursor else ROW
        cursor = row if on_cursor else Style()
        expected = _by_text(list(pieces), width, row, cursor)
        assert row_segments(pieces, width, row, cursor) == expected, (contact, width, spans)


def test_a_cut_row_is_exactly_as_wide_and_its_ellipsis_keeps_the_style() -> None:
    pieces: list[Piece] = [(" ", None), ("Zoë Lindqvist", None), (" 名前名前", STYLES.muted)]
    segments = row_segments(pieces, 12, ROW, Style())
    assert sum(cell_len(seg.text) for seg in segments) == 12
    assert "".join(seg.text for seg in segments) == " Zoë Lindqv…"
    segments = row_segments(list(pieces), 19, ROW, Style())
    # The wide character that does not fit becomes a space, then the ellipsis: both muted.
    assert segments[-1] == Segment(" 名 …", ROW + STYLES.muted)


def test_matched_letters_are_highlighted_and_nothing_else() -> None:
    contact = _contact(1, "Renée Dubois")
    pieces = row_pieces(contact, 60, STYLES, None, (((0, 3), (2, 5), (6, 9)), True))
    lit = "".join(text for text, style in pieces if style is STYLES.match)
    assert lit == "RenéeDub"
    # Overlapping ranges are cut where either starts or ends, as Rich cuts them.
    assert [text for text, style in pieces if style is STYLES.match] == ["Re", "n", "ée", "Dub"]


def test_unstyled_pieces_make_one_segment_and_styled_ones_their_own() -> None:
    pieces: list[Piece] = [
        (" ", None),
        ("a", None),
        ("b", STYLES.you),
        ("c", STYLES.you),
        ("d", None),
    ]
    segments = row_segments(pieces, 6, ROW, Style())
    assert [seg.text for seg in segments] == [" a", "b", "c", "d "]
    # A null style makes no segment of its own either (Rich makes no span of it).
    segments = row_segments([(" ", None), ("x", Style()), ("y", None)], 3, ROW, Style())
    assert segments == [Segment(" xy", ROW)]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_fit_cuts_as_text_truncate_does(name: str) -> None:
    shown = display_text(name)
    assert fit(shown, 0) == cell_text(name, 0).plain == ""  # no room: nothing, not "…"
    for width in range(1, 40, 3):
        for pad in (True, False):
            text = Text(shown, end="")
            text.truncate(width, overflow="ellipsis", pad=pad)
            assert fit(shown, width, pad=pad) == text.plain
            assert cell_text(name, width, pad=pad).plain == text.plain


# Rows as the list drew them before rows were built from pieces (Rich Text,
# d440b03), as (text, part) segments: what a user saw must not move.
LAYOUTS = [
    (
        (1, "Renée Dubois", 40, None, ((0, 3),), True),
        [
            (" ", None),
            ("Ren", "match"),
            ("ée Dubois                    ", None),
            ("@Renée", "muted"),
            (" ", None),
        ],
    ),
    (
        (2, "Renée Dubois", 84, "WA TG", ((6, 9),), False),
        [
            (" ", None),
            ("WA TG", "network"),
            (" Renée ", None),
            ("Dub", "match"),
            ("ois ", None),
            (" ⊘", "blocked"),
            (" · not in your contacts", "outsider"),
            (" ", None),
            ("@Renée             ", "muted"),
            (" ", None),
            ("                 ", "muted"),
            (" ", None),
        ],
    ),
    (
        (3, "Zoë Lindqvist 名前", 120, "TG   ", (), True),
        [
            (" ", None),
            ("TG   ", "network"),
            (" Zoë Lindqvist 名前                ", None),
            (" ★ you", "you"),
            (" ", None),
            ("@Zoë Li             ", "muted"),
            (" ", None),
            ("+44 7533 813808        ", "muted"),
            (" ", None),
            ("Zoë L@example.org         ", "muted"),
            (" ", None),
        ],
    ),
    (
        (4, "x" * 300, 30, None, (), False),
        [(" x…", None), (" ⊘", "blocked"), (" · not in your contacts", "outsider"), ("  ", None)],
    ),
]


@pytest.mark.parametrize(("case", "expected"), LAYOUTS)
def test_rows_keep_the_layout_they_had(
    case: tuple[int, str, int, str | None, Spans, bool], expected: list[tuple[str, str | None]]
) -> None:
    i, name, width, badge, spans, in_book = case
    parts = {getattr(STYLES, part): part for part in RowStyles.__slots__}
    pieces = row_pieces(_contact(i, name), width, STYLES, badge, (spans, in_book))
    segments = row_segments(pieces, width, Style(), Style())
    assert [(seg.text, parts.get(seg.style) if seg.style else None) for seg in segments] == expected


def _looked_up(user: dict[str, str]) -> Contact:
    return Contact(User.model_validate({"id": "@ig_1:beeper.local", **user}), "instagram")


@pytest.mark.parametrize("width", [40, 84, 97, 140, 196])
@pytest.mark.parametrize(
    ("user", "shown"),
    [({"username": "@zoe_m28"}, "@zoe_m28"), ({"phoneNumber": "+33625178657"}, "+33625178657")],
)
def test_a_lookup_only_row_shows_its_handle_or_number_whole(
    width: int, user: dict[str, str], shown: str
) -> None:
    pieces = row_pieces(_looked_up(user), width, STYLES, "IG", ((), False))
    plain = "".join(seg.text for seg in row_segments(pieces, width, Style(), Style()))
    assert f" {shown} " in plain
    assert plain.count(shown) == 1  # not again in a column beside it
    assert cell_len(plain) == width
