"""The demo API over httpx's in-process ASGI transport."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from beeper_tui.demo import DEMO_TOKEN, Dataset, DemoState
from beeper_tui.demo.dataset import DemoAccount

AUTH = {"Authorization": f"Bearer {DEMO_TOKEN}"}


@pytest.fixture
async def client(demo_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=demo_app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://demo.test", headers=AUTH
    ) as client:
        yield client


def _account(dataset: Dataset, key: str) -> DemoAccount:
    return next(a for a in dataset.accounts if a.spec.key == key)


def _slack(dataset: Dataset) -> DemoAccount:
    return _account(dataset, "slackgo")


async def _walk(
    client: httpx.AsyncClient, account_id: str, **params: Any
) -> tuple[list[str], list[dict[str, Any]]]:
    ids: list[str] = []
    pages: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        query = dict(params)
        if cursor is not None:
            query["cursor"] = cursor
        response = await client.get(f"/v1/accounts/{account_id}/contacts/list", params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        assert set(page) == {"items", "hasMore", "oldestCursor", "newestCursor"}
        pages.append(page)
        ids.extend(user["id"] for user in page["items"])
        if not page["hasMore"]:
            return ids, pages
        cursor = page["oldestCursor"]


# -- auth and errors ---------------------------------------------------------


async def test_info_needs_no_token_and_reflects_host(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/info", headers={"Authorization": ""})
    assert response.status_code == 200
    info = response.json()
    assert set(info) == {"app", "platform", "server", "endpoints"}
    assert info["server"]["base_url"] == "http://demo.test"
    assert info["server"]["hostname"] == "demo.test"
    assert info["server"]["port"] == 80
    assert info["app"]["version"]


@pytest.mark.parametrize("path", ["/v1/accounts", "/v1/accounts/telegram", "/v1/nowhere"])
async def test_missing_token_is_401(demo_app: Starlette, path: str) -> None:
    transport = httpx.ASGITransport(app=demo_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://demo.test") as bare:
        missing = await bare.get(path)
        wrong = await bare.get(path, headers={"Authorization": "Bearer nope"})
        scheme = await bare.get(path, headers={"Authorization": f"Basic {DEMO_TOKEN}"})
    for response in (missing, wrong, scheme):
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/json"
        assert response.json()["code"] == "UNAUTHORIZED"
    assert missing.json()["message"] != wrong.json()["message"]
    assert "Missing" in missing.json()["message"]


async def test_unknown_account_and_route_are_404(client: httpx.AsyncClient) -> None:
    for path in (
        "/v1/accounts/nope",
        "/v1/accounts/nope/contacts?query=a",
        "/v1/accounts/nope/contacts/list",
        "/v1/nowhere",
    ):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "NOT_FOUND"
        assert response.json()["message"]


async def test_account_ids_are_percent_decoded(
    client: httpx.AsyncClient, demo_dataset: Dataset
) -> None:
    for account in demo_dataset.accounts:
        encoded = httpx.URL("/v1/accounts/").join(account.account_id.replace(".", "%2E"))
        response = await client.get(str(encoded))
        assert response.status_code == 200
        assert response.json() == account.wire


async def test_accounts_list_is_a_bare_array(
    client: httpx.AsyncClient, demo_dataset: Dataset
) -> None:
    response = await client.get("/v1/accounts")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert b": " not in response.content  # compact
    assert response.json() == [a.wire for a in demo_dataset.accounts]


# -- search ------------------------------------------------------------------


async def test_search_requires_query(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/accounts/telegram/contacts")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "VALIDATION_ERROR"
    assert body["details"]["issues"] == [
        {"code": "invalid_type", "message": "Required", "path": ["query"]}
    ]


async def test_search_is_case_and_accent_insensitive(client: httpx.AsyncClient) -> None:
    for query in ("zoe", "ZOË", "Zoe"):
        response = await client.get("/v1/accounts/telegram/contacts", params={"query": query})
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"items"}
        names = [u.get("fullName") for u in body["items"]]
        assert "Zoë Lindqvist" in names
        assert all("zoe" in (n or "").casefold().replace("ë", "e") for n in names)


async def test_search_by_phone_digits(client: httpx.AsyncClient, demo_dataset: Dataset) -> None:
    whatsapp = demo_dataset.accounts[0]
    phone = next(c["phoneNumber"] for c in whatsapp.contacts if c.get("phoneNumber"))
    fragment = f"{phone[3:6]} {phone[6:9]}"
    response = await client.get(
        f"/v1/accounts/{whatsapp.account_id}/contacts", params={"query": fragment}
    )
    assert response.status_code == 200
    digits = fragment.replace(" ", "")
    items = response.json()["items"]
    assert phone in [u.get("phoneNumber") for u in items]
    assert all(digits in "".join(filter(str.isdigit, u.get("phoneNumber") or "")) for u in items)


async def test_search_is_capped(client: httpx.AsyncClient, demo_dataset: Dataset) -> None:
    slack = _slack(demo_dataset)
    response = await client.get(f"/v1/accounts/{slack.account_id}/contacts", params={"query": "a"})
    assert len(response.json()["items"]) == 50


async def test_exact_identifier_finds_a_contact_first(
    client: httpx.AsyncClient, demo_dataset: Dataset
) -> None:
    telegram = _account(demo_dataset, "telegram")
    response = await client.get("/v1/accounts/telegram/contacts", params={"query": "+46705550123"})
    first = response.json()["items"][0]
    assert first["fullName"] == "Zoë Lindqvist"
    assert first in telegram.contacts


async def test_unknown_identifier_is_synthesized_deterministically(
    client: httpx.AsyncClient,
) -> None:
    query = {"query": "+1 (212) 555-0199"}
    one = (await client.get("/v1/accounts/telegram/contacts", params=query)).json()["items"]
    two = (await client.get("/v1/accounts/telegram/contacts", params=query)).json()["items"]
    assert one == two
    assert one[0]["phoneNumber"] == "+12125550199"
    assert one[0]["id"].startswith("@telegram_")
    assert "fullName" not in one[0]
    email = await client.get("/v1/accounts/linkedin/contacts", params={"query": "new@x.example"})
    assert email.json()["items"][0]["email"] == "new@x.example"
    handle = await client.get("/v1/accounts/discordgo/contacts", params={"query": "@newperson"})
    assert handle.json()["items"][0]["username"] == "@newperson"
    # Plain text is never looked up as an identifier.
    plain = await client.get("/v1/accounts/discordgo/contacts", params={"query": "newperson"})
    assert plain.json()["items"] == []


async def test_network_rejecting_phone_lookups(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/v1/accounts/instagramgo/contacts", params={"query": "+14155552671"}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "IDENTIFIER_NOT_SUPPORTED"
    assert "phone" in response.json()["message"]
    ok = await client.get("/v1/accounts/instagramgo/contacts", params={"query": "415"})
    assert ok.status_code == 200


# -- paging ------------------------------------------------------------------


async def test_paging_the_big_account_returns_everyone_once(
    client: httpx.AsyncClient, demo_dataset: Dataset
) -> None:
    slack = _slack(demo_dataset)
    ids, pages = await _walk(client, slack.account_id, limit=200)
    assert len(pages) == 100
    assert ids == [c["id"] for c in slack.contacts]
    assert pages[-1]["hasMore"] is False
    assert all(len(page["items"]) == 200 for page in pages)


async def test_default_largest_and_too_large_page_sizes(
    client: httpx.AsyncClient, demo_dataset: Dataset
) -> None:
    slack = _slack(demo_dataset)
    url = f"/v1/accounts/{slack.account_id}/contacts/list"
    assert len((await client.get(url)).json()["items"]) == 50
    assert len((await client.get(url, params={"limit": 200})).json()["items"]) == 200
    # The real server's schema allows 1..200: a larger page is a 400, never clamped.
    too_large = await client.get(url, params={"limit": 201})
    assert too_large.status_code == 400
    assert too_large.json()["details"]["issues"][0]["path"] == ["limit"]


async def test_direction_after_goes_back(client: httpx.AsyncClient, demo_dataset: Dataset) -> None:
    telegram = _account(demo_dataset, "telegram")
    url = "/v1/accounts/telegram/contacts/list"
    first = (await client.get(url, params={"limit": 30})).json()
    second = (await client.get(url, params={"limit": 30, "cursor": first["oldestCursor"]})).json()
    assert [u["id"] for u in second["items"]] == [c["id"] for c in telegram.contacts[30:60]]
    back = (
        await client.get(
            url, params={"limit": 30, "cursor": second["newestCursor"], "direction": "after"}
        )
    ).json()
    assert back["items"] == first["items"]
    assert back["hasMore"] is False
    explicit = (
        await client.get(
            url, params={"limit": 30, "cursor": first["oldestCursor"], "direction": "before"}
        )
    ).json()
    assert explicit == second


async def test_small_account_pages_and_empty_page(client: httpx.AsyncClient) -> None:
    ids, _ = await _walk(client, "matrix", limit=7)
    assert len(ids) == len(set(ids)) == 150
    empty = (
        await client.get("/v1/accounts/matrix/contacts/list", params={"query": "qqqqqq"})
    ).json()
    assert empty == {"items": [], "hasMore": False, "oldestCursor": None, "newestCursor": None}


async def test_query_filters_the_list(client: httpx.AsyncClient, demo_dataset: Dataset) -> None:
    slack = _slack(demo_dataset)
    expected = [slack.contacts[i]["id"] for i in slack.index.match("ana")]
    assert 200 < len(expected) < 20_000
    ids, _ = await _walk(client, slack.account_id, limit=97, query="ana")
    assert ids == expected


@pytest.mark.parametrize(
    ("params", "path"),
    [
        ({"limit": "ten"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"limit": "-3"}, "limit"),
        ({"direction": "sideways"}, "direction"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "eyJ2IjoxfQ"}, "cursor"),
    ],
)
async def test_bad_list_params_are_400(
    client: httpx.AsyncClient, params: dict[str, str], path: str
) -> None:
    response = await client.get("/v1/accounts/telegram/contacts/list", params=params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "VALIDATION_ERROR"
    assert [issue["path"] for issue in body["details"]["issues"]] == [[path]]


async def test_cursor_from_another_account_is_rejected(client: httpx.AsyncClient) -> None:
    page = (await client.get("/v1/accounts/telegram/contacts/list")).json()
    response = await client.get(
        "/v1/accounts/matrix/contacts/list", params={"cursor": page["oldestCursor"]}
    )
    assert response.status_code == 400


# -- acting on contacts ------------------------------------------------------


async def test_start_chat_then_focus(
    client: httpx.AsyncClient, demo_dataset: Dataset, demo_state: DemoState
) -> None:
    telegram = _account(demo_dataset, "telegram")
    user = next(c for c in telegram.contacts if not c.get("isSelf") and not c.get("cannotMessage"))
    body = {"accountID": "telegram", "user": {"id": user["id"]}}
    created = await client.post("/v1/chats/start", json=body)
    assert created.status_code == 200, created.text
    chat = created.json()
    assert chat["status"] == "created"
    assert chat["id"] == chat["chatID"]
    assert chat["accountID"] == "telegram"
    assert chat["type"] == "single"
    assert chat["unreadCount"] == 0
    assert chat["participants"]["total"] == 2
    assert user in chat["participants"]["items"]
    again = (await client.post("/v1/chats/start", json=body)).json()
    assert again["status"] == "existing"
    assert again["id"] == chat["id"]
    focus = await client.post("/v1/focus", json={"chatID": chat["id"], "draftText": "hi"})
    assert focus.json() == {"success": True}
    assert demo_state.focus_requests[-1] == {"chatID": chat["id"], "draftText": "hi"}


async def test_start_chat_by_identifier(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/chats/start",
        json={"accountID": "telegram", "user": {"phoneNumber": "+46705550123"}},
    )
    assert response.status_code == 200
    assert response.json()["title"] == "Zoë Lindqvist"


async def test_start_chat_errors(client: httpx.AsyncClient, demo_dataset: Dataset) -> None:
    twitter = _account(demo_dataset, "twitter")
    blocked = next(c for c in twitter.contacts if c.get("cannotMessage"))
    cases = [
        ({"accountID": "twitter", "user": {"id": blocked["id"]}}, 422),
        ({"accountID": "nope", "user": {"id": "x"}}, 404),
        ({"accountID": "twitter", "user": {"fullName": "Only A Name"}}, 400),
        ({"accountID": "twitter"}, 400),
        ({"user": {"id": "x"}}, 400),
        ({"accountID": "twitter", "user": {"id": "@nobody:nowhere"}}, 404),
    ]
    for body, status in cases:
        response = await client.post("/v1/chats/start", json=body)
        assert response.status_code == status, (body, response.text)
        assert {"code", "message"} <= set(response.json())
    blocked_body = (await client.post("/v1/chats/start", json=cases[0][0])).json()
    assert blocked_body["message"] == "Cannot start a chat with this user"
    garbage = await client.post(
        "/v1/chats/start", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert garbage.status_code == 400


async def test_wrong_method_is_405(client: httpx.AsyncClient) -> None:
    response = await client.delete("/v1/accounts")
    assert response.status_code == 405
    assert response.json()["code"] == "METHOD_NOT_ALLOWED"
