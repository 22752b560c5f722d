"""BeeperClient against in-process ``httpx.MockTransport`` handlers.

One test per error class, each also checking token hygiene: the access token
must never appear in an error's text, its repr, the client's repr, or any
``beeper_tui`` log record.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

import beeper_tui.api.transport as transport_module
from beeper_tui.api.client import BeeperClient
from beeper_tui.api.errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    BeeperError,
    CannotConnectError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ProtocolError,
    RateLimitedError,
    ServerError,
)
from beeper_tui.api.wire import parse_retry_after

TOKEN = "sekrit-token-123"
BASE = "http://beeper.test:23373"

Handler = Callable[[httpx.Request], Any]


def make_client(handler: Handler, **kwargs: Any) -> BeeperClient:
    return BeeperClient(BASE, TOKEN, transport=httpx.MockTransport(handler), **kwargs)


def error_json(status: int, code: str, message: str, **headers: str) -> httpx.Response:
    return httpx.Response(status, json={"code": code, "message": message}, headers=headers)


@pytest.fixture
def debug_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG, logger="beeper_tui")
    return caplog


def assert_no_token(
    exc: BaseException, client: BeeperClient, caplog: pytest.LogCaptureFixture
) -> None:
    """The token shows up nowhere a person or a log file could see it."""
    assert TOKEN not in str(exc)
    assert TOKEN not in repr(exc)
    assert TOKEN not in "".join(traceback.format_exception(exc))
    assert TOKEN not in repr(client)
    for record in caplog.records:
        assert TOKEN not in record.getMessage()
        assert TOKEN not in repr(record.args)
    # Sanity: the capture is live, so "nothing logged" means nothing leaked.
    assert any(r.name.startswith("beeper_tui") for r in caplog.records)


async def raises(
    exc_type: type[BaseException], call: Callable[[], Awaitable[Any]]
) -> BaseException:
    with pytest.raises(exc_type) as info:
        await call()
    return info.value


# -- status errors -------------------------------------------------------------


async def test_401_is_authentication_error_with_server_message(
    debug_log: pytest.LogCaptureFixture,
) -> None:
    client = make_client(lambda r: error_json(401, "UNAUTHORIZED", "Token expired"))
    exc = await raises(AuthenticationError, client.list_accounts)
    assert isinstance(exc, AuthenticationError)
    assert exc.status_code == 401
    assert exc.code == "UNAUTHORIZED"
    assert "Token expired" in str(exc)
    assert "GET /v1/accounts" in str(exc)
    assert_no_token(exc, client, debug_log)
    await client.aclose()


async def test_401_without_json_body_uses_a_default_hint(
    debug_log: pytest.LogCaptureFixture,
) -> None:
    client = make_client(lambda r: httpx.Response(401, text="nope"))
    exc = await raises(AuthenticationError, client.list_accounts)
    assert "token" in str(exc).lower()
    assert "401" in str(exc)
    assert_no_token(exc, client, debug_log)
    await client.aclose()


async def test_404_is_not_found(debug_log: pytest.LogCaptureFixture) -> None:
    client = make_client(lambda r: error_json(404, "NOT_FOUND", "Account not found"))
    exc = await raises(NotFoundError, lambda: client.get_account("nope"))
    assert isinstance(exc, NotFoundError)
    assert exc.status_code == 404
    assert exc.endpoint == "GET /v1/accounts/nope"
    assert "Account not found" in str(exc)
    assert_no_token(exc, client, debug_log)
    await client.aclose()


async def test_429_carries_retry_after(debug_log: pytest.LogCaptureFixture) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return error_json(429, "RATE_LIMITED", "Slow down", **{"Retry-After": "7"})

    client = make_client(handler, max_retries=0)
    exc = await raises(RateLimitedError, client.list_accounts)
    assert isinstance(exc, RateLimitedError)
    assert exc.retry_after == 7
    assert exc.status_code == 429
    assert "Slow down" in str(exc)
    assert calls == 1
    assert_no_token(exc, client, debug_log)
    await client.aclose()


async def test_429_without_retry_after_has_none() -> None:
    client = make_client(lambda r: error_json(429, "RATE_LIMITED", "x"), max_retries=0)
    exc = await raises(RateLimitedError, client.list_accounts)
    assert isinstance(exc, RateLimitedError)
    assert exc.retry_after is None
    await client.aclose()


async def test_429_is_retried_then_succeeds(debug_log: pytest.LogCaptureFixture) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            return error_json(429, "RATE_LIMITED", "Slow down", **{"Retry-After": "0"})
        return httpx.Response(200, json=[{"accountID": "matrix", "user": {"id": "@me:x"}}])

    client = make_client(handler, max_retries=1)
    accounts = await client.list_accounts()
    assert [a.account_id for a in accounts] == ["matrix"]
    assert calls == 2
    for record in debug_log.records:
        assert TOKEN not in record.getMessage()
    await client.aclose()


async def test_500_is_server_error(debug_log: pytest.LogCaptureFixture) -> None:
    client = make_client(
        lambda r: error_json(500, "INTERNAL_SERVER_ERROR", "Internal server error"),
        max_retries=0,
    )
    exc = await raises(ServerError, client.list_accounts)
    assert isinstance(exc, ServerError)
    assert exc.status_code == 500
    assert "Internal server error" in str(exc)
    assert_no_token(exc, client, debug_log)
    await client.aclose()


@pytest.mark.parametrize("max_retries", [0, 1, 2, 3])
async def test_503_is_retried_max_retries_times(
    max_retries: int, debug_log: pytest.LogCaptureFixture
) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return error_json(503, "SERVICE_UNAVAILABLE", "Busy", **{"Retry-After": "0"})

    client = make_client(handler, max_retries=max_retries)
    exc = await raises(ServerError, client.list_accounts)
    assert isinstance(exc, ServerError)
    assert exc.status_code == 503
    assert calls == max_retries + 1
    assert_no_token(exc, client, debug_log)
    await client.aclose()


async def test_retry_backoff_without_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []
    real_sleep = asyncio.sleep

    async def fake_sleep(delay: float, *args: Any) -> None:
        waits.append(delay)
        await real_sleep(0)

    monkeypatch.setattr(transport_module.asyncio, "sleep", fake_sleep)
    client = make_client(lambda r: httpx.Response(502, text="bad gateway"), max_retries=2)
    await raises(ServerError, client.list_accounts)
    assert waits == [0.5, 1.0]
    await client.aclose()


@pytest.mark.parametrize(
    ("header", "says", "seconds"),
    [("3600", "try again in 1 h", 3600.0), ("99999999", "try again in 24 h", 86400.0)],
)
async def test_long_retry_after_is_reported_not_waited_for(
    monkeypatch: pytest.MonkeyPatch, header: str, says: str, seconds: float
) -> None:
    """A long Retry-After never freezes a call: it fails at once, saying when to retry."""
    waits: list[float] = []
    real_sleep = asyncio.sleep
    calls = 0

    async def fake_sleep(delay: float, *args: Any) -> None:
        waits.append(delay)
        await real_sleep(0)

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return error_json(429, "RATE_LIMITED", "Slow down", **{"Retry-After": header})

    monkeypatch.setattr(transport_module.asyncio, "sleep", fake_sleep)
    client = make_client(handler, max_retries=2)
    exc = await raises(RateLimitedError, client.list_accounts)
    assert waits == []
    assert calls == 1
    assert says in str(exc)
    assert exc.retry_after == seconds  # what a retry timer may be set to: at most a day
    assert not exc.retry_soon
    await client.aclose()


async def test_short_retry_after_is_waited_for(monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []
    real_sleep = asyncio.sleep

    async def fake_sleep(delay: float, *args: Any) -> None:
        waits.append(delay)
        await real_sleep(0)

    monkeypatch.setattr(transport_module.asyncio, "sleep", fake_sleep)
    client = make_client(
        lambda r: error_json(429, "RATE_LIMITED", "x", **{"Retry-After": "2"}), max_retries=1
    )
    exc = await raises(RateLimitedError, client.list_accounts)
    assert waits == [2.0]
    assert exc.retry_soon
    assert "try again in 2 s" in str(exc)
    await client.aclose()


async def test_post_is_not_retried() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return error_json(503, "SERVICE_UNAVAILABLE", "Busy", **{"Retry-After": "0"})

    client = make_client(handler, max_retries=2)
    await raises(ServerError, lambda: client.start_chat("matrix", {"id": "@a:x"}))
    await raises(ServerError, lambda: client.focus("!chat:x"))
    assert calls == 2
    await client.aclose()


@pytest.mark.parametrize(
    ("status", "exc_type"),
    [
        (400, BadRequestError),
        (403, PermissionDeniedError),
        (409, ConflictError),
        (422, BadRequestError),
        (418, APIStatusError),
    ],
)
async def test_other_statuses_map_to_typed_errors(
    status: int, exc_type: type[APIStatusError], debug_log: pytest.LogCaptureFixture
) -> None:
    client = make_client(lambda r: error_json(status, "X", "Server says no"), max_retries=0)
    exc = await raises(exc_type, client.list_accounts)
    assert type(exc) is exc_type
    assert "Server says no" in str(exc)
    assert_no_token(exc, client, debug_log)
    await client.aclose()


async def test_400_exposes_validation_issues() -> None:
    body = {
        "code": "VALIDATION_ERROR",
        "message": "Invalid request",
        "details": {"issues": [{"code": "invalid_type", "message": "Required", "path": ["query"]}]},
    }
    client = make_client(lambda r: httpx.Response(400, json=body))
    exc = await raises(BadRequestError, lambda: client.search_contacts("matrix", "x"))
    assert isinstance(exc, BadRequestError)
    assert [(i.code, i.path) for i in exc.body.issues] == [("invalid_type", ["query"])]
    await client.aclose()


# -- protocol errors -----------------------------------------------------------


async def test_non_json_200_is_protocol_error_naming_endpoint(
    debug_log: pytest.LogCaptureFixture,
) -> None:
    client = make_client(
        lambda r: httpx.Response(200, text="<html>hi</html>", headers={"content-type": "text/html"})
    )
    exc = await raises(ProtocolError, client.list_accounts)
    assert isinstance(exc, ProtocolError)
    assert exc.endpoint == "GET /v1/accounts"
    assert "GET /v1/accounts" in str(exc)
    assert_no_token(exc, client, debug_log)
    await client.aclose()


async def test_truncated_json_200_is_protocol_error(debug_log: pytest.LogCaptureFixture) -> None:
    client = make_client(
        lambda r: httpx.Response(
            200, content=b'{"items": [{"id": "@trunc', headers={"content-type": "application/json"}
        )
    )
    exc = await raises(ProtocolError, lambda: client.list_contacts("slackgo.T1-U2"))
    assert isinstance(exc, ProtocolError)
    assert "/v1/accounts/slackgo.T1-U2/contacts/list" in str(exc)
    assert_no_token(exc, client, debug_log)
    await client.aclose()


@pytest.mark.parametrize(
    ("call", "body", "endpoint"),
    [
        ("list_accounts", {"items": []}, "GET /v1/accounts"),
        ("list_accounts", [{"accountID": "a"}], "GET /v1/accounts"),
        ("list_contacts", "this is not the shape", "GET /v1/accounts/acc/contacts/list"),
        ("list_contacts", {"items": [{"fullName": "no id"}]}, "GET /v1/accounts/acc/contacts/list"),
        ("search_contacts", [1, 2, 3], "GET /v1/accounts/acc/contacts"),
        ("get_account", {"user": {"id": "u"}}, "GET /v1/accounts/acc"),
        ("info", "hello", "GET /v1/info"),
    ],
)
async def test_wrong_shaped_json_is_protocol_error_naming_endpoint(
    call: str, body: Any, endpoint: str, debug_log: pytest.LogCaptureFixture
) -> None:
    client = make_client(lambda r: httpx.Response(200, json=body))
    calls: dict[str, Callable[[], Awaitable[Any]]] = {
        "list_accounts": client.list_accounts,
        "list_contacts": lambda: client.list_contacts("acc"),
        "search_contacts": lambda: client.search_contacts("acc", "q"),
        "get_account": lambda: client.get_account("acc"),
        "info": client.info,
    }
    exc = await raises(ProtocolError, calls[call])
    assert isinstance(exc, ProtocolError)
    assert exc.endpoint == endpoint
    assert endpoint in str(exc)
    assert_no_token(exc, client, debug_log)
    await client.aclose()


# -- transport errors ----------------------------------------------------------


async def test_connect_error_is_cannot_connect_naming_base_url(
    debug_log: pytest.LogCaptureFixture,
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    client = make_client(handler)
    exc = await raises(CannotConnectError, client.list_accounts)
    assert isinstance(exc, CannotConnectError)
    assert exc.url == BASE
    assert BASE in str(exc)
    assert "refused" in str(exc)
    assert exc.timed_out is False
    assert exc.__cause__ is None
    assert_no_token(exc, client, debug_log)
    await client.aclose()


async def test_dns_failure_is_cannot_connect(debug_log: pytest.LogCaptureFixture) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -2] Name or service not known", request=request)

    client = make_client(handler)
    exc = await raises(CannotConnectError, client.info)
    assert BASE in str(exc)
    assert "resolved" in str(exc)
    assert_no_token(exc, client, debug_log)
    await client.aclose()


async def test_remote_protocol_error_is_cannot_connect(
    debug_log: pytest.LogCaptureFixture,
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("Server disconnected", request=request)

    client = make_client(handler)
    exc = await raises(CannotConnectError, client.list_accounts)
    assert BASE in str(exc)
    assert_no_token(exc, client, debug_log)
    await client.aclose()


async def test_read_timeout_is_cannot_connect_timed_out(
    debug_log: pytest.LogCaptureFixture,
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    client = make_client(handler)
    exc = await raises(CannotConnectError, lambda: client.list_contacts("acc"))
    assert isinstance(exc, CannotConnectError)
    assert exc.timed_out is True
    assert BASE in str(exc)
    assert_no_token(exc, client, debug_log)
    await client.aclose()


async def test_connect_timeout_is_cannot_connect_timed_out(
    debug_log: pytest.LogCaptureFixture,
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out", request=request)

    client = make_client(handler)
    exc = await raises(CannotConnectError, client.list_accounts)
    assert isinstance(exc, CannotConnectError)
    assert exc.timed_out is True
    assert "connection" in str(exc)
    assert_no_token(exc, client, debug_log)
    await client.aclose()


def test_every_error_is_a_beeper_error() -> None:
    for exc_type in (
        AuthenticationError,
        NotFoundError,
        RateLimitedError,
        ServerError,
        ProtocolError,
        CannotConnectError,
        BadRequestError,
        PermissionDeniedError,
        ConflictError,
    ):
        assert issubclass(exc_type, BeeperError)


def test_client_repr_hides_token() -> None:
    client = BeeperClient(BASE, TOKEN)
    assert TOKEN not in repr(client)
    assert TOKEN not in str(client)
    assert "***" in repr(client)
    assert client.has_token
    assert BASE in repr(client)


# -- what goes on the wire -----------------------------------------------------


class Recorder:
    """A MockTransport handler that records requests and answers by path."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path == "/v1/info":
            return httpx.Response(200, json={"app": {"name": "Beeper"}})
        if path == "/v1/accounts":
            return httpx.Response(200, json=[])
        if path.endswith("/contacts/list"):
            return httpx.Response(200, json={"items": [], "hasMore": False})
        if path.endswith("/contacts"):
            return httpx.Response(200, json={"items": []})
        return httpx.Response(200, json={"accountID": "x", "user": {"id": "u"}})


