"""What the session and the address book tell the screen: messages, watched with message_hook.

The service reports through one adapter (``ServicePoster``) as Textual messages;
the main screen handles them and binds the state down to its panes. These tests
watch the messages themselves, then what the panes show.
"""

from __future__ import annotations

import socket
from typing import Any

from rich.text import Text
from starlette.applications import Starlette
from textual.message import Message

from beeper_tui.config import Settings
from beeper_tui.demo import build_dataset, create_demo_app
from beeper_tui.service.session_events import Health
from beeper_tui.ui.app import BeeperApp
from beeper_tui.ui.connect_screens import ConnectErrorScreen
from beeper_tui.ui.messages import (
    AccountsLoaded,
    BackendSwitched,
    BookChanged,
    BookStatus,
    DesktopBuild,
    HealthChanged,
    SuggestionCount,
    UnexpectedError,
)
from beeper_tui.wiring import open_backend
from tests.demo_fixtures import BASELINE_VERSION
from tests.ui_helpers import app_on_demo, settle, toasts, wait_for, wait_for_screen

SIZE = (120, 40)


def _small_demo() -> Starlette:
    return create_demo_app(build_dataset(big_account_size=300), desktop_version=BASELINE_VERSION)


def _plain(subtitle: object) -> str:
    """A border subtitle as the reader sees it (Textual keeps it as markup)."""
    return Text.from_markup(str(subtitle or "")).plain


def _of(seen: list[Message], kind: type[Message]) -> list[Any]:
    return [m for m in seen if isinstance(m, kind)]


async def test_start_up_and_the_first_sync_reach_the_screen_as_messages() -> None:
    seen: list[Message] = []
    app = app_on_demo(_small_demo(), book="memory", debounce_ms=0)
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        keeper = app.book_driver.keeper
        assert keeper is not None
        await wait_for(pilot, lambda: bool(_of(seen, BookChanged)), 60)
        await wait_for(pilot, lambda: not keeper.syncing, 60)
        await settle(pilot)

        health = _of(seen, HealthChanged)
        assert health[-1].health is Health.ONLINE
        loaded = _of(seen, AccountsLoaded)
        assert loaded
        assert list(loaded[-1].accounts) == list(app.backend.accounts.accounts)
        # Health first, then the accounts, then what their sync changed.
        order = [type(m) for m in seen if isinstance(m, (HealthChanged, AccountsLoaded))]
        assert order.index(HealthChanged) < order.index(AccountsLoaded)
        assert seen.index(loaded[0]) < seen.index(_of(seen, BookChanged)[0])

        # Data down: the screen keeps what it was told, the panes are bound to it.
        screen = app.main_screen
        assert screen.health is Health.ONLINE
        assert app.sidebar.health is Health.ONLINE
        assert app.detail.health is Health.ONLINE
        statuses = _of(seen, BookStatus)
        assert statuses
        assert screen.book_status == statuses[-1].status
        assert app.pane.book_status == statuses[-1].status
        # The book's status, then how many people may be the same, then the build (dim, last).
        await wait_for(pilot, lambda: screen.suggestion_status is not None, 30)
        counts = _of(seen, SuggestionCount)
        assert counts
        assert app.pane.suggestion_status == f"{counts[-1].count:,} maybe the same"
        builds = _of(seen, DesktopBuild)
        assert builds
        assert {b.line for b in builds} == {app.session.backend.build_line}
        assert screen.desktop_build == builds[-1].line
        parts = [statuses[-1].status, app.pane.suggestion_status, builds[-1].line]
        assert _plain(app.pane.border_subtitle) == " · ".join(p for p in parts if p)


async def test_a_sync_in_progress_is_a_status_message_shown_under_the_pane() -> None:
    seen: list[Message] = []
    app = app_on_demo(_small_demo(), book="memory", debounce_ms=0)
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        keeper = app.book_driver.keeper
        assert keeper is not None
        await wait_for(pilot, lambda: not keeper.syncing and bool(_of(seen, BookChanged)), 60)
        await settle(pilot)
        seen.clear()
        app.book_driver.sync()  # what r, a reconnect and the timer do
        assert keeper.syncing
        await wait_for(pilot, lambda: any(m.status for m in _of(seen, BookStatus)), 30)
        syncing = next(m.status for m in _of(seen, BookStatus) if m.status)
        assert syncing.startswith("Syncing")
        await wait_for(pilot, lambda: not keeper.syncing, 60)
        await settle(pilot)
        assert _of(seen, BookStatus)[-1].status is None
        # Only the count of suggestions and the build are left on the line.
        parts = [app.pane.suggestion_status, app.session.backend.build_line]
        assert _plain(app.pane.border_subtitle) == " · ".join(p for p in parts if p)


async def test_a_crashed_worker_in_a_widget_is_a_message_the_app_reports() -> None:
    seen: list[Message] = []
    app = app_on_demo(_small_demo(), debounce_ms=0)
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)

        def broken(scope: Any, query: str = "") -> Any:
            raise RuntimeError("boom")

        app.backend.source = broken  # type: ignore[method-assign]
        await pilot.press("slash", "x")
        await wait_for(pilot, lambda: bool(_of(seen, UnexpectedError)))
        error = _of(seen, UnexpectedError)[0].error
        assert isinstance(error, RuntimeError)
        assert str(error) == "boom"
        await wait_for(pilot, lambda: any(n.title == "Unexpected error" for n in toasts(app)))
        assert app.is_running


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_switching_to_the_demo_is_a_message_and_the_panes_read_its_backend() -> None:
    url = f"http://127.0.0.1:{_free_port()}"  # nothing listens there
    settings = Settings(
        base_url=url, access_token="t", debounce_ms=0, refresh_seconds=0, config_path=None
    )
    app = BeeperApp(settings, backend=open_backend(base_url=url, access_token="t", max_retries=0))
    seen: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await wait_for_screen(pilot, ConnectErrorScreen, "#connect-message")
        await pilot.press("d")
        await wait_for(pilot, lambda: app.sidebar.option_count > 0)
        switched = _of(seen, BackendSwitched)
        assert len({id(m) for m in switched}) == 1  # (seen by the screen, then the App)
        assert switched[0].backend is app.backend
        assert app.backend.is_demo
        assert app.pane.backend is app.backend  # one owner: the session
        assert app.sub_title == "demo data"
