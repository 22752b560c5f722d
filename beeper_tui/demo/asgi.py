"""The demo Beeper Desktop API as a Starlette app.

Follows the wire contract in ``beeper-api.md``: camelCase JSON, bearer-token
auth on everything but ``/v1/info``, ``{"code", "message"}`` error bodies.
A pure ASGI middleware records the request (only when a test turned recording
on), then applies latency and fault rules, then checks the token, before the
routes answer. Routing works on the raw path, so ``%2F`` stays inside a path
segment, and malformed input of any kind is a 400 with validation details.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
import re
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import unquote

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from beeper_tui.demo.app_setup import SETUP_STATES, SetupRoutes
from beeper_tui.demo.assets import AssetRoutes, AssetStore
from beeper_tui.demo.chats import ChatBook, ChatRoutes
from beeper_tui.demo.dataset import Dataset, DemoAccount, JSONDict, build_dataset
from beeper_tui.demo.defaults import DEFAULT_SEED, DEMO_TOKEN
from beeper_tui.demo.faults import FaultList, FaultRule, Latency
from beeper_tui.demo.generations import LATEST_VERSION, DesktopVersion, Generation
from beeper_tui.demo.live import LiveHub, LiveRoutes
from beeper_tui.demo.lookup import exact_matches, find_user, identifier_kind, synthesize
from beeper_tui.demo.messages import MessageBook, MessageRoutes
from beeper_tui.demo.oauth import UNAUTHENTICATED_PATHS as _OAUTH_PATHS
from beeper_tui.demo.oauth import OAuthServer, ScopeGuard
from beeper_tui.demo.responses import (
    INVALID_JSON,
    MAX_PAGE_SIZE,
    error_response,
    issue,
    json_body,
    validation_error,
)

SEARCH_LIMIT = 50
DEFAULT_PAGE_SIZE = 50

_UNAUTHENTICATED_PATHS = frozenset({"/v1/info"}) | _OAUTH_PATHS
_INTEGER = re.compile(r"[+-]?\d+")

MAX_BODY_BYTES: Final = 1024 * 1024
"""Larger request bodies are refused (413) before anything else reads them."""
RECORDED_REQUESTS: Final = 2000
"""How many requests a recording keeps (the newest)."""
RECORDED_BODY_BYTES: Final = 64 * 1024
"""A recorded request keeps its parsed JSON body only up to this size."""
VERSION_HEADER_NAME: Final = "X-Beeper-Desktop-Version"
"""The header that names the build on every authenticated answer (from 4.1.239)."""
SENSITIVE_ACTIONS_MESSAGE: Final = (
    "Sensitive actions are not allowed for this connection: turn on "
    "'Allow sensitive actions' in Settings → Integrations"
)
_SENSITIVE: Final = re.compile(r"^/v1/chats(/start|/[^/]+/messages)?$")
"""POST routes the "Allow sensitive actions" toggle gates: starting chats and sending."""


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as the demo server received it, before faults or auth.

    No header values are kept (the ``Authorization`` header would be among
    them): ``authorized`` says whether the token was good, ``header_names``
    which headers came.
    """

    method: str
    path: str
    params: dict[str, str]
    json: Any
    authorized: bool
    received_at: float
    header_names: tuple[str, ...] = ()
    body_size: int = 0


