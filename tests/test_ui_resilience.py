"""Start-up cases, faults mid-session and hostile text: the app tells the user and keeps working."""

from __future__ import annotations

import logging
import re
import socket
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from starlette.applications import Starlette
from textual.widgets import Checkbox, Input

from beeper_tui.api.client import BeeperClient
from beeper_tui.api.models import AccountStatus
from beeper_tui.config import Settings
from beeper_tui.demo import DEMO_TOKEN, Dataset, DemoServer, DemoState, FaultRule
from beeper_tui.service.backend import Backend
from beeper_tui.service.scope import ALL_ACCOUNTS
from beeper_tui.ui.accounts_sidebar import AccountsSidebar
from beeper_tui.ui.app import BeeperApp
from beeper_tui.ui.connect_screens import ConnectErrorScreen, TokenScreen
from beeper_tui.ui.contact_list import ContactList
from beeper_tui.wiring import open_backend
from tests.ui_helpers import settle, show_big_account, toasts, wait_for, wait_for_screen

SIZE = (120, 40)
HOSTILE = "[red]x[/red]\x1b]52;c;AAAA\x07"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def http_app(base_url: str, token: str | None, **overrides: Any) -> BeeperApp:
    """An app talking to ``base_url`` over real HTTP, as with a real Beeper Desktop."""
    values: dict[str, Any] = {
        "base_url": base_url,
        "access_token": token,
        "debounce_ms": 0,
        "refresh_seconds": 0,
        "theme": "textual-dark",
        "config_path": None,
    }
    values.update(overrides)
    settings = Settings(**values)
    backend = open_backend(base_url=base_url, access_token=token, max_retries=0)
    app = BeeperApp(settings, backend=backend)
    app.session.reconnect_delays = (0.1,)
    return app


async def open_big_account(app: BeeperApp, pilot: Any) -> ContactList:
    """Show the 20,000-member Slack account, where more pages always remain, focused."""
    lst = await show_big_account(app, pilot)
    lst.focus()
    return lst


def notifications(app: BeeperApp) -> list[str]:
    return [n.message for n in toasts(app)]


def sidebar_text(app: BeeperApp) -> str:
    sidebar = app.query_one("#accounts", AccountsSidebar)
    return "\n".join(
        str(sidebar.get_option_at_index(i).prompt) for i in range(sidebar.option_count)
    )


@pytest.fixture
def server(demo_app: Starlette) -> Iterator[DemoServer]:
    """A demo server on loopback that a test may stop and start again on the same port."""
    srv = DemoServer(demo_app, host="127.0.0.1", port=free_port())
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


# -- start-up ------------------------------------------------------------------


async def test_unreachable_desktop_offers_retry_and_demo() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    app = http_app(url, "t")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, ConnectErrorScreen, "#connect-message")
        message = str(app.screen.query_one("#connect-message").render())
        assert url in message
        assert "refused" in message
        await pilot.press("d")
        await wait_for(pilot, lambda: app.sidebar.option_count > 0)
        assert app.backend.is_demo
        assert app.sub_title == "demo data"


async def test_retry_connects_once_desktop_is_started(demo_app: Starlette) -> None:
    port = free_port()
    app = http_app(f"http://127.0.0.1:{port}", DEMO_TOKEN)
    srv = DemoServer(demo_app, host="127.0.0.1", port=port)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_for_screen(pilot, ConnectErrorScreen, "#retry")
            srv.start()
            await pilot.press("r")
            await wait_for(pilot, lambda: app.sidebar.option_count > 0)
            assert not app.backend.is_demo
    finally:
        srv.stop()


async def test_no_token_asks_for_one_masked_and_saves_it_privately(
    server: DemoServer, tmp_path: Path, demo_state: DemoState
) -> None:
    config = tmp_path / "config.toml"
    app = http_app(server.base_url, None, config_path=config)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, TokenScreen, "#token-input")
        box = app.screen.query_one("#token-input", Input)
        assert box.password
        await pilot.press(*DEMO_TOKEN)
        app.screen.query_one("#token-save", Checkbox).value = True
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.sidebar.option_count > 0)
        # The token is never on screen or in a toast.
        assert not any(DEMO_TOKEN in m for m in notifications(app))
    assert DEMO_TOKEN in config.read_text()
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert demo_state.requests_to(r"^/v1/accounts$")[-1].authorized


