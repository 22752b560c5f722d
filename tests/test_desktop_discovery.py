"""Finding Beeper Desktop on a local port, and start-up checks: introspection, setup state."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from textual.widgets import Button, OptionList

from beeper_tui.api.client import BeeperClient
from beeper_tui.cli import main
from beeper_tui.config import Settings, load_config_file
from beeper_tui.demo import DEMO_TOKEN, Dataset, DemoState, create_demo_app
from beeper_tui.demo.server import DemoServer
from beeper_tui.service import discovery as discovery_module
from beeper_tui.service.backend import Backend
from beeper_tui.service.discovery import Discovery, FoundDesktop, TokenVerdict, candidates, discover
from beeper_tui.service.session import Session
from beeper_tui.service.session_events import EXPIRED_MESSAGE, Notice, SessionEvent
from beeper_tui.ui import connect_screens
from beeper_tui.ui.app import BeeperApp
from beeper_tui.ui.connect_screens import TokenScreen
from beeper_tui.ui.desktop_chooser import DesktopChooser
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
    found = await discover(("127.0.0.1",), ports, at_once=2, timeout=1.0, rebind_waits=())
    assert found.chosen is not None
    assert found.chosen.url == f"http://127.0.0.1:{served.port}"


async def test_nothing_found_is_none() -> None:
    found = await discover(("127.0.0.1",), [_free_port()], timeout=0.5, rebind_waits=())
    assert found.found == ()
    assert found.chosen is None
    assert not found.ambiguous


async def test_closed_ports_cost_no_http_client(
    served: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Building an HTTP client builds a TLS context (tens of ms): only a port that
    # accepts a connection gets one, so a scan of 20 mostly closed ports stays quick.
    made: list[str] = []
    real = discovery_module._client

    def counted(url: str, timeout: float, token: str | None = None) -> BeeperClient:
        made.append(url)
        return real(url, timeout, token)

    monkeypatch.setattr(discovery_module, "_client", counted)
    closed = [_free_port() for _ in range(6)]
    found = await discover(
        ("127.0.0.1", "localhost"), [*closed, served.port], timeout=1.0, rebind_waits=()
    )
    assert [d.url for d in found.found] == [served.base_url]
    assert made == [served.base_url]


@pytest.fixture
def two_desktops(demo_dataset: Dataset) -> Iterator[tuple[DemoServer, DemoServer]]:
    """Stable and Nightly, say: two Desktops on two ports, the second with another token."""
    first = DemoServer(create_demo_app(demo_dataset), "127.0.0.1", _free_port())
    second = DemoServer(
        create_demo_app(demo_dataset, token="nightly-token"), "127.0.0.1", _free_port()
    )
    first.start()
    try:
        second.start()
        try:
            yield first, second
        finally:
            second.stop()
    finally:
        first.stop()


async def test_every_desktop_that_answers_is_listed_and_the_token_picks_one(
    two_desktops: tuple[DemoServer, DemoServer],
) -> None:
    first, second = two_desktops
    ports = [first.port, _free_port(), second.port]
    for token, chosen in ((DEMO_TOKEN, first), ("nightly-token", second)):
        found = await discover(("127.0.0.1",), ports, token=token, timeout=1.0, rebind_waits=())
        assert [d.url for d in found.found] == [first.base_url, second.base_url]
        assert found.chosen is not None
        assert found.chosen.url == chosen.base_url
        assert found.chosen.token is TokenVerdict.ACCEPTED
        assert not found.ambiguous
        others = [d for d in found.found if d is not found.chosen]
        assert [d.token for d in others] == [TokenVerdict.REFUSED]


async def test_several_desktops_and_no_token_is_the_users_choice(
    two_desktops: tuple[DemoServer, DemoServer],
) -> None:
    first, second = two_desktops
    ports = [first.port, second.port]
    found = await discover(("127.0.0.1",), ports, token=None, timeout=1.0, rebind_waits=())
    assert found.ambiguous
    assert found.chosen is None
    line = found.choose_message()
    assert "\n" not in line
    assert first.base_url in line
    assert second.base_url in line
    assert "--base-url" in line
    # A token neither accepts leaves the choice open too.
    found = await discover(("127.0.0.1",), ports, token="nobodys", timeout=1.0, rebind_waits=())
    assert found.ambiguous
    assert {d.token for d in found.found} == {TokenVerdict.REFUSED}


def test_a_lone_desktop_is_chosen_and_described() -> None:
    desktop = FoundDesktop("http://127.0.0.1:23373", "4.2.1", TokenVerdict.ACCEPTED)
    assert Discovery((desktop,)).chosen is desktop
    assert desktop.describe() == "http://127.0.0.1:23373 (4.2.1, accepts the token)"


async def test_both_hosts_reaching_one_desktop_list_it_once(served: DemoServer) -> None:
    found = await discover(("127.0.0.1", "127.0.0.1"), [served.port], timeout=1.0, rebind_waits=())
    assert [d.url for d in found.found] == [served.base_url]


class _StartOnFirstMiss(logging.Handler):
    """Starts ``server`` when discovery says nothing answered yet: a Desktop that rebinds late."""

    def __init__(self, server: DemoServer) -> None:
        super().__init__()
        self.server = server
        self.misses = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "scanning again" in record.getMessage():
            self.misses += 1
            if not self.server.running:
                self.server.start()


async def test_a_desktop_that_rebinds_late_is_still_found(demo_app: Starlette) -> None:
    server = DemoServer(demo_app, "127.0.0.1", _free_port())
    late = _StartOnFirstMiss(server)
    service_log = logging.getLogger("beeper_tui.service")
    service_log.addHandler(late)
    level = service_log.level
    service_log.setLevel(logging.INFO)
    try:
        found = await discover(
            ("127.0.0.1",), [server.port], timeout=1.0, rebind_waits=(0.05, 0.05, 0.05)
        )
        assert late.misses == 1
        assert found.chosen is not None
        assert found.chosen.url == server.base_url
    finally:
        service_log.removeHandler(late)
        service_log.setLevel(level)
        server.stop()


async def test_the_rebind_grace_is_bounded() -> None:
    port = _free_port()
    misses: list[str] = []

    class _Count(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "scanning again" in record.getMessage():
                misses.append(record.getMessage())

    counter = _Count()
    service_log = logging.getLogger("beeper_tui.service")
    service_log.addHandler(counter)
    level = service_log.level
    service_log.setLevel(logging.INFO)
    try:
        found = await discover(("127.0.0.1",), [port], timeout=0.5, rebind_waits=(0.01, 0.02))
    finally:
        service_log.removeHandler(counter)
        service_log.setLevel(level)
    assert found.found == ()
    assert len(misses) == 2


class _NoPrompts:
    def __init__(self, choice: int | None = None) -> None:
        self.choice = choice
        """Which Desktop to choose when asked (asking fails the test when None)."""
        self.offered: list[FoundDesktop] = []

    async def cannot_connect(self, error: Any) -> Any:
        raise AssertionError(f"asked to reconnect: {error}")

    async def need_token(self, reason: str | None) -> Any:
        raise AssertionError(f"asked for a token: {reason}")

    async def choose_desktop(self, found: Sequence[FoundDesktop]) -> str | None:
        if self.choice is None:
            raise AssertionError(f"asked to choose among {found}")
        self.offered = list(found)
        return found[self.choice].url

    def token_accepted(self, token: str) -> None:
        raise AssertionError("no token was typed")

    async def use_demo(self) -> Backend:
        raise AssertionError("asked for the demo")

    def quit(self) -> None:
        raise AssertionError("quit")


async def test_the_session_moves_to_the_desktop_it_found(served: DemoServer) -> None:
    client = BeeperClient(f"http://127.0.0.1:{_free_port()}", DEMO_TOKEN, max_retries=0)
    events: list[SessionEvent] = []
    finder = partial(discover, ("127.0.0.1",), [served.port], timeout=1.0, rebind_waits=())
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


async def test_the_session_takes_the_desktop_that_accepts_its_token(
    two_desktops: tuple[DemoServer, DemoServer],
) -> None:
    first, second = two_desktops
    client = BeeperClient(f"http://127.0.0.1:{_free_port()}", "nightly-token", max_retries=0)
    finder = partial(
        discover,
        ("127.0.0.1",),
        [first.port, second.port],
        token="nightly-token",
        timeout=1.0,
        rebind_waits=(),
    )
    events: list[SessionEvent] = []
    session = Session(Backend(client), _NoPrompts(), events.append, find_desktop=finder)
    try:
        await session.start()
        assert session.backend.base_url == second.base_url
        assert session.backend.accounts.loaded
    finally:
        await session.aclose()


async def test_the_session_asks_when_the_token_does_not_tell_them_apart(
    two_desktops: tuple[DemoServer, DemoServer],
) -> None:
    first, second = two_desktops
    client = BeeperClient(f"http://127.0.0.1:{_free_port()}", DEMO_TOKEN, max_retries=0)
    # No token to probe with: both are offered, the user picks the first.
    finder = partial(
        discover, ("127.0.0.1",), [first.port, second.port], timeout=1.0, rebind_waits=()
    )
    prompts = _NoPrompts(choice=0)
    session = Session(Backend(client), prompts, lambda _: None, find_desktop=finder)
    try:
        await session.start()
        assert [d.url for d in prompts.offered] == [first.base_url, second.base_url]
        assert session.backend.base_url == first.base_url
        assert session.backend.accounts.loaded
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


# -- the TUI: several Desktops and a token that does not choose ---------------------


async def test_the_app_offers_a_chooser_when_several_desktops_answer(
    two_desktops: tuple[DemoServer, DemoServer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, second = two_desktops
    # The scan stays on the two test servers; the app adds the saved token itself.
    # The App imports discovery when it builds the session (after its first frame).
    monkeypatch.setattr(
        discovery_module,
        "discover",
        partial(discover, ("127.0.0.1",), [first.port, second.port], rebind_waits=()),
    )
    settings = Settings(
        access_token="nobodys-token",  # refused by both: the token does not choose
        refresh_seconds=0,
        debounce_ms=0,
        theme="textual-dark",
    )
    assert settings.base_url_is_default
    app = BeeperApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, DesktopChooser, "#desktop-options")
        options = app.screen.query_one("#desktop-options", OptionList)
        shown = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert [line.split(" ")[0] for line in shown] == [first.base_url, second.base_url]
        assert all("refuses the token" in line for line in shown)
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, DesktopChooser))
        assert app.session.backend.base_url == second.base_url
        # The nightly refuses this token too: the token screen asks for another.
        await wait_for_screen(pilot, TokenScreen, "#token-input")


# -- the command line: doctor lists them, login asks for --base-url -------------------


@pytest.fixture
def scan_only(
    two_desktops: tuple[DemoServer, DemoServer], monkeypatch: pytest.MonkeyPatch
) -> tuple[DemoServer, DemoServer]:
    """The commands' scan limited to the two test servers (no other local port is asked)."""
    first, second = two_desktops
    monkeypatch.setattr(
        discovery_module,
        "discover",
        partial(discover, ("127.0.0.1",), [first.port, second.port], rebind_waits=()),
    )
    return first, second


