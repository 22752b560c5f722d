"""Errors a person can act on: read-only tokens, expired tokens, older builds' error bodies."""

from __future__ import annotations

import httpx
import pytest

from beeper_tui.api.client import BeeperClient
from beeper_tui.api.errors import (
    AuthenticationError,
    DesktopTooOldError,
    NotFoundError,
    PermissionDeniedError,
)
from beeper_tui.api.models import User
from beeper_tui.demo import DEMO_TOKEN, Dataset, create_demo_app
from beeper_tui.service.backend import Backend
from beeper_tui.service.desktop import DesktopBuild
from beeper_tui.service.person import Contact
from beeper_tui.service.session_events import rejected_message
from beeper_tui.service.setup_state import describe_setup


def _client(handler: httpx.MockTransport) -> BeeperClient:
    return BeeperClient("http://127.0.0.1:9", "tok", transport=handler, max_retries=0)


async def test_error_keyed_bodies_of_older_builds_are_read() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"error": "Account gone away"})

    async with _client(httpx.MockTransport(handler)) as client:
        with pytest.raises(NotFoundError) as caught:
            await client.get_account("x")
    assert "Account gone away" in str(caught.value)
    assert "HTTP 404" in str(caught.value)


async def test_an_expired_token_says_sign_in_again() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"code": "UNAUTHORIZED", "message": "Token expired"})

    async with _client(httpx.MockTransport(handler)) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.list_accounts()
    assert caught.value.expired
    assert "sign in again" in caught.value.message
    assert rejected_message(caught.value) == (
        "Beeper Desktop rejected the token: Token expired. "
        "Sign in with Beeper Desktop again (or paste a new token)."
    )


async def test_a_read_only_token_is_explained(demo_dataset: Dataset) -> None:
    app = create_demo_app(demo_dataset)
    state = app.state.demo
    read_only = state.oauth.approve_connection(scope="read")
    client = BeeperClient(
        "http://demo.invalid", read_only, transport=httpx.ASGITransport(app=app), max_retries=0
    )
    backend = Backend(client)
    try:
        await backend.info()
        account = next(a for a in await backend.accounts.refresh() if a.account_id == "telegram")
        page = await client.list_contacts(account.account_id)  # reading works
        person = next(u for u in page.items if not u.cannot_message and not u.is_self)
        with pytest.raises(PermissionDeniedError) as caught:
            await backend.open_chat(Contact(person, account.account_id))
    finally:
        await backend.aclose()
    assert caught.value.read_only
    assert "read-only" in caught.value.message
    assert "beeper-tui login" in caught.value.message
    assert DEMO_TOKEN not in caught.value.message


def test_too_old_reads_as_update_never_as_404() -> None:
    error = DesktopBuild(without_info=True).too_old("messaging", (4, 2, 557), "POST /v1/chats")
    assert isinstance(error, DesktopTooOldError)
    assert str(error) == (
        "Update Beeper Desktop to use messaging "
        "(needs 4.2.557 or newer; you have a build older than 4.2.557)"
    )
    assert "you have 4.2.700" in str(DesktopBuild("4.2.700").too_old("x", (4, 2, 808), "e"))


def test_setup_states_each_say_what_to_do() -> None:
    assert describe_setup("ready") is None
    assert "not signed in" in (describe_setup("needs-login") or "")
    assert "syncing" in (describe_setup("needs-first-sync") or "")
    assert "verified" in (describe_setup("needs-verification") or "")
    assert describe_setup("something-new")


def _chat_backend(
    version: str | None, answers: dict[str, httpx.Response]
) -> tuple[Backend, list[str]]:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        if request.url.path == "/v1/focus":
            return httpx.Response(200, json={"success": True})
        return answers[request.url.path]

    backend = Backend(_client(httpx.MockTransport(handler)))
    backend.build = DesktopBuild(version)
    return backend, seen


def _person() -> Contact:
    return Contact(User.model_validate({"id": "u1", "fullName": "Ana"}), "telegram")


async def test_a_405_on_chats_start_falls_back_and_is_remembered() -> None:
    backend, seen = _chat_backend(
        None,
        {
            "/v1/chats/start": httpx.Response(405, json={"message": "Method not allowed"}),
            "/v1/chats": httpx.Response(200, json={"chatID": "c1", "status": "existing"}),
        },
    )
    async with backend.client:
        assert await backend.open_chat(_person()) == "c1"
        assert await backend.open_chat(_person()) == "c1"
    assert backend.start_route == "chats"
    assert seen == [
        "POST /v1/chats/start",
        "POST /v1/chats",
        "POST /v1/focus",
        "POST /v1/chats",
        "POST /v1/focus",
    ]


async def test_a_404_about_the_person_on_a_new_build_is_not_a_missing_route() -> None:
    backend, seen = _chat_backend(
        "4.3.20", {"/v1/chats/start": httpx.Response(404, json={"message": "User not found"})}
    )
    async with backend.client:
        with pytest.raises(NotFoundError, match="User not found"):
            await backend.open_chat(_person())
    assert seen == ["POST /v1/chats/start"]