class DemoState:
    """Everything a test may inspect or change on a running demo app.

    Requests are recorded only while ``recording`` is on (a test turns it on),
    in a ring of the newest :data:`RECORDED_REQUESTS`.
    """

    def __init__(
        self,
        dataset: Dataset,
        token: str,
        latency: Latency | None,
        generation: Generation | None = None,
        *,
        record: bool = False,
        max_recorded: int = RECORDED_REQUESTS,
    ) -> None:
        self.dataset = dataset
        self.token = token
        self.latency = latency
        self.generation = generation or Generation.of(LATEST_VERSION)
        self.oauth = OAuthServer(demo_token=token)
        self.setup_state = "ready"
        """What ``GET /v1/app/setup`` answers (see ``app_setup.SETUP_STATES``)."""
        self.sensitive_actions = True
        """Whether "Allow sensitive actions" is on; off, builds that gate it answer 403
        to starting chats and sending."""
        self.chat_book: ChatBook  # set by create_demo_app
        self.assets: AssetStore  # set by create_demo_app
        self.messages: MessageBook  # set by create_demo_app
        self.live = LiveHub()
        """The ``/v1/ws`` connections, and the knobs tests turn on them."""
        self.faults = FaultList()
        self.recording = record
        self._requests: deque[RecordedRequest] = deque(maxlen=max_recorded)
        self.focus_requests: list[JSONDict] = []
        self._preparing: dict[str, asyncio.Lock] = {}

    async def prepare(self, account: DemoAccount) -> None:
        """Build the account's contacts and index once, off the event loop.

        In-process (``--demo``) the server shares the app's event loop: building
        the 20,000-member workspace inline would freeze the screen for half a
        second. A thread lets the loop keep drawing meanwhile.
        """
        if "index" in account.__dict__:
            return  # cached_property already filled
        lock = self._preparing.setdefault(account.account_id, asyncio.Lock())
        async with lock:
            await asyncio.to_thread(lambda: account.index)

    @property
    def requests(self) -> list[RecordedRequest]:
        """The recorded requests, oldest first; an error while recording is off."""
        if not self.recording:
            raise RuntimeError("request recording is off: set DemoState.recording = True first")
        return list(self._requests)

    def record(self, request: RecordedRequest) -> None:
        """Keep ``request`` if recording is on."""
        if self.recording:
            self._requests.append(request)

    def clear_requests(self) -> None:
        self._requests.clear()

    def requests_to(self, path_regex: str) -> list[RecordedRequest]:
        """Recorded requests whose path matches ``path_regex`` (``re.search``)."""
        pattern = re.compile(path_regex)
        return [r for r in self.requests if pattern.search(r.path)]

    def auth_problem(self, header: str | None) -> str | None:
        """Why ``header`` does not authorize a request, or None if it does."""
        if not header:
            return "Missing access token: send 'Authorization: Bearer <token>'"
        scheme, _, credentials = header.partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            return "Invalid authorization header: expected 'Bearer <token>'"
        # The demo token and OAuth-issued tokens alike; they can expire or be revoked.
        return self.oauth.token_problem(credentials.strip())


# -- injected faults ---------------------------------------------------------


def _fault_response(rule: FaultRule) -> Response:
    if rule.status is not None:
        headers = {}
        if rule.retry_after is not None:
            headers["Retry-After"] = f"{rule.retry_after:g}"
        return error_response(rule.status, rule.message, code=rule.code, headers=headers)
    if rule.malformed:
        return Response(b'{"items": [{"id": "@trunc', media_type="application/json")
    if rule.wrong_shape:
        return JSONResponse("this is not the shape you were looking for")
    if rule.raw is not None:
        return Response(rule.raw, media_type="application/json")
    return JSONResponse(rule.body)


# -- cursors -----------------------------------------------------------------


def _account_tag(account: DemoAccount) -> str:
    return hashlib.sha256(account.account_id.encode()).hexdigest()[:8]