async def test_a_rejected_token_is_never_saved(server: DemoServer, tmp_path: Path) -> None:
    """Issue 24: "save" ticked, Desktop rejects the token: nothing is written, no toast."""
    config = tmp_path / "config.toml"
    app = http_app(server.base_url, None, config_path=config)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, TokenScreen, "#token-input")
        await pilot.press(*"not-the-token")
        app.screen.query_one("#token-save", Checkbox).value = True
        await pilot.press("enter")
        await wait_for_screen(pilot, TokenScreen, "#token-reason")
        assert "rejected" in str(app.screen.query_one("#token-reason").render())
        assert not any("Token saved" in m for m in notifications(app))
        assert not config.exists() or "not-the-token" not in config.read_text()
        # The right one, saved this time: it is saved once Desktop accepts it.
        app.screen.query_one("#token-save", Checkbox).value = True
        await pilot.press(*DEMO_TOKEN, "enter")
        await wait_for(pilot, lambda: app.sidebar.option_count > 0)
        await wait_for(pilot, lambda: any("Token saved" in m for m in notifications(app)))
    assert DEMO_TOKEN in config.read_text()
    assert "not-the-token" not in config.read_text()


async def test_rejected_token_says_so_and_accepts_a_new_one(server: DemoServer) -> None:
    app = http_app(server.base_url, "wrong-token")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, TokenScreen, "#token-reason")
        reason = str(app.screen.query_one("#token-reason").render())
        assert "rejected" in reason
        assert "wrong-token" not in reason
        await pilot.press(*DEMO_TOKEN, "enter")
        await wait_for(pilot, lambda: app.sidebar.option_count > 0)


async def test_rejected_token_from_the_environment_says_so(server: DemoServer) -> None:
    app = http_app(server.base_url, "wrong-token", token_source="environment")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, TokenScreen, "#token-source")
        note = str(app.screen.query_one("#token-source").render())
        assert "BEEPER_ACCESS_TOKEN" in note
        assert "lose to the variable" in note
        save = app.screen.query_one("#token-save", Checkbox)
        assert "this session only" in str(save.label)
        save.value = True
        await pilot.pause()
        assert "once Desktop accepts it" in str(save.label)


async def test_rejected_token_from_the_config_has_no_environment_note(
    server: DemoServer,
) -> None:
    app = http_app(server.base_url, "wrong-token", token_source="config")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, TokenScreen, "#token-reason")
        assert not app.screen.query("#token-source")


async def test_older_desktop_build_works_with_fewer_details(
    make_app: Callable[..., BeeperApp], demo_state: DemoState, demo_dataset: Dataset
) -> None:
    # Older builds answer 404 for the account-retrieve endpoint and omit status/bridge.
    demo_state.faults.add(FaultRule(path=r"^/v1/accounts/[^/]+$", status=404))
    legacy = next(a for a in demo_dataset.accounts if "status" not in a.wire)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.sidebar.focus()
        app.sidebar.select_account(legacy.account_id)
        await settle(pilot)
        text = app.detail.text
        assert "unknown" in text
        assert legacy.account_id in text
        assert "None" not in text
        assert not [n for n in toasts(app) if n.severity == "error"]
        assert app.query_one("#contacts", ContactList).items


# -- live status ----------------------------------------------------------------


async def test_badges_refresh_in_the_background_and_a_failed_refresh_goes_stale(
    make_app: Callable[..., BeeperApp], demo_state: DemoState, demo_dataset: Dataset
) -> None:
    app = make_app(refresh_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = app.backend.accounts.accounts
        first = next(a for a in demo_dataset.accounts if a.wire.get("status") == "connected")
        changed = [
            {**a.wire, "status": "reconnect_required"}
            if a.account_id == first.account_id
            else a.wire
            for a in demo_dataset.accounts
        ]
        demo_state.faults.add(FaultRule(path=r"^/v1/accounts$", body=changed))
        await wait_for(
            pilot,
            lambda: (
                app.backend.accounts.get(first.account_id) is not None
                and app.backend.accounts.get(first.account_id).status  # type: ignore[union-attr]
                is AccountStatus.RECONNECT_REQUIRED
            ),
        )
        await pilot.pause()
        index = app.sidebar.get_option_index(first.account_id)
        assert "reconnect required" in str(app.sidebar.get_option_at_index(index).prompt)
        demo_state.faults.clear()
        demo_state.faults.add(FaultRule(path=r"^/v1/accounts$", status=500))
        await wait_for(pilot, lambda: app.backend.accounts.stale)
        await pilot.pause()
        assert app.sidebar.option_count == len(before) + 1  # "All accounts" + each account
        assert app.sidebar.border_subtitle == "stale"


# -- faults mid-session ------------------------------------------------------------


async def test_desktop_going_away_and_coming_back(server: DemoServer) -> None:
    app = http_app(server.base_url, DEMO_TOKEN)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: bool(app.query_one("#contacts", ContactList).items))
        await pilot.press("slash", *"mar")
        await settle(pilot)
        rows = list(app.query_one("#contacts", ContactList).items)
        account = app.pane.account_id
        assert rows
        server.stop()
        app.query_one("#contacts", ContactList).focus()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: app.offline)
        assert any("Lost connection" in m for m in notifications(app))
        assert app.sidebar.border_subtitle in ("offline", "stale")
        assert app.detail.border_subtitle == app.sidebar.border_subtitle
        assert any(m.startswith("Refreshing") for m in notifications(app))  # r answers at once
        server.start()
        await wait_for(pilot, lambda: not app.offline)
        assert app.detail.border_subtitle is None
        assert any("Reconnected" in m for m in notifications(app))
        assert app.query_one("#search", Input).value == "mar"
        assert app.pane.account_id == account
        assert list(app.query_one("#contacts", ContactList).items) == rows


