"""How the app looks: SVG snapshots of its main states on the deterministic demo."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.theme import BUILTIN_THEMES

from beeper_tui.api.models import AccountStatus
from beeper_tui.config import Settings
from beeper_tui.service.discovery import FoundDesktop, TokenVerdict
from beeper_tui.ui.app import BeeperApp
from beeper_tui.ui.desktop_chooser import DesktopChooser
from tests.demo_fixtures import BASELINE_VERSION
from tests.ui_helpers import settle

SIZE = (120, 40)


def _app(demo_version: str = BASELINE_VERSION, theme: str = "textual-dark") -> BeeperApp:
    settings = Settings(
        demo=True,
        demo_version=demo_version,
        debounce_ms=0,
        refresh_seconds=0,
        theme=theme,
        images="halfblock",
    )
    return BeeperApp(settings)


def test_main_view(snap_compare: Callable[..., bool]) -> None:
    assert snap_compare(_app(), terminal_size=SIZE, run_before=settle)


def test_search_with_selected_contact(snap_compare: Callable[..., bool]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("slash", *"mar")
        await settle(pilot)
        await pilot.press("down", "down", "enter")
        await settle(pilot)

    assert snap_compare(_app(), terminal_size=SIZE, run_before=run_before)


def test_account_in_attention_state(snap_compare: Callable[..., bool]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        app = pilot.app
        assert isinstance(app, BeeperApp)
        target = next(
            a for a in app.backend.accounts.accounts if a.status is AccountStatus.ATTENTION_REQUIRED
        )
        app.main_screen.switch_account(target.account_id)
        app.sidebar.focus()
        await settle(pilot)

    assert snap_compare(_app(), terminal_size=SIZE, run_before=run_before)


def test_help_screen(snap_compare: Callable[..., bool]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)

    assert snap_compare(_app(), terminal_size=SIZE, run_before=run_before)


def _book_app() -> BeeperApp:
    """The demo with its address book in memory, synced before anything is pressed."""
    return BeeperApp(
        Settings(
            demo=True,
            demo_version=BASELINE_VERSION,
            debounce_ms=0,
            refresh_seconds=0,
            theme="textual-dark",
            book="memory",
            sync_minutes=0,
        )
    )


async def _book_synced(pilot: Pilot[Any], deadline: float) -> BeeperApp:
    """Wait (until the event loop's ``deadline``) for the book to sync and the list to read it."""
    from beeper_tui.service.book_source import BookSource

    app = pilot.app
    assert isinstance(app, BeeperApp)
    await settle(pilot)
    loop = asyncio.get_running_loop()
    keeper = app.book_driver.keeper
    assert keeper is not None
    while not isinstance(app.pane.pager, BookSource) or keeper.syncing:
        assert loop.time() < deadline, "the book did not sync in time"
        await pilot.pause(0.05)
    return app


def test_address_book_search(snap_compare: Callable[..., bool]) -> None:
    """Ranked people from the address book: true totals, matched letters highlighted."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await _book_synced(pilot, asyncio.get_running_loop().time() + 120)
        await pilot.press("slash", *"zoe mo")
        await settle(pilot)

    assert snap_compare(_book_app(), terminal_size=SIZE, run_before=run_before)


def test_suggestions_view(snap_compare: Callable[..., bool]) -> None:
    """Maybe the same person: the open pairs, best first, each with its reason."""
    from beeper_tui.ui.suggestions_screen import SuggestionsScreen

    async def run_before(pilot: Pilot[Any]) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 120  # the sync and the suggestions together
        app = await _book_synced(pilot, deadline)
        await pilot.press("f3")
        while not (isinstance(app.screen, SuggestionsScreen) and app.screen.suggestions):
            assert loop.time() < deadline, "the suggestions did not come"
            await pilot.pause(0.05)
        await settle(pilot)

    assert snap_compare(_book_app(), terminal_size=SIZE, run_before=run_before)


def test_person_view_with_face_and_chats(snap_compare: Callable[..., bool]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        app = pilot.app
        assert isinstance(app, BeeperApp)
        rows = app.pane.contact_list
        for index, contact in enumerate(rows.items):  # noqa: B007 - used after the loop
            has_face = (contact.user.img_url or "").startswith("mxc://")
            if has_face and len((await app.backend.chats_with(contact)).chats) >= 2:
                break
        else:
            raise AssertionError("no demo person with a face and two chats")
        rows.focus()
        rows.cursor = index
        await settle(pilot)
        assert app.detail.avatar.showing_image

    assert snap_compare(_app(), terminal_size=SIZE, run_before=run_before)


def test_person_with_a_conversation(snap_compare: Callable[..., bool]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("slash", *"ines becker")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        app = pilot.app
        assert isinstance(app, BeeperApp)
        conversation = app.detail.conversation
        assert conversation is not None
        assert len(conversation.lines) == 5
        assert "Last talked" in app.detail.text

    assert snap_compare(_app(), terminal_size=SIZE, run_before=run_before)


async def _search_zoe(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await pilot.press("slash", *"zoe")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


def test_small_terminal_search(snap_compare: Callable[..., bool]) -> None:
    """80x24: no detail panel beside the list, full names in the list."""
    assert snap_compare(_app(), terminal_size=(80, 24), run_before=_search_zoe)


def test_small_terminal_detail_over_the_list(snap_compare: Callable[..., bool]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _search_zoe(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)

    assert snap_compare(_app(), terminal_size=(80, 24), run_before=run_before)


def test_tiny_terminal_badges_only(snap_compare: Callable[..., bool]) -> None:
    assert snap_compare(_app(), terminal_size=(60, 20), run_before=_search_zoe)


def test_wide_terminal_columns(snap_compare: Callable[..., bool]) -> None:
    """200x50: handle, phone and email in columns of their own."""
    assert snap_compare(_app(), terminal_size=(200, 50), run_before=_search_zoe)


def test_light_theme(snap_compare: Callable[..., bool]) -> None:
    assert snap_compare(_app(theme="textual-light"), terminal_size=SIZE, run_before=_search_zoe)


def test_desktop_chooser(snap_compare: Callable[..., bool]) -> None:
    # Stable and Nightly answer and neither accepts the saved token: the user picks.
    found = [
        FoundDesktop("http://127.0.0.1:23373", "4.3.20", TokenVerdict.REFUSED),
        FoundDesktop("http://127.0.0.1:23374", "4.3.31", TokenVerdict.REFUSED),
    ]

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        pilot.app.push_screen(DesktopChooser(found, "http://localhost:23373"))
        await settle(pilot)

    assert snap_compare(_app(), terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("theme", sorted(BUILTIN_THEMES))
def test_every_built_in_theme(snap_compare: Callable[..., bool], theme: str) -> None:
    """Badges, pane titles and muted words read in every theme the app offers."""
    assert snap_compare(_app(theme=theme), terminal_size=SIZE, run_before=_search_zoe)


def test_no_color(snap_compare: Callable[..., bool], monkeypatch: pytest.MonkeyPatch) -> None:
    """NO_COLOR=1: greys only, every badge and title still apart from the background."""
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(_app(), terminal_size=SIZE, run_before=_search_zoe)
