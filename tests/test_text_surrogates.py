"""A lone surrogate in a name renders as U+FFFD, one cell, borders intact (issue 14, item 11)."""

from __future__ import annotations

from collections.abc import Callable

from rich.cells import cell_len

from beeper_tui.demo import DemoState, FaultRule
from beeper_tui.ui.app import BeeperApp
from beeper_tui.ui.contact_list import ContactList
from beeper_tui.ui.safe_text import inert, safe_text
from tests.ui_helpers import settle

SIZE = (100, 30)
# Valid JSON: the escapes decode to lone surrogates, which UTF-8 cannot encode.
LONE = (
    b'{"items": [{"id": "@lone:example.org", "fullName": "\\ud800lone",'
    b' "username": "@x\\udfff\\udbffy"}], "hasMore": false}'
)


def test_inert_replaces_lone_surrogates() -> None:
    assert inert("\ud800lone") == "\ufffdlone"
    assert inert("a\udfff\udbffb") == "a\ufffd\ufffdb"
    assert safe_text("\ud800").plain == "\ufffd"
    # A real astral character is not a surrogate in Python: kept.
    assert inert("\U0001f600") == "\U0001f600"


def terminal_lines(app: BeeperApp) -> list[str]:
    """Every screen line as the terminal gets it (Textual writes to stderr, whose
    error handler turns an unencodable character into a ``\\udXXX`` escape)."""
    strips = app.screen._compositor.render_strips()
    lines = ["".join(segment.text for segment in strip) for strip in strips]
    return [line.encode("utf-8", "backslashreplace").decode("utf-8") for line in lines]


async def test_a_lone_surrogate_does_not_overwrite_the_borders(
    make_app: Callable[..., BeeperApp], demo_state: DemoState
) -> None:
    demo_state.faults.add(FaultRule(path=r"^/v1/accounts/matrix/contacts/list$", raw=LONE))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.main_screen.switch_account("matrix")
        await settle(pilot)
        contacts = app.query_one("#contacts", ContactList)
        assert [c.user.full_name for c in contacts.items] == ["\ud800lone"]
        contacts.focus()
        contacts.cursor = 0
        await settle(pilot)
        lines = terminal_lines(app)
        assert len(lines) == SIZE[1]
        for number, line in enumerate(lines):
            assert cell_len(line) == SIZE[0], f"line {number} is {cell_len(line)} cells: {line!r}"
            assert "\\ud" not in line
        screen = "\n".join(lines)
        assert "\ufffdlone" in screen  # the list row, and the detail panel's heading
        assert screen.count("\ufffdlone") >= 2
        assert "@x\ufffd\ufffdy" in screen