async def test_failed_page_shows_an_error_row_and_r_retries_without_loss(
    make_app: Callable[..., BeeperApp], demo_state: DemoState
) -> None:
    app = make_app(page_size=50)
    async with app.run_test(size=SIZE) as pilot:
        lst = await open_big_account(app, pilot)
        loaded = len(lst.items)
        demo_state.faults.add(FaultRule(path=r"/contacts/list$", status=500, times=1))
        await pilot.press("end")
        await settle(pilot)
        assert "press ctrl+r to retry" in lst.status_text
        assert len(lst.items) == loaded
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert len(lst.items) > loaded
        ids = [c.id for c in lst.items]
        assert len(ids) == len(set(ids))


async def test_malformed_page_is_an_error_row_too(
    make_app: Callable[..., BeeperApp], demo_state: DemoState
) -> None:
    app = make_app(page_size=50)
    async with app.run_test(size=SIZE) as pilot:
        lst = await open_big_account(app, pilot)
        demo_state.faults.add(FaultRule(path=r"/contacts/list$", malformed=True, times=1))
        await pilot.press("end")
        await settle(pilot)
        assert "not JSON" in lst.status_text


async def test_rate_limited_page_waits_then_continues(
    make_app: Callable[..., BeeperApp], demo_state: DemoState
) -> None:
    app = make_app(page_size=50)
    async with app.run_test(size=SIZE) as pilot:
        lst = await open_big_account(app, pilot)
        loaded = len(lst.items)
        demo_state.faults.add(
            FaultRule(path=r"/contacts/list$", status=429, retry_after=0.3, times=1)
        )
        # Every status the list shows, however briefly: on a loaded machine the wait
        # may be over before a poll would see it.
        shown: list[str] = []
        show = lst.set_status

        def spy(text: str | Text, **kwargs: Any) -> None:
            show(text, **kwargs)
            shown.append(lst.status_text)

        lst.set_status = spy  # type: ignore[method-assign]
        await pilot.press("end")
        await wait_for(pilot, lambda: len(lst.items) > loaded, limit=30)
        assert any("retrying by itself" in text for text in shown)
        await settle(pilot)
        assert "Too many" not in lst.status_text


