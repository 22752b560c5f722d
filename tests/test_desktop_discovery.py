"""Finding Beeper Desktop on a local port, and start-up checks: introspection, setup state."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from textual.widgets import Button

from beeper_tui.api.client import BeeperClient
from beeper_tui.config import Settings, load_config_file
from beeper_tui.demo import DEMO_TOKEN, Dataset, DemoState, create_demo_app
from beeper_tui.demo.server import DemoServer
from beeper_tui.service.backend import Backend
from beeper_tui.service.discovery import candidates, find_desktop
from beeper_tui.service.session import Session
from beeper_tui.service.session_events import EXPIRED_MESSAGE, Notice, SessionEvent
from beeper_tui.ui import connect_screens
from beeper_tui.ui.app import BeeperApp
from beeper_tui.ui.connect_screens import TokenScreen
from tests.test_sign_in import _browser
from tests.ui_helpers import settle, toasts, wait_for, wait_for_screen

SIZE = (120, 40)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def served(demo_app: Starlette) -> Iterator[DemoServer]:
    server = DemoServer(demo_app, "127.0.0.1", _free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_candidates_try_each_port_on_both_hosts_in_order() -> None:
    urls = candidates(ports=range(23373, 23375))
    assert urls == [
        "http://127.0.0.1:23373",
        "http://localhost:23373",
        "http://127.0.0.1:23374",
        "http://localhost:23374",
    ]
    assert len(candidates()) == 40


async def test_the_first_port_that_answers_is_used(served: DemoServer) -> None:
    dead = [_free_port(), _free_port()]
    ports = [*dead, served.port]
    found = await find_desktop(("127.0.0.1",), ports, at_once=2, timeout=1.0)
    assert found == f"http://127.0.0.1:{served.port}"


async def test_nothing_found_is_none() -> None:
    assert await find_desktop(("127.0.0.1",), [_free_port()], timeout=0.5) is None


class _NoPrompts:
    async def cannot_connect(self, error: Any) -> Any:
        raise AssertionError(f"asked to reconnect: {error}")

    async def need_token(self, reason: str | None) -> Any:
        raise AssertionError(f"asked for a token: {reason}")

    def token_accepted(self, token: str) -> None:
        raise AssertionError("no token was typed")

    async def use_demo(self) -> Backend:
        raise AssertionError("asked for the demo")

    def quit(self) -> None:
        raise AssertionError("quit")


async def test_the_session_moves_to_the_desktop_it_found(served: DemoServer) -> None:
    client = BeeperClient(f"http://127.0.0.1:{_free_port()}", DEMO_TOKEN, max_retries=0)
    events: list[SessionEvent] = []
    finder = partial(find_desktop, ("127.0.0.1",), [served.port], timeout=1.0)
    session = Session(Backend(client), _NoPrompts(), events.append, find_desktop=finder)
    try:
        await session.start()
        assert session.backend.base_url == f"http://127.0.0.1:{served.port}"
        assert session.backend.accounts.loaded
        notices = [e for e in events if isinstance(e, Notice)]
        assert notices
        assert f"127.0.0.1:{served.port}" in notices[0].text
    finally:
        await session.aclose()


def test_only_an_unconfigured_base_url_is_discovered() -> None:
    assert Settings().base_url_is_default
    assert not Settings(base_url="http://localhost:23373").base_url_is_default


async def test_setup_state_is_told_apart_from_a_bad_token(demo_dataset: Dataset) -> None:
    app = create_demo_app(demo_dataset, setup_state="needs-login")
    server = DemoServer(app, "127.0.0.1", 0)
    server.start()
    events: list[SessionEvent] = []
    session = Session(
        Backend(BeeperClient(server.base_url, DEMO_TOKEN, max_retries=0)),
        _NoPrompts(),
        events.append,
    )
    try:
        await session.start()
        notices = [e for e in events if isinstance(e, Notice)]
        assert notices
        assert "not signed in" in notices[-1].text
        assert notices[-1].warning
    finally:
        await session.aclose()
        server.stop()


# -- the TUI: an expired token at start leads to sign-in ---------------------------


async def test_an_expired_token_at_start_leads_to_sign_in_in_the_app(
    demo_server: str,
    demo_state: DemoState,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expired = demo_state.oauth.approve_connection(lifetime=0)
    config = tmp_path / "config.toml"
    visits: list[asyncio.Task[Any]] = []

    def fake_browser(url: str) -> bool:
        visits.append(asyncio.ensure_future(_browser()(url)))
        return True

    monkeypatch.setattr(connect_screens, "open_browser", fake_browser)
    settings = Settings(
        base_url=demo_server,
        access_token=expired,
        refresh_seconds=0,
        debounce_ms=0,
        theme="textual-dark",
        config_path=config,
    )
    app = BeeperApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, TokenScreen, "#sign-in")
        reason = str(app.screen.query_one("#token-reason").render())
        assert reason == EXPIRED_MESSAGE
        # Sign-in is offered first, above the token box.
        dialog = app.screen.query_one("#token-dialog")
        order = [child.id for child in dialog.children]
        assert order.index("sign-in") < order.index("token-input")
        app.screen.query_one("#sign-in", Button).press()
        await wait_for(pilot, lambda: bool(visits))
        await asyncio.wait_for(visits[0], 10)
        await wait_for(pilot, lambda: not isinstance(app.screen, TokenScreen), limit=10)
        await settle(pilot)
        assert app.backend.accounts.loaded
        saved = load_config_file(config)["access_token"]
        assert saved != expired
        assert (demo_state.oauth.find(saved)) is not None
        assert any("Token saved" in n.message for n in toasts(app))
