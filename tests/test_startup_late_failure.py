"""Late failures of superseded start-up work are dropped, not shown (issue 14, item 7).

Start-up asks Beeper Desktop something that hangs; meanwhile ``r`` loads the
accounts. When the start-up call finally fails, the session is working: no
"Cannot reach Beeper Desktop" screen and no error toast may open over it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator

import pytest
from starlette.applications import Starlette

from beeper_tui.api.client import BeeperClient
from beeper_tui.config import Settings
from beeper_tui.demo import (
    DEMO_TOKEN,
    Dataset,
    DemoServer,
    DemoState,
    FaultRule,
    build_dataset,
    create_demo_app,
)
from beeper_tui.service.backend import Backend
from beeper_tui.service.session_events import Health
from beeper_tui.ui.app import BeeperApp
from beeper_tui.ui.connect_screens import ConnectErrorScreen
from tests.demo_fixtures import BASELINE_VERSION
from tests.ui_helpers import settle, toasts, wait_for, wait_for_screen

SIZE = (120, 40)
DEADLINE = 8.0
"""Long enough for every healthy answer on a busy machine; the stalled one takes longer."""
STALL_MS = 20000


@pytest.fixture(scope="module")
def small_dataset() -> Dataset:
    return build_dataset(big_account_size=300)


@pytest.fixture
def demo_app(small_dataset: Dataset) -> Starlette:
    return create_demo_app(small_dataset, desktop_version=BASELINE_VERSION)


@pytest.fixture
def server(demo_app: Starlette) -> Iterator[DemoServer]:
    with DemoServer(demo_app, host="127.0.0.1", port=0) as srv:
        yield srv


def http_app(server: DemoServer) -> BeeperApp:
    """A real-HTTP app whose requests give up after ``DEADLINE`` seconds."""
    settings = Settings(
        base_url=server.base_url,
        access_token=DEMO_TOKEN,
        refresh_seconds=0,
        config_path=None,
        theme="textual-dark",
    )
    client = BeeperClient(server.base_url, DEMO_TOKEN, max_retries=0, deadline=DEADLINE)
    return BeeperApp(settings, backend=Backend(client))


def start_up_running(app: BeeperApp) -> bool:
    return any(w.group == "connect" and not w.is_finished for w in app.workers)


async def test_discovery_timing_out_after_r_worked_opens_no_screen(
    server: DemoServer, demo_state: DemoState, caplog: pytest.LogCaptureFixture
) -> None:
    # Discovery hangs past the deadline: it fails late, as a lost connection.
    demo_state.faults.add(FaultRule(path=r"^/v1/info$", delay_ms=STALL_MS, times=1))
    app = http_app(server)
    with caplog.at_level(logging.INFO, logger="beeper_tui.service"):
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: bool(demo_state.requests_to(r"^/v1/info$")))
            await pilot.press("ctrl+r")  # the user retries while start-up still waits
            await wait_for(pilot, lambda: app.sidebar.option_count > 0)
            assert start_up_running(app)  # the late failure is still to come
            await wait_for(pilot, lambda: not start_up_running(app), limit=DEADLINE + 10)
            await settle(pilot)
            assert not isinstance(app.screen, ConnectErrorScreen)
            assert len(app.screen_stack) == 1
            assert app.health is Health.ONLINE
            assert app.sidebar.option_count > 0
            assert app.query_one("#contacts").items  # type: ignore[attr-defined]
    assert "dropped a late failure" in caplog.text
    assert "no complete answer within" in caplog.text


async def test_an_account_list_failing_late_after_r_worked_says_nothing(
    make_app: Callable[..., BeeperApp], demo_state: DemoState, caplog: pytest.LogCaptureFixture
) -> None:
    # The start-up account list answers 503, but only after r's list arrived: held
    # until then, however long r's list takes on a loaded machine.
    late = asyncio.Event()
    demo_state.faults.add(FaultRule(path=r"^/v1/accounts$", hold=late, status=503, times=1))
    app = make_app()
    with caplog.at_level(logging.INFO, logger="beeper_tui.service"):
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: bool(demo_state.requests_to(r"^/v1/accounts$")))
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda: app.sidebar.option_count > 0, limit=30)
            assert start_up_running(app)
            late.set()
            await wait_for(pilot, lambda: not start_up_running(app), limit=30)
            await settle(pilot)
            assert not [t for t in toasts(app) if t.title == "Accounts"]
            assert "Could not load accounts" not in app.detail.text
            assert app.health is Health.ONLINE
            assert not app.backend.accounts.stale  # an older request's failure is old news
    assert "dropped a late failure" in caplog.text


async def test_an_open_connection_screen_is_withdrawn_when_the_accounts_arrive(
    server: DemoServer, demo_state: DemoState
) -> None:
    demo_state.faults.add(FaultRule(path=r"^/v1/info$", delay_ms=STALL_MS, times=1))
    app = http_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, ConnectErrorScreen, "#connect-message", DEADLINE + 10)
        # Another path (a refresh, as the r key starts it) gets the accounts.
        app.main_screen.refresh_accounts()
        await wait_for(pilot, lambda: not isinstance(app.screen, ConnectErrorScreen))
        await wait_for(pilot, lambda: not start_up_running(app))
        await settle(pilot)
        assert len(app.screen_stack) == 1
        assert app.sidebar.option_count > 0
        assert app.health is Health.ONLINE
        assert app.return_code is None
