"""The avatar loader: each URL scheme, the disk cache, cancellation, hostile images."""

from __future__ import annotations

import asyncio
import base64
import io
import os
import stat
import struct
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

import beeper_tui.service.avatars as avatars
from beeper_tui.api.client import BeeperClient
from beeper_tui.service.avatars import (
    AvatarError,
    AvatarLoader,
    Superseded,
    avatar_colour,
    decode_avatar,
    initials,
)

TOKEN = "sekrit-token-123"


def png_bytes(
    size: tuple[int, int] = (200, 120), colour: Any = (200, 30, 60), mode: str = "RGB"
) -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, colour).save(buf, "PNG")
    return buf.getvalue()


def data_url(data: bytes, media: str = "image/png") -> str:
    return f"data:{media};base64," + base64.b64encode(data).decode()


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` × ``height`` but holds a few bytes of pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


class MediaServer:
    """A fake Beeper Desktop for the asset endpoints, recording what it was asked."""

    def __init__(self, files: dict[str, bytes], tmp: Path) -> None:
        self.files = files
        self.tmp = tmp
        self.downloads: list[str] = []
        self.serves: list[str] = []
        self.download_answers_error = False

    def handler(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == f"Bearer {TOKEN}"
        if request.url.path == "/v1/assets/download":
            import json

            url = json.loads(request.content)["url"]
            self.downloads.append(url)
            if self.download_answers_error or url not in self.files:
                return httpx.Response(200, json={"error": "not available"})
            path = self.tmp / f"media-{len(self.downloads)}.bin"
            path.write_bytes(self.files[url])
            return httpx.Response(200, json={"srcURL": path.as_uri()})
        if request.url.path == "/v1/assets/serve":
            url = request.url.params["url"]
            self.serves.append(url)
            if url not in self.files:
                return httpx.Response(404, json={"code": "NOT_FOUND", "message": "no such media"})
            return httpx.Response(200, content=self.files[url])
        return httpx.Response(404)

    def client(self) -> BeeperClient:
        transport = httpx.MockTransport(self.handler)
        return BeeperClient("http://127.0.0.1:23373", TOKEN, transport=transport, max_retries=0)


# -- fallback ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Noor Haddad", "NH"),
        ("alice", "A"),
        ("  Jean-Luc   Picard ", "JP"),
        ("@bob_smith", "BS"),
        ("+1 415 555 2671", "#"),
        ("王小明", "王"),
        ("🌶️", "🌶"),
        ("", "?"),
        (None, "?"),
        ("élodie durand", "ÉD"),
    ],
)
def test_initials(name: str | None, expected: str) -> None:
    assert initials(name) == expected


def test_avatar_colour_is_stable_and_spread() -> None:
    assert avatar_colour("@noor:beeper.com") == avatar_colour("@noor:beeper.com")
    colours = {avatar_colour(f"@user{i}:beeper.com") for i in range(100)}
    assert len(colours) >= 6
    assert all(c.startswith("#") and len(c) == 7 for c in colours)


# -- schemes -----------------------------------------------------------------


async def test_data_url_is_decoded_scaled_and_cached(tmp_path: Path) -> None:
    url = data_url(png_bytes((300, 200)))
    loader = AvatarLoader(None, tmp_path / "cache", size=64)
    avatar = await loader.load(url)
    assert avatar.image.size == (64, 64)
    assert avatar.image.mode == "RGB"
    assert avatar.image.getpixel((32, 32)) == (200, 30, 60)
    cached = loader.cache_path(url)
    assert cached is not None
    assert cached.is_file()
    assert stat.S_IMODE(cached.stat().st_mode) == 0o600
    assert stat.S_IMODE(cached.parent.stat().st_mode) == 0o700


async def test_non_base64_data_url(tmp_path: Path) -> None:
    from urllib.parse import quote_from_bytes

    url = "data:image/png," + quote_from_bytes(png_bytes((10, 10)))
    avatar = await AvatarLoader(None, None).load(url)
    assert avatar.image.size == (10, 10)


async def test_file_url_reads_a_regular_file_and_the_cache_outlives_it(tmp_path: Path) -> None:
    source = tmp_path / "face one.png"
    source.write_bytes(png_bytes())
    url = source.as_uri()
    cache = tmp_path / "cache"
    first = await AvatarLoader(None, cache).load(url)
    source.unlink()
    # A new loader has an empty memory: only the disk cache can answer now.
    second = await AvatarLoader(None, cache).load(url)
    assert second.image.tobytes() == first.image.tobytes()
    with pytest.raises(AvatarError, match="cannot be opened"):
        await AvatarLoader(None, tmp_path / "other-cache").load(url)


async def test_file_url_refuses_what_is_not_a_small_regular_file(tmp_path: Path) -> None:
    loader = AvatarLoader(None, None, max_bytes=1000)
    with pytest.raises(AvatarError, match="not a regular file"):
        await loader.load(tmp_path.as_uri())
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(AvatarError, match="not a regular file"):
        await loader.load(fifo.as_uri())
    with pytest.raises(AvatarError, match="not a regular file"):
        await loader.load("file:///dev/zero")
    big = tmp_path / "big.png"
    big.write_bytes(png_bytes() + b"\0" * 2000)
    with pytest.raises(AvatarError, match="larger than 1000 bytes"):
        await loader.load(big.as_uri())
    with pytest.raises(AvatarError, match="another machine"):
        await loader.load("file://fileserver/share/a.png")


async def test_mxc_through_download_then_file(tmp_path: Path) -> None:
    media = MediaServer({"mxc://beeper.com/abc": png_bytes()}, tmp_path)
    async with media.client() as client:
        avatar = await AvatarLoader(client, tmp_path / "cache").load("mxc://beeper.com/abc")
    assert avatar.image.size == (96, 96)
    assert media.downloads == ["mxc://beeper.com/abc"]
    assert media.serves == []


async def test_localmxc_falls_back_to_serve_when_download_has_no_file(tmp_path: Path) -> None:
    media = MediaServer({"localmxc://local/xyz": png_bytes()}, tmp_path)
    media.download_answers_error = True
    async with media.client() as client:
        avatar = await AvatarLoader(client, None).load("localmxc://local/xyz")
    assert avatar.image.size == (96, 96)
    assert media.downloads == ["localmxc://local/xyz"]
    assert media.serves == ["localmxc://local/xyz"]


async def test_mxc_of_a_remote_desktop_is_only_served(tmp_path: Path) -> None:
    media = MediaServer({"mxc://beeper.com/abc": png_bytes()}, tmp_path)
    async with media.client() as client:
        loader = AvatarLoader(client, None, local_files=False)
        await loader.load("mxc://beeper.com/abc")
    assert media.downloads == []
    assert media.serves == ["mxc://beeper.com/abc"]


async def test_mxc_that_nobody_has_is_an_avatar_error(tmp_path: Path) -> None:
    media = MediaServer({}, tmp_path)
    async with media.client() as client:
        with pytest.raises(AvatarError, match="no such media"):
            await AvatarLoader(client, None).load("mxc://beeper.com/gone")
    with pytest.raises(AvatarError, match="not connected"):
        await AvatarLoader(None, None).load("mxc://beeper.com/gone")


async def test_unknown_scheme_is_refused() -> None:
    with pytest.raises(AvatarError, match="unsupported"):
        await AvatarLoader(None, None).load("ftp://example.invalid/a.png")


class _ImageHandler(BaseHTTPRequestHandler):
    body = b""
    seen: list[dict[str, str]] = []  # noqa: RUF012 - per-server list set in the fixture

    def do_GET(self) -> None:
        type(self).seen.append(dict(self.headers))
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def image_server() -> Iterator[tuple[str, type[_ImageHandler]]]:
    handler = type("Handler", (_ImageHandler,), {"body": png_bytes((40, 40)), "seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/face.png", handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


async def test_http_only_when_remote_images_are_on(
    image_server: tuple[str, type[_ImageHandler]],
) -> None:
    url, handler = image_server
    with pytest.raises(AvatarError, match="remote images are turned off"):
        await AvatarLoader(None, None).load(url)
    assert handler.seen == []
    loader = AvatarLoader(None, None, remote_images=True)
    try:
        avatar = await loader.load(url)
    finally:
        await loader.aclose()
    assert avatar.image.size == (40, 40)
    assert len(handler.seen) == 1
    assert not any(k.lower() == "authorization" for k in handler.seen[0])


async def test_http_answer_over_the_byte_cap_is_refused(
    image_server: tuple[str, type[_ImageHandler]],
) -> None:
    url, _ = image_server
    loader = AvatarLoader(None, None, remote_images=True, max_bytes=100)
    try:
        with pytest.raises(AvatarError, match="larger than 100 bytes"):
            await loader.load(url)
    finally:
        await loader.aclose()


# -- off the event loop, cancellation ---------------------------------------


async def test_decoding_runs_in_a_thread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[int] = []
    real = avatars.decode_avatar

    def spy(data: bytes, **kwargs: Any) -> Image.Image:
        threads.append(threading.get_ident())
        return real(data, **kwargs)

    monkeypatch.setattr(avatars, "decode_avatar", spy)
    await AvatarLoader(None, None).load(data_url(png_bytes()))
    assert threads
    assert threading.main_thread().ident not in threads


async def test_a_new_request_cancels_the_one_in_flight(tmp_path: Path) -> None:
    entered = asyncio.Event()
    release = asyncio.Event()
    cancelled: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        url = request.url.params["url"]
        if url == "mxc://slow/1":
            entered.set()
            try:
                await release.wait()
            except asyncio.CancelledError:
                cancelled.append(url)
                raise
        return httpx.Response(200, content=png_bytes())

    client = BeeperClient("http://127.0.0.1:1", TOKEN, transport=httpx.MockTransport(handler))
    loader = AvatarLoader(client, None, local_files=False)
    first = asyncio.create_task(loader.request("mxc://slow/1"))
    await entered.wait()
    assert loader.busy
    second = await loader.request("mxc://fast/2")
    with pytest.raises(Superseded):
        await first
    assert second is not None
    assert second.url == "mxc://fast/2"
    assert cancelled == ["mxc://slow/1"]
    assert not loader.busy
    await client.aclose()


async def test_cancelling_the_caller_cancels_the_fetch_not_supersedes() -> None:
    entered = asyncio.Event()
    cancelled: list[bool] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        entered.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.append(True)
            raise
        raise AssertionError("unreachable")

    client = BeeperClient("http://127.0.0.1:1", TOKEN, transport=httpx.MockTransport(handler))
    loader = AvatarLoader(client, None, local_files=False)
    caller = asyncio.create_task(loader.request("mxc://slow/1"))
    await entered.wait()
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert cancelled == [True]
    assert not loader.busy
    await client.aclose()


async def test_no_url_means_no_avatar_and_cancels_the_previous() -> None:
    entered = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        entered.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    client = BeeperClient("http://127.0.0.1:1", TOKEN, transport=httpx.MockTransport(handler))
    loader = AvatarLoader(client, None, local_files=False)
    first = asyncio.create_task(loader.request("mxc://slow/1"))
    await entered.wait()
    assert await loader.request(None) is None
    with pytest.raises(Superseded):
        await first
    await client.aclose()


# -- hostile images ----------------------------------------------------------


def test_huge_declared_dimensions_are_refused_before_decoding() -> None:
    with pytest.raises(AvatarError, match="too large"):
        decode_avatar(png_claiming(100_000, 100_000))
    with pytest.raises(AvatarError, match=r"too large \(5000×5000"):
        decode_avatar(png_claiming(5000, 5000), max_pixels=1_000_000)


def test_decompression_bomb_is_refused() -> None:
    buf = io.BytesIO()
    Image.new("L", (6000, 6000), 0).save(buf, "PNG", optimize=True)
    bomb = buf.getvalue()
    # 36 million pixels from a file of a few tens of kilobytes.
    assert len(bomb) < 200_000
    with pytest.raises(AvatarError, match=r"too large \(6000×6000"):
        decode_avatar(bomb)


def test_pillows_own_bomb_limit_is_an_avatar_error() -> None:
    # Above twice Image.MAX_IMAGE_PIXELS Pillow refuses in open(); it must not escape.
    with pytest.raises(AvatarError, match="too large"):
        decode_avatar(png_claiming(20_000, 20_000), max_pixels=10**12)


def test_truncated_file_is_refused() -> None:
    noisy = Image.frombytes("RGB", (64, 64), os.urandom(64 * 64 * 3))
    buf = io.BytesIO()
    noisy.save(buf, "PNG")
    whole = buf.getvalue()
    with pytest.raises(AvatarError, match="not a readable image"):
        decode_avatar(whole[: len(whole) // 2])


@pytest.mark.parametrize(
    "data",
    [
        b"<html>not an image</html>",
        b"GIF89a" + b"\0" * 3,
        b"\x89PNG\r\n\x1a\n",
    ],
)
def test_non_images_are_refused(data: bytes) -> None:
    with pytest.raises(AvatarError):
        decode_avatar(data)


def test_formats_outside_the_list_are_refused() -> None:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, "TIFF")
    with pytest.raises(AvatarError, match="not a readable image"):
        decode_avatar(buf.getvalue())


def test_transparent_and_palette_images_become_rgb() -> None:
    rgba = decode_avatar(png_bytes((20, 20), colour=(255, 0, 0, 0), mode="RGBA"))
    assert rgba.mode == "RGB"
    assert rgba.getpixel((5, 5)) == (0, 0, 0)
    buf = io.BytesIO()
    Image.new("P", (30, 10), 3).save(buf, "GIF")
    assert decode_avatar(buf.getvalue()).size == (10, 10)


def test_big_jpeg_is_scaled_down() -> None:
    buf = io.BytesIO()
    Image.new("RGB", (2000, 1000), (10, 120, 200)).save(buf, "JPEG")
    image = decode_avatar(buf.getvalue(), size=48)
    assert image.size == (48, 48)


async def test_oversized_data_url_is_refused_unread() -> None:
    url = data_url(b"\0" * 5000)
    with pytest.raises(AvatarError, match="larger than 1000 bytes"):
        await AvatarLoader(None, None, max_bytes=1000).load(url)


async def test_a_broken_image_is_not_fetched_again(tmp_path: Path) -> None:
    media = MediaServer({"mxc://x/broken": b"not an image at all"}, tmp_path)
    async with media.client() as client:
        loader = AvatarLoader(client, tmp_path / "cache", local_files=False)
        for _ in range(3):
            with pytest.raises(AvatarError, match="not a readable image"):
                await loader.load("mxc://x/broken")
    assert media.serves == ["mxc://x/broken"]
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())
