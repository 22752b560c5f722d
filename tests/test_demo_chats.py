"""The demo's chats: deterministic, searchable by the real parameters, cursor-paged."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from beeper_tui.demo import DEMO_TOKEN, Dataset, build_dataset, create_demo_app
from beeper_tui.demo.chats import REFERENCE_TIME
from beeper_tui.demo.dataset import DemoAccount

AUTH = {"Authorization": f"Bearer {DEMO_TOKEN}"}
SEARCH = "/v1/chats/search"


@pytest.fixture
async def client(demo_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=demo_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=AUTH) as c:
        yield c


def _account(dataset: Dataset, key: str) -> DemoAccount:
    return next(a for a in dataset.accounts if a.spec.key == key)


async def _get(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get(SEARCH, params=params)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    assert set(page) == {"items", "hasMore", "oldestCursor", "newestCursor"}
    return page


def _moment(chat: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(chat["lastActivity"].replace("Z", "+00:00"))


async def test_chats_have_the_required_fields_newest_first(client: httpx.AsyncClient) -> None:
    page = await _get(client, accountIDs="telegram", limit=200)
    items = page["items"]
    assert len(items) == 200
    assert page["hasMore"] is True
    for chat in items:
        assert {
            "id",
            "accountID",
            "network",
            "title",
            "type",
            "participants",
            "unreadCount",
        } <= set(chat)
        assert chat["accountID"] == "telegram"
        assert chat["network"] == "Telegram"
        assert chat["type"] in ("single", "group")
        participants = chat["participants"]
        assert participants["total"] >= len(participants["items"]) >= 2
        assert _moment(chat) <= REFERENCE_TIME
    moments = [_moment(c) for c in items]
    assert moments == sorted(moments, reverse=True)
    groups = await _get(client, accountIDs="telegram", type="group")
    assert groups["items"]
    assert all(c["participants"]["total"] >= 4 for c in groups["items"])


async def test_same_seed_same_chats_in_a_fresh_dataset(
    client: httpx.AsyncClient, demo_dataset: Dataset
) -> None:
    signal = _account(demo_dataset, "signal").account_id
    first = await _get(client, accountIDs=signal, limit=30)
    assert len(first["items"]) == 30
    app = create_demo_app(build_dataset(), desktop_version="4.3.20")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=AUTH) as other:
        second = (await other.get(SEARCH, params={"accountIDs": signal, "limit": 30})).json()
    assert first == second


async def test_participant_search_finds_the_persons_direct_and_group_chats(
    client: httpx.AsyncClient, demo_dataset: Dataset
) -> None:
    whatsapp = _account(demo_dataset, "whatsapp")
    single = next(
        c
        for c in (await _get(client, accountIDs=whatsapp.account_id, type="single", limit=200))[
            "items"
        ]
    )
    person = single["participants"]["items"][1]
    name = person.get("fullName") or person.get("phoneNumber")
    page = await _get(client, query=name, scope="participants", limit=200)
    ids = [c["id"] for c in page["items"]]
    assert single["id"] in ids
    for chat in page["items"]:
        names = " ".join(
            str(p.get(k) or "")
            for p in chat["participants"]["items"]
            for k in ("fullName", "phoneNumber")
        ).casefold()
        assert (
            all(word.casefold() in names for word in str(name).split())
            or chat["participants"]["hasMore"]
        )
    only_single = await _get(client, query=name, scope="participants", type="single", limit=200)
    assert all(c["type"] == "single" for c in only_single["items"])
    assert single["id"] in [c["id"] for c in only_single["items"]]


async def test_title_scope_matches_titles_and_folds_accents(client: httpx.AsyncClient) -> None:
    page = await _get(client, query="#general", scope="titles")
    assert [c["title"] for c in page["items"]] == ["#general"]
    general = page["items"][0]
    assert general["participants"]["hasMore"] is True
    assert general["participants"]["total"] == 20_000
    by_network = await _get(client, query="SLACK", scope="titles", limit=5)
    assert {c["network"] for c in by_network["items"]} == {"Slack"}


async def test_filters(client: httpx.AsyncClient, demo_dataset: Dataset) -> None:
    signal = _account(demo_dataset, "signal").account_id
    unread = await _get(client, accountIDs="telegram", unreadOnly="true", limit=200)
    assert unread["items"]
    assert all(c["unreadCount"] > 0 for c in unread["items"])
    archive = await _get(client, accountIDs="telegram", inbox="archive", limit=200)
    assert archive["items"]
    assert all(c["isArchived"] for c in archive["items"])
    primary = await _get(client, accountIDs="telegram", inbox="primary", limit=200)
    assert not any(c["isArchived"] or c["isLowPriority"] for c in primary["items"])
    both = await client.get(
        SEARCH, params=[("accountIDs", "linkedin"), ("accountIDs[]", signal), ("limit", "200")]
    )
    assert {c["accountID"] for c in both.json()["items"]} == {"linkedin", signal}


async def test_cursor_paging_walks_everything_once(
    client: httpx.AsyncClient, demo_dataset: Dataset
) -> None:
    signal = _account(demo_dataset, "signal").account_id
    everything = await _get(client, accountIDs=signal, limit=200)
    assert everything["hasMore"] is False
    seen: list[str] = []
    page = await _get(client, accountIDs=signal, limit=17)
    while True:
        seen.extend(c["id"] for c in page["items"])
        if not page["hasMore"]:
            break
        page = await _get(client, accountIDs=signal, limit=17, cursor=page["oldestCursor"])
    assert seen == [c["id"] for c in everything["items"]]
    second = await _get(
        client,
        accountIDs=signal,
        limit=17,
        cursor=(await _get(client, accountIDs=signal, limit=17))["oldestCursor"],
    )
    back = await _get(
        client, accountIDs=signal, limit=17, cursor=second["newestCursor"], direction="after"
    )
    assert [c["id"] for c in back["items"]] == seen[:17]


@pytest.mark.parametrize(
    ("params", "path"),
    [
        ({"limit": "201"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"type": "dm"}, "type"),
        ({"scope": "everything"}, "scope"),
        ({"inbox": "spam"}, "inbox"),
        ({"cursor": "garbage"}, "cursor"),
        ({"unreadOnly": "yes"}, "unreadOnly"),
        ({"direction": "sideways"}, "direction"),
    ],
)
async def test_invalid_parameters_get_validation_details(
    client: httpx.AsyncClient, params: dict[str, str], path: str
) -> None:
    response = await client.get(SEARCH, params=params)
    assert response.status_code == 400
    assert response.json()["details"]["issues"][0]["path"] == [path]


async def test_started_chat_appears_in_search(
    client: httpx.AsyncClient, demo_dataset: Dataset
) -> None:
    instagram = _account(demo_dataset, "instagramgo")
    chatted = {
        p["id"]
        for c in (await _get(client, accountIDs="instagramgo", type="single", limit=200))["items"]
        for p in c["participants"]["items"]
    }
    user = next(
        c
        for c in instagram.contacts
        if c["id"] not in chatted and not c.get("isSelf") and not c.get("cannotMessage")
    )
    started = (
        await client.post(
            "/v1/chats/start", json={"accountID": "instagramgo", "user": {"id": user["id"]}}
        )
    ).json()
    assert started["status"] == "created"
    newest = await _get(client, accountIDs="instagramgo", limit=1)
    assert newest["items"][0]["id"] == started["id"]
    assert newest["items"][0]["lastActivity"] == started["lastActivity"]


async def test_starting_an_existing_direct_chat_returns_it(client: httpx.AsyncClient) -> None:
    single = (await _get(client, accountIDs="discordgo", type="single", limit=1))["items"][0]
    other = single["participants"]["items"][1]
    answer = (
        await client.post(
            "/v1/chats/start", json={"accountID": "discordgo", "user": {"id": other["id"]}}
        )
    ).json()
    assert answer["status"] == "existing"
    assert answer["id"] == single["id"]


async def test_post_chats_creates_a_group(client: httpx.AsyncClient, demo_dataset: Dataset) -> None:
    signal = _account(demo_dataset, "signal")
    ids = [c["id"] for c in signal.contacts if not c.get("isSelf")][:3]
    body = {
        "accountID": signal.account_id,
        "participantIDs": ids,
        "type": "group",
        "title": "Picnic 🧺",
    }
    created = (await client.post("/v1/chats", json=body)).json()
    assert created["type"] == "group"
    assert created["chatID"] == created["id"]
    assert created["participants"]["total"] == 4
    found = await _get(client, query="picnic", scope="titles")
    assert [c["id"] for c in found["items"]] == [created["id"]]
