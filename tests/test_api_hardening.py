"""The client against a hostile or broken server, and the token's hygiene.

Every wire case runs over real loopback sockets against ``HostileServer``.
"""

from __future__ import annotations

import asyncio
import gzip
import time

import httpx
import pytest

from beeper_tui.api.client import BeeperClient
from beeper_tui.api.errors import (
    AuthenticationError,
    CannotConnectError,
    ProtocolError,
    ServerError,
)
from beeper_tui.api.net import display_url
from beeper_tui.api.redact import mask_secrets
from tests.hostile_server import HostileServer, answer, head

pytest_plugins = ["tests.demo_fixtures"]

TOKEN = "sekrit-token-123456"


# -- proxies (item 1) ----------------------------------------------------------


@pytest.fixture
def proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)


async def _proxy_stand_in(head_bytes: bytes, writer: asyncio.StreamWriter) -> None:
    # Answers like a proxy relaying a Desktop that says hello.
    await answer(writer, b'{"items": []}')


def _point_proxies_at(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, url)


@pytest.mark.parametrize("opt_in", [False, True])
async def test_no_proxy_ever_sees_a_loopback_request(
    proxy_env: None, monkeypatch: pytest.MonkeyPatch, demo_server: str, opt_in: bool
) -> None:
    proxy = HostileServer(_proxy_stand_in)
    async with proxy as proxy_url:
        _point_proxies_at(monkeypatch, proxy_url)
        async with BeeperClient(demo_server, "demo-token", use_env_proxy=opt_in) as client:
            accounts = await client.list_accounts()
    assert accounts
    assert proxy.connections == 0
    assert not client.proxied


