"""The demo's OAuth server, end to end, with the test playing the browser."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from starlette.applications import Starlette

from beeper_tui.demo import DEMO_TOKEN, Dataset, DemoState, create_demo_app
from beeper_tui.demo.oauth import INSUFFICIENT_SCOPE, TOKEN_EXPIRED

BASE = "http://demo.test"
REDIRECT = "http://127.0.0.1:53682/callback"


class Clock:
    """A hand-moved clock for token expiry."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(demo_dataset: Dataset, clock: Clock) -> Starlette:
    app = create_demo_app(demo_dataset, token_lifetime=3600)
    app.state.demo.oauth.clock = clock
    return app


@pytest.fixture
def state(app: Starlette) -> DemoState:
    demo: DemoState = app.state.demo
    return demo


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        yield client


class _Forms(HTMLParser):
    """The forms of a page: action, method and their inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": values.get("action"), "method": values.get("method"),
                               "fields": {}})  # fmt: skip
        elif tag == "input" and self.forms and "name" in values:
            self.forms[-1]["fields"][values["name"]] = values.get("value", "")


def _forms(page: str) -> list[dict[str, Any]]:
    parser = _Forms()
    parser.feed(page)
    return parser.forms


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode().rstrip("=")


async def _register(client: httpx.AsyncClient, **extra: Any) -> dict[str, Any]:
    body = {
        "client_name": "beeper-tui <test>",
        "redirect_uris": [REDIRECT],
        "token_endpoint_auth_method": "none",
        "grant_types": ["authorization_code"],
        "response_types": ["code"],
        **extra,
    }
    response = await client.post("/oauth/register", json=body)
    assert response.status_code == 201, response.text
    registered: dict[str, Any] = response.json()
    return registered


def _authorize_params(client_id: str, challenge: str, **extra: str) -> dict[str, str]:
    return {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT,
        "state": "st-123",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "scope": "read write",
        **extra,
    }


def _query(location: str) -> dict[str, str]:
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == REDIRECT
    return {k: v[0] for k, v in parse_qs(parts.query).items()}


async def _approve(client: httpx.AsyncClient, params: dict[str, str], decision: str) -> str:
    page = await client.get("/oauth/authorize", params=params)
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    form = next(f for f in _forms(page.text) if f["fields"].get("decision") == decision)
    assert form["method"] == "post"
    answer = await client.post(str(form["action"]), data=form["fields"])
    assert answer.status_code == 303
    return answer.headers["location"]


async def _sign_in(client: httpx.AsyncClient, scope: str = "read write") -> dict[str, Any]:
    registered = await _register(client)
    verifier, challenge = _pkce()
    params = _authorize_params(registered["client_id"], challenge, scope=scope)
    redirected = _query(await _approve(client, params, "approve"))
    assert redirected["state"] == "st-123"
    token = await client.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": redirected["code"],
            "code_verifier": verifier,
            "redirect_uri": REDIRECT,
            "client_id": registered["client_id"],
        },
    )
    assert token.status_code == 200, token.text
    body: dict[str, Any] = token.json()
    return body


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# -- discovery and registration ----------------------------------------------


async def test_metadata_and_info_list_the_same_endpoints(client: httpx.AsyncClient) -> None:
    metadata = (await client.get("/.well-known/oauth-authorization-server")).json()
    assert metadata["issuer"] == BASE
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata["token_endpoint_auth_methods_supported"] == ["none"]
    assert metadata["scopes_supported"] == ["read", "write"]
    listed = (await client.get("/v1/info")).json()["endpoints"]["oauth"]
    for key in ("authorization", "token", "registration", "introspection", "revocation"):
        assert listed[f"{key}_endpoint"] == metadata[f"{key}_endpoint"]
        assert metadata[f"{key}_endpoint"].startswith(f"{BASE}/oauth/")


async def test_registration_returns_a_public_client(client: httpx.AsyncClient) -> None:
    registered = await _register(client)
    assert registered["client_id"]
    assert registered["token_endpoint_auth_method"] == "none"
    assert registered["redirect_uris"] == [REDIRECT]
    assert registered["scope"] == "read write"


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ({"redirect_uris": ["https://evil.example/cb"]}, "invalid_redirect_uri"),
        ({"redirect_uris": ["http://192.168.1.5:8000/cb"]}, "invalid_redirect_uri"),
        ({"redirect_uris": []}, "invalid_redirect_uri"),
        ({"token_endpoint_auth_method": "client_secret_basic"}, "invalid_client_metadata"),
        ({"scope": "read admin"}, "invalid_client_metadata"),
    ],
)
async def test_registration_refuses_non_loopback_or_confidential_clients(
    client: httpx.AsyncClient, extra: dict[str, Any], error: str
) -> None:
    body = {"client_name": "x", "redirect_uris": [REDIRECT], **extra}
    response = await client.post("/oauth/register", json=body)
    assert response.status_code == 400
    assert response.json()["error"] == error


# -- the flow ----------------------------------------------------------------


async def test_approve_then_exchange_gives_a_working_token(
    client: httpx.AsyncClient, state: DemoState
) -> None:
    token = await _sign_in(client)
    assert token["token_type"] == "Bearer"
    assert token["scope"] == "read write"
    assert token["expires_in"] == 3600
    accounts = await client.get("/v1/accounts", headers=_bearer(token["access_token"]))
    assert accounts.status_code == 200
    assert state.oauth.decisions == ["approve"]


async def test_approval_page_escapes_the_client_name(client: httpx.AsyncClient) -> None:
    registered = await _register(client)
    _, challenge = _pkce()
    page = await client.get(
        "/oauth/authorize", params=_authorize_params(registered["client_id"], challenge)
    )
    assert "beeper-tui &lt;test&gt;" in page.text
    assert "<test>" not in page.text


async def test_deny_redirects_with_access_denied(client: httpx.AsyncClient) -> None:
    registered = await _register(client)
    _, challenge = _pkce()
    params = _authorize_params(registered["client_id"], challenge)
    redirected = _query(await _approve(client, params, "deny"))
    assert redirected["error"] == "access_denied"
    assert redirected["state"] == "st-123"
    assert "code" not in redirected


async def test_auto_approve_redirects_at_once(client: httpx.AsyncClient, state: DemoState) -> None:
    state.oauth.auto_approve = True
    registered = await _register(client)
    _, challenge = _pkce()
    response = await client.get(
        "/oauth/authorize", params=_authorize_params(registered["client_id"], challenge)
    )
    assert response.status_code == 302
    assert set(_query(response.headers["location"])) == {"code", "state"}


async def test_loopback_redirect_may_use_another_port(
    client: httpx.AsyncClient, state: DemoState
) -> None:
    state.oauth.auto_approve = True
    registered = await _register(client)
    _, challenge = _pkce()
    params = _authorize_params(registered["client_id"], challenge)
    params["redirect_uri"] = "http://127.0.0.1:40001/callback"
    response = await client.get("/oauth/authorize", params=params)
    assert response.status_code == 302
    assert response.headers["location"].startswith("http://127.0.0.1:40001/callback?code=")


@pytest.mark.parametrize(
    "change",
    [
        {"redirect_uri": "http://127.0.0.1:53682/elsewhere"},
        {"redirect_uri": "http://evil.example/callback"},
        {"client_id": "nobody"},
    ],
)
async def test_unknown_client_or_redirect_never_redirects(
    client: httpx.AsyncClient, change: dict[str, str]
) -> None:
    registered = await _register(client)
    _, challenge = _pkce()
    params = {**_authorize_params(registered["client_id"], challenge), **change}
    response = await client.get("/oauth/authorize", params=params)
    assert response.status_code == 400
    assert "location" not in response.headers


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": ""}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "read admin"}, "invalid_scope"),
    ],
)
async def test_bad_requests_redirect_with_an_error(
    client: httpx.AsyncClient, change: dict[str, str], error: str
) -> None:
    registered = await _register(client)
    _, challenge = _pkce()
    params = {**_authorize_params(registered["client_id"], challenge), **change}
    response = await client.get("/oauth/authorize", params=params)
    assert response.status_code == 302
    redirected = _query(response.headers["location"])
    assert redirected["error"] == error
    assert redirected["state"] == "st-123"


async def _code(client: httpx.AsyncClient, state: DemoState) -> tuple[dict[str, Any], str, str]:
    state.oauth.auto_approve = True
    registered = await _register(client)
    verifier, challenge = _pkce()
    response = await client.get(
        "/oauth/authorize", params=_authorize_params(registered["client_id"], challenge)
    )
    return registered, verifier, _query(response.headers["location"])["code"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("code_verifier", "x" * 50),
        ("redirect_uri", "http://127.0.0.1:53682/other"),
        ("client_id", "someone-else"),
        ("code", "not-a-code"),
    ],
)
async def test_token_exchange_checks_verifier_redirect_client_and_code(
    client: httpx.AsyncClient, state: DemoState, field: str, value: str
) -> None:
    registered, verifier, code = await _code(client, state)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "code_verifier": verifier,
        "redirect_uri": REDIRECT,
        "client_id": registered["client_id"],
        field: value,
    }
    response = await client.post("/oauth/token", data=form)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


async def test_codes_are_one_time_and_a_replay_revokes_the_token(
    client: httpx.AsyncClient, state: DemoState
) -> None:
    registered, verifier, code = await _code(client, state)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "code_verifier": verifier,
        "redirect_uri": REDIRECT,
        "client_id": registered["client_id"],
    }
    first = await client.post("/oauth/token", data=form)
    assert first.status_code == 200
    token = first.json()["access_token"]
    replay = await client.post("/oauth/token", data=form)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    assert (await client.get("/v1/accounts", headers=_bearer(token))).status_code == 401


async def test_token_endpoint_wants_a_form(client: httpx.AsyncClient, state: DemoState) -> None:
    registered, verifier, code = await _code(client, state)
    body = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier,
            "redirect_uri": REDIRECT, "client_id": registered["client_id"]}  # fmt: skip
    response = await client.post("/oauth/token", json=body)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


# -- using, expiring, introspecting and revoking tokens ----------------------


async def test_token_expires_and_the_api_says_so(client: httpx.AsyncClient, clock: Clock) -> None:
    token = (await _sign_in(client))["access_token"]
    clock.now += 3599
    assert (await client.get("/v1/accounts", headers=_bearer(token))).status_code == 200
    clock.now += 1
    expired = await client.get("/v1/accounts", headers=_bearer(token))
    assert expired.status_code == 401
    assert expired.json()["message"] == TOKEN_EXPIRED
    introspected = await client.post("/oauth/introspect", data={"token": token})
    assert introspected.json() == {"active": False}


async def test_introspection_describes_an_active_token(
    client: httpx.AsyncClient, clock: Clock
) -> None:
    token = await _sign_in(client, scope="read")
    body = (await client.post("/oauth/introspect", data={"token": token["access_token"]})).json()
    assert body["active"] is True
    assert body["scope"] == "read"
    assert body["client_id"].startswith("bdc_")
    assert body["exp"] == int(clock.now) + 3600
    demo = (await client.post("/oauth/introspect", data={"token": DEMO_TOKEN})).json()
    assert demo["active"] is True
    assert demo["scope"] == "read write"
    assert "exp" not in demo
    unknown = (await client.post("/oauth/introspect", data={"token": "nope"})).json()
    assert unknown == {"active": False}


async def test_revoked_token_stops_working(client: httpx.AsyncClient) -> None:
    token = (await _sign_in(client))["access_token"]
    revoked = await client.post("/oauth/revoke", data={"token": token})
    assert revoked.status_code == 200
    response = await client.get("/v1/accounts", headers=_bearer(token))
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid access token"
    # RFC 7009: unknown tokens get the same answer.
    assert (await client.post("/oauth/revoke", data={"token": "never-issued"})).status_code == 200
    # The hand-made demo token is untouched.
    assert (await client.get("/v1/accounts", headers=_bearer(DEMO_TOKEN))).status_code == 200


async def test_read_only_token_reads_but_cannot_write(
    client: httpx.AsyncClient, state: DemoState
) -> None:
    token = (await _sign_in(client, scope="read"))["access_token"]
    headers = _bearer(token)
    assert (await client.get("/v1/accounts", headers=headers)).status_code == 200
    chats = await client.get("/v1/chats/search", params={"accountIDs": "telegram"}, headers=headers)
    assert chats.status_code == 200
    writes: list[tuple[str, dict[str, Any]]] = [
        ("/v1/focus", {"chatID": "!x:beeper.com"}),
        ("/v1/chats/start", {"accountID": "telegram", "user": {"id": "u"}}),
    ]
    for path, body in writes:
        response = await client.post(path, json=body, headers=headers)
        assert response.status_code == 403
        assert response.json()["code"] == "FORBIDDEN"
        assert response.json()["message"] == INSUFFICIENT_SCOPE
    assert state.focus_requests == []


async def test_hand_made_connection_with_a_scope(
    client: httpx.AsyncClient, state: DemoState
) -> None:
    token = state.oauth.approve_connection(scope="read")
    response = await client.post("/v1/focus", json={}, headers=_bearer(token))
    assert response.status_code == 403
    full = state.oauth.approve_connection()
    assert (await client.post("/v1/focus", json={}, headers=_bearer(full))).status_code == 200


async def test_old_builds_have_no_oauth(demo_dataset: Dataset) -> None:
    app = create_demo_app(demo_dataset, desktop_version="4.1.294")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        metadata = await client.get("/.well-known/oauth-authorization-server")
        register = await client.post("/oauth/register", json={"redirect_uris": [REDIRECT]})
    assert metadata.status_code == 404
    assert register.status_code == 404
