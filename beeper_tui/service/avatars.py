"""Avatars: fetched by URL scheme, decoded and scaled off the event loop, cached on disk.

A contact's ``imgURL`` can be ``mxc://`` / ``localmxc://`` (Beeper media),
``file://`` (a file Beeper Desktop keeps on this machine), ``data:`` (inline)
or ``http(s)://`` (a remote server, fetched only when the user allows remote
images); :mod:`.avatar_fetch` reads each. Every path is capped in bytes
before anything is decoded, and in pixels before anything is decompressed,
so a hostile image costs a refusal, never a frozen screen or a full memory.

Scaled avatars are cached as small PNGs under a directory the caller chooses
(the user cache directory), one file per URL hash, readable only by the user.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import logging
import os
import tempfile
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from PIL import Image, ImageOps

from .avatar_fetch import AvatarError, AvatarFetcher, read_regular_file
from .initials import avatar_colour, initials

if TYPE_CHECKING:
    import httpx

    from beeper_tui.api.client import BeeperClient

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_PIXELS",
    "DEFAULT_SIZE",
    "Avatar",
    "AvatarError",
    "AvatarLoader",
    "Superseded",
    "avatar_colour",
    "decode_avatar",
    "initials",
]

log = logging.getLogger("beeper_tui.service")

DEFAULT_SIZE: Final = 96
"""Side of a scaled avatar in pixels: sharp enough for Kitty at a dozen cells."""
DEFAULT_MAX_BYTES: Final = 8 * 1024 * 1024
"""No avatar file is larger than this; bigger answers are refused unread."""
DEFAULT_MAX_PIXELS: Final = 4096 * 4096
"""Declared width × height above this is refused before decompression."""

# Formats an avatar comes in. Naming them keeps Pillow's rarer (and less
# audited) decoders out of reach of strangers' files.
_FORMATS: Final = ("PNG", "JPEG", "GIF", "WEBP", "BMP")
_MEMORY_ITEMS: Final = 64
_FAILED_ITEMS: Final = 256


class Superseded(Exception):
    """A newer :meth:`AvatarLoader.request` replaced this one before it finished."""


@dataclass(frozen=True, slots=True)
class Avatar:
    """A decoded, square, scaled avatar ready to draw."""

    url: str
    image: Image.Image
    """RGB, square, at most the loader's ``size`` pixels on a side."""


# -- decoding -----------------------------------------------------------------


def decode_avatar(
    data: bytes, *, size: int = DEFAULT_SIZE, max_pixels: int = DEFAULT_MAX_PIXELS
) -> Image.Image:
    """Decode ``data`` into a square RGB image at most ``size`` pixels wide.

    Blocking and CPU-bound: call it in a thread. The declared dimensions are
    checked before the pixels are decompressed; truncated files, non-images
    and formats outside :data:`_FORMATS` raise :class:`AvatarError`.
    """
    if not data:
        raise AvatarError("the file is empty")
    try:
        with Image.open(io.BytesIO(data), formats=_FORMATS) as im:
            width, height = im.size
            if width <= 0 or height <= 0 or width * height > max_pixels:
                raise AvatarError(f"the image is too large ({width}×{height} pixels)")
            # JPEG can decode at 1/2, 1/4 or 1/8 scale: far less work for big photos.
            im.draft("RGB", (size, size))
            im.load()
            flat = _flatten(im)
    except AvatarError:
        raise
    except Image.DecompressionBombError:
        raise AvatarError("the image is too large") from None
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError, IndexError):
        # UnidentifiedImageError is an OSError; truncated data raises OSError too.
        raise AvatarError("not a readable image") from None
    side = max(1, min(size, flat.width, flat.height))
    return ImageOps.fit(flat, (side, side), Image.Resampling.LANCZOS)


def _flatten(im: Image.Image) -> Image.Image:
    if im.mode == "RGB":
        return im.copy()
    rgba = im.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (0, 0, 0, 255))
    return Image.alpha_composite(background, rgba).convert("RGB")


def _encode_png(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def _decode_and_encode(data: bytes, size: int, max_pixels: int) -> tuple[Image.Image, bytes]:
    image = decode_avatar(data, size=size, max_pixels=max_pixels)
    return image, _encode_png(image)


# -- the disk cache ------------------------------------------------------------


class _DiskCache:
    """Scaled avatars as PNG files named by a hash of (size, URL); mode 0600."""

    def __init__(self, directory: Path, size: int) -> None:
        self.directory = directory
        self.size = size

    def path_for(self, url: str) -> Path:
        digest = hashlib.sha256(f"{self.size}:{url}".encode("utf-8", "surrogatepass")).hexdigest()
        return self.directory / f"{digest}.png"

    def read(self, url: str, max_bytes: int) -> bytes | None:
        path = self.path_for(url)
        try:
            return read_regular_file(str(path), max_bytes)
        except AvatarError:
            return None

    def write(self, url: str, png: bytes) -> None:
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".avatar-", suffix=".tmp")
        except OSError as exc:
            log.debug("avatar cache not writable: %s", exc)
            return
        try:
            # mkstemp creates the file 0600 already; say so for umask-less platforms.
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(png)
            os.replace(tmp, self.path_for(url))
        except OSError as exc:
            log.debug("avatar cache write failed: %s", exc)
            with contextlib.suppress(OSError):
                os.unlink(tmp)