async def test_one_failing_account_does_not_affect_another(
    make_app: Callable[..., BeeperApp], demo_state: DemoState
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first, second = app.backend.accounts.accounts[:2]
        demo_state.faults.add(FaultRule(path=rf"^/v1/accounts/{first.account_id}/", status=503))
        app.pane.account_id = None
        app.main_screen.switch_account(first.account_id)
        await settle(pilot)
        lst = app.query_one("#contacts", ContactList)
        assert "press ctrl+r to retry" in lst.status_text
        app.main_screen.switch_account(second.account_id)
        await settle(pilot)
        assert lst.items
        assert {c.account_id for c in lst.items} == {second.account_id}
        assert "retry" not in lst.status_text


async def test_unexpected_error_is_logged_and_toasted_and_the_app_keeps_running(
    make_app: Callable[..., BeeperApp], caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)

        def broken(scope: Any, query: str = "") -> Any:
            raise RuntimeError("boom")

        app.backend.source = broken  # type: ignore[method-assign]
        with caplog.at_level(logging.ERROR, logger="beeper_tui"):
            await pilot.press("slash", *"x")
            await settle(pilot)
        assert app.is_running
        assert any(n.title == "Unexpected error" for n in toasts(app))
        logged = [r.exc_info[1] for r in caplog.records if r.exc_info]
        assert any(isinstance(e, RuntimeError) and str(e) == "boom" for e in logged)


# -- hostile text -----------------------------------------------------------------------


def _hostile_accounts(dataset: Dataset) -> list[dict[str, Any]]:
    accounts = [dict(a.wire) for a in dataset.accounts]
    accounts[0] = {
        **accounts[0],
        "network": "[bold]Net[/bold]\x1b[2J",
        "statusText": HOSTILE,
        "user": {**accounts[0]["user"], "fullName": HOSTILE},
    }
    return accounts


async def test_hostile_text_is_inert_in_sidebar_rows_detail_and_palette(
    make_app: Callable[..., BeeperApp], demo_state: DemoState, demo_dataset: Dataset
) -> None:
    hostile = _hostile_accounts(demo_dataset)
    demo_state.faults.add(FaultRule(path=r"^/v1/accounts$", body=hostile))
    one = rf"^/v1/accounts/{re.escape(hostile[0]['accountID'])}$"
    demo_state.faults.add(FaultRule(path=one, body=hostile[0]))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        side = sidebar_text(app)
        assert "connected · [red]x[" in side  # the status text, cut to the sidebar's width
        assert "[bold]Net[/bold]␛[2J" in side
        assert "\x1b" not in side
        app.sidebar.focus()
        app.sidebar.select_account(hostile[0]["accountID"])
        await settle(pilot)
        assert "Owner: [red]x[/red]␛]52;c;AAAA␇" in app.detail.text
        assert "Network: [bold]Net[/bold]␛[2J" in app.detail.text
        # The demo's Matrix account holds hostile contacts; find the OSC-52 one.
        matrix = next(a for a in demo_dataset.accounts if a.account_id == "matrix")
        app.main_screen.switch_account(matrix.account_id)
        await settle(pilot)
        await pilot.press("slash", *"mallory")
        await settle(pilot)
        lst = app.query_one("#contacts", ContactList)
        assert lst.items
        row = lst.render_line(0).text
        assert "[red]x[/red]␛]52;c;AAAA␇" in row
        assert "\x1b" not in row
        assert "\x07" not in row
        assert "[red]x[/red]␛]52;c;AAAA␇" in app.detail.text


async def test_hostile_long_empty_and_bidi_names_keep_the_layout(
    make_app: Callable[..., BeeperApp],
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.main_screen.switch_account("matrix")
        await settle(pilot)
        lst = app.query_one("#contacts", ContactList)
        width = lst.scrollable_content_region.width
        for y in range(min(len(lst.items), lst.scrollable_content_region.height)):
            strip = lst.render_line(y)
            assert strip.cell_length == width
            assert "\u202e" not in strip.text
        for contact in lst.items:
            lst.cursor = lst.items.index(contact)
        await pilot.pause()
        assert app.is_running


async def test_hostile_server_message_in_a_toast_is_literal(
    make_app: Callable[..., BeeperApp], demo_state: DemoState
) -> None:
    demo_state.faults.add(
        FaultRule(path=r"^/v1/accounts$", status=500, message="[b]boom[/b]\x1b]0;pwned\x07")
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        toast = next(n for n in toasts(app) if n.title == "Accounts")
        assert "[b]boom[/b]␛]0;pwned␇" in toast.message
        assert not toast.markup


async def test_palette_shows_hostile_account_names_literally(
    make_app: Callable[..., BeeperApp], demo_state: DemoState, demo_dataset: Dataset
) -> None:
    from beeper_tui.ui.command_palette import AccountCommands

    demo_state.faults.add(FaultRule(path=r"^/v1/accounts$", body=_hostile_accounts(demo_dataset)))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        provider = AccountCommands(app.screen)
        hits = [hit async for hit in provider.discover()]
        prompts = [h.prompt for h in hits]
        assert all(isinstance(p, Text) for p in prompts)
        assert any("[bold]Net[/bold]␛[2J" in str(p) for p in prompts)
        found = [hit async for hit in provider.search("net")]
        assert found
        assert isinstance(found[0].prompt, Text)
        assert "[bold]Net[/bold]" in found[0].prompt.plain


# -- logging ------------------------------------------------------------------------------


async def test_log_records_requests_without_the_token(server: DemoServer, tmp_path: Path) -> None:
    log_file = tmp_path / "debug.log"
    handler = logging.FileHandler(log_file)
    root = logging.getLogger("beeper_tui")
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    try:
        app = http_app(server.base_url, DEMO_TOKEN)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app.sidebar.option_count > 0)
            await settle(pilot)
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()
    text = log_file.read_text()
    assert "GET /v1/accounts -> 200" in text
    assert "/contacts/list -> 200" in text
    assert DEMO_TOKEN not in text


# -- found in review -------------------------------------------------------------------


async def test_all_accounts_notices_a_lost_connection(server: DemoServer) -> None:
    app = http_app(server.base_url, DEMO_TOKEN)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: bool(app.query_one("#contacts", ContactList).items))
        assert app.pane.account_id == ALL_ACCOUNTS
        server.stop()
        await pilot.press("slash", *"mar")
        await wait_for(pilot, lambda: app.offline)
        server.start()
        await wait_for(pilot, lambda: not app.offline)
        await settle(pilot)
        lst = app.query_one("#contacts", ContactList)
        assert lst.items  # the failed search was retried on reconnection
        assert app.pane.pager is not None
        assert app.pane.pager.query == "mar"


async def test_accounts_timing_out_after_discovery_shows_the_connection_screen(
    server: DemoServer, demo_state: DemoState
) -> None:
    demo_state.faults.add(FaultRule(path=r"^/v1/accounts$", delay_ms=1500, times=1))
    settings = Settings(
        base_url=server.base_url, access_token=DEMO_TOKEN, refresh_seconds=0, config_path=None
    )
    client = BeeperClient(server.base_url, DEMO_TOKEN, max_retries=0, read_timeout=0.3)
    app = BeeperApp(settings, backend=Backend(client))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, ConnectErrorScreen, "#connect-message")
        assert "timed out" in str(app.screen.query_one("#connect-message").render())
        await pilot.press("r")
        await wait_for(pilot, lambda: app.sidebar.option_count > 0)


