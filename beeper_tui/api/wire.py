"""Reading answers: bodies streamed under a byte cap, JSON, and status codes as typed errors."""

from __future__ import annotations

import email.utils
import json as jsonlib
import math
import re
import socket
import zlib
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Final

import httpx
from pydantic import ValidationError

from .errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ProtocolError,
    RateLimitedError,
    ServerError,
)
from .models import ErrorBody

# A server asking for a longer pause than this gets a "try again in N min"
# error at once rather than a frozen search.
MAX_RETRY_WAIT: Final = 5.0
# Longer pauses are reported as this long: nobody waits days, and a timer set
# to 10^8 s is a bug waiting to happen.
LONGEST_RETRY_AFTER: Final = 24 * 3600.0


ACCEPT_ENCODING: Final = "gzip, deflate"


def loads(body: bytes) -> Any:
    """Parse JSON; a body that is not UTF-8 (or not JSON) raises ``ValueError``."""
    return jsonlib.loads(body)


def _inflater(encoding: str, endpoint: str) -> zlib._Decompress | None:
    """A decompressor for ``Content-Encoding: encoding`` (None for identity)."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip", "deflate"):
        # 32 + MAX_WBITS accepts both the gzip and the zlib wrapper.
        return zlib.decompressobj(32 + zlib.MAX_WBITS)
    raise ProtocolError(endpoint, f"the answer uses an unsupported encoding ({encoding[:40]!r})")


async def read_capped(response: httpx.Response, cap: int, endpoint: str) -> bytes:
    """The body, decompressed here (not by httpx) so that no step holds more than ``cap``.

    A gzip bomb is stopped once the inflated size passes the cap, and an
    endless body once the bytes received do.
    """

    def too_large() -> ProtocolError:
        return ProtocolError(endpoint, f"the answer is larger than {_human_bytes(cap)}")

    if response.is_stream_consumed:
        # An answer a custom transport built in memory (already read and decoded).
        if len(response.content) > cap:
            raise too_large()
        return response.content
    inflater = _inflater(response.headers.get("content-encoding", ""), endpoint)
    chunks: list[bytes] = []
    size = 0

    try:
        async for raw in response.aiter_raw():
            piece = raw if inflater is None else inflater.decompress(raw, cap - size + 1)
            size += len(piece)
            if size > cap:
                raise too_large()
            chunks.append(piece)
        if inflater is not None:
            piece = inflater.flush(cap - size + 1)
            size += len(piece)
            if size > cap or inflater.unconsumed_tail:
                raise too_large()
            chunks.append(piece)
    except zlib.error:
        raise ProtocolError(endpoint, "the compressed answer is corrupt") from None
    return b"".join(chunks)


def _human_bytes(count: int) -> str:
    if count >= 1024 * 1024 and count % (1024 * 1024) == 0:
        return f"{count // (1024 * 1024)} MB"
    if count >= 1024 and count % 1024 == 0:
        return f"{count // 1024} KB"
    return f"{count} bytes"


def _root_causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def describe_transport_error(exc: httpx.TransportError) -> str:
    causes = _root_causes(exc)
    if any(isinstance(c, socket.gaierror) for c in causes):
        return "the host name could not be resolved"
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return "connection refused (is Beeper Desktop running with its API enabled?)"
    text = " ".join(str(c).lower() for c in causes)
    if "name or service" in text or "nodename" in text or "getaddrinfo" in text:
        return "the host name could not be resolved"
    if "refused" in text or "errno 111" in text:
        return "connection refused (is Beeper Desktop running with its API enabled?)"
    if isinstance(exc, httpx.ConnectError):
        return "could not connect (is Beeper Desktop running with its API enabled?)"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the connection was closed unexpectedly"
    return "the connection failed"


def _parse_error_body(body: bytes) -> ErrorBody | None:
    try:
        data = loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    try:
        return ErrorBody.model_validate(data)
    except (ValidationError, RecursionError):
        return None


_DELTA_SECONDS: Final = re.compile(r"-?\d{1,20}(?:\.\d{1,9})?")


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date).

    Capped at one day; anything unreadable (``inf``, ``nan``, garbage) is None.
    """
    if not value:
        return None
    value = value.strip()
    if _DELTA_SECONDS.fullmatch(value):
        return min(max(0.0, float(value)), LONGEST_RETRY_AFTER)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = (when - datetime.now(UTC)).total_seconds()
    if not math.isfinite(seconds):
        return None
    return min(max(0.0, seconds), LONGEST_RETRY_AFTER)


def status_error(
    endpoint: str,
    response: httpx.Response,
    raw_body: bytes,
    mask: Callable[[str], str],
) -> APIStatusError:
    status = response.status_code
    body = _parse_error_body(raw_body)
    if body is not None and body.text:
        # Server text reaches the status row, toasts and the log: never the token.
        # Older builds say it under ``error``: one key from here on.
        body = body.model_copy(update={"message": mask(body.text)})
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        return RateLimitedError(endpoint, status, body, retry_after=retry_after)
    cls: type[APIStatusError]
    if status == 401:
        cls = AuthenticationError
    elif status == 403:
        cls = PermissionDeniedError
    elif status == 404:
        cls = NotFoundError
    elif status == 409:
        cls = ConflictError
    elif status in (400, 422):
        cls = BadRequestError
    elif status >= 500:
        cls = ServerError
    else:
        cls = APIStatusError
    return cls(endpoint, status, body)


def retry_wait(response: httpx.Response, attempt: int) -> float | None:
    """Seconds before the next attempt, or None when the server asks for too long a pause."""
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    if retry_after is not None:
        return retry_after if retry_after <= MAX_RETRY_WAIT else None
    return float(min(0.5 * 2**attempt, MAX_RETRY_WAIT))


def wire_text(value: str) -> str:
    """``value`` as UTF-8 can carry it: a lone surrogate (valid JSON, not valid UTF-8) is U+FFFD.

    A name like ``"\\ud800lone"`` arrives in JSON; sent back in a URL (a search
    by name, an account ID in a path) it would raise instead of searching.
    """
    return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def wire_params(params: Mapping[str, str] | httpx.QueryParams | None) -> httpx.QueryParams | None:
    """Query parameters with every value made sendable (:func:`wire_text`)."""
    if params is None:
        return None
    items = params.multi_items() if isinstance(params, httpx.QueryParams) else params.items()
    return httpx.QueryParams([(key, wire_text(value)) for key, value in items])
