"""The demo plays each Beeper Desktop generation: routes and account shapes follow the version."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from beeper_tui.demo import DEMO_TOKEN, Dataset, create_demo_app
from beeper_tui.demo.generations import (
    LATEST_VERSION,
    REPRESENTATIVE_VERSIONS,
    DesktopVersion,
    Generation,
)

AUTH = {"Authorization": f"Bearer {DEMO_TOKEN}"}

Client = Callable[[str], Any]


@pytest.fixture
def demo_at(demo_dataset: Dataset) -> Client:
    """``async with demo_at("4.2.700") as client``: an in-process demo of that version."""

    @asynccontextmanager
    async def open_client(version: str) -> AsyncIterator[httpx.AsyncClient]:
        app = create_demo_app(demo_dataset, desktop_version=version)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://demo.test", headers=AUTH
        ) as client:
            yield client

    return open_client


def _imessage_id(dataset: Dataset) -> str:
    return next(a.account_id for a in dataset.accounts if a.spec.key == "imessagecloud")


# -- versions and gates ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4.2.700", DesktopVersion(4, 2, 700)),
        (" v4.3.20 ", DesktopVersion(4, 3, 20)),
        ("4.2.808-beta.2", DesktopVersion(4, 2, 808)),
        ("10.0.1", DesktopVersion(10, 0, 1)),
    ],
)
def test_parse_version(text: str, expected: DesktopVersion) -> None:
    assert DesktopVersion.parse(text) == expected


@pytest.mark.parametrize("text", ["", "4.2", "four", "4.2.x", "4.2.700.1.2 beta"])
def test_parse_rejects_non_versions(text: str) -> None:
    with pytest.raises(ValueError, match="not a Beeper Desktop version"):
        DesktopVersion.parse(text)


def test_versions_order_numerically_not_as_text() -> None:
    assert DesktopVersion.parse("4.2.99") < DesktopVersion.parse("4.2.557")
    assert DesktopVersion.parse("4.2.808") < DesktopVersion.parse("4.3.0")
    assert str(DesktopVersion.parse("v4.2.785")) == "4.2.785"


@pytest.mark.parametrize(
    ("version", "info", "contacts_list", "start", "bridge", "network", "hides"),
    [
        ("4.1.294", False, False, None, False, True, False),
        ("4.2.556", False, False, None, False, True, False),
        ("4.2.557", True, True, "chats", False, False, False),
        ("4.2.784", True, True, "chats", False, False, False),
        ("4.2.785", True, True, "chats", True, False, False),
        ("4.2.807", True, True, "chats", True, False, False),
        ("4.2.808", True, True, "chats/start", True, True, False),
        ("4.2.999", True, True, "chats/start", True, True, False),
        ("4.3.0", True, True, "chats/start", True, True, True),
        ("4.3.20", True, True, "chats/start", True, True, True),
    ],
)
def test_feature_gates(
    version: str,
    info: bool,
    contacts_list: bool,
    start: str | None,
    bridge: bool,
    network: bool,
    hides: bool,
) -> None:
    generation = Generation.of(version)
    assert generation.has_info is info
    assert generation.has_contacts_list is contacts_list
    assert generation.start_via == start
    assert generation.account_has_bridge is bridge
    assert generation.account_has_network is network
    assert generation.hides_platform_sdk is hides


def test_representative_versions_cover_each_generation_oldest_first() -> None:
    generations = [Generation.of(v) for v in REPRESENTATIVE_VERSIONS]
    assert [g.version for g in generations] == sorted(g.version for g in generations)
    shapes = {
        (g.has_info, g.start_via, g.account_has_bridge, g.account_has_network, g.hides_platform_sdk)
        for g in generations
    }
    assert len(shapes) == len(REPRESENTATIVE_VERSIONS)
    assert REPRESENTATIVE_VERSIONS[-1] == LATEST_VERSION


def test_bad_version_is_refused_when_building_the_app(demo_dataset: Dataset) -> None:
    with pytest.raises(ValueError, match="not a Beeper Desktop version"):
        create_demo_app(demo_dataset, desktop_version="latest")


# -- what each generation serves ---------------------------------------------


async def test_default_app_plays_the_newest_generation(demo_dataset: Dataset) -> None:
    app = create_demo_app(demo_dataset)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://demo.test") as client:
        info = (await client.get("/v1/info")).json()
    assert info["app"]["version"] == LATEST_VERSION


@pytest.mark.parametrize("version", REPRESENTATIVE_VERSIONS)
async def test_info_exists_from_4_2_557_and_reports_the_version(
    demo_at: Client, version: str
) -> None:
    async with demo_at(version) as client:
        response = await client.get("/v1/info")
    if Generation.of(version).has_info:
        assert response.status_code == 200
        assert response.json()["app"]["version"] == version
    else:
        assert response.status_code == 404
        assert response.json()["code"] == "NOT_FOUND"


@pytest.mark.parametrize("version", REPRESENTATIVE_VERSIONS)
async def test_contacts_list_exists_from_4_2_557_and_search_always(
    demo_at: Client, version: str
) -> None:
    async with demo_at(version) as client:
        listed = await client.get("/v1/accounts/telegram/contacts/list")
        searched = await client.get("/v1/accounts/telegram/contacts", params={"query": "zoe"})
    assert listed.status_code == (200 if Generation.of(version).has_contacts_list else 404)
    assert searched.status_code == 200
    assert "Zoë Lindqvist" in [u.get("fullName") for u in searched.json()["items"]]


@pytest.mark.parametrize("version", REPRESENTATIVE_VERSIONS)
async def test_account_keys_follow_the_generation(
    demo_at: Client, demo_dataset: Dataset, version: str
) -> None:
    generation = Generation.of(version)
    async with demo_at(version) as client:
        accounts = (await client.get("/v1/accounts")).json()
        telegram = (await client.get("/v1/accounts/telegram")).json()
    assert isinstance(accounts, list)
    assert accounts[1] == telegram
    assert ("bridge" in telegram) is generation.account_has_bridge
    assert ("network" in telegram) is generation.account_has_network
    assert telegram["status"] == "backfilling"
    legacy = next(a for a in accounts if a["accountID"].startswith("local-gmessages"))
    # Network unknown: omitted even where the build sends network.
    assert set(legacy) == {"accountID", "user"}


@pytest.mark.parametrize("version", REPRESENTATIVE_VERSIONS)
async def test_4_3_hides_imessage_from_accounts_but_not_from_chats(
    demo_at: Client, demo_dataset: Dataset, version: str
) -> None:
    imessage = _imessage_id(demo_dataset)
    hidden = Generation.of(version).hides_platform_sdk
    async with demo_at(version) as client:
        listed = [a["accountID"] for a in (await client.get("/v1/accounts")).json()]
        retrieved = await client.get(f"/v1/accounts/{imessage}")
        chats = await client.get("/v1/chats/search", params={"accountIDs": imessage, "limit": 5})
        contacts = await client.get(f"/v1/accounts/{imessage}/contacts", params={"query": "a"})
    expected = [
        a.account_id for a in demo_dataset.accounts if not hidden or a.account_id != imessage
    ]
    assert listed == expected
    assert retrieved.status_code == (404 if hidden else 200)
    assert chats.status_code == 200
    items = chats.json()["items"]
    assert len(items) == 5
    assert {c["accountID"] for c in items} == {imessage}
    assert contacts.status_code == 200


def _start_body(demo_dataset: Dataset) -> dict[str, Any]:
    telegram = next(a for a in demo_dataset.accounts if a.spec.key == "telegram")
    user = next(c for c in telegram.contacts if c.get("fullName") == "Renée Dubois")
    return {"accountID": "telegram", "user": {"id": user["id"]}}


@pytest.mark.parametrize("version", ["4.2.557", "4.2.700", "4.2.807"])
async def test_before_4_2_808_chats_start_via_post_chats_mode_start(
    demo_at: Client, demo_dataset: Dataset, version: str
) -> None:
    body = _start_body(demo_dataset)
    async with demo_at(version) as client:
        assert (await client.post("/v1/chats/start", json=body)).status_code == 404
        first = await client.post("/v1/chats", json={**body, "mode": "start"})
        again = await client.post("/v1/chats", json={**body, "mode": "start"})
        search = await client.get(
            "/v1/chats/search", params={"query": "Renée", "scope": "participants"}
        )
    assert first.status_code == 200, first.text
    answer = first.json()
    assert set(answer) == {"chatID", "status"}
    assert answer["status"] in ("created", "existing")
    assert again.json() == {"chatID": answer["chatID"], "status": "existing"}
    assert answer["chatID"] in [c["id"] for c in search.json()["items"]]


@pytest.mark.parametrize("version", ["4.2.808", LATEST_VERSION])
async def test_from_4_2_808_start_moved_to_chats_start(
    demo_at: Client, demo_dataset: Dataset, version: str
) -> None:
    body = _start_body(demo_dataset)
    async with demo_at(version) as client:
        legacy = await client.post("/v1/chats", json={**body, "mode": "start"})
        started = await client.post("/v1/chats/start", json=body)
    assert legacy.status_code == 400
    assert legacy.json()["details"]["issues"][0]["path"] == ["mode"]
    assert started.status_code == 200
    assert started.json()["chatID"] == started.json()["id"]


async def test_before_4_2_557_no_way_to_start_a_chat(
    demo_at: Client, demo_dataset: Dataset
) -> None:
    body = _start_body(demo_dataset)
    async with demo_at("4.1.294") as client:
        started = await client.post("/v1/chats/start", json=body)
        legacy = await client.post("/v1/chats", json={**body, "mode": "start"})
    assert started.status_code == 404
    assert legacy.status_code == 400
