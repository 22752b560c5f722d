"""A new user's first hour (issue 24 items 8-11): who is this, contrast, room, small lies."""

from __future__ import annotations

import io
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.color import Color as RichColor
from rich.console import Console, Group
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.color import Color
from textual.theme import BUILTIN_THEMES
from textual.widgets import Button, Input, OptionList, Select, Static

from beeper_tui.api.models import Account, User
from beeper_tui.config import Settings, load_config_file, save_config_text
from beeper_tui.demo import DemoState
from beeper_tui.service.networks import account_label, network_name, own_account_words
from beeper_tui.service.person import Contact
from beeper_tui.service.session_events import Health
from beeper_tui.ui import connect_screens
from beeper_tui.ui.app import BeeperApp
from beeper_tui.ui.connect_screens import TokenScreen
from beeper_tui.ui.contact_row import RowStyles, column_widths, row_pieces
from beeper_tui.ui.copy_menu import CopyMenu
from beeper_tui.ui.export_dialog import ExportDialog
from beeper_tui.ui.messages import HealthChanged
from beeper_tui.ui.network_menu import NetworkMenu
from beeper_tui.ui.person_fields import identity_label, ids_section
from tests.ui_helpers import settle, toasts, wait_for, wait_for_screen


async def _show(app: BeeperApp, pilot: Any, query: str) -> None:
    """Search ``query`` and open the first result in the detail panel."""
    await settle(pilot)
    await pilot.press("slash", *query, "enter")
    await settle(pilot)


# -- item 11: small lies ------------------------------------------------------


