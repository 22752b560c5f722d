"""The HTTP plumbing under the Beeper client: one shared httpx client with caps and deadlines.

Cancelling the task that awaits a call abandons its HTTP request (and any
retry wait), which is what a type-ahead search needs.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Generator, Mapping
from typing import Any, Final, Self, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from .errors import CannotConnectError, ProtocolError
from .limits import DEFAULT_BASE_URL
from .net import display_url, is_loopback_url
from .redact import mask_secrets
from .wire import (
    ACCEPT_ENCODING,
    describe_transport_error,
    loads,
    read_capped,
    retry_wait,
    status_error,
    wire_params,
)

__all__ = [
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "BearerAuth",
    "Transport",
]

VERSION_HEADER: Final = "X-Beeper-Desktop-Version"
"""Names the build on every authenticated answer (Desktop 4.1.239 and newer)."""

log = logging.getLogger("beeper_tui.api")

T = TypeVar("T")

# Read timeouts that fit each call: discovery must answer at once; contact
# search may do a network-side identifier lookup and can take a while.
CONNECT_TIMEOUT: Final = 5.0
READ_TIMEOUT_QUICK: Final = 10.0
READ_TIMEOUT_SLOW: Final = 30.0
_RETRY_STATUSES: Final = frozenset({408, 409, 429, 500, 502, 503, 504})

DEFAULT_MAX_RESPONSE_BYTES: Final = 8 * 1024 * 1024
"""Largest answer accepted, counted after decompression."""
DEFAULT_DEADLINE: Final = 60.0
"""Longest a whole request/answer exchange may take, however the bytes trickle in."""
_QUICK_DEADLINE: Final = 20.0


class BearerAuth(httpx.Auth):
    """Adds ``Authorization: Bearer …``; its repr never shows the token."""

    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request

    def __repr__(self) -> str:
        return "BearerAuth(token=***)"


class Transport:
    """The plumbing under :class:`BeeperClient`: one shared httpx client, caps, deadlines, retries.

    ``transport`` lets the app talk in-process to the demo ASGI app; by default
    requests go over the network to ``base_url``.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        access_token: str | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        max_retries: int = 2,
        connect_timeout: float = CONNECT_TIMEOUT,
        read_timeout: float = READ_TIMEOUT_SLOW,
        deadline: float = DEFAULT_DEADLINE,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        use_env_proxy: bool = False,
    ) -> None:
        raw_url = base_url.rstrip("/")
        self.base_url = display_url(raw_url)
        """Where requests go, without any credentials the URL held (safe to show)."""
        self.max_retries = max_retries
        self.deadline = deadline
        self.max_response_bytes = max_response_bytes
        self._token: str | None = access_token or None
        self._auth: BearerAuth | None = BearerAuth(access_token) if access_token else None
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        # Proxy variables (HTTP_PROXY, ALL_PROXY, ...) are ignored unless the
        # user opted in, and always for this machine: a proxy would see the
        # token. An explicit transport keeps SSL_CERT_FILE/SSL_CERT_DIR working.
        trust_env = use_env_proxy and transport is None and not is_loopback_url(raw_url)
        if transport is None and not trust_env:
            transport = httpx.AsyncHTTPTransport(trust_env=True)
        self.proxied = trust_env
        """Whether proxy environment variables may apply to this client's requests."""
        self.desktop_version: str | None = None
        """The build the last answer named in ``X-Beeper-Desktop-Version``, once one did."""
        self._http = httpx.AsyncClient(
            base_url=raw_url,
            transport=transport,
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            headers={
                "Accept": "application/json",
                "Accept-Encoding": ACCEPT_ENCODING,
                "User-Agent": "beeper-tui",
            },
            follow_redirects=False,
            trust_env=trust_env,
        )

    def __repr__(self) -> str:
        return f"BeeperClient(base_url={self.base_url!r}, token={'***' if self._auth else None})"

    @property
    def has_token(self) -> bool:
        """Whether an access token is configured (its value is never exposed)."""
        return self._auth is not None

    @property
    def access_token(self) -> str | None:
        """The token, for the sign-in service's introspection only (never shown or logged)."""
        return self._token

    def set_base_url(self, base_url: str) -> None:
        """Send every following request to ``base_url`` (a Desktop found on this machine)."""
        raw_url = base_url.rstrip("/")
        if self.proxied or not is_loopback_url(raw_url):
            raise ValueError("only a client for this machine can move to another local address")
        self._http.base_url = httpx.URL(raw_url)
        self.base_url = display_url(raw_url)

    def set_access_token(self, token: str | None) -> None:
        """Use a new token for every following request."""
        self._token = token or None
        self._auth = BearerAuth(token) if token else None

    def mask(self, text: str) -> str:
        """``text`` with the access token masked (for server text shown or logged)."""
        return mask_secrets(text, (self._token,))

    async def aclose(self) -> None:
        """Close the shared connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- plumbing ----------------------------------------------------------

    async def _get_model(
        self,
        path: str,
        model: type[T],
        *,
        params: Mapping[str, str] | None = None,
        authenticated: bool = True,
        read_timeout: float | None = None,
    ) -> T:
        data = await self._request(
            "GET", path, params=params, authenticated=authenticated, read_timeout=read_timeout
        )
        return self._validate(f"GET {path}", model, data)

    @staticmethod
    def _validate(endpoint: str, model: type[T] | TypeAdapter[T], data: Any) -> T:
        try:
            if isinstance(model, TypeAdapter):
                return model.validate_python(data)
            if issubclass(model, BaseModel):
                return model.model_validate(data)
            raise TypeError(model)  # pragma: no cover
        except RecursionError:
            raise ProtocolError(endpoint, "JSON nested too deeply") from None
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ())) or "body"
            raise ProtocolError(
                endpoint, f"JSON of the wrong shape ({where}: {first.get('msg', 'invalid')})"
            ) from None

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        authenticated: bool = True,
        read_timeout: float | None = None,
        retry: bool = True,
        raw: bool = False,
        max_bytes: int | None = None,
        accept: str | None = None,
    ) -> Any:
        """One call: JSON in and out (or, with ``raw``, the body's bytes, at most ``max_bytes``)."""
        endpoint = f"{method} {path}"
        cap = self.max_response_bytes if max_bytes is None else max_bytes
        # A per-call timeout may only tighten the one the client was built with.
        read = self._read_timeout if read_timeout is None else min(read_timeout, self._read_timeout)
        timeout = httpx.Timeout(read, connect=self._connect_timeout)
        deadline = self.deadline if read_timeout is None else min(_QUICK_DEADLINE, self.deadline)
        auth = self._auth if authenticated else None
        attempt = 0
        while True:
            started = time.perf_counter()
            try:
                async with asyncio.timeout(deadline):
                    response, body = await self._exchange(
                        method,
                        path,
                        endpoint,
                        params=params,
                        json=json,
                        auth=auth,
                        timeout=timeout,
                        cap=cap,
                        accept=accept or ("application/octet-stream" if raw else None),
                    )
            except TimeoutError:
                log.debug("%s failed after %.1f ms: deadline", endpoint, _ms(started))
                raise CannotConnectError(
                    self.base_url, f"no complete answer within {deadline:g} s", timed_out=True
                ) from None
            except httpx.TimeoutException as exc:
                log.debug("%s failed after %.1f ms: timeout", endpoint, _ms(started))
                what = "connection" if isinstance(exc, httpx.ConnectTimeout) else "answer"
                raise CannotConnectError(
                    self.base_url, f"timed out waiting for the {what}", timed_out=True
                ) from None
            except httpx.TransportError as exc:
                log.debug("%s failed after %.1f ms: %s", endpoint, _ms(started), type(exc).__name__)
                raise CannotConnectError(self.base_url, describe_transport_error(exc)) from None
            version = response.headers.get(VERSION_HEADER)
            if version:
                self.desktop_version = version[:64]
            log.debug(
                "%s -> %d in %.1f ms (%d bytes)",
                endpoint,
                response.status_code,
                _ms(started),
                len(body),
            )
            if response.is_success and raw:
                return body
            if response.is_success:
                try:
                    return loads(body)
                except RecursionError:
                    raise ProtocolError(endpoint, "JSON nested too deeply") from None
                except ValueError:
                    ctype = response.headers.get("content-type", "no content type")
                    raise ProtocolError(endpoint, f"the answer is not JSON ({ctype})") from None
            error = status_error(endpoint, response, body, self.mask)
            if not (retry and response.status_code in _RETRY_STATUSES) or (
                attempt >= self.max_retries
            ):
                raise error
            wait = retry_wait(response, attempt)
            if wait is None:
                raise error  # the server wants a long pause: say so rather than freeze
            log.debug("%s: retrying in %.2f s (%s)", endpoint, wait, error)
            attempt += 1
            await asyncio.sleep(wait)

    async def _exchange(
        self,
        method: str,
        path: str,
        endpoint: str,
        *,
        params: Mapping[str, str] | None,
        json: Any,
        auth: BearerAuth | None,
        timeout: httpx.Timeout,  # noqa: ASYNC109 - httpx's per-phase timeouts, not a deadline
        cap: int,
        accept: str | None = None,
    ) -> tuple[httpx.Response, bytes]:
        """Send one request and read its whole answer, decoded, within the byte cap."""
        async with self._http.stream(
            method,
            path,
            params=wire_params(params),
            json=json,
            auth=auth if auth is not None else httpx.USE_CLIENT_DEFAULT,
            timeout=timeout,
            headers={"Accept": accept} if accept else None,
        ) as response:
            body = await read_capped(response, cap, endpoint)
        return response, body


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
