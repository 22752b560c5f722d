"""BeeperClient's chat search and asset endpoints against ``httpx.MockTransport``.

The wire fixtures are first checked against the official SDK's own models, so
the shapes the client is tested on are the shapes Beeper Desktop sends.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from beeper_desktop_api.types import AssetDownloadResponse as SDKAssetDownload
from beeper_desktop_api.types import Chat as SDKChat

from beeper_tui.api.client import BeeperClient
from beeper_tui.api.errors import CannotConnectError, NotFoundError, ProtocolError
from beeper_tui.api.models import Chat, ChatPage

TOKEN = "sekrit-token-123"
BASE = "http://beeper.test:23373"


def wire_chat(**overrides: Any) -> dict[str, Any]:
    chat: dict[str, Any] = {
        "id": "!dm-noor:beeper.local",
        "accountID": "whatsapp",
        "network": "WhatsApp",
        "title": "Noor Haddad",
        "type": "single",
        "participants": {
            "items": [
                {"id": "@me:beeper.com", "isSelf": True, "fullName": "Me"},
                {"id": "@noor:whatsapp", "fullName": "Noor Haddad", "isAdmin": False},
            ],
            "hasMore": False,
            "total": 2,
        },
        "unreadCount": 3,
        "lastActivity": "2026-03-01T10:00:00.000Z",
        "isMuted": False,
        "somethingNew": {"nested": True},
    }
    chat.update(overrides)
    return chat


def make_client(handler: Any) -> BeeperClient:
    return BeeperClient(BASE, TOKEN, transport=httpx.MockTransport(handler), max_retries=0)


def test_fixture_chat_is_what_the_sdk_accepts() -> None:
    sdk = SDKChat.model_validate(wire_chat())
    assert sdk.unread_count == 3
    assert sdk.participants.total == 2
    assert SDKAssetDownload.model_validate({"srcURL": "file:///x.png"}).src_url == "file:///x.png"


async def test_search_chats_sends_the_sdk_query_and_reads_the_page() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200,
            json={
                "items": [wire_chat()],
                "hasMore": True,
                "oldestCursor": "c-1",
                "newestCursor": "c-0",
            },
        )

    async with make_client(handler) as client:
        page = await client.search_chats(
            "Noor Haddad",
            scope="participants",
            type="any",
            account_ids=["whatsapp", "local-imessage_ba_#1"],
            cursor="c-0",
            limit=25,
        )
    request = seen[0]
    assert request.method == "GET"
    assert request.url.path == "/v1/chats/search"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    params = request.url.params
    assert params["query"] == "Noor Haddad"
    assert params["scope"] == "participants"
    assert params["type"] == "any"
    assert params.get_list("accountIDs") == ["whatsapp", "local-imessage_ba_#1"]
    assert params["cursor"] == "c-0"
    assert params["limit"] == "25"
    assert page.has_more is True
    assert page.oldest_cursor == "c-1"
    chat = page.items[0]
    assert chat.account_id == "whatsapp"
    assert chat.unread_count == 3
    assert chat.last_activity == "2026-03-01T10:00:00.000Z"
    assert [p.id for p in chat.participants.items] == ["@me:beeper.com", "@noor:whatsapp"]


async def test_search_chats_leaves_out_what_was_not_asked() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"items": []})

    async with make_client(handler) as client:
        page = await client.search_chats()
    assert dict(seen[0].url.params) == {}
    assert page.items == []
    assert page.has_more is None


def test_chat_model_tolerates_nulls_and_absences() -> None:
    chat = Chat.model_validate(
        {
            "id": "c1",
            "accountID": "a",
            "participants": None,
            "unreadCount": None,
            "title": None,
            "lastActivity": None,
        }
    )
    assert chat.participants.items == []
    assert chat.unread_count == 0
    assert chat.title is None
    bare = Chat.model_validate({"id": "c2", "accountID": "a"})
    assert bare.type is None
    assert bare.participants.total is None
    page = ChatPage.model_validate({"items": None, "hasMore": None})
    assert page.items == []


async def test_search_chats_rejects_the_wrong_shape() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"items": [{"title": "no id"}]})

    async with make_client(handler) as client:
        with pytest.raises(ProtocolError, match="chats/search"):
            await client.search_chats("x")


async def test_download_asset_posts_the_url() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"srcURL": "file:///tmp/a.png"})

    async with make_client(handler) as client:
        result = await client.download_asset("mxc://beeper.com/abc")
    assert seen[0].method == "POST"
    assert seen[0].url.path == "/v1/assets/download"
    assert json.loads(seen[0].content) == {"url": "mxc://beeper.com/abc"}
    assert result.src_url == "file:///tmp/a.png"
    assert result.error is None


async def test_download_asset_reports_the_servers_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"error": "media not found", "srcURL": None})

    async with make_client(handler) as client:
        result = await client.download_asset("mxc://beeper.com/gone")
    assert result.src_url is None
    assert result.error == "media not found"


async def test_serve_asset_streams_with_the_token() -> None:
    seen: list[httpx.Request] = []
    body = bytes(range(256)) * 40

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=body, headers={"content-type": "image/png"})

    async with make_client(handler) as client:
        data = await client.serve_asset("localmxc://local/xyz", max_bytes=len(body))
    assert data == body
    assert seen[0].url.path == "/v1/assets/serve"
    assert seen[0].url.params["url"] == "localmxc://local/xyz"
    assert seen[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert seen[0].headers["accept"] == "application/octet-stream"


async def test_serve_asset_refuses_an_announced_huge_file() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"x" * 2000)

    async with make_client(handler) as client:
        with pytest.raises(ProtocolError, match="larger than 1000 bytes"):
            await client.serve_asset("mxc://a/b", max_bytes=1000)


async def test_serve_asset_stops_reading_an_unannounced_huge_stream() -> None:
    produced: list[int] = []

    async def endless() -> Any:
        for _ in range(10_000):
            produced.append(1)
            yield b"\0" * 1024

    def handler(request: httpx.Request) -> httpx.Response:
        # A stream has no Content-Length: only counting the bytes can stop it.
        return httpx.Response(200, content=endless())

    async with make_client(handler) as client:
        with pytest.raises(ProtocolError, match="larger than"):
            await client.serve_asset("mxc://a/b", max_bytes=8 * 1024)
    assert len(produced) < 20


async def test_serve_asset_maps_status_and_transport_errors() -> None:
    def not_found(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"code": "NOT_FOUND", "message": "No such file"})

    async with make_client(not_found) as client:
        with pytest.raises(NotFoundError, match="No such file"):
            await client.serve_asset("mxc://a/b", max_bytes=100)

    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused")

    async with make_client(refused) as client:
        with pytest.raises(CannotConnectError) as caught:
            await client.serve_asset("mxc://a/b", max_bytes=100)
    assert TOKEN not in str(caught.value)
