"""Fault injection, latency and the request log."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from beeper_tui.demo import DEMO_TOKEN, DemoState, FaultRule, Latency

AUTH = {"Authorization": f"Bearer {DEMO_TOKEN}"}


@pytest.fixture
async def client(demo_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=demo_app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://demo.test", headers=AUTH
    ) as client:
        yield client


async def test_status_fault_with_retry_after(
    client: httpx.AsyncClient, demo_state: DemoState
) -> None:
    demo_state.faults.add(FaultRule(path=r"^/v1/accounts$", status=429, retry_after=2))
    response = await client.get("/v1/accounts")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "2"
    assert response.json() == {"code": "RATE_LIMITED", "message": "Too Many Requests"}
    # Other paths are untouched.
    assert (await client.get("/v1/accounts/telegram")).status_code == 200


async def test_status_fault_with_custom_message(
    client: httpx.AsyncClient, demo_state: DemoState
) -> None:
    demo_state.faults.add(status=401, message="Token expired")
    response = await client.get("/v1/accounts")
    assert response.status_code == 401
    assert response.json() == {"code": "UNAUTHORIZED", "message": "Token expired"}


async def test_malformed_and_wrong_shape(client: httpx.AsyncClient, demo_state: DemoState) -> None:
    demo_state.faults.add(FaultRule(path="contacts/list", malformed=True))
    demo_state.faults.add(FaultRule(path="/v1/accounts$", wrong_shape=True))
    malformed = await client.get("/v1/accounts/telegram/contacts/list")
    assert malformed.status_code == 200
    with pytest.raises(ValueError):  # noqa: PT011 - json's own error type
        malformed.json()
    wrong = await client.get("/v1/accounts")
    assert wrong.status_code == 200
    assert isinstance(wrong.json(), str)


async def test_times_retires_the_rule(client: httpx.AsyncClient, demo_state: DemoState) -> None:
    rule = demo_state.faults.add(FaultRule(method="GET", path="/v1/accounts", status=503, times=1))
    assert (await client.get("/v1/accounts")).status_code == 503
    assert (await client.get("/v1/accounts")).status_code == 200
    assert rule.hits == 1
    assert not rule.live


async def test_first_live_rule_wins_and_params_match(
    client: httpx.AsyncClient, demo_state: DemoState
) -> None:
    demo_state.faults.add(FaultRule(params={"query": "boom"}, status=500, times=1))
    demo_state.faults.add(FaultRule(params={"query": "boom"}, status=502))
    url = "/v1/accounts/telegram/contacts"
    assert (await client.get(url, params={"query": "boom"})).status_code == 500
    assert (await client.get(url, params={"query": "boom"})).status_code == 502
    assert (await client.get(url, params={"query": "fine"})).status_code == 200
    demo_state.faults.clear()
    assert (await client.get(url, params={"query": "boom"})).status_code == 200


async def test_explicit_body(client: httpx.AsyncClient, demo_state: DemoState) -> None:
    demo_state.faults.add(path="/v1/accounts$", body=[{"accountID": "ghost"}])
    assert (await client.get("/v1/accounts")).json() == [{"accountID": "ghost"}]


async def test_delay_only_passes_through(client: httpx.AsyncClient, demo_state: DemoState) -> None:
    demo_state.faults.add(FaultRule(path="/v1/accounts$", delay_ms=60))
    started = time.monotonic()
    response = await client.get("/v1/accounts")
    assert time.monotonic() - started >= 0.05
    assert response.status_code == 200
    assert isinstance(response.json(), list)


async def test_latency_is_adjustable_at_runtime(
    client: httpx.AsyncClient, demo_state: DemoState
) -> None:
    demo_state.latency = Latency(fixed_ms=50)
    started = time.monotonic()
    await client.get("/v1/info")
    assert time.monotonic() - started >= 0.045
    demo_state.latency = None


def test_latency_jitter_is_deterministic() -> None:
    one = Latency(10, 20, seed=3)
    two = Latency(10, 20, seed=3)
    delays = [one.next_delay() for _ in range(5)]
    assert delays == [two.next_delay() for _ in range(5)]
    assert all(0.010 <= d <= 0.030 for d in delays)
    with pytest.raises(ValueError, match="negative"):
        Latency(-1)


def test_fault_rule_validation() -> None:
    with pytest.raises(ValueError, match="status"):
        FaultRule(status=200)
    with pytest.raises(ValueError, match="times"):
        FaultRule(times=-1)


async def test_request_log(client: httpx.AsyncClient, demo_state: DemoState) -> None:
    await client.get("/v1/accounts/telegram/contacts", params={"query": "zoë"})
    await client.get("/v1/accounts", headers={"Authorization": "Bearer wrong"})
    await client.post("/v1/focus", json={"chatID": "!x:beeper.com"})
    log = demo_state.requests
    assert [r.method for r in log] == ["GET", "GET", "POST"]
    assert log[0].path == "/v1/accounts/telegram/contacts"
    assert log[0].params == {"query": "zoë"}
    assert log[0].authorized is True
    assert log[1].authorized is False
    assert log[2].json == {"chatID": "!x:beeper.com"}
    assert log[0].received_at <= log[1].received_at <= log[2].received_at
    assert [r.path for r in demo_state.requests_to(r"/contacts$")] == [log[0].path]
    demo_state.clear_requests()
    assert demo_state.requests == []


async def test_faulted_requests_are_still_recorded(
    client: httpx.AsyncClient, demo_state: DemoState
) -> None:
    demo_state.faults.add(status=500)
    await client.get("/v1/accounts")
    assert len(demo_state.requests_to("^/v1/accounts$")) == 1
