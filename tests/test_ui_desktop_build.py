"""The Desktop build on the contact pane's status line: the session reports it once known."""

from __future__ import annotations

from rich.text import Text

from beeper_tui.api.client import BeeperClient
from beeper_tui.config import Settings
from beeper_tui.demo import DEMO_TOKEN
from beeper_tui.service.backend import Backend
from beeper_tui.service.session import Session
from beeper_tui.service.session_events import BuildKnown, SessionEvent
from beeper_tui.ui.app import BeeperApp
from beeper_tui.ui.search_pane import SearchPane
from tests.test_desktop_discovery import _NoPrompts
from tests.ui_helpers import settle, wait_for

SIZE = (120, 30)


async def test_the_session_reports_the_build_once(demo_server: str) -> None:
    events: list[SessionEvent] = []
    client = BeeperClient(demo_server, DEMO_TOKEN, max_retries=0)
    session = Session(Backend(client), _NoPrompts(), events.append)
    try:
        await session.start()
        await session.refresh()
        builds = [e for e in events if isinstance(e, BuildKnown)]
        assert len(builds) == 1
        assert builds[0].line is not None
        assert builds[0].line.startswith("Beeper Desktop ")
        assert builds[0].line == session.backend.build_line
    finally:
        await session.aclose()


async def test_the_status_line_ends_with_the_desktop_build(demo_server: str) -> None:
    settings = Settings(
        base_url=demo_server,
        access_token=DEMO_TOKEN,
        refresh_seconds=0,
        debounce_ms=0,
        theme="textual-dark",
    )
    app = BeeperApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        pane = app.screen.query_one(SearchPane)
        await wait_for(pilot, lambda: "Beeper Desktop" in str(pane.border_subtitle or ""))
        line = app.session.backend.build_line
        assert line is not None
        shown = Text.from_markup(str(pane.border_subtitle)).plain
        assert shown.endswith(line)
        await settle(pilot)  # the first search done before the server stops