def encode_cursor(account: DemoAccount, position: int) -> str:
    raw = json.dumps({"v": 1, "a": _account_tag(account), "p": position}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(account: DemoAccount, cursor: str) -> int | None:
    """The contact position ``cursor`` points at, or None if it is not ours."""
    if len(cursor) > 200:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
    except (ValueError, binascii.Error, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("v") != 1 or data.get("a") != _account_tag(account):
        return None
    position = data.get("p")
    if isinstance(position, bool) or not isinstance(position, int):
        return None
    if not 0 <= position < len(account.contacts):
        return None
    return position


# -- middleware --------------------------------------------------------------


class _DemoMiddleware:
    """Record, delay, inject faults and authenticate, in that order."""

    def __init__(self, app: ASGIApp, state: DemoState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = self.state
        body = await _read_body(receive, MAX_BODY_BYTES)
        if body is None:
            too_big = error_response(
                413, f"Request body larger than {MAX_BODY_BYTES} bytes", code="PAYLOAD_TOO_LARGE"
            )
            await too_big(scope, receive, send)
            return
        request = Request(scope)
        method, path = request.method, str(scope["path"])
        params = dict(request.query_params)
        auth = request.headers.get("authorization")
        if state.recording:
            state.record(
                RecordedRequest(
                    method=method,
                    path=path,
                    params=params,
                    json=_parse_json(body) if len(body) <= RECORDED_BODY_BYTES else None,
                    authorized=state.auth_problem(auth) is None,
                    received_at=time.monotonic(),
                    header_names=tuple(request.headers.keys()),
                    body_size=len(body),
                )
            )
        rule = state.faults.take(method, path, params)
        delay = state.latency.next_delay() if state.latency is not None else 0.0
        if rule is not None:
            delay += rule.delay_ms / 1000
        if delay > 0:
            await asyncio.sleep(delay)
        if rule is not None and rule.hold is not None:
            await rule.hold.wait()
        if rule is not None and not rule.passes_through:
            await _fault_response(rule)(scope, receive, send)
            return
        if path not in _UNAUTHENTICATED_PATHS:
            problem = state.auth_problem(auth)
            if problem is not None:
                headers = {"WWW-Authenticate": 'Bearer realm="Beeper Desktop API"'}
                await error_response(401, problem, headers=headers)(scope, receive, send)
                return
            if state.generation.sends_version_header:
                send = _with_header(send, VERSION_HEADER_NAME, str(state.generation))
            if (
                method == "POST"
                and not state.sensitive_actions
                and state.generation.gates_sensitive_actions
                and _SENSITIVE.match(path)
            ):
                denied = error_response(403, SENSITIVE_ACTIONS_MESSAGE, code="FORBIDDEN")
                await denied(scope, receive, send)
                return
        routed = {**scope, "path": segment_safe_path(scope)}
        await self.app(routed, _replay(body, receive), send)


def _with_header(send: Send, name: str, value: str) -> Send:
    """``send`` that adds one header to the answer's start."""
    pair = (name.lower().encode("latin-1"), value.encode("latin-1"))

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), pair]}
        await send(message)

    return sending


def segment_safe_path(scope: Scope) -> str:
    """The request path for routing, built from the raw path segment by segment.

    Each segment is percent-decoded with ``%`` and ``/`` re-escaped, so an
    encoded slash in an account ID (``ACC%2Fcontacts``) stays inside its
    segment; :func:`path_segment` undoes it for a path parameter.
    """
    raw = scope.get("raw_path")
    if not isinstance(raw, bytes | bytearray):
        return str(scope["path"])
    raw_path = bytes(raw).split(b"?", 1)[0].decode("latin-1")
    return "/".join(
        unquote(seg, errors="replace").replace("%", "%25").replace("/", "%2F")
        for seg in raw_path.split("/")
    )