# -- the loader -----------------------------------------------------------------


class AvatarLoader:
    """Fetches, decodes, scales and caches avatars; only the latest request matters.

    ``client`` reaches Beeper Desktop for ``mxc://`` media. ``local_files``
    says whether ``file://`` URLs from Beeper Desktop name files on this
    machine (true for a loopback Desktop and the demo); when false, media is
    always streamed through ``/v1/assets/serve``. ``remote_images`` allows
    ``http(s)://`` avatars, fetched with a client of their own that never
    carries the Beeper token.
    """

    def __init__(
        self,
        client: BeeperClient | None,
        cache_dir: Path | None,
        *,
        size: int = DEFAULT_SIZE,
        remote_images: bool = False,
        local_files: bool = True,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_pixels: int = DEFAULT_MAX_PIXELS,
        remote_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.client = client
        self.size = size
        self.max_bytes = max_bytes
        self.max_pixels = max_pixels
        self._cache = _DiskCache(cache_dir, size) if cache_dir is not None else None
        self._memory: OrderedDict[str, Avatar] = OrderedDict()
        self._failed: OrderedDict[str, str] = OrderedDict()
        self._fetcher = AvatarFetcher(
            client,
            max_bytes=max_bytes,
            remote_images=remote_images,
            local_files=local_files,
            remote_transport=remote_transport,
        )
        self._inflight: asyncio.Task[Avatar] | None = None

    @property
    def remote_images(self) -> bool:
        """Whether ``http(s)://`` avatars are fetched."""
        return self._fetcher.remote_images

    @property
    def local_files(self) -> bool:
        """Whether ``file://`` answers from Beeper Desktop are read from this machine."""
        return self._fetcher.local_files

    def cache_path(self, url: str) -> Path | None:
        """Where the scaled avatar for ``url`` is (or would be) cached."""
        return self._cache.path_for(url) if self._cache is not None else None

    async def aclose(self) -> None:
        """Cancel the request in flight and close the remote-image client."""
        if self._inflight is not None:
            self._inflight.cancel()
            self._inflight = None
        await self._fetcher.aclose()

    async def request(self, url: str | None) -> Avatar | None:
        """Load ``url`` (None: no avatar), cancelling the request still in flight.

        Raises :class:`Superseded` when a newer request replaced this one, and
        :class:`AvatarError` when the avatar cannot be had.
        """
        previous = self._inflight
        if previous is not None and not previous.done():
            previous.cancel()
        if not url:
            self._inflight = None
            return None
        task = asyncio.ensure_future(self.load(url))
        self._inflight = task
        try:
            return await task
        except asyncio.CancelledError:
            me = asyncio.current_task()
            if task is not self._inflight and (me is None or me.cancelling() == 0):
                raise Superseded(url) from None
            raise
        finally:
            if self._inflight is task:
                self._inflight = None

    def cached(self, url: str | None) -> Avatar | None:
        """The avatar for ``url`` if it is already decoded in memory (no I/O, no waiting)."""
        known = self._memory.get(url) if url else None
        if known is not None and url:
            self._memory.move_to_end(url)
        return known

    @property
    def busy(self) -> bool:
        """Whether a :meth:`request` is in flight."""
        return self._inflight is not None and not self._inflight.done()

    async def load(self, url: str) -> Avatar:
        """Load one avatar: memory, then the disk cache, then the network or file."""
        known = self._memory.get(url)
        if known is not None:
            self._memory.move_to_end(url)
            return known
        if url in self._failed:
            raise AvatarError(self._failed[url])
        if self._cache is not None:
            cached = await asyncio.to_thread(self._from_cache, url)
            if cached is not None:
                return self._remember(cached)
        data = await self._fetcher.fetch(url)
        try:
            image, png = await asyncio.to_thread(
                _decode_and_encode, data, self.size, self.max_pixels
            )
        except AvatarError as exc:
            # The same bytes will not decode next time either.
            self._failed[url] = exc.reason
            while len(self._failed) > _FAILED_ITEMS:
                self._failed.popitem(last=False)
            raise
        if self._cache is not None:
            await asyncio.to_thread(self._cache.write, url, png)
        return self._remember(Avatar(url, image))

    def _from_cache(self, url: str) -> Avatar | None:
        assert self._cache is not None
        data = self._cache.read(url, self.max_bytes)
        if data is None:
            return None
        try:
            return Avatar(url, decode_avatar(data, size=self.size, max_pixels=self.max_pixels))
        except AvatarError:
            return None

    def _remember(self, avatar: Avatar) -> Avatar:
        self._memory[avatar.url] = avatar
        while len(self._memory) > _MEMORY_ITEMS:
            self._memory.popitem(last=False)
        return avatar