async def test_authorization_header_on_accounts_not_on_info() -> None:
    rec = Recorder()
    client = make_client(rec)
    await client.list_accounts()
    await client.info()
    accounts_req, info_req = rec.requests
    assert accounts_req.headers["Authorization"] == f"Bearer {TOKEN}"
    assert "Authorization" not in info_req.headers
    await client.aclose()


async def test_authorization_header_on_every_authenticated_endpoint() -> None:
    rec = Recorder()
    client = make_client(rec)
    await client.get_account("matrix")
    await client.search_contacts("matrix", "bob")
    await client.list_contacts("matrix")
    assert len(rec.requests) == 3
    for request in rec.requests:
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    await client.aclose()


async def test_no_token_sends_no_authorization_and_set_access_token_changes_it() -> None:
    rec = Recorder()
    client = BeeperClient(BASE, None, transport=httpx.MockTransport(rec))
    assert not client.has_token
    await client.list_accounts()
    client.set_access_token("other-token")
    await client.list_accounts()
    client.set_access_token(None)
    await client.list_accounts()
    first, second, third = rec.requests
    assert "Authorization" not in first.headers
    assert second.headers["Authorization"] == "Bearer other-token"
    assert "Authorization" not in third.headers
    await client.aclose()


@pytest.mark.parametrize(
    ("account_id", "encoded"),
    [
        ("slackgo.T1-U2", "slackgo.T1-U2"),
        ("a/b c", "a%2Fb%20c"),
        ("local-whatsapp_ba_Xy9", "local-whatsapp_ba_Xy9"),
        ("x?y#z%", "x%3Fy%23z%25"),
    ],
)
async def test_account_id_is_one_percent_encoded_segment(account_id: str, encoded: str) -> None:
    rec = Recorder()
    client = make_client(rec)
    await client.get_account(account_id)
    await client.search_contacts(account_id, "q")
    await client.list_contacts(account_id)
    raw_paths = [r.url.raw_path.split(b"?")[0].decode() for r in rec.requests]
    assert raw_paths == [
        f"/v1/accounts/{encoded}",
        f"/v1/accounts/{encoded}/contacts",
        f"/v1/accounts/{encoded}/contacts/list",
    ]
    await client.aclose()