def path_segment(value: str) -> str:
    """A path parameter routed by :func:`segment_safe_path`, decoded."""
    return value.replace("%2F", "/").replace("%25", "%")


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole request body, or None as soon as it passes ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _parse_json(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None


# -- endpoints ---------------------------------------------------------------


class _Api:
    """Route handlers over one ``DemoState``."""

    def __init__(self, state: DemoState) -> None:
        self.state = state

    def routes(self) -> list[Route]:
        return [
            Route("/v1/info", self.info, methods=["GET"]),
            Route("/v1/accounts", self.accounts, methods=["GET"]),
            Route("/v1/accounts/{account_id}", self.account, methods=["GET"]),
            Route("/v1/accounts/{account_id}/contacts", self.search, methods=["GET"]),
            Route("/v1/accounts/{account_id}/contacts/list", self.contacts, methods=["GET"]),
            Route("/v1/chats/start", self.start_chat, methods=["POST"]),
            Route("/v1/bridges/{bridge_id}/capabilities", self.capabilities, methods=["GET"]),
            Route("/v1/focus", self.focus, methods=["POST"]),
        ]

    def _account(self, request: Request) -> DemoAccount | None:
        return self.state.dataset.account(path_segment(request.path_params["account_id"]))

    async def _prepared_account(self, request: Request) -> DemoAccount | None:
        account = self._account(request)
        if account is not None:
            await self.state.prepare(account)
        return account

    async def info(self, request: Request) -> Response:
        base_url = str(request.base_url).rstrip("/")
        url = request.url
        port = url.port or (443 if url.scheme == "https" else 80)
        ws_base = base_url.replace("http", "ws", 1)
        return JSONResponse(
            {
                "app": {
                    "bundle_id": "com.automattic.beeper.desktop",
                    "name": "Beeper (demo)",
                    "version": str(self.state.generation),
                },
                "platform": {"os": "linux", "arch": "x64", "release": "demo"},
                "server": {
                    "base_url": base_url,
                    "hostname": url.hostname or "127.0.0.1",
                    "port": port,
                    "status": "running",
                    "mcp_enabled": False,
                    "remote_access": False,
                },
                "endpoints": {
                    "spec": f"{base_url}/v1/spec",
                    "mcp": f"{base_url}/v0/mcp",
                    "ws_events": f"{ws_base}/v1/ws",
                    "oauth": {
                        "authorization_endpoint": f"{base_url}/oauth/authorize",
                        "introspection_endpoint": f"{base_url}/oauth/introspect",
                        "registration_endpoint": f"{base_url}/oauth/register",
                        "revocation_endpoint": f"{base_url}/oauth/revoke",
                        "token_endpoint": f"{base_url}/oauth/token",
                        "userinfo_endpoint": f"{base_url}/oauth/userinfo",
                    },
                },
            }
        )

    async def capabilities(self, request: Request) -> Response:
        """What a network can look up, as ``ProvisioningCapabilities`` (snake_case)."""
        bridge_id = path_segment(request.path_params["bridge_id"])
        account = next((a for a in self.state.dataset.accounts if _bridge_id(a) == bridge_id), None)
        if account is None:
            return error_response(404, "Bridge not found")
        spec = account.spec
        can = spec.lookups - spec.rejects
        return JSONResponse(
            {
                "group_creation": {},
                "resolve_identifier": {
                    "any_phone": "phone" in can,
                    "contact_list": True,
                    "create_dm": True,
                    "lookup_email": "email" in can,
                    "lookup_phone": "phone" in can,
                    "lookup_username": "username" in can,
                    "search": True,
                },
            }
        )

    async def accounts(self, request: Request) -> Response:
        generation = self.state.generation
        return JSONResponse(
            [
                generation.account_wire(wire)
                for wire in self.state.dataset.accounts_json()
                if generation.lists_account(wire)
            ]
        )

    async def account(self, request: Request) -> Response:
        account = self._account(request)
        generation = self.state.generation
        if account is None or not generation.lists_account(account.wire):
            return error_response(404, "Account not found")
        return JSONResponse(generation.account_wire(account.wire))

    async def search(self, request: Request) -> Response:
        query = request.query_params.get("query")
        if query is None:
            return validation_error([issue("invalid_type", "Required", "query")])
        if not query.strip():
            return validation_error(
                [issue("too_small", "String must contain at least 1 character(s)", "query")]
            )
        account = await self._prepared_account(request)
        if account is None:
            return error_response(404, "Account not found")
        spec = account.spec
        kind = identifier_kind(query)
        if kind is not None and kind in spec.rejects:
            return _lookup_rejected(account, kind)
        contacts = account.contacts
        exact = exact_matches(account, kind, query) if kind is not None else []
        items: list[JSONDict] = [contacts[i] for i in exact]
        if kind is not None and not exact and kind in spec.lookups:
            items.append(synthesize(account, kind, query))
        positions = account.index.window(query, limit=SEARCH_LIMIT + len(exact))
        items.extend(contacts[i] for i in positions if i not in exact)
        return JSONResponse({"items": items[:SEARCH_LIMIT]})

    async def contacts(self, request: Request) -> Response:
        params = request.query_params
        issues: list[JSONDict] = []
        limit = DEFAULT_PAGE_SIZE
        raw_limit = params.get("limit")
        if raw_limit is not None:
            text = raw_limit.strip()
            if not _INTEGER.fullmatch(text):
                issues.append(issue("invalid_type", "Expected integer, received string", "limit"))
            elif len(text.lstrip("+-")) > 9:
                # int() of thousands of digits raises; nobody asks for a billion contacts.
                issues.append(
                    issue("too_big", "Number must be less than or equal to 999999999", "limit")
                )
            elif (limit := int(text)) < 1:
                issues.append(
                    issue("too_small", "Number must be greater than or equal to 1", "limit")
                )
            elif limit > MAX_PAGE_SIZE:
                issues.append(
                    issue(
                        "too_big", f"Number must be less than or equal to {MAX_PAGE_SIZE}", "limit"
                    )
                )
        direction = params.get("direction", "before")
        if direction not in ("before", "after"):
            issues.append(
                issue(
                    "invalid_enum_value",
                    f"Invalid enum value. Expected 'after' | 'before', received '{direction}'",
                    "direction",
                )
            )
        if issues:
            return validation_error(issues)
        account = await self._prepared_account(request)
        if account is None:
            return error_response(404, "Account not found")
        cursor = params.get("cursor")
        anchor: int | None = None
        if cursor is not None:
            anchor = decode_cursor(account, cursor)
            if anchor is None:
                return validation_error([issue("custom", "Invalid cursor", "cursor")])
        return JSONResponse(
            contact_page(account, params.get("query", ""), anchor, direction, limit)
        )

    async def start_chat(self, request: Request) -> Response:
        body = await json_body(request)
        issues: list[JSONDict] = []
        if body is INVALID_JSON:
            return validation_error([issue("invalid_json", "Malformed JSON body")])
        if not isinstance(body, dict):
            return validation_error([issue("invalid_type", "Expected object", "body")])
        account_id = body.get("accountID")
        if not isinstance(account_id, str) or not account_id:
            issues.append(issue("invalid_type", "Required", "accountID"))
        user = body.get("user")
        if not isinstance(user, dict):
            issues.append(issue("invalid_type", "Required", "user"))
        else:
            for key in ("id", "email", "phoneNumber", "username", "fullName"):
                if key in user and not isinstance(user[key], str):
                    issues.append(issue("invalid_type", "Expected string", "user", key))
            if not any(
                isinstance(user.get(key), str) and user[key].strip()
                for key in ("id", "email", "phoneNumber", "username")
            ):
                issues.append(
                    issue(
                        "custom",
                        "Provide at least one of id, email, phoneNumber or username",
                        "user",
                    )
                )
        for key in ("allowInvite",):
            if key in body and not isinstance(body[key], bool):
                issues.append(issue("invalid_type", "Expected boolean", key))
        if "messageText" in body and not isinstance(body["messageText"], str):
            issues.append(issue("invalid_type", "Expected string", "messageText"))
        if issues or not isinstance(account_id, str) or not isinstance(user, dict):
            return validation_error(issues)
        account = self.state.dataset.account(account_id)
        if account is None:
            return error_response(404, "Account not found")
        await self.state.prepare(account)
        for kind, key in (("phone", "phoneNumber"), ("email", "email"), ("username", "username")):
            if kind in account.spec.rejects and user.get(key) and not user.get("id"):
                return _lookup_rejected(account, kind)
        target = find_user(account, user)
        if target is None:
            return error_response(404, f"User not found on {account.spec.display_network}")
        if target.get("cannotMessage") is True:
            return error_response(422, "Cannot start a chat with this user")
        return JSONResponse(self._chat(account, target))

    def _chat(self, account: DemoAccount, user: JSONDict) -> JSONDict:
        chat, status = self.state.chat_book.single_chat(account, user)
        return {**chat, "chatID": chat["id"], "status": status}

    async def focus(self, request: Request) -> Response:
        body = await json_body(request)
        if body is None:
            body = {}
        if body is INVALID_JSON:
            return validation_error([issue("invalid_json", "Malformed JSON body")])
        if not isinstance(body, dict):
            return validation_error([issue("invalid_type", "Expected object", "body")])
        issues = [
            issue("invalid_type", "Expected string", key)
            for key in ("chatID", "draftText", "messageID", "draftAttachmentPath")
            if key in body and not isinstance(body[key], str)
        ]
        if issues:
            return validation_error(issues)
        self.state.focus_requests.append(body)
        return JSONResponse({"success": True})


def contact_page(
    account: DemoAccount, query: str, anchor: int | None, direction: str, limit: int
) -> JSONDict:
    """One cursor page of the (optionally filtered) contact list.

    Cursors point at a contact's position in the full list, so they stay valid
    whatever the filter. ``before`` walks down the list (what ``oldestCursor``
    asks for next); ``after`` returns the page just above the cursor.
    """
    index = account.index
    if anchor is not None and direction == "after":
        hits = index.window(query, before=anchor, limit=limit + 1)
        page = hits[-limit:]
    else:
        hits = index.window(query, after=-1 if anchor is None else anchor, limit=limit + 1)
        page = hits[:limit]
    has_more = len(hits) > limit
    contacts = account.contacts
    return {
        "items": [contacts[i] for i in page],
        "hasMore": has_more,
        "oldestCursor": encode_cursor(account, page[-1]) if page else None,
        "newestCursor": encode_cursor(account, page[0]) if page else None,
    }


def _bridge_id(account: DemoAccount) -> str | None:
    bridge = account.wire.get("bridge")
    return bridge.get("id") if isinstance(bridge, dict) else None


def _lookup_rejected(account: DemoAccount, kind: str) -> Response:
    network = account.spec.display_network
    label = {"phone": "phone number", "email": "email address"}.get(kind, "username")
    return error_response(
        422,
        f"{network} does not support looking up people by {label}",
        code="IDENTIFIER_NOT_SUPPORTED",
        details={"network": network, "identifierType": kind},
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return error_response(404, f"No route for {request.method} {request.url.path}")
    if exc.status_code == 405:
        return error_response(405, f"Method {request.method} not allowed on {request.url.path}")
    return error_response(exc.status_code, exc.detail)


async def _server_error(request: Request, exc: Exception) -> Response:
    return error_response(500, "Internal server error")


def create_demo_app(
    dataset: Dataset | None = None,
    *,
    token: str = DEMO_TOKEN,
    seed: int = DEFAULT_SEED,
    latency: Latency | None = None,
    desktop_version: str | DesktopVersion = LATEST_VERSION,
    oauth_auto_approve: bool = False,
    token_lifetime: float | None = None,
    asset_dir: Path | None = None,
    setup_state: str = "ready",
    record: bool = False,
    sensitive_actions: bool = True,
) -> Starlette:
    """A fresh demo Beeper Desktop API; its ``DemoState`` is ``app.state.demo``.

    ``desktop_version`` picks the Desktop generation to play (routes and
    account keys follow it; see ``generations``). ``token_lifetime`` (seconds)
    bounds OAuth-issued tokens; ``asset_dir`` is where generated avatars are
    written (default: the user cache directory). ``record`` turns on request
    recording (tests that inspect what was sent). ``sensitive_actions=False`` plays a
    token made without "Allow sensitive actions" (403 on starting chats and sending,
    on the builds that gate them).
    """
    if setup_state not in SETUP_STATES:
        raise ValueError(f"unknown setup state {setup_state!r}")
    generation = Generation.of(desktop_version)
    state = DemoState(dataset or build_dataset(seed), token, latency, generation, record=record)
    state.oauth.auto_approve = oauth_auto_approve
    if token_lifetime is not None:
        state.oauth.token_lifetime = token_lifetime
    state.setup_state = setup_state
    state.sensitive_actions = sensitive_actions
    state.chat_book = ChatBook(state.dataset, merges=generation.has_merged_chats)
    state.assets = AssetStore(state.dataset, asset_dir)
    state.messages = MessageBook(state.chat_book)
    state.messages.listeners.append(state.live.on_change)
    api = _Api(state)
    routes: list[Route | WebSocketRoute] = [
        *api.routes(),
        *ChatRoutes(state.chat_book, generation, api.start_chat).routes(),
        *AssetRoutes(state.assets).routes(),
        *MessageRoutes(state.messages).routes(),
        *LiveRoutes(state.live, state.auth_problem).routes(),
        *SetupRoutes(state).routes(),
        *state.oauth.routes(),
    ]
    app = Starlette(
        routes=[route for route in routes if generation.serves(route.path)],
        middleware=[
            Middleware(_DemoMiddleware, state=state),
            Middleware(ScopeGuard, oauth=state.oauth),
        ],
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
    )
    app.state.demo = state
    return app
