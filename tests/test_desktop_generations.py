"""The app against each Beeper Desktop generation the demo plays."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.text import Text

from beeper_tui.api.client import BeeperClient
from beeper_tui.api.errors import BeeperError
from beeper_tui.config import Settings, SettingsError
from beeper_tui.demo import DEMO_TOKEN, Dataset, DemoState, create_demo_app
from beeper_tui.demo.faults import FaultRule
from beeper_tui.demo.generations import LATEST_VERSION, REPRESENTATIVE_VERSIONS, Generation
from beeper_tui.service.backend import Backend
from beeper_tui.service.networks import network_name
from beeper_tui.ui.app import BeeperApp
from beeper_tui.ui.contact_list import ContactList
from beeper_tui.ui.export_dialog import ExportDialog
from beeper_tui.ui.search_pane import SearchBox
from tests.cli_helpers import export_main
from tests.ui_helpers import app_on_demo, settle, toasts, wait_for

SIZE = (120, 40)


def _backend(dataset: Dataset, version: str) -> Backend:
    app = create_demo_app(dataset, desktop_version=version)
    client = BeeperClient(
        "http://demo.invalid", DEMO_TOKEN, transport=httpx.ASGITransport(app=app), max_retries=0
    )
    return Backend(client)


def _imessage_ids(dataset: Dataset) -> set[str]:
    return {a.account_id for a in dataset.accounts if a.account_id.startswith("imessage")}


@pytest.mark.parametrize("version", ["4.3.0", "4.3.20"])
async def test_accounts_hidden_from_the_list_are_found_through_chats(
    demo_dataset: Dataset, version: str
) -> None:
    backend = _backend(demo_dataset, version)
    try:
        listed = {a.account_id for a in await backend.client.list_accounts()}
        hidden = _imessage_ids(demo_dataset)
        assert hidden
        assert not hidden & listed  # this build leaves iMessage out of the list
        await backend.info()
        await backend.accounts.refresh()
        assert await backend.accounts.find_hidden_accounts()
        found = {a.account_id for a in backend.accounts.accounts}
        assert hidden <= found
        assert backend.accounts.found_through_chats == frozenset(hidden)
        imessage = backend.accounts.get(next(iter(hidden)))
        assert imessage is not None
        assert network_name(imessage) == "iMessage"
        # Retrieve answers 404 for it on 4.3: the directory falls back to what it found.
        detail = await backend.accounts.detail(imessage.account_id)
        assert detail.account_id == imessage.account_id
    finally:
        await backend.aclose()


async def test_builds_that_list_every_account_need_no_sweep(demo_dataset: Dataset) -> None:
    backend = _backend(demo_dataset, "4.2.808")
    try:
        await backend.info()
        assert not backend.accounts.find_hidden
        accounts = await backend.accounts.refresh()
        assert _imessage_ids(demo_dataset) <= {a.account_id for a in accounts}
        assert backend.accounts.found_through_chats == frozenset()
    finally:
        await backend.aclose()


async def test_the_app_on_a_43_desktop_shows_the_imessage_account() -> None:
    settings = Settings(demo=True, demo_version="4.3.20", refresh_seconds=0, debounce_ms=0)
    app = BeeperApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await wait_for(pilot, lambda: bool(app.backend.accounts.found_through_chats), limit=30)
        names = [network_name(a) for a in app.backend.accounts.accounts]
        assert "iMessage" in names
        assert app.backend.accounts.found_through_chats


# -- the app on every generation ------------------------------------------------

OLDEST = REPRESENTATIVE_VERSIONS[0]


def _app_on(dataset: Dataset, version: str, **demo: Any) -> tuple[BeeperApp, DemoState]:
    demo_app = create_demo_app(dataset, desktop_version=version, **demo)
    state: DemoState = demo_app.state.demo
    state.recording = True
    return app_on_demo(demo_app, debounce_ms=0), state


def _messageable(app: BeeperApp) -> int:
    lst = app.query_one("#contacts", ContactList)
    return next(
        i for i, c in enumerate(lst.items) if not c.user.cannot_message and not c.user.is_self
    )


async def _search(app: BeeperApp, pilot: Any, text: str) -> None:
    app.query_one("#search", SearchBox).value = text
    await settle(pilot, extra=0.05)


@pytest.mark.parametrize("version", REPRESENTATIVE_VERSIONS)
async def test_the_app_lists_searches_pages_and_messages_on_every_build(
    demo_dataset: Dataset, version: str
) -> None:
    app, state = _app_on(demo_dataset, version)
    generation = Generation.of(version)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.backend.accounts.accounts, "accounts listed"
        app.main_screen.switch_account("telegram")
        await settle(pilot)
        lst = app.query_one("#contacts", ContactList)
        if generation.has_contacts_list:
            assert lst.items, "browsing lists contacts"
            assert app.pane.pager is not None
            if app.pane.pager.has_more:
                before = len(lst.items)
                await app.pane.pager.load_next()
                assert len(app.pane.pager.items) > before, "a second page"
        else:
            assert not lst.items
            assert "Update Beeper Desktop to use the contact list" in lst.status_text
            assert "needs 4.2.557 or newer" in lst.status_text
            assert "still searches" in lst.status_text
            assert state.requests_to(r"/contacts/list$") == []
        name = state.dataset.account("telegram").contacts[3]["fullName"]  # type: ignore[union-attr]
        await _search(app, pilot, name.split()[0])
        assert lst.items, f"search for {name!r} found people"
        if not generation.has_contacts_list:
            assert state.requests_to(r"/telegram/contacts$")
        state.clear_requests()
        lst.focus()
        lst.cursor = _messageable(app)
        await pilot.press("ctrl+o")
        await settle(pilot)
        messages = [n for n in toasts(app) if n.title == "Message"]
        starts = state.requests_to(r"^/v1/chats(/start)?$")
        if generation.start_via is None:
            assert "Update Beeper Desktop to use messaging" in messages[-1].message
            assert "404" not in messages[-1].message
            assert state.focus_requests == []
        else:
            assert "Opened the chat" in messages[-1].message, messages[-1].message
            assert state.focus_requests
            used = starts[-1]
            assert used.path == (
                "/v1/chats/start" if generation.start_via == "chats/start" else "/v1/chats"
            )
            if generation.start_via == "chats":
                assert used.json["mode"] == "start"
                # Remembered: the next chat goes straight to POST /v1/chats.
                state.clear_requests()
                await pilot.press("ctrl+o")
                await settle(pilot)
                assert [r.path for r in state.requests_to(r"^/v1/chats(/start)?$")] == ["/v1/chats"]


async def test_the_build_is_known_from_info_or_its_absence(demo_dataset: Dataset) -> None:
    for version, text in ((OLDEST, "a build older than 4.2.557"), ("4.2.700", "4.2.700")):
        backend = _backend(demo_dataset, version)
        try:
            with contextlib.suppress(BeeperError):
                await backend.info()
            assert backend.build.described == text
            assert backend.build.has_contacts_list is (version != OLDEST)
        finally:
            await backend.aclose()


async def test_no_request_carries_a_limit_over_200(demo_dataset: Dataset) -> None:
    app = create_demo_app(demo_dataset, desktop_version=LATEST_VERSION, record=True)
    state: DemoState = app.state.demo
    client = BeeperClient(
        "http://demo.invalid", DEMO_TOKEN, transport=httpx.ASGITransport(app=app), max_retries=0
    )
    backend = Backend(client, page_size=500)
    try:
        page = await client.list_contacts("telegram", limit=10_000)
        assert page.items
        await client.search_chats("a", limit=999)
        pager = backend.pager("telegram")
        await pager.load_next()
        limits = [int(r.params["limit"]) for r in state.requests if "limit" in r.params]
        assert limits
        assert max(limits) == 200
    finally:
        await backend.aclose()


def test_settings_cap_the_page_size_at_200() -> None:
    assert Settings(page_size=200).page_size == 200
    with pytest.raises(SettingsError):
        Settings(page_size=201)


async def test_a_hidden_account_whose_contacts_fail_stays_and_says_so(
    demo_dataset: Dataset,
) -> None:
    app, state = _app_on(demo_dataset, LATEST_VERSION)
    hidden = next(iter(_imessage_ids(demo_dataset)))
    state.faults.add(FaultRule(path=r"/contacts(/list)?$", status=404, message="Account not found"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert hidden in app.backend.accounts.found_through_chats
        app.main_screen.switch_account(hidden)
        await settle(pilot)
        assert hidden in {a.account_id for a in app.backend.accounts.accounts}
        prompt = app.sidebar.get_option(hidden).prompt
        assert isinstance(prompt, Text)
        assert "can't list contacts" in prompt.plain
        assert "Account not found" in app.query_one("#contacts", ContactList).status_text
        # Listed accounts failing the same way keep their ordinary row.
        telegram = app.sidebar.get_option("telegram").prompt
        assert isinstance(telegram, Text)
        assert "can't list contacts" not in telegram.plain


@pytest.mark.parametrize("version", [OLDEST, "4.2.400"])
def test_export_on_a_build_without_contacts_list_says_to_update(
    demo_dataset: Dataset,
    version: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    demo_app = create_demo_app(demo_dataset, desktop_version=version)
    target = tmp_path / "all.vcf"
    for scope in (["--all"], ["--account", "telegram", "--query", "anna"]):
        assert (
            export_main(["--demo", *scope, "--format", "vcf", "-o", str(target)], demo_app=demo_app)
            == 1
        )
        out, err = capsys.readouterr()
        assert out == ""
        assert err.count("\n") == 1  # one line, not a 404 per account
        assert "Update Beeper Desktop to export: needs 4.2.557" in err
        assert "404" not in err
        assert not target.exists()


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_an_old_build_is_explained_whole_and_export_says_to_update(
    demo_dataset: Dataset, size: tuple[int, int]
) -> None:
    app, _ = _app_on(demo_dataset, "4.2.400")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        lst = app.query_one("#contacts", ContactList)
        await wait_for(pilot, lambda: "Update Beeper Desktop" in lst.status_text)
        lines = [lst.render_line(y).text.strip() for y in range(len(lst.items), 12)]
        shown = " ".join(line for line in lines if line)
        assert "…" not in shown  # wrapped, never cut
        assert " ".join(lst.status_text.split()) in shown
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ExportDialog)
        said = [str(t.message) for t in toasts(app) if t.title == "Export"]
        assert said
        assert said[-1].startswith("Update Beeper Desktop to export: needs 4.2.557")