async def test_remote_host_uses_proxy_only_when_opted_in(
    proxy_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = HostileServer(_proxy_stand_in)
    async with proxy as proxy_url:
        _point_proxies_at(monkeypatch, proxy_url)
        remote = "http://desktop.example.invalid:23373"
        async with BeeperClient(remote, TOKEN) as default:
            assert not default.proxied
            # The pool used for the remote host is the direct one, not a proxy's.
            chosen = default._http._transport_for_url(httpx.URL(remote))
            assert isinstance(chosen, httpx.AsyncHTTPTransport)
            assert chosen._pool.__class__.__name__ == "AsyncConnectionPool"
        async with BeeperClient(remote, TOKEN, use_env_proxy=True) as opted:
            assert opted.proxied
            # The opted-in request goes to the (loopback) proxy, which answers it.
            page = await opted.list_contacts("acc")
    assert page.items == []
    assert proxy.connections == 1


# -- size, time and shape of answers (items 6-9) ---------------------------------


async def _endless_chunked(head_bytes: bytes, writer: asyncio.StreamWriter) -> None:
    writer.write(head(content_type="application/json", transfer_encoding="chunked"))
    writer.write(b"1\r\n[\r\n")
    chunk = b" " * 65536
    while True:
        writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        await writer.drain()


async def test_endless_body_stops_at_the_byte_cap() -> None:
    async with HostileServer(_endless_chunked) as url:
        client = BeeperClient(url, TOKEN, max_response_bytes=1024 * 1024)
        with pytest.raises(ProtocolError, match="larger than 1 MB"):
            await client.list_accounts()
        await client.aclose()


async def test_gzip_bomb_stops_at_the_byte_cap_after_decoding() -> None:
    # 64 MB of JSON whitespace compresses to about 64 KB: small on the wire,
    # huge once inflated.
    bomb = gzip.compress(b"[" + b" " * (64 * 1024 * 1024) + b"]", compresslevel=9)
    assert len(bomb) < 1024 * 1024

    async def behaviour(head_bytes: bytes, writer: asyncio.StreamWriter) -> None:
        await answer(writer, bomb, content_encoding="gzip")

    async with HostileServer(behaviour) as url:
        client = BeeperClient(url, TOKEN, max_response_bytes=2 * 1024 * 1024)
        with pytest.raises(ProtocolError, match="larger than 2 MB"):
            await client.list_accounts()
        await client.aclose()


async def test_gzip_answer_within_the_cap_is_accepted() -> None:
    body = gzip.compress(b'{"items": [], "hasMore": false}')

    async def behaviour(head_bytes: bytes, writer: asyncio.StreamWriter) -> None:
        await answer(writer, body, content_encoding="gzip")

    async with HostileServer(behaviour) as url, BeeperClient(url, TOKEN) as client:
        page = await client.list_contacts("acc")
    assert page.items == []
    assert page.has_more is False


async def test_unknown_content_encoding_is_a_protocol_error() -> None:
    async def behaviour(head_bytes: bytes, writer: asyncio.StreamWriter) -> None:
        await answer(writer, b"\x00\x01", content_encoding="br")

    async with HostileServer(behaviour) as url, BeeperClient(url, TOKEN) as client:
        with pytest.raises(ProtocolError, match="unsupported encoding"):
            await client.list_accounts()


async def _drip(head_bytes: bytes, writer: asyncio.StreamWriter) -> None:
    body = b'{"items": []}'
    writer.write(head(content_type="application/json", content_length=str(len(body))))
    for byte in body:
        writer.write(bytes([byte]))
        await writer.drain()
        await asyncio.sleep(0.25)


async def test_slow_drip_ends_at_the_deadline() -> None:
    async with HostileServer(_drip) as url:
        # Each byte comes well inside the 30 s read timeout; only the deadline trips.
        client = BeeperClient(url, TOKEN, deadline=1.0)
        started = time.monotonic()
        with pytest.raises(CannotConnectError, match="no complete answer within 1 s") as info:
            await client.list_contacts("acc")
        elapsed = time.monotonic() - started
        await client.aclose()
    assert info.value.timed_out
    assert elapsed < 10  # the drip alone would take 13 × 0.25 s plus every read timeout


async def _nested(status: str) -> HostileServer:
    nested = b"[" * 200_000 + b"]" * 200_000

    async def behaviour(head_bytes: bytes, writer: asyncio.StreamWriter) -> None:
        await answer(writer, nested, status=status)

    return HostileServer(behaviour)


async def test_deeply_nested_json_is_a_protocol_error() -> None:
    async with await _nested("200 OK") as url, BeeperClient(url, TOKEN) as client:
        with pytest.raises(ProtocolError, match="nested too deeply"):
            await client.list_accounts()


async def test_deeply_nested_error_body_is_still_a_typed_status_error() -> None:
    server = await _nested("500 Internal Server Error")
    async with server as url, BeeperClient(url, TOKEN, max_retries=0) as client:
        with pytest.raises(ServerError, match="HTTP 500"):
            await client.list_accounts()


# -- secrets (items 2-4) -----------------------------------------------------------


async def test_server_text_echoing_the_token_is_masked() -> None:
    async def behaviour(head_bytes: bytes, writer: asyncio.StreamWriter) -> None:
        body = f'{{"code": "UNAUTHORIZED", "message": "Token {TOKEN} expired"}}'.encode()
        await answer(writer, body, status="401 Unauthorized")

    async with HostileServer(behaviour) as url, BeeperClient(url, TOKEN) as client:
        with pytest.raises(AuthenticationError) as info:
            await client.list_accounts()
    assert TOKEN not in str(info.value)
    assert "Token *** expired" in str(info.value)
    assert TOKEN not in (info.value.body.message or "")


def test_masking_replaces_whole_tokens_only() -> None:
    assert mask_secrets(f"bad token {TOKEN}.", [TOKEN]) == "bad token ***."
    assert mask_secrets(f"token={TOKEN}&x", [TOKEN]) == "token=***&x"
    # Part of a longer word is a different word.
    assert mask_secrets(f"x{TOKEN}y", [TOKEN]) == f"x{TOKEN}y"


def test_short_token_is_never_a_mask_pattern() -> None:
    text = "Cannot reach Beeper Desktop at http://localhost:23373"
    assert mask_secrets(text, ["t"]) == text
    assert mask_secrets(text, ["", None]) == text


async def test_url_credentials_are_never_shown() -> None:
    # Port 9 on loopback: nothing listens, the connection is refused at once.
    client = BeeperClient("http://alice:hunter2@127.0.0.1:9", TOKEN, max_retries=0)
    assert "hunter2" not in client.base_url
    assert "alice" not in repr(client)
    with pytest.raises(CannotConnectError) as info:
        await client.info()
    await client.aclose()
    assert "hunter2" not in str(info.value)
    assert "http://127.0.0.1:9" in str(info.value)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://alice:hunter2@localhost:23373/x", "http://localhost:23373/x"),
        ("http://tok@[::1]:1", "http://[::1]:1"),
        ("http://localhost:23373", "http://localhost:23373"),
        ("not a url", "not a url"),
    ],
)
def test_display_url(url: str, shown: str) -> None:
    assert display_url(url) == shown