def test_doctor_lists_every_desktop_found(
    scan_only: tuple[DemoServer, DemoServer], capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = scan_only
    assert main(["doctor", "--token", DEMO_TOKEN]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if "Desktops found" in x)
    assert line.startswith("ok")
    assert f"{first.base_url} (" in line
    assert f"{second.base_url} (" in line
    assert "accepts the token" in line
    assert "refuses the token" in line
    assert f"answering at {first.base_url}" in out
    assert DEMO_TOKEN not in out


def test_doctor_fails_when_the_token_does_not_choose(
    scan_only: tuple[DemoServer, DemoServer], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["doctor", "--format", "json", "--token", "nobodys"]) == 1
    report = json.loads(capsys.readouterr().out)
    found = report["checks"][0]
    assert found["name"] == "Desktops found"
    assert found["ok"] is False
    assert "--base-url" in found["fix"]


def test_login_names_the_desktops_and_asks_for_base_url(
    scan_only: tuple[DemoServer, DemoServer], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    first, second = scan_only
    status = main(["login", "--no-browser", "--config", str(tmp_path / "config.toml")])
    err = capsys.readouterr().err
    assert status == 2
    assert len(err.strip().splitlines()) == 1
    assert first.base_url in err
    assert second.base_url in err
    assert "--base-url" in err
    assert not (tmp_path / "config.toml").exists()
