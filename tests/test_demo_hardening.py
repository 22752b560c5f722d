"""Demo server hardening: TCP_NODELAY, bounded opt-in recording, 400 not 500, raw-path routing."""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import statistics
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from beeper_tui.demo import DEMO_TOKEN, Dataset, build_dataset, create_demo_app
from beeper_tui.demo.asgi import MAX_BODY_BYTES, RECORDED_BODY_BYTES, DemoState, RecordedRequest
from beeper_tui.demo.server import DemoServer
from benchmarks.demo_load import burst

AUTH = {"Authorization": f"Bearer {DEMO_TOKEN}"}


@pytest.fixture(scope="module")
def small_dataset() -> Dataset:
    return build_dataset(big_account_size=300)


@pytest.fixture
async def client(small_dataset: Dataset) -> AsyncIterator[httpx.AsyncClient]:
    # raise_app_exceptions: a 500 from a crash would raise here, not pass quietly.
    app = create_demo_app(small_dataset)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://demo.test", headers=AUTH
    ) as c:
        c.state = app.state.demo  # type: ignore[attr-defined]
        yield c


def state_of(client: httpx.AsyncClient) -> DemoState:
    state: DemoState = client.state  # type: ignore[attr-defined]
    return state


# -- TCP_NODELAY (item 17) ---------------------------------------------------------


def test_listener_is_tcp_with_nodelay(small_dataset: Dataset) -> None:
    with DemoServer(create_demo_app(small_dataset)) as server:
        sock = server._socket
        assert sock is not None
        # asyncio sets TCP_NODELAY on accepted sockets only when proto says TCP.
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_keep_alive_client_is_not_held_back_by_nagle(small_dataset: Dataset) -> None:
    with (
        DemoServer(create_demo_app(small_dataset)) as server,
        httpx.Client(base_url=server.base_url, headers=AUTH, timeout=10) as c,
    ):
        c.get("/v1/info")
        times = []
        for _ in range(30):
            started = time.perf_counter()
            assert c.get("/v1/info").status_code == 200
            times.append(time.perf_counter() - started)
    # Nagle plus delayed ACK costs ~40 ms on every request; this is a generous bound.
    assert statistics.median(times) < 0.030


def test_burst_over_keep_alive_connections_answers_every_request(small_dataset: Dataset) -> None:
    ids = [a.account_id for a in small_dataset.accounts]
    paths = ["/v1/info", "/v1/accounts", *(f"/v1/accounts/{a}/contacts/list" for a in ids)]
    with DemoServer(create_demo_app(small_dataset)) as server:
        result = asyncio.run(burst(server.base_url, paths, count=2000, connections=50))
    assert len(result.latencies) == 2000  # every answer was checked by burst()


# -- recording (item 18) -------------------------------------------------------------


async def test_recording_is_off_unless_a_test_turns_it_on(client: httpx.AsyncClient) -> None:
    state = state_of(client)
    assert state.recording is False
    await client.get("/v1/accounts")
    with pytest.raises(RuntimeError, match="recording is off"):
        _ = state.requests
    state.recording = True
    assert state.requests == []  # nothing was kept while it was off


async def test_recording_keeps_no_header_values_and_truncates_bodies(
    client: httpx.AsyncClient,
) -> None:
    state = state_of(client)
    state.recording = True
    big = {"chatID": "x" * (RECORDED_BODY_BYTES + 10)}
    await client.post("/v1/focus", json={"chatID": "!a:beeper.com"})
    await client.post("/v1/focus", json=big)
    small, large = state.requests
    assert small.json == {"chatID": "!a:beeper.com"}
    assert large.json is None
    assert large.body_size > RECORDED_BODY_BYTES
    assert "authorization" in small.header_names
    assert not hasattr(small, "headers")
    assert DEMO_TOKEN not in repr(small)


def test_recording_is_a_bounded_ring(small_dataset: Dataset) -> None:
    assert create_demo_app(small_dataset, record=True).state.demo.recording
    state = DemoState(small_dataset, DEMO_TOKEN, None, record=True, max_recorded=3)
    for i in range(5):
        state.record(RecordedRequest("GET", f"/p{i}", {}, None, True, 0.0))
    assert [r.path for r in state.requests] == ["/p2", "/p3", "/p4"]


async def test_oversized_unauthenticated_body_is_refused_unread(client: httpx.AsyncClient) -> None:
    state = state_of(client)
    state.recording = True
    response = await client.post(
        "/v1/chats/start", content=b"x" * (MAX_BODY_BYTES + 1), headers={"Authorization": ""}
    )
    assert response.status_code == 413
    assert state.requests == []


# -- malformed input is a 400, never a 500 (item 19) ---------------------------------


def _nested(depth: int = 100_000) -> bytes:
    return b"[" * depth + b"]" * depth


def _cursor(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "9" * 5000},
        {"limit": "-" + "9" * 5000},
        {"limit": "1e3"},
        {"cursor": _cursor(_nested(10_000))},
        {"cursor": _cursor(json.dumps({"v": 1, "a": "x", "p": 10**5000 // 10**4990}).encode())},
        {"cursor": "é" * 50},
        {"cursor": "A" * 10_000},
        {"direction": "sideways"},
    ],
)
async def test_malformed_list_params_are_400(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    account = "telegram"
    response = await client.get(f"/v1/accounts/{account}/contacts/list", params=params)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"]
    assert body["details"]["issues"]


@pytest.mark.parametrize("path", ["/v1/chats/start", "/v1/focus"])
async def test_deeply_nested_body_is_400(client: httpx.AsyncClient, path: str) -> None:
    state_of(client).recording = True  # the recorder parses bodies too
    response = await client.post(
        path, content=_nested(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["details"]["issues"]


async def test_deeply_nested_body_to_an_unknown_path_is_not_a_crash(
    client: httpx.AsyncClient,
) -> None:
    state_of(client).recording = True
    response = await client.post("/v1/nowhere", content=_nested(), headers={"Authorization": ""})
    assert response.status_code == 401


# -- raw-path routing -------------------------------------------------------------


async def test_encoded_slash_stays_inside_the_account_segment(client: httpx.AsyncClient) -> None:
    # Decoded first, this would be GET /v1/accounts/telegram/contacts (a search route).
    response = await client.get("/v1/accounts/telegram%2Fcontacts")
    assert response.status_code == 404
    assert response.json()["message"] == "Account not found"


async def test_other_encoded_characters_still_decode(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/accounts/%74elegram")
    assert response.status_code == 200
    assert response.json()["accountID"] == "telegram"
