"""User text that JSON can carry but UTF-8 cannot still goes out in a URL, as U+FFFD."""

from __future__ import annotations

import httpx

from beeper_tui.api.client import BeeperClient
from beeper_tui.api.wire import wire_text


def test_a_lone_surrogate_becomes_the_replacement_character() -> None:
    assert wire_text("\ud800lone") == "\ufffdlone"
    assert wire_text("Zoë 🌶️") == "Zoë 🌶️"


async def test_a_search_by_a_name_with_a_lone_surrogate_is_sent() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"items": [], "hasMore": False})

    client = BeeperClient("http://x.invalid", "t", transport=httpx.MockTransport(answer))
    try:
        await client.search_chats("\ud800lone", scope="participants", account_ids=["a\udc00"])
        await client.search_contacts("acc\ud800", "\ud800lone")
    finally:
        await client.aclose()
    assert seen[0].url.params["query"] == "\ufffdlone"
    assert seen[0].url.params.get_list("accountIDs") == ["a\ufffd"]
    assert seen[1].url.path == "/v1/accounts/acc\ufffd/contacts"
    assert seen[1].url.params["query"] == "\ufffdlone"
