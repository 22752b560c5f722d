"""Avatars for the demo's contacts: ``/v1/assets/download`` and ``/v1/assets/serve``.

A contact's ``imgURL`` (``mxc://server/media``) resolves to a generated PNG:
the person's initials on a colour derived from their user ID. Images are
drawn with Pillow the first time they are asked for and written into a cache
directory the demo app is given; the same seed and user give the same bytes
in every run. ``download`` answers the file's ``file://`` URL (the file is on
"this machine", as with the real Desktop); ``serve`` streams the bytes to a
token holder and honours a single ``Range``.
"""

from __future__ import annotations

import asyncio
import colorsys
import hashlib
import io
import os
import re
import tempfile
import threading
import weakref
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from PIL import Image, ImageDraw, ImageFont
from platformdirs import user_cache_dir
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from beeper_tui.demo.dataset import Dataset, DemoAccount, JSONDict
from beeper_tui.demo.responses import error_response, issue, json_body, validation_error
from beeper_tui.demo.search import normalize

if TYPE_CHECKING:
    from collections.abc import Iterable

SIZE = 96
"""Width and height of a generated avatar, in pixels."""

_MEDIA_SCHEMES = ("mxc", "localmxc")
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def default_cache_dir() -> Path:
    """Where avatars go when the app is given no directory: the user cache."""
    return Path(user_cache_dir("beeper-tui")) / "demo-assets"


def initials(user: JSONDict) -> str:
    """One or two letters that stand for ``user`` on an avatar (``?`` if none)."""
    name = user.get("fullName")
    if isinstance(name, str):
        letters = [w[0] for w in normalize(name).split() if w[0].isascii() and w[0].isalnum()]
        if letters:
            return (letters[0] + (letters[-1] if len(letters) > 1 else "")).upper()
    for key in ("username", "email"):
        value = user.get(key)
        if isinstance(value, str):
            handle = [c for c in normalize(value) if c.isascii() and c.isalnum()]
            if handle:
                return handle[0].upper()
    phone = user.get("phoneNumber")
    if isinstance(phone, str):
        digits = [c for c in phone if c.isdigit()]
        if digits:
            return "".join(digits[-2:])
    return "?"


def colour(user_id: str) -> tuple[int, int, int]:
    """A stable, readable background colour for ``user_id``."""
    digest = hashlib.sha256(user_id.encode()).digest()
    hue = int.from_bytes(digest[:2], "big") / 65_536
    lightness = 0.38 + digest[2] / 255 * 0.14
    red, green, blue = colorsys.hls_to_rgb(hue, lightness, 0.55)
    return (round(red * 255), round(green * 255), round(blue * 255))