async def test_copy_from_one_network_copies_the_persons_whole_name(
    make_app: Callable[..., BeeperApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _show(app, pilot, "zoe morrison")
        person = app.detail.subject
        assert person is not None
        assert person.others
        names: set[str] = set()
        for index in range(len(person.identities)):
            await pilot.press("ctrl+y")
            await wait_for_screen(pilot, NetworkMenu, "#network-options")
            menu = app.screen
            # Copying has no draft: the hint does not offer one.
            hint = str(menu.query_one(".hint", Static).render())
            assert "draft" not in hint
            options = menu.query_one("#network-options", OptionList)
            if options.get_option_at_index(index).disabled:
                await pilot.press("escape")
                continue
            options.highlighted = index
            await pilot.press("enter")
            await wait_for_screen(pilot, CopyMenu, "#copy-options")
            copy = app.screen
            assert isinstance(copy, CopyMenu)
            names.add(dict(copy.choices)["Name"])
            await pilot.press("escape")
            await settle(pilot)
        assert names == {"Zoe Morrison"}


def _fake_tmux(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, works: bool) -> Path:
    """A ``tmux`` on PATH that keeps what it was given in a file (or fails)."""
    kept = tmp_path / "buffer"
    script = tmp_path / "bin" / "tmux"
    script.parent.mkdir()
    body = f"cat > {kept}\nexit 0\n" if works else "exit 1\n"
    script.write_text(f"#!/bin/sh\n{body}")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{script.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("TMUX", "/tmp/tmux-1000/default,1,0")
    return kept


async def _copy_a_name(app: BeeperApp, pilot: Any) -> str:
    await _show(app, pilot, "aaliyah")
    await pilot.press("ctrl+y")
    await wait_for_screen(pilot, CopyMenu, "#copy-options")
    await pilot.press("enter")
    await settle(pilot)
    (toast,) = [t for t in toasts(app) if "opied" in str(t.message)]
    return str(toast.message)


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands in for tmux")
async def test_inside_tmux_a_copy_goes_to_tmuxs_buffer_and_says_so(
    make_app: Callable[..., BeeperApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = _fake_tmux(tmp_path, monkeypatch, works=True)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        words = await _copy_a_name(app, pilot)
    assert kept.read_text() == "Aaliyah"
    assert "tmux's paste buffer" in words


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands in for tmux")
async def test_inside_tmux_a_copy_that_cannot_arrive_says_how_to_fix_it(
    make_app: Callable[..., BeeperApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_tmux(tmp_path, monkeypatch, works=False)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        words = await _copy_a_name(app, pilot)
    assert not words.startswith("Copied")
    assert "set-clipboard on" in words


async def test_a_theme_picked_is_kept_in_the_config_file(
    make_app: Callable[..., BeeperApp], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    written = (
        "# my settings\n"
        'access_token = "secret-token-kept"  # from Desktop\n'
        'theme = "gruvbox"\n'
        "page_size = 50\n"
        "\n[keymap]\n"
        '"app.quit" = "ctrl+q"\n'
    )
    config.write_text(written)
    config.chmod(0o600)
    app = make_app(config_path=config, theme="gruvbox")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.theme = "nord"  # what the palette's "Change theme" does
        await wait_for(pilot, lambda: "nord" in config.read_text())
    # Only the theme's line changed: comments, the token and the rest as written.
    assert config.read_text() == written.replace('"gruvbox"', '"nord"')
    assert stat.S_IMODE(config.stat().st_mode) == 0o600


async def test_the_start_theme_is_not_written(
    make_app: Callable[..., BeeperApp], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("page_size = 50\n")
    app = make_app(config_path=config, theme="gruvbox")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.theme == "gruvbox"
    assert config.read_text() == "page_size = 50\n"


async def test_the_export_dialog_starts_on_the_format_and_enter_does_not_export(
    make_app: Callable[..., BeeperApp], tmp_path: Path
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _show(app, pilot, "aaliyah")
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, ExportDialog, "#export-path")
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        path = dialog.query_one("#export-path", Input)
        path.value = str(tmp_path / "out.vcf")
        fmt = dialog.query_one("#export-format", Select)
        await pilot.pause()
        assert app.focused is fmt, app.focused
        await pilot.press("enter")  # opens the choices, exports nothing
        await pilot.pause()
        assert fmt.expanded
        assert not dialog.running
        await pilot.press("down", "enter")  # a format chosen: the path is next
        await pilot.pause()
        assert fmt.value != "vcf"
        assert path.has_focus
        assert path.selection.is_empty  # a key typed now does not erase the path
        assert not dialog.running
        assert not list(tmp_path.iterdir())


# -- item 8: who is this ------------------------------------------------------


def _title_of(app: BeeperApp) -> str:
    content = app.detail.query_one("#person-title", Static).content
    return content.plain if isinstance(content, Text) else str(content)


async def test_the_persons_header_names_the_users_own_account_as_theirs(
    make_app: Callable[..., BeeperApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _show(app, pilot, "aaliyah")
        await wait_for(pilot, lambda: "Aaliyah" in _title_of(app))
        lines = _title_of(app).splitlines()
    assert lines[0] == "Aaliyah"
    assert lines[1] == "via Slack (you: Noor Haddad)"


def test_an_account_known_only_by_its_id_is_named_by_its_network() -> None:
    found = Account.model_validate(
        {
            "accountID": "imessagecloud_0302374f92fd",
            "network": "iMessage",
            "user": {"id": "imessagecloud_0302374f92fd"},
        }
    )
    assert account_label(found) == "iMessage"
    assert own_account_words(found) == "iMessage"
    user = User.model_validate({"id": "@lotte:beeper.local", "fullName": "Lotte"})
    label = identity_label(Contact(user, found.account_id), {found.account_id: found}.get)
    assert label == "iMessage"


async def test_an_emoji_name_in_the_header_keeps_the_border(
    make_app: Callable[..., BeeperApp],
) -> None:
    user = User.model_validate({"id": "@lotte:beeper.local", "fullName": "Lotte van Geest ❤️"})
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.detail.show_contact(Contact(user, "whatsapp"))
        await wait_for(pilot, lambda: "Lotte" in _title_of(app))
        title = _title_of(app)
    # Drawn as every row draws it: the heart without U+FE0F, one width everywhere.
    assert title.splitlines()[0] == "Lotte van Geest ❤"
    assert "\ufe0f" not in title


# -- item 10: room ------------------------------------------------------------


def _row_text(contact: Contact, width: int) -> str:
    styles = RowStyles(*(Style() for _ in range(6)))
    return "".join(text for text, _ in row_pieces(contact, width, styles, "WA"))


def test_the_columns_use_the_width_there_is() -> None:
    user = User.model_validate(
        {
            "id": "@a:beeper.local",
            "fullName": "Adrienne Bonnin",
            "username": "@adrienne.bonnin.paris",
            "phoneNumber": "+33625178657",
            "email": "adrienne.bonnin@northwindtraders.example",
        }
    )
    contact = Contact(user, "whatsapp")
    # The list beside both panes at 200 columns: the phone whole.
    assert "+33 6 25 17 86 57" in _row_text(contact, 96)
    # The list alone at 200 columns: handle, phone and email whole, the name not swimming.
    wide = _row_text(contact, 196)
    for value in ("@adrienne.bonnin.paris", "+33 6 25 17 86 57", user.email):
        assert value in wide
    # Every row's columns line up: the widths depend on the width only.
    assert column_widths(196) == column_widths(196)


def _lines(renderable: Any, width: int) -> list[str]:
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(renderable)
    return [line.rstrip() for line in console.export_text().splitlines()]


def test_ids_are_shown_whole_with_whole_network_names() -> None:
    user = User.model_validate(
        {"id": "@instagramgo_4243110987654321:beeper.com", "fullName": "Adrienne"}
    )
    account = Account.model_validate(
        {"accountID": "instagramgo", "network": "Instagram", "user": {"id": "me"}}
    )
    section = ids_section(Contact(user, "instagramgo"), {"instagramgo": account}.get, expanded=True)
    lines = _lines(section.renderable, 40)
    assert "Instagram" in lines
    # The user ID breaks after its punctuation, never inside a word of it.
    start = next(i for i, line in enumerate(lines) if line.startswith("User ID"))
    pieces = [lines[start][8:], lines[start + 1][8:]]
    assert pieces == ["@instagramgo_4243110987654321:", "beeper.com"]


async def test_below_70_columns_the_sidebar_shows_badges(
    make_app: Callable[..., BeeperApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(60, 14)) as pilot:
        await settle(pilot)
        sidebar = app.sidebar
        await wait_for(pilot, lambda: sidebar.option_count > 3)
        await settle(pilot)
        assert sidebar.show_vertical_scrollbar  # 14 rows: the list scrolls
        prompts = [str(sidebar.get_option_at_index(i).prompt) for i in range(sidebar.option_count)]
    assert prompts[0] == "✱ All"
    assert all("…" not in p and len(p.split()) == 2 for p in prompts), prompts


async def test_the_list_names_its_account_when_the_sidebar_is_hidden(
    make_app: Callable[..., BeeperApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert not app.sidebar.display
        assert "All accounts" in str(app.pane.border_title)
        await pilot.press("escape")
        app.pane.contact_list.focus()
        await pilot.press("right_square_bracket")
        await settle(pilot)
        account = app.backend.accounts.get(str(app.pane.account_id))
        assert account is not None
        assert network_name(account) in str(app.pane.border_title)


async def test_the_offline_toast_gives_way_to_the_status_line(
    make_app: Callable[..., BeeperApp],
) -> None:
    app = make_app()
    timeouts: list[float | None] = []
    notify = app.notify

    def recorded(message: str, **options: Any) -> None:
        if options.get("title") == "Offline":
            timeouts.append(options.get("timeout"))
        notify(message, **options)

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.notify = recorded  # type: ignore[method-assign]
        app.main_screen.post_message(HealthChanged(Health.OFFLINE))
        await wait_for(pilot, lambda: app.sidebar.border_subtitle == "offline")
        assert app.detail.border_subtitle == "offline"  # the borders keep saying it
    (timeout,) = timeouts
    assert timeout is not None
    assert timeout <= 3


async def test_the_sign_in_address_can_be_copied_whole(
    demo_server: str,
    demo_state: DemoState,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown: list[str] = []

    def no_browser(url: str) -> bool:
        shown.append(url)
        return False  # over SSH: the user must carry the address to a browser

    monkeypatch.setattr(connect_screens, "open_browser", no_browser)
    monkeypatch.delenv("TMUX", raising=False)
    settings = Settings(
        base_url=demo_server,
        access_token=demo_state.oauth.approve_connection(lifetime=0),
        refresh_seconds=0,
        debounce_ms=0,
        theme="textual-dark",
        config_path=tmp_path / "config.toml",
    )
    app = BeeperApp(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, TokenScreen, "#sign-in")
        copy = app.screen.query_one("#copy-url", Button)
        assert not copy.display  # no address yet
        app.screen.query_one("#sign-in", Button).press()
        await wait_for(pilot, lambda: bool(shown) and copy.display)
        copy.press()
        await wait_for(pilot, lambda: app.clipboard == shown[0])
        assert any(t.message == "Copied the address." for t in toasts(app))
        await pilot.press("escape")


# -- item 9: contrast ---------------------------------------------------------

_OWN_COLOUR_THEMES = sorted(t for t in BUILTIN_THEMES if not t.startswith("ansi-"))
"""The ANSI themes leave the colours to the terminal's palette."""


def _grey(color: RichColor | None, fallback: Color) -> float:
    """The brightness ``NO_COLOR`` shows a colour in (Textual's Monochrome filter)."""
    if color is None:
        return fallback.brightness
    red, green, blue = color.get_truecolor()
    return Color(red, green, blue).brightness


async def test_status_badges_read_in_every_theme_and_in_grey(
    make_app: Callable[..., BeeperApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        sidebar = app.sidebar
        for theme in _OWN_COLOUR_THEMES:
            app.theme = theme
            await settle(pilot)
            background = sidebar.background_colors[1]
            found: dict[str, float] = {}
            for y in range(sidebar.size.height):
                for segment in sidebar.render_line(y):
                    word = segment.text.strip()
                    if word in ("reconnect required", "unknown") and segment.style:
                        found[word] = abs(
                            _grey(segment.style.color, background) - background.brightness
                        )
            assert set(found) == {"reconnect required", "unknown"}, theme
            assert min(found.values()) >= 0.3, (theme, found)


async def test_a_new_theme_recolours_the_badges_already_shown(
    make_app: Callable[..., BeeperApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _show(app, pilot, "zoe morrison")  # on five networks, each with its badge
        body = app.detail.query_one("#detail-body", Static)

        def colours() -> set[str]:
            content = body.content
            assert isinstance(content, Group)
            return {
                str(cell.style)
                for part in content.renderables
                if isinstance(part, Table)
                for column in part.columns
                for cell in column.cells
                if isinstance(cell, Text) and cell.plain in "●◐▲○?"
            }

        before = colours()
        assert before
        app.theme = "textual-light"
        await wait_for(pilot, lambda: colours() != before)


def test_a_theme_key_is_added_at_the_top_level(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[keymap]\n"app.quit" = "ctrl+q"\n')
    save_config_text(config, "theme", "nord")
    assert load_config_file(config) == {"theme": "nord", "keymap": {"app.quit": "ctrl+q"}}
    save_config_text(tmp_path / "new" / "config.toml", "theme", "dracula")
    assert (tmp_path / "new" / "config.toml").read_text() == 'theme = "dracula"\n'