async def test_token_rejected_mid_session_asks_for_a_new_one(
    make_app: Callable[..., BeeperApp], demo_state: DemoState
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        demo_state.faults.add(
            FaultRule(path=r"^/v1/accounts$", status=401, message="Token expired", times=1)
        )
        app.query_one("#contacts", ContactList).focus()
        await pilot.press("ctrl+r")
        await wait_for_screen(pilot, TokenScreen, "#token-reason")
        assert "Token expired" in str(app.screen.query_one("#token-reason").render())
        await pilot.press(*DEMO_TOKEN, "enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, TokenScreen))
        await settle(pilot)
        assert not app.backend.accounts.stale


async def test_insecure_url_warning_is_plain_text(
    demo_app: Starlette,
) -> None:
    # The backend is the in-process demo: nothing is sent to the address below.
    url = "http://10.1.2.3:23373/[/x][b]"
    settings = Settings(base_url=url, access_token="t", refresh_seconds=0, config_path=None)
    backend = open_backend(base_url=url, access_token=None, demo_app=demo_app, max_retries=0)
    app = BeeperApp(settings, backend=backend)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        warning = next(n for n in toasts(app) if n.title == "Insecure connection")
        assert "[/x][b]" in warning.message
        assert not warning.markup
        assert app.is_running


async def test_prefetch_stops_for_rows_that_are_being_replaced(
    make_app: Callable[..., BeeperApp], demo_state: DemoState
) -> None:
    app = make_app(debounce_ms=1000, page_size=50)
    async with app.run_test(size=SIZE) as pilot:
        await open_big_account(app, pilot)
        demo_state.clear_requests()
        await pilot.press("slash", *"zzq", "down", "end", "end")

        def listed() -> list[str | None]:
            return [r.params.get("query") for r in demo_state.requests_to(r"/contacts/list$")]

        # Wait for the first page asked after the keys (the debounced search, however
        # slow the machine), then for every worker: "end" on the rows being replaced
        # must have asked for no page of theirs, before or after.
        await wait_for(pilot, lambda: bool(listed()), limit=30)
        await settle(pilot)
        assert listed() == ["zzq"]


async def test_export_dialog_survives_an_empty_path_and_unexpected_errors(
    make_app: Callable[..., BeeperApp], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from textual.widgets import Button, Select

    from beeper_tui.ui import export_dialog

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk on fire")

    app = make_app()
    monkeypatch.setattr(app.backend, "export_to_file", broken)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.query_one("#contacts", ContactList).focus()
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, export_dialog.ExportDialog, "#export-path")
        dialog = app.screen
        dialog.query_one("#export-path", Input).value = ""
        dialog.query_one("#export-format", Select).value = "csv"
        await pilot.pause()
        assert app.is_running
        assert dialog.query_one("#export-path", Input).value == ""
        dialog.query_one("#export-path", Input).value = str(tmp_path / "never.csv")
        await pilot.click("#export-start")
        await settle(pilot)
        assert app.is_running
        assert "disk on fire" in str(dialog.query_one("#export-progress").render())
        assert not dialog.query_one("#export-start", Button).disabled
        assert any(n.title == "Unexpected error" for n in toasts(app))