def render_avatar(user: JSONDict) -> bytes:
    """A ``SIZE``×``SIZE`` PNG of ``user``'s initials on their colour."""
    image = Image.new("RGB", (SIZE, SIZE), colour(str(user["id"])))
    draw = ImageDraw.Draw(image)
    text = initials(user)
    font = ImageFont.load_default(size=SIZE * 0.42)
    draw.text((SIZE / 2, SIZE / 2), text, fill=(255, 255, 255), font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


_URLS: weakref.WeakKeyDictionary[DemoAccount, dict[str, JSONDict]] = weakref.WeakKeyDictionary()
_URLS_LOCK = threading.Lock()


def _account_urls(account: DemoAccount) -> dict[str, JSONDict]:
    with _URLS_LOCK:
        cached = _URLS.get(account)
    if cached is not None:
        return cached
    urls = {
        str(c["imgURL"]): c
        for c in account.contacts
        if isinstance(c.get("imgURL"), str) and str(c["imgURL"]).startswith("mxc://")
    }
    with _URLS_LOCK:
        return _URLS.setdefault(account, urls)


class AssetStore:
    """Resolves media URLs to generated avatars and keeps their files."""

    def __init__(self, dataset: Dataset, cache_dir: Path | None = None) -> None:
        self.dataset = dataset
        self.cache_dir = cache_dir if cache_dir is not None else default_cache_dir()
        self._write_lock = threading.Lock()

    async def prepare(self, accounts: Iterable[DemoAccount] | None = None) -> None:
        """Index the accounts' avatar URLs off the event loop."""
        todo = [a for a in (accounts or self.dataset.accounts) if a not in _URLS]
        if todo:
            await asyncio.to_thread(lambda: [_account_urls(a) for a in todo])

    def owner_of(self, url: str) -> JSONDict | None:
        """The contact whose avatar ``url`` is, or None for an unknown URL."""
        parts = urlsplit(url)
        if parts.scheme not in _MEDIA_SCHEMES or not parts.netloc or len(parts.path) < 2:
            return None
        canonical = f"mxc://{parts.netloc}{parts.path}"
        for account in self.dataset.accounts:
            if account.spec.server != parts.netloc:
                continue
            user = _account_urls(account).get(canonical)
            if user is not None:
                return user
        return None

    def path_for(self, url: str) -> Path:
        name = hashlib.sha256(f"{self.dataset.seed}|{url}".encode()).hexdigest()[:32]
        return self.cache_dir / f"{name}.png"

    def materialize(self, url: str, user: JSONDict) -> Path:
        """The avatar file for ``url``, drawn and written on first use."""
        path = self.path_for(url)
        if path.is_file():
            return path
        data = render_avatar(user)
        with self._write_lock:
            if path.is_file():
                return path
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.cache_dir, suffix=".part")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        return path

    def cached_file(self, url: str) -> Path | None:
        """``url`` as a ``file://`` URL of a file this store wrote, else None."""
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return None
        path = Path(unquote(parts.path))
        try:
            resolved = path.resolve(strict=True)
            root = self.cache_dir.resolve(strict=True)
        except OSError:
            return None
        if resolved.parent != root or not resolved.is_file() or resolved.suffix != ".png":
            return None
        return resolved

    async def resolve(self, url: str) -> Path | None:
        """The file behind a media or ``file://`` URL, or None if unknown."""
        local = self.cached_file(url)
        if local is not None:
            return local
        await self.prepare()
        user = self.owner_of(url)
        if user is None:
            return None
        return await asyncio.to_thread(self.materialize, url, user)


class AssetRoutes:
    """``POST /v1/assets/download`` and ``GET /v1/assets/serve``."""

    def __init__(self, store: AssetStore) -> None:
        self.store = store

    def routes(self) -> list[Route]:
        return [
            Route("/v1/assets/download", self.download, methods=["POST"]),
            Route("/v1/assets/serve", self.serve, methods=["GET"]),
        ]

    async def download(self, request: Request) -> Response:
        body = await json_body(request)
        if not isinstance(body, dict):
            return validation_error([issue("invalid_type", "Expected object", "body")])
        url = body.get("url")
        if not isinstance(url, str) or not url.strip():
            return validation_error([issue("invalid_type", "Required", "url")])
        scheme = urlsplit(url).scheme
        if scheme not in _MEDIA_SCHEMES:
            return JSONResponse({"error": f"Unsupported URL scheme {scheme!r}: use mxc://"})
        path = await self.store.resolve(url)
        if path is None:
            return JSONResponse({"error": "Media not found"})
        return JSONResponse({"srcURL": path.as_uri()})

    async def serve(self, request: Request) -> Response:
        url = request.query_params.get("url")
        if not url:
            return validation_error([issue("invalid_type", "Required", "url")])
        path = await self.store.resolve(url)
        if path is None:
            return error_response(404, "Media not found")
        data = await asyncio.to_thread(path.read_bytes)
        return ranged(data, request.headers.get("range"), "image/png")


def ranged(data: bytes, header: str | None, media_type: str) -> Response:
    """``data`` whole (200) or the one byte range ``header`` asks for (206/416)."""
    total = len(data)
    headers = {"Accept-Ranges": "bytes", "Cache-Control": "private, max-age=3600"}
    match = _RANGE.fullmatch(header.strip()) if header else None
    if match is None or match.groups() == ("", ""):
        # No Range, or one we do not understand (several ranges): the whole body.
        return Response(data, media_type=media_type, headers=headers)
    first, last = match.groups()
    if first:
        start = int(first)
        end = min(int(last), total - 1) if last else total - 1
    else:
        start, end = max(0, total - int(last)), total - 1
    if start >= total or start > end:
        headers["Content-Range"] = f"bytes */{total}"
        return Response(b"", status_code=416, headers=headers)
    headers["Content-Range"] = f"bytes {start}-{end}/{total}"
    return Response(data[start : end + 1], status_code=206, media_type=media_type, headers=headers)
