"""Async client for the Beeper Desktop API over one shared ``httpx.AsyncClient``.

Cancelling the task that awaits a method abandons its HTTP request (and any
retry wait), which is what a type-ahead search needs.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import socket
import time
from collections.abc import Generator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final, Self, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from .errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    CannotConnectError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ProtocolError,
    RateLimitedError,
    ServerError,
)
from .models import (
    Account,
    AssetDownloadResult,
    ChatPage,
    ChatStartResult,
    ContactPage,
    ContactSearchResult,
    ErrorBody,
    FocusResult,
    Info,
    User,
)

__all__ = ["DEFAULT_BASE_URL", "BearerAuth", "BeeperClient"]

DEFAULT_BASE_URL: Final = "http://localhost:23373"

log = logging.getLogger("beeper_tui.api")

T = TypeVar("T")

# Read timeouts that fit each call: discovery must answer at once; contact
# search may do a network-side identifier lookup and can take a while.
_CONNECT_TIMEOUT: Final = 5.0
_READ_TIMEOUT_QUICK: Final = 10.0
_READ_TIMEOUT_SLOW: Final = 30.0
_RETRY_STATUSES: Final = frozenset({408, 409, 429, 500, 502, 503, 504})
_MAX_RETRY_WAIT: Final = 60.0

_ACCOUNTS: Final = TypeAdapter(list[Account])


class BearerAuth(httpx.Auth):
    """Adds ``Authorization: Bearer …``; its repr never shows the token."""

    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request

    def __repr__(self) -> str:
        return "BearerAuth(token=***)"


class BeeperClient:
    """Typed access to one Beeper Desktop (or the embedded demo).

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
        connect_timeout: float = _CONNECT_TIMEOUT,
        read_timeout: float = _READ_TIMEOUT_SLOW,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.max_retries = max_retries
        self._auth: BearerAuth | None = BearerAuth(access_token) if access_token else None
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            transport=transport,
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            headers={"Accept": "application/json", "User-Agent": "beeper-tui"},
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"BeeperClient(base_url={self.base_url!r}, token={'***' if self._auth else None})"

    @property
    def has_token(self) -> bool:
        """Whether an access token is configured (its value is never exposed)."""
        return self._auth is not None

    def set_access_token(self, token: str | None) -> None:
        """Use a new token for every following request."""
        self._auth = BearerAuth(token) if token else None

    async def aclose(self) -> None:
        """Close the shared connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- endpoints ---------------------------------------------------------

    async def info(self) -> Info:
        """``GET /v1/info``: is Beeper Desktop there, and which version (no auth)."""
        return await self._get_model(
            "/v1/info", Info, authenticated=False, read_timeout=_READ_TIMEOUT_QUICK
        )

    async def list_accounts(self) -> list[Account]:
        """``GET /v1/accounts``: every connected chat account."""
        data = await self._request("GET", "/v1/accounts", read_timeout=_READ_TIMEOUT_QUICK)
        return self._validate("GET /v1/accounts", _ACCOUNTS, data)

    async def get_account(self, account_id: str) -> Account:
        """``GET /v1/accounts/{id}``; raises :class:`NotFoundError` when unknown."""
        return await self._get_model(
            f"/v1/accounts/{_seg(account_id)}", Account, read_timeout=_READ_TIMEOUT_QUICK
        )

    async def search_contacts(self, account_id: str, query: str) -> list[User]:
        """``GET /v1/accounts/{id}/contacts?query=``: merged search plus exact lookup."""
        result = await self._get_model(
            f"/v1/accounts/{_seg(account_id)}/contacts",
            ContactSearchResult,
            params={"query": query},
        )
        return result.items

    async def list_contacts(
        self,
        account_id: str,
        *,
        cursor: str | None = None,
        direction: str | None = None,
        limit: int | None = None,
        query: str | None = None,
    ) -> ContactPage:
        """``GET /v1/accounts/{id}/contacts/list``: one cursor page."""
        params: dict[str, str] = {}
        if cursor is not None:
            params["cursor"] = cursor
        if direction is not None:
            params["direction"] = direction
        if limit is not None:
            params["limit"] = str(limit)
        if query:
            params["query"] = query
        return await self._get_model(
            f"/v1/accounts/{_seg(account_id)}/contacts/list", ContactPage, params=params
        )

    async def start_chat(
        self,
        account_id: str,
        user: Mapping[str, str],
        *,
        allow_invite: bool | None = None,
        message_text: str | None = None,
    ) -> ChatStartResult:
        """``POST /v1/chats/start``: open (or create) the one-to-one chat with ``user``.

        ``user`` holds wire keys: ``id``, ``email``, ``phoneNumber``, ``username``, ``fullName``.
        """
        body: dict[str, Any] = {"accountID": account_id, "user": dict(user)}
        if allow_invite is not None:
            body["allowInvite"] = allow_invite
        if message_text is not None:
            body["messageText"] = message_text
        data = await self._request("POST", "/v1/chats/start", json=body, retry=False)
        return self._validate("POST /v1/chats/start", ChatStartResult, data)

    async def focus(self, chat_id: str | None = None, draft_text: str | None = None) -> bool:
        """``POST /v1/focus``: bring Beeper Desktop to the front on ``chat_id``."""
        body: dict[str, Any] = {}
        if chat_id is not None:
            body["chatID"] = chat_id
        if draft_text is not None:
            body["draftText"] = draft_text
        data = await self._request("POST", "/v1/focus", json=body, retry=False)
        return self._validate("POST /v1/focus", FocusResult, data).success

    # -- chats with a person and their avatars ------------------------------

    async def search_chats(
        self,
        query: str | None = None,
        *,
        scope: str | None = None,
        type: str | None = None,
        account_ids: Sequence[str] | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> ChatPage:
        """``GET /v1/chats/search``: one cursor page of chats.

        ``scope="participants"`` matches ``query`` against participant names;
        ``type`` is ``single``, ``group`` or ``any``. Account IDs repeat the
        ``accountIDs`` key, as the official SDK sends them.
        """
        pairs: list[tuple[str, str]] = []
        if query:
            pairs.append(("query", query))
        if scope is not None:
            pairs.append(("scope", scope))
        if type is not None:
            pairs.append(("type", type))
        pairs.extend(("accountIDs", account_id) for account_id in account_ids or ())
        if cursor is not None:
            pairs.append(("cursor", cursor))
        if limit is not None:
            pairs.append(("limit", str(limit)))
        return await self._get_model(
            "/v1/chats/search", ChatPage, params=httpx.QueryParams(tuple(pairs))
        )

    async def download_asset(self, url: str) -> AssetDownloadResult:
        """``POST /v1/assets/download``: fetch an ``mxc://`` file to this machine.

        The answer carries a ``file://`` URL (``src_url``) or the server's ``error``.
        """
        data = await self._request(
            "POST", "/v1/assets/download", json={"url": url}, read_timeout=_READ_TIMEOUT_SLOW
        )
        return self._validate("POST /v1/assets/download", AssetDownloadResult, data)

    async def serve_asset(self, url: str, *, max_bytes: int) -> bytes:
        """``GET /v1/assets/serve?url=``: the file's bytes, streamed with the token.

        Reading stops as soon as the file proves larger than ``max_bytes``
        (announced or actual), raising :class:`ProtocolError`: a hostile or
        mistaken multi-gigabyte answer never reaches memory.
        """
        endpoint = "GET /v1/assets/serve"
        timeout = httpx.Timeout(self._read_timeout, connect=self._connect_timeout)
        too_big = ProtocolError(endpoint, f"the file is larger than {max_bytes} bytes")
        try:
            async with self._http.stream(
                "GET",
                "/v1/assets/serve",
                params={"url": url},
                headers={"Accept": "application/octet-stream"},
                auth=self._auth if self._auth is not None else httpx.USE_CLIENT_DEFAULT,
                timeout=timeout,
            ) as response:
                if not response.is_success:
                    await response.aread()
                    raise _status_error(endpoint, response)
                announced = response.headers.get("content-length", "")
                if announced.isdigit() and int(announced) > max_bytes:
                    raise too_big
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise too_big
                    chunks.append(chunk)
                return b"".join(chunks)
        except httpx.TimeoutException:
            raise CannotConnectError(
                self.base_url, "timed out waiting for the answer", timed_out=True
            ) from None
        except httpx.TransportError as exc:
            raise CannotConnectError(self.base_url, _describe_transport_error(exc)) from None

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
    ) -> Any:
        endpoint = f"{method} {path}"
        # A per-call timeout may only tighten the one the client was built with.
        read = self._read_timeout if read_timeout is None else min(read_timeout, self._read_timeout)
        timeout = httpx.Timeout(read, connect=self._connect_timeout)
        auth = self._auth if authenticated else None
        attempt = 0
        while True:
            started = time.perf_counter()
            try:
                response = await self._http.request(
                    method,
                    path,
                    params=params,
                    json=json,
                    auth=auth if auth is not None else httpx.USE_CLIENT_DEFAULT,
                    timeout=timeout,
                )
            except httpx.TimeoutException as exc:
                log.debug("%s failed after %.1f ms: timeout", endpoint, _ms(started))
                what = "connection" if isinstance(exc, httpx.ConnectTimeout) else "answer"
                raise CannotConnectError(
                    self.base_url, f"timed out waiting for the {what}", timed_out=True
                ) from None
            except httpx.TransportError as exc:
                log.debug("%s failed after %.1f ms: %s", endpoint, _ms(started), type(exc).__name__)
                raise CannotConnectError(self.base_url, _describe_transport_error(exc)) from None
            log.debug(
                "%s -> %d in %.1f ms (%d bytes)",
                endpoint,
                response.status_code,
                _ms(started),
                len(response.content),
            )
            if response.is_success:
                try:
                    return response.json()
                except ValueError:
                    ctype = response.headers.get("content-type", "no content type")
                    raise ProtocolError(endpoint, f"the answer is not JSON ({ctype})") from None
            error = _status_error(endpoint, response)
            if not (retry and response.status_code in _RETRY_STATUSES) or (
                attempt >= self.max_retries
            ):
                raise error
            wait = _retry_wait(response, attempt)
            log.debug("%s: retrying in %.2f s (%s)", endpoint, wait, error)
            attempt += 1
            await asyncio.sleep(wait)


def _seg(value: str) -> str:
    """Quote one path segment (account IDs may hold any character)."""
    return quote(value, safe="")


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _root_causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _describe_transport_error(exc: httpx.TransportError) -> str:
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


def _parse_error_body(response: httpx.Response) -> ErrorBody | None:
    try:
        data = response.json()
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    try:
        return ErrorBody.model_validate(data)
    except ValidationError:
        return None


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _status_error(endpoint: str, response: httpx.Response) -> APIStatusError:
    status = response.status_code
    body = _parse_error_body(response)
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


def _retry_wait(response: httpx.Response, attempt: int) -> float:
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    if retry_after is not None:
        return min(retry_after, _MAX_RETRY_WAIT)
    return float(min(0.5 * 2**attempt, 8.0))