async def test_list_contacts_sends_only_given_params() -> None:
    rec = Recorder()
    client = make_client(rec)
    await client.list_contacts("acc")
    await client.list_contacts("acc", cursor="opaque==", limit=25)
    await client.list_contacts("acc", query="zoë")
    await client.list_contacts("acc", cursor="c", direction="after", limit=1, query="q")
    params = [dict(r.url.params) for r in rec.requests]
    assert params == [
        {},
        {"cursor": "opaque==", "limit": "25"},
        {"query": "zoë"},
        {"cursor": "c", "direction": "after", "limit": "1", "query": "q"},
    ]
    await client.aclose()


async def test_search_contacts_sends_query() -> None:
    rec = Recorder()
    client = make_client(rec)
    await client.search_contacts("acc", "+1 415 555 2671")
    assert dict(rec.requests[0].url.params) == {"query": "+1 415 555 2671"}
    await client.aclose()


@pytest.mark.parametrize(
    "call", ["info", "list_accounts", "get_account", "search_contacts", "list_contacts"]
)
async def test_configured_read_timeout_bounds_every_endpoint(call: str) -> None:
    """A client built with ``read_timeout=0.2`` must not wait 10 s on any endpoint."""
    rec = Recorder()
    client = make_client(rec, read_timeout=0.2)
    calls: dict[str, Callable[[], Awaitable[Any]]] = {
        "info": client.info,
        "list_accounts": client.list_accounts,
        "get_account": lambda: client.get_account("acc"),
        "search_contacts": lambda: client.search_contacts("acc", "q"),
        "list_contacts": lambda: client.list_contacts("acc"),
    }
    await calls[call]()
    timeout = rec.requests[0].extensions["timeout"]
    assert timeout["read"] <= 0.2
    await client.aclose()


