"""BeeperClient against the demo Beeper Desktop, over loopback and in-process.

Every test that does not depend on a real socket runs twice: once against
``demo_server`` (uvicorn on 127.0.0.1) and once through
``httpx.ASGITransport`` straight into ``demo_app``.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from beeper_tui.api.client import BeeperClient
from beeper_tui.api.errors import (
    AuthenticationError,
    BadRequestError,
    CannotConnectError,
    NotFoundError,
    ProtocolError,
    RateLimitedError,
    ServerError,
)
from beeper_tui.api.models import AccountStatus
from beeper_tui.demo import DEMO_TOKEN, Dataset, DemoAccount, DemoState, FaultRule
from tests.demo_fixtures import demo_app, demo_dataset, demo_server, demo_state  # noqa: F401

ClientFactory = Callable[..., BeeperClient]


@pytest.fixture(params=["loopback", "in-process"])
async def make_client(
    request: pytest.FixtureRequest,
    demo_app: Starlette,  # noqa: F811
) -> AsyncIterator[ClientFactory]:
    """Builds clients on the demo: over a real socket or through ASGI."""
    made: list[BeeperClient] = []

    def factory(token: str | None = DEMO_TOKEN, **kwargs: Any) -> BeeperClient:
        if request.param == "loopback":
            base_url: str = request.getfixturevalue("demo_server")
            client = BeeperClient(base_url, token, **kwargs)
        else:
            client = BeeperClient(
                "http://demo.test", token, transport=httpx.ASGITransport(app=demo_app), **kwargs
            )
        made.append(client)
        return client

    yield factory
    for client in made:
        await client.aclose()


def slack_account(dataset: Dataset) -> DemoAccount:
    big = max(dataset.accounts, key=lambda a: len(a.contacts) if a.spec.key == "slackgo" else 0)
    assert big.wire.get("bridge", {}).get("type") == "slackgo"
    return big


def legacy_account(dataset: Dataset) -> DemoAccount:
    (legacy,) = [a for a in dataset.accounts if "status" not in a.wire]
    return legacy


# -- happy paths ---------------------------------------------------------------


async def test_info_without_auth(make_client: ClientFactory, demo_state: DemoState) -> None:  # noqa: F811
    client = make_client(token=None)
    info = await client.info()
    assert info.app.name
    assert info.app.version
    assert info.server.status == "running"
    assert info.platform.os
    (recorded,) = demo_state.requests_to(r"^/v1/info$")
    assert "authorization" not in recorded.header_names


async def test_info_sends_no_token_even_when_configured(
    make_client: ClientFactory,
    demo_state: DemoState,  # noqa: F811
) -> None:
    client = make_client()
    await client.info()
    (recorded,) = demo_state.requests_to(r"^/v1/info$")
    assert "authorization" not in recorded.header_names


async def test_list_accounts_parses_every_account(
    make_client: ClientFactory,
    demo_dataset: Dataset,  # noqa: F811
    demo_state: DemoState,  # noqa: F811
) -> None:
    client = make_client()
    accounts = await client.list_accounts()
    assert [a.account_id for a in accounts] == [a.account_id for a in demo_dataset.accounts]
    by_id = {a.account_id: a for a in accounts}
    for demo in demo_dataset.accounts:
        parsed = by_id[demo.account_id]
        assert parsed.user.id == demo.owner["id"]
        wire_status = demo.wire.get("status")
        if wire_status is None:
            assert parsed.status is AccountStatus.UNKNOWN
        else:
            assert parsed.status.value == wire_status
        assert parsed.network == demo.wire.get("network")
    legacy = by_id[legacy_account(demo_dataset).account_id]
    assert legacy.status is AccountStatus.UNKNOWN
    assert legacy.bridge is None
    assert legacy.network is None
    (recorded,) = demo_state.requests_to(r"^/v1/accounts$")
    assert recorded.authorized
    assert "authorization" in recorded.header_names  # values are never kept


async def test_get_account(make_client: ClientFactory, demo_dataset: Dataset) -> None:  # noqa: F811
    client = make_client()
    listed = {a.account_id: a for a in await client.list_accounts()}
    for demo in (slack_account(demo_dataset), legacy_account(demo_dataset)):
        account = await client.get_account(demo.account_id)
        assert account == listed[demo.account_id]


async def test_search_contacts_by_name_and_email(
    make_client: ClientFactory,
    demo_dataset: Dataset,  # noqa: F811
    demo_state: DemoState,  # noqa: F811
) -> None:
    client = make_client()
    slack = slack_account(demo_dataset)
    target = next(c for c in slack.contacts[1234:] if c.get("email") and c.get("fullName"))
    by_email = await client.search_contacts(slack.account_id, target["email"])
    assert by_email
    assert by_email[0].id == target["id"]
    by_name = await client.search_contacts(slack.account_id, target["fullName"])
    assert target["id"] in {u.id for u in by_name}
    recorded = demo_state.requests_to(r"/contacts$")
    assert [r.params for r in recorded] == [
        {"query": target["email"]},
        {"query": target["fullName"]},
    ]


async def test_list_contacts_pages_follow_oldest_cursor(
    make_client: ClientFactory,
    demo_dataset: Dataset,  # noqa: F811
    demo_state: DemoState,  # noqa: F811
) -> None:
    client = make_client()
    slack = slack_account(demo_dataset)
    expected = [c["id"] for c in slack.contacts]
    first = await client.list_contacts(slack.account_id, limit=50)
    assert first.has_more is True
    assert first.oldest_cursor
    assert [u.id for u in first.items] == expected[:50]
    second = await client.list_contacts(slack.account_id, cursor=first.oldest_cursor, limit=50)
    assert [u.id for u in second.items] == expected[50:100]
    assert second.oldest_cursor != first.oldest_cursor
    recorded = demo_state.requests_to(r"/contacts/list$")
    assert recorded[0].params == {"limit": "50"}
    assert recorded[1].params == {"cursor": first.oldest_cursor, "limit": "50"}


async def test_list_contacts_last_page(make_client: ClientFactory, demo_dataset: Dataset) -> None:  # noqa: F811
    client = make_client()
    small = min(demo_dataset.accounts, key=lambda a: len(a.contacts))
    page = await client.list_contacts(small.account_id, limit=len(small.contacts))
    assert page.has_more is False
    assert [u.id for u in page.items] == [c["id"] for c in small.contacts]


# -- errors from the server ------------------------------------------------------


async def test_wrong_token_is_authentication_error(make_client: ClientFactory) -> None:
    wrong = "sekrit-token-123"
    client = make_client(token=wrong)
    with pytest.raises(AuthenticationError) as info:
        await client.list_accounts()
    assert info.value.status_code == 401
    assert "token" in str(info.value).lower()
    assert wrong not in str(info.value)
    assert wrong not in repr(info.value)
    assert wrong not in repr(client)


async def test_missing_token_is_authentication_error(make_client: ClientFactory) -> None:
    client = make_client(token=None)
    with pytest.raises(AuthenticationError):
        await client.list_accounts()


async def test_unknown_account_is_not_found(make_client: ClientFactory) -> None:
    client = make_client()
    with pytest.raises(NotFoundError) as info:
        await client.get_account("no-such-account")
    assert "Account not found" in str(info.value)
    with pytest.raises(NotFoundError):
        await client.list_contacts("no-such-account")
    with pytest.raises(NotFoundError):
        await client.search_contacts("no-such-account", "bob")


async def test_search_without_query_text_is_bad_request(
    make_client: ClientFactory,
    demo_dataset: Dataset,  # noqa: F811
) -> None:
    client = make_client()
    with pytest.raises(BadRequestError) as info:
        await client.search_contacts(slack_account(demo_dataset).account_id, "   ")
    assert info.value.body.issues
    assert info.value.body.issues[0].path == ["query"]


async def test_rate_limited_with_retry_after(
    make_client: ClientFactory,
    demo_state: DemoState,  # noqa: F811
) -> None:
    demo_state.faults.add(FaultRule(path=r"^/v1/accounts$", status=429, retry_after=7))
    client = make_client(max_retries=0)
    with pytest.raises(RateLimitedError) as info:
        await client.list_accounts()
    assert info.value.retry_after == 7
    assert len(demo_state.requests_to(r"^/v1/accounts$")) == 1


@pytest.mark.parametrize(
    ("rule", "exc_type"),
    [
        (FaultRule(status=500), ServerError),
        (FaultRule(status=503, message="Beeper is updating"), ServerError),
        (FaultRule(malformed=True), ProtocolError),
        (FaultRule(wrong_shape=True), ProtocolError),
    ],
    ids=["500", "503", "malformed", "wrong-shape"],
)
@pytest.mark.parametrize(
    ("call", "endpoint"),
    [
        ("list_accounts", "GET /v1/accounts"),
        ("list_contacts", "GET /v1/accounts/{id}/contacts/list"),
        ("search_contacts", "GET /v1/accounts/{id}/contacts"),
    ],
)
async def test_injected_faults_map_to_typed_errors(
    make_client: ClientFactory,
    demo_state: DemoState,  # noqa: F811
    demo_dataset: Dataset,  # noqa: F811
    rule: FaultRule,
    exc_type: type[Exception],
    call: str,
    endpoint: str,
) -> None:
    slack = slack_account(demo_dataset)
    demo_state.faults.add(
        FaultRule(
            path=r"^/v1/accounts",
            status=rule.status,
            message=rule.message,
            malformed=rule.malformed,
            wrong_shape=rule.wrong_shape,
        )
    )
    client = make_client(max_retries=0)
    calls: dict[str, Callable[[], Awaitable[Any]]] = {
        "list_accounts": client.list_accounts,
        "list_contacts": lambda: client.list_contacts(slack.account_id),
        "search_contacts": lambda: client.search_contacts(slack.account_id, "ann"),
    }
    with pytest.raises(exc_type) as info:
        await calls[call]()
    assert endpoint.format(id=slack.account_id) in str(info.value)
    if rule.message:
        assert rule.message in str(info.value)
    assert len(demo_state.requests) == 1


async def test_transient_errors_are_retried(
    make_client: ClientFactory,
    demo_state: DemoState,  # noqa: F811
) -> None:
    demo_state.faults.add(FaultRule(path=r"^/v1/accounts$", status=503, retry_after=0, times=2))
    client = make_client(max_retries=2)
    accounts = await client.list_accounts()
    assert accounts
    assert len(demo_state.requests_to(r"^/v1/accounts$")) == 3


# -- transport failures (real sockets only) ----------------------------------------


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_connection_refused_names_the_url() -> None:
    base_url = f"http://127.0.0.1:{closed_port()}"
    client = BeeperClient(base_url, "sekrit-token-123", max_retries=0)
    try:
        with pytest.raises(CannotConnectError) as info:
            await client.list_accounts()
    finally:
        await client.aclose()
    assert base_url in str(info.value)
    assert info.value.url == base_url
    assert info.value.timed_out is False
    assert "sekrit-token-123" not in str(info.value)


async def test_connection_refused_says_refused() -> None:
    """A closed port should read "connection refused", not a generic failure.

    httpx (over anyio) reports a refused connect as "All connection attempts
    failed"; the ConnectionRefusedError is only in the exception chain.
    """
    base_url = f"http://127.0.0.1:{closed_port()}"
    async with BeeperClient(base_url, None, max_retries=0) as client:
        with pytest.raises(CannotConnectError) as info:
            await client.list_accounts()
    assert "connection refused" in info.value.reason


async def test_info_connection_refused_names_the_url() -> None:
    base_url = f"http://127.0.0.1:{closed_port()}"
    async with BeeperClient(base_url, None) as client:
        with pytest.raises(CannotConnectError) as info:
            await client.info()
    assert base_url in str(info.value)


@pytest.mark.parametrize(
    "call", ["list_contacts", "search_contacts", "list_accounts", "get_account", "info"]
)
async def test_slow_answer_times_out(
    demo_server: str,  # noqa: F811
    demo_state: DemoState,  # noqa: F811
    demo_dataset: Dataset,  # noqa: F811
    call: str,
) -> None:
    slack = slack_account(demo_dataset)
    demo_state.faults.add(FaultRule(delay_ms=600))
    client = BeeperClient(demo_server, DEMO_TOKEN, max_retries=0, read_timeout=0.2)
    calls: dict[str, Callable[[], Awaitable[Any]]] = {
        "list_contacts": lambda: client.list_contacts(slack.account_id),
        "search_contacts": lambda: client.search_contacts(slack.account_id, "ann"),
        "list_accounts": client.list_accounts,
        "get_account": lambda: client.get_account(slack.account_id),
        "info": client.info,
    }
    try:
        with pytest.raises(CannotConnectError) as info:
            await calls[call]()
    finally:
        await client.aclose()
    assert info.value.timed_out is True
    assert demo_server in str(info.value)
