"""The app against each Beeper Desktop generation the demo plays."""

from __future__ import annotations

import httpx
import pytest

from beeper_tui.api.client import BeeperClient
from beeper_tui.config import Settings
from beeper_tui.demo import DEMO_TOKEN, Dataset, create_demo_app
from beeper_tui.service.backend import Backend
from beeper_tui.service.networks import network_name
from beeper_tui.ui.app import BeeperApp
from tests.ui_helpers import settle, wait_for

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
        await settle(app, pilot)
        await wait_for(pilot, lambda: bool(app.backend.accounts.found_through_chats), limit=30)
        names = [network_name(a) for a in app.backend.accounts.accounts]
        assert "iMessage" in names
        assert app.backend.accounts.found_through_chats
