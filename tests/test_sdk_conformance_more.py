"""The official SDK against the demo over loopback HTTP: chats, assets, setup, each generation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from beeper_desktop_api import BeeperDesktop, NotFoundError
from beeper_desktop_api.types import AssetDownloadResponse, Chat
from beeper_desktop_api.types.app import SetupRetrieveResponse

from beeper_tui.demo import DEMO_TOKEN, Dataset, create_demo_app, serve_in_thread
from beeper_tui.demo.generations import REPRESENTATIVE_VERSIONS, Generation


@pytest.fixture
def sdk(demo_server: str) -> Iterator[BeeperDesktop]:
    with BeeperDesktop(access_token=DEMO_TOKEN, base_url=demo_server, max_retries=0) as client:
        yield client


def _signal(dataset: Dataset) -> str:
    return next(a.account_id for a in dataset.accounts if a.spec.key == "signal")


def test_chats_search_pages_through_an_account(sdk: BeeperDesktop, demo_dataset: Dataset) -> None:
    signal = _signal(demo_dataset)
    chats = list(sdk.chats.search(account_ids=[signal], limit=25))
    assert len(chats) > 25
    assert len({c.id for c in chats}) == len(chats)
    assert all(c.account_id == signal for c in chats)
    for chat in chats:
        Chat.model_validate(chat.model_dump(by_alias=True))
    times = [c.last_activity for c in chats]
    assert times == sorted(times, reverse=True)


def test_chats_search_by_participant(sdk: BeeperDesktop) -> None:
    page = sdk.chats.search(query="#general", scope="titles", type="group")
    assert [c.title for c in page.items] == ["#general"]
    assert page.items[0].participants.has_more is True
    singles = sdk.chats.search(query="a", scope="participants", type="single", limit=10)
    assert singles.items
    assert all(c.type == "single" for c in singles.items)


def test_assets_download_and_serve(sdk: BeeperDesktop, demo_dataset: Dataset) -> None:
    telegram = next(a for a in demo_dataset.accounts if a.spec.key == "telegram")
    url = next(c["imgURL"] for c in telegram.contacts if c.get("imgURL"))
    downloaded = sdk.assets.download(url=url)
    AssetDownloadResponse.model_validate(downloaded.model_dump(by_alias=True))
    assert downloaded.src_url is not None
    assert downloaded.src_url.startswith("file://")
    served = sdk.assets.serve(url=url)
    assert served.read() == Path(downloaded.src_url.removeprefix("file://")).read_bytes()
    missing = sdk.assets.download(url="mxc://beeper.com/nothing-here")
    assert missing.error
    assert missing.src_url is None


def test_setup_state(sdk: BeeperDesktop) -> None:
    setup = sdk.app.setup.retrieve()
    SetupRetrieveResponse.model_validate(setup.model_dump(by_alias=True))
    assert setup.state == "ready"
    assert setup.e2ee.first_sync_done is True


@pytest.mark.parametrize("version", REPRESENTATIVE_VERSIONS)
def test_sdk_calls_on_each_generation(version: str, demo_dataset: Dataset, tmp_path: Path) -> None:
    generation = Generation.of(version)
    app = create_demo_app(demo_dataset, desktop_version=version, asset_dir=tmp_path)
    with (
        serve_in_thread(app) as base_url,
        BeeperDesktop(access_token=DEMO_TOKEN, base_url=base_url, max_retries=0) as sdk,
    ):
        accounts = sdk.accounts.list()
        assert all(a.account_id and a.user.id for a in accounts)
        telegram = next(a for a in accounts if a.account_id == "telegram")
        assert (getattr(telegram, "bridge", None) is not None) is generation.account_has_bridge
        assert (telegram.network is not None) is generation.account_has_network
        assert sdk.accounts.contacts.search("telegram", query="zoe").items
        if generation.has_info:
            assert sdk.info.retrieve().app.version == version
            first = sdk.accounts.contacts.list("telegram", limit=5)
            assert len(first.items) == 5
        else:
            with pytest.raises(NotFoundError):
                sdk.info.retrieve()
        user = next(
            c
            for c in demo_dataset.account("telegram").contacts
            if c.get("fullName") == "Renée Dubois"
        )  # type: ignore[union-attr]
        if generation.start_via == "chats/start":
            started = sdk.chats.start(account_id="telegram", user={"id": user["id"]})
            assert started.chat_id == started.id
        else:
            with pytest.raises(NotFoundError):
                sdk.chats.start(account_id="telegram", user={"id": user["id"]})
        assert sdk.chats.search(account_ids=["telegram"], limit=3).items
