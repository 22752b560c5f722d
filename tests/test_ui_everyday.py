"""Everyday use (issue 13): the layout at any width, cell widths, keys, the keymap."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest
from rich.cells import cell_len
from rich.style import Style

from beeper_tui.api.models import User
from beeper_tui.service.person import Contact
from beeper_tui.service.scope import ALL_ACCOUNTS
from beeper_tui.ui.app import BeeperApp
from beeper_tui.ui.app_keys import check_keymap
from beeper_tui.ui.command_palette import ContactCommands
from beeper_tui.ui.contact_list import ContactList
from beeper_tui.ui.copy_menu import CopyMenu
from beeper_tui.ui.help_screen import LEGEND, HelpScreen
from beeper_tui.ui.search_pane import SearchBox
from tests.ui_helpers import settle, show_big_account, toasts

HOSTILE_NAMES = (
    "Zoey van Geest 🌶️",
    "❤️❤️❤️ Love",
    "👨‍👩‍👧‍👦 Family",
    "👍🏽 thumbs",
    "🏳️‍🌈 flag",
    "[bold]x[/bold]\x1b[2J",
    "\u202eevil",
    "Ｆｕｌｌｗｉｄｔｈ 名前 이름",
    "a\u0301\u0301\u0301 combining",
    "अनुष्का आहूजा 🏄",
    "गौरी सुब्रमण्यम",
    "x" * 300,
    "",
)


def _contact(i: int, name: str) -> Contact:
    user = User.model_validate(
        {
            "id": f"@u{i}:beeper.local",
            "fullName": name or None,
            "username": f"@{name[:6]}🌶️" if name else None,
            "phoneNumber": "+447533813808",
            "email": f"{name[:5]}@example.org",
            "cannotMessage": i % 2 == 0,
            "isSelf": i % 3 == 0,
        }
    )
    return Contact(account_id="matrix", user=user)


async def test_every_row_is_exactly_the_width_it_was_given(
    make_app: Callable[..., BeeperApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lst = app.query_one("#contacts", ContactList)
        contacts = [_contact(i, name) for i, name in enumerate(HOSTILE_NAMES)]
        for width in (12, 30, 52, 83, 84, 95, 96, 140, 200):
            for cursor in (False, True):
                for contact in contacts:
                    strip = lst._render_row(contact, width, Style(), cursor)
                    assert strip.cell_length == width
                    assert cell_len(strip.text) == width, (width, strip.text)
                    # What terminals measure differently never reaches the screen.
                    assert "\ufe0f" not in strip.text
                    assert "\u200d" not in strip.text
                    assert "\x1b" not in strip.text


def test_spacing_marks_take_a_cell_as_in_terminals() -> None:
    # glibc's wcwidth (tmux) and xterm give U+093F one cell; so must Rich, or borders move.
    assert cell_len("\u093f") == 1
    assert cell_len("अजित") == 4
    assert cell_len("a\u0301") == 1  # a non-spacing mark still takes none
    assert cell_len("홍정자") == 6


async def test_holding_end_never_leaves_a_stale_line(make_app: Callable[..., BeeperApp]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        lst = await show_big_account(app, pilot)
        lst.focus()
        for _ in range(12):
            await pilot.press("end")
            await settle(pilot)
        assert len(lst.items) > 500
        width = lst.scrollable_content_region.width
        offset = int(lst.scroll_offset.y)
        for y in range(lst.scrollable_content_region.height):
            line = lst.render_line(y)
            assert line.cell_length == width
            assert cell_len(line.text) == width
            index = offset + y
            if index < len(lst.items):
                fresh = lst._render_row(
                    lst.items[index], width, lst.rich_style, index == lst.cursor
                )
                assert line.text == fresh.text
        # A narrower list: every cached line of the old width is gone.
        await pilot.resize_terminal(80, 30)
        await settle(pilot)
        width = lst.scrollable_content_region.width
        assert all(
            lst.render_line(y).cell_length == width
            for y in range(lst.scrollable_content_region.height)
        )


@pytest.mark.parametrize(("size", "detail_beside"), [((80, 24), False), ((120, 40), True)])
async def test_detail_panel_follows_the_width(
    make_app: Callable[..., BeeperApp], size: tuple[int, int], detail_beside: bool
) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert app.detail.display is detail_beside
        assert app.pane.display
        await pilot.press("enter")  # a contact's details
        await settle(pilot)
        assert app.detail.display
        assert app.detail.has_focus
        assert app.pane.display is detail_beside  # over the list when narrow
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert not app.detail.display
        assert app.pane.contact_list.has_focus
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert app.detail.display


async def test_sidebar_collapses_to_badges_and_can_be_hidden(
    make_app: Callable[..., BeeperApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        sidebar = app.sidebar
        assert sidebar.outer_size.width <= 10
        prompts = [str(sidebar.get_option_at_index(i).prompt) for i in range(sidebar.option_count)]
        assert all("\n" not in p and cell_len(p) <= 7 for p in prompts)
        assert any(p.startswith("● ") for p in prompts)
        await pilot.press("ctrl+b")  # open it wide
        await settle(pilot)
        assert sidebar.outer_size.width == 30
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert not sidebar.display


async def test_wide_list_has_columns(make_app: Callable[..., BeeperApp]) -> None:
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"zoe", "enter")
        await settle(pilot)
        lst = app.pane.contact_list
        row = next(
            lst.render_line(y).text
            for y in range(20)
            if "Zoe" in lst.render_line(y).text and "@zoep244" in lst.render_line(y).text
        )
        assert "+44 7533 813808" in row
        assert "zoep244@" in row


async def test_ctrl_c_quits_from_the_search_box_and_from_a_dialog(
    make_app: Callable[..., BeeperApp],
) -> None:
    for keys in (("slash", "a"), ("c",)):
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press(*keys)
            await settle(pilot)
            await pilot.press("ctrl+c")
            await pilot.pause()
            assert not app.is_running


async def test_a_burst_after_slash_goes_to_the_search_box(
    make_app: Callable[..., BeeperApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        # One burst: queued before the first is handled (a paste, a terminal macro).
        await _burst_into_the_list(app, pilot, ("slash", *"mallory"))
        assert app.query_one("#search", SearchBox).value == "mallory"
        assert not isinstance(app.screen, CopyMenu)
        assert not [t for t in toasts(app) if t.title == "Message"]


def _key(key: str) -> Any:
    """A key as the terminal driver posts it: a name, and its character if it has one."""
    from textual import events

    if key == " ":
        return events.Key("space", " ")
    return events.Key(key, key if len(key) == 1 else None)


async def _burst_into_the_list(app: BeeperApp, pilot: Any, keys: Iterable[str]) -> None:
    """With the result list focused, post ``keys`` at once (all queued before any is handled)."""
    await settle(pilot)
    app.pane.contact_list.focus()
    await pilot.pause()
    for key in keys:
        app.post_message(_key(key))
    await settle(pilot)


async def test_a_letter_in_the_list_starts_a_search(make_app: Callable[..., BeeperApp]) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"old", "enter")
        await settle(pilot)
        assert app.pane.contact_list.has_focus
        for key in ("z", "o", "e"):  # "e" is export, but typed after the first letter
            app.post_message(_key(key))
        await settle(pilot)
        assert app.query_one("#search", SearchBox).value == "zoe"
        assert app.query_one("#search", SearchBox).has_focus
        # The action keys keep their meaning in the list.
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert isinstance(app.screen, CopyMenu)


async def test_a_burst_typed_into_the_list_keeps_its_spaces(
    make_app: Callable[..., BeeperApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        # Typed fast into the list: every key is queued before the focus moves.
        await _burst_into_the_list(app, pilot, "dubois renee")
        assert app.query_one("#search", SearchBox).value == "dubois renee"
        # A space on its own in the list starts no search.
        await pilot.press("escape")
        await _burst_into_the_list(app, pilot, " ")
        assert app.pane.contact_list.has_focus


async def test_number_and_bracket_keys_switch_accounts(
    make_app: Callable[..., BeeperApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        accounts = app.backend.accounts.accounts
        assert app.pane.account_id is ALL_ACCOUNTS
        app.sidebar.focus()
        await pilot.press("3")  # digits pick an account in the sidebar
        await settle(pilot)
        assert app.pane.account_id == accounts[1].account_id
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert app.pane.account_id == accounts[2].account_id
        await pilot.press("left_square_bracket", "left_square_bracket", "left_square_bracket")
        await settle(pilot)
        assert app.pane.account_id is ALL_ACCOUNTS
        await pilot.press("left_square_bracket")  # wraps to the last one
        await settle(pilot)
        assert app.pane.account_id == accounts[-1].account_id


async def test_shift_arrows_move_between_panes(make_app: Callable[..., BeeperApp]) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.pane.contact_list.focus()
        await pilot.pause()
        await pilot.press("shift+right")
        await pilot.pause()
        assert app.detail.has_focus_within or app.detail.has_focus
        await pilot.press("shift+left")
        await pilot.pause()
        assert app.pane.contact_list.has_focus
        await pilot.press("shift+left")
        await pilot.pause()
        assert app.sidebar.has_focus
        await pilot.press("shift+left")  # the leftmost pane stays
        await pilot.pause()
        assert app.sidebar.has_focus


async def test_help_shows_what_applies_and_the_legend(make_app: Callable[..., BeeperApp]) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.pane.contact_list.focus()
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.text
        assert "c  Copy" in text
        assert "^d  Details" in text
        assert "Scroll Left" not in text
        assert "Page Left" not in text
        for mark, _meaning in LEGEND:
            assert f"  {mark}  " in text
        # The dialog's own keys in the footer, not the main screen's.
        footer_keys = {b.binding.action for b in app.screen.active_bindings.values()}
        assert "dismiss" in footer_keys


async def test_empty_result_empties_the_detail_panel(make_app: Callable[..., BeeperApp]) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.pane.contact_list.highlighted is not None
        app.pane.contact_list.focus()
        await pilot.pause()
        name_before = app.detail.text
        await pilot.press("slash", *"qqqqzzzzxxxx")
        await settle(pilot)
        assert not app.pane.contact_list.items
        assert app.detail.text != name_before
        assert "No contact" in app.detail.text


async def test_keymap_rebinds_and_reports_bad_entries(make_app: Callable[..., BeeperApp]) -> None:
    keymap = {"contact.copy": "y", "no.such": "x", "contact.message": "ctrl+nonsense key"}
    app = make_app(keymap=keymap)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.pane.contact_list.focus()
        await pilot.pause()
        problems = [t for t in toasts(app) if t.title == "Keymap"]
        assert len(problems) == 1
        assert "unknown binding 'no.such'" in problems[0].message
        assert "bad key 'ctrl+nonsense key' for contact.message" in problems[0].message
        # The palette reads its key labels from the bindings: it says "y" now.
        labels = {action: text for text, action in ContactCommands(app.screen)._commands()}
        assert labels["copy"].endswith("(y)")
        assert labels["message"].endswith("(^o)")
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, CopyMenu)


def test_check_keymap() -> None:
    known = {"contact.copy", "app.quit"}
    usable, problems = check_keymap(
        {"contact.copy": "y,ctrl+y", "app.quit": "question_mark", "x": "y"}, known
    )
    assert usable == {"contact.copy": "y,ctrl+y", "app.quit": "question_mark"}
    assert problems == ["unknown binding 'x'"]
    assert check_keymap({"app.quit": "ctrl+"}, known)[1] == ["bad key 'ctrl+' for app.quit"]
    assert check_keymap({"app.quit": "not_a_key_name"}, known)[1]