# -- cancellation --------------------------------------------------------------


async def test_cancelling_a_request_leaves_the_client_usable() -> None:
    entered = asyncio.Event()
    never = asyncio.Event()
    hang = True

    async def handler(request: httpx.Request) -> httpx.Response:
        if hang:
            entered.set()
            await never.wait()
        return httpx.Response(200, json={"items": [{"id": "u1"}], "hasMore": False})

    client = make_client(handler)
    task = asyncio.create_task(client.list_contacts("acc", query="al"))
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert task.cancelled()

    hang = False
    page = await client.list_contacts("acc")
    assert [u.id for u in page.items] == ["u1"]
    await client.aclose()


async def test_cancelling_during_retry_wait_stops_retrying() -> None:
    calls = 0
    answered = asyncio.Event()

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        answered.set()
        return error_json(503, "SERVICE_UNAVAILABLE", "Busy", **{"Retry-After": "3"})

    client = make_client(handler, max_retries=2)
    task = asyncio.create_task(client.list_accounts())
    await answered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert calls == 1
    await client.aclose()


# -- Retry-After parsing -------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("7", 7.0),
        (" 2.5 ", 2.5),
        ("0", 0.0),
        ("-3", 0.0),
        ("", None),
        (None, None),
        ("soon", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
        ("99999999", 86400.0),
        ("inf", None),
        ("nan", None),
        ("1e400", None),
        ("Fri, 31 Dec 9999 23:59:59 GMT", 86400.0),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header) == expected
