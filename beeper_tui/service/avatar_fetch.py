"""Avatar bytes by URL scheme, each path capped in bytes before anything is decoded.

``mxc://`` / ``localmxc://`` go through Beeper Desktop (``/v1/assets/download``
for a file on this machine, else ``/v1/assets/serve``); ``file://`` is read
directly (regular files only); ``data:`` is decoded inline; ``http(s)://`` is
fetched only when the user allows remote images, with a client of its own
that never carries the Beeper token.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import os
import stat
from typing import Final
from urllib.parse import unquote, unquote_to_bytes, urlsplit

import httpx

from beeper_tui.api.client import BeeperClient
from beeper_tui.api.errors import BeeperError

__all__ = ["AvatarError", "AvatarFetcher", "decode_data_url", "file_path", "read_regular_file"]

log = logging.getLogger("beeper_tui.service")

_REMOTE_TIMEOUT: Final = httpx.Timeout(10.0, connect=5.0)


class AvatarError(Exception):
    """An avatar could not be had; ``reason`` says why in words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def file_path(url: str) -> str:
    """The local path a ``file://`` URL names; another machine's file is refused."""
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise AvatarError("the file is on another machine")
    path = unquote(parts.path)
    if not path:
        raise AvatarError("the file URL names no file")
    return path


def read_regular_file(path: str, max_bytes: int) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``max_bytes``.

    Blocking. ``O_NONBLOCK`` keeps a FIFO from hanging the open; the type and
    size checks run on the opened descriptor, so a file swapped after the
    check is not read in its place.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise AvatarError(f"the file cannot be opened ({exc.strerror or 'error'})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise AvatarError("not a regular file")
        if info.st_size > max_bytes:
            raise AvatarError(f"the file is larger than {max_bytes} bytes")
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as handle:
        try:
            data = handle.read(max_bytes + 1) or b""
        except OSError as exc:
            raise AvatarError(f"the file cannot be read ({exc.strerror or 'error'})") from None
    if len(data) > max_bytes:
        raise AvatarError(f"the file is larger than {max_bytes} bytes")
    return data


def decode_data_url(url: str, max_bytes: int) -> bytes:
    """The bytes of a ``data:`` URL, refusing one whose payload could exceed ``max_bytes``."""
    # Base64 is 4 characters per 3 bytes; leave room for the media type.
    if len(url) > max_bytes * 4 // 3 + 1024:
        raise AvatarError(f"the image is larger than {max_bytes} bytes")
    header, comma, payload = url[len("data:") :].partition(",")
    if not comma:
        raise AvatarError("malformed data: URL")
    raw = unquote_to_bytes(payload)
    if header.lower().endswith(";base64"):
        try:
            raw = base64.b64decode(raw, validate=False)
        except (binascii.Error, ValueError):
            raise AvatarError("malformed data: URL") from None
    if len(raw) > max_bytes:
        raise AvatarError(f"the image is larger than {max_bytes} bytes")
    return raw


class AvatarFetcher:
    """Reads an avatar's bytes by its URL's scheme (see the module docstring)."""

    def __init__(
        self,
        client: BeeperClient | None,
        *,
        max_bytes: int,
        remote_images: bool = False,
        local_files: bool = True,
        remote_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.client = client
        self.max_bytes = max_bytes
        self.remote_images = remote_images
        self.local_files = local_files
        self._remote_transport = remote_transport
        self._remote: httpx.AsyncClient | None = None

    async def aclose(self) -> None:
        """Close the remote-image client, if one was opened."""
        if self._remote is not None:
            await self._remote.aclose()
            self._remote = None

    async def fetch(self, url: str) -> bytes:
        """The raw bytes of the avatar at ``url``; :class:`AvatarError` says why not."""
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme in ("mxc", "localmxc"):
            return await self._fetch_media(url)
        if scheme == "file":
            return await asyncio.to_thread(read_regular_file, file_path(url), self.max_bytes)
        if scheme == "data":
            return await asyncio.to_thread(decode_data_url, url, self.max_bytes)
        if scheme in ("http", "https"):
            if not self.remote_images:
                raise AvatarError("remote images are turned off")
            return await self._fetch_remote(url)
        raise AvatarError(f"unsupported avatar URL ({scheme or 'no scheme'})")

    async def _fetch_media(self, url: str) -> bytes:
        if self.client is None:
            raise AvatarError("not connected to Beeper Desktop")
        if self.local_files:
            try:
                result = await self.client.download_asset(url)
                if result.src_url and result.src_url.lower().startswith("file:"):
                    path = file_path(result.src_url)
                    return await asyncio.to_thread(read_regular_file, path, self.max_bytes)
                log.debug("assets/download gave no file: %s", result.error or "no srcURL")
            except (BeeperError, AvatarError) as exc:
                log.debug("assets/download failed (%s); trying assets/serve", exc)
        try:
            return await self.client.serve_asset(url, max_bytes=self.max_bytes)
        except BeeperError as exc:
            raise AvatarError(f"Beeper Desktop could not serve the image: {exc}") from None

    async def _fetch_remote(self, url: str) -> bytes:
        if self._remote is None:
            self._remote = httpx.AsyncClient(
                transport=self._remote_transport,
                timeout=_REMOTE_TIMEOUT,
                follow_redirects=True,
                max_redirects=3,
                headers={"User-Agent": "beeper-tui", "Accept": "image/*"},
            )
        try:
            async with self._remote.stream("GET", url) as response:
                if not response.is_success:
                    raise AvatarError(f"the image server answered HTTP {response.status_code}")
                announced = response.headers.get("content-length", "")
                if announced.isdigit() and int(announced) > self.max_bytes:
                    raise AvatarError(f"the image is larger than {self.max_bytes} bytes")
                chunks: list[bytes] = []
                total = 0
                async for chunk in response.aiter_bytes():
                    total += len(chunk)
                    if total > self.max_bytes:
                        raise AvatarError(f"the image is larger than {self.max_bytes} bytes")
                    chunks.append(chunk)
                return b"".join(chunks)
        except httpx.HTTPError as exc:
            raise AvatarError(f"the image could not be fetched ({type(exc).__name__})") from None
