"""Live changes from Beeper Desktop's experimental WebSocket, or a refresh timer without one.

One :class:`LiveFeed` per session. :meth:`LiveFeed.events` is an async
iterator of typed events (dataclasses, no Textual): the UI runs it in a
worker and turns each event into a message. It

- connects to ``/v1/info``'s ``endpoints.ws_events`` (else ``…/v1/ws``) with
  the bearer token, subscribes to every chat (``"*"``) and yields
  :class:`LiveConnected` once the server confirms;
- yields :class:`MessagesUpserted` (whole messages), :class:`MessagesDeleted`
  and :class:`ChatsChanged` (chat events carry IDs only); ``ts`` may come as a
  number (seconds or milliseconds) or as text, and unknown event types,
  malformed frames and server errors are ignored;
- when the connection drops, yields :class:`LiveDown` (for the status line),
  reconnects with exponential backoff, and meanwhile yields
  :class:`RefreshDue` on the refresh timer; after a reconnect,
  :class:`LiveConnected` has ``reconnected=True``: nothing is replayed, so
  the caller queries again what it shows;
- when the build has no socket (an older Desktop, or one that refuses the
  upgrade), or sockets are off (the in-process demo), yields
  :class:`LiveUnavailable` once and then :class:`RefreshDue` on the timer,
  for good. iMessage sends no events at all: that is not a failure.

Stop it by cancelling the task that iterates (or :meth:`LiveFeed.aclose`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from pydantic import ValidationError

from beeper_tui.api.client import BeeperClient
from beeper_tui.api.errors import APIStatusError, BeeperError
from beeper_tui.api.models import Message

from .chats import parse_time
from .desktop import is_missing_route

if TYPE_CHECKING:
    from websockets.asyncio.client import ClientConnection

__all__ = [
    "ChatsChanged",
    "LiveConnected",
    "LiveDown",
    "LiveEvent",
    "LiveFeed",
    "LiveUnavailable",
    "MessagesDeleted",
    "MessagesUpserted",
    "RefreshDue",
    "parse_ts",
]

log = logging.getLogger("beeper_tui.service.live")

DEFAULT_REFRESH_INTERVAL: Final = 30.0
"""Seconds between refreshes of what is shown while there is no live socket."""
FIRST_BACKOFF: Final = 0.5
LONGEST_BACKOFF: Final = 30.0
MAX_FRAME_BYTES: Final = 4 * 1024 * 1024
_REFUSING_STATUSES: Final = frozenset({400, 401, 403, 404, 405, 426, 501})


@dataclass(frozen=True, slots=True)
class LiveEvent:
    """Base of everything :meth:`LiveFeed.events` yields."""


@dataclass(frozen=True, slots=True)
class LiveConnected(LiveEvent):
    """Subscribed to every chat; after a reconnect, query again what is shown."""

    reconnected: bool = False


@dataclass(frozen=True, slots=True)
class LiveDown(LiveEvent):
    """The socket failed or closed; the next attempt is in ``retry_in`` seconds."""

    reason: str
    retry_in: float


@dataclass(frozen=True, slots=True)
class LiveUnavailable(LiveEvent):
    """This Desktop has no live socket (or refuses it): refreshes come on a timer instead."""

    reason: str


@dataclass(frozen=True, slots=True)
class RefreshDue(LiveEvent):
    """No live socket right now: refresh what is shown (the person's conversation, chats)."""


@dataclass(frozen=True, slots=True)
class MessagesUpserted(LiveEvent):
    """Messages new or changed in ``chat_id``; ``messages`` holds the ones the event carried."""

    chat_id: str
    ids: tuple[str, ...]
    messages: tuple[Message, ...]
    seq: int | None = None
    ts: datetime | None = None


@dataclass(frozen=True, slots=True)
class MessagesDeleted(LiveEvent):
    """Messages ``ids`` were deleted from ``chat_id``."""

    chat_id: str
    ids: tuple[str, ...]
    seq: int | None = None
    ts: datetime | None = None


@dataclass(frozen=True, slots=True)
class ChatsChanged(LiveEvent):
    """Chat ``chat_id`` changed (or, with ``deleted``, went away): read it again if shown."""

    chat_id: str
    ids: tuple[str, ...]
    deleted: bool = False
    seq: int | None = None
    ts: datetime | None = None


def parse_ts(value: object) -> datetime | None:
    """An event's ``ts``: a number or numeric text (seconds or milliseconds), or ISO 8601."""
    if isinstance(value, bool):
        return None
    number: float | None = None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
        except ValueError:
            return parse_time(text)
    if number is None or number != number or number in (float("inf"), float("-inf")):
        return None
    if abs(number) > 1e11:  # milliseconds since the epoch (seconds stay below until 5138)
        number /= 1000
    try:
        return datetime.fromtimestamp(number, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _ids(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(str(v) for v in value if isinstance(v, str | int) and not isinstance(v, bool))


def _int_or_none(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def read_event(frame: str | bytes) -> LiveEvent | dict[str, Any] | None:
    """One frame: an event, a control message (``ready``, ``subscriptions.updated``, ``error``)
    as its dict, or None for anything else (unknown types, malformed JSON)."""
    try:
        data = json.loads(frame)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    kind = data.get("type")
    if kind in ("ready", "subscriptions.updated", "error"):
        return data
    chat_id = data.get("chatID")
    if not isinstance(chat_id, str) or not chat_id:
        return None
    seq, ts, ids = _int_or_none(data.get("seq")), parse_ts(data.get("ts")), _ids(data.get("ids"))
    if kind == "message.upserted":
        messages: list[Message] = []
        entries = data.get("entries")
        for entry in entries if isinstance(entries, list) else ():
            try:
                messages.append(Message.model_validate(entry))
            except (ValidationError, RecursionError):
                continue
        return MessagesUpserted(chat_id, ids, tuple(messages), seq, ts)
    if kind == "message.deleted":
        return MessagesDeleted(chat_id, ids, seq, ts)
    if kind in ("chat.upserted", "chat.deleted"):
        return ChatsChanged(chat_id, ids or (chat_id,), kind == "chat.deleted", seq, ts)
    return None


class _Refused(Exception):
    """The build has no socket, or will not give it to this token."""


class LiveFeed:
    """The session's one live connection (see the module docstring).

    ``sockets=False`` skips the socket (the in-process demo has none).
    ``refresh_interval`` paces :class:`RefreshDue`; backoff doubles from
    ``first_backoff`` up to ``longest_backoff``.
    """

    def __init__(
        self,
        client: BeeperClient,
        *,
        sockets: bool = True,
        refresh_interval: float = DEFAULT_REFRESH_INTERVAL,
        first_backoff: float = FIRST_BACKOFF,
        longest_backoff: float = LONGEST_BACKOFF,
        open_timeout: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._sockets = sockets
        self.refresh_interval = refresh_interval
        self._first_backoff = first_backoff
        self._longest_backoff = longest_backoff
        self._open_timeout = open_timeout
        self._clock = clock
        self._socket: ClientConnection | None = None
        self.state = "idle"
        """``idle``, ``connecting``, ``live``, ``down`` or ``polling`` (no socket on this build)."""

    async def aclose(self) -> None:
        """Close the socket if open (the iterating task should be cancelled too)."""
        socket, self._socket = self._socket, None
        if socket is not None:
            with contextlib.suppress(Exception):
                await socket.close()

    async def events(self) -> AsyncIterator[LiveEvent]:
        """Live events, forever (see the module docstring); cancel the iterating task to stop."""
        if not self._sockets:
            async for event in self._poll_forever("this Desktop has no live socket"):
                yield event
            return
        attempt = 0
        subscribed_once = False
        next_refresh: float | None = None
        while True:
            self.state = "connecting"
            reason: str
            try:
                async for event in self._session():
                    if isinstance(event, LiveConnected):
                        event = LiveConnected(reconnected=subscribed_once)
                        subscribed_once = True
                        attempt = 0
                        next_refresh = None
                        self.state = "live"
                    yield event
                reason = "the live connection closed"
            except _Refused as exc:
                async for event in self._poll_forever(str(exc)):
                    yield event
                return
            except BeeperError as exc:
                reason = str(exc)
            except (OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
                reason = f"the live connection failed ({type(exc).__name__})"
            except Exception as exc:  # websockets' own errors: closed, bad handshake
                if not _is_socket_error(exc):
                    raise
                reason = f"the live connection failed ({_describe(exc)})"
            finally:
                await self.aclose()
            self.state = "down"
            delay = min(self._longest_backoff, self._first_backoff * 2**attempt)
            attempt += 1
            log.debug("live socket down: %s; retrying in %.1f s", reason, delay)
            yield LiveDown(reason, delay)
            retry_at = self._clock() + delay
            if next_refresh is None:
                next_refresh = self._clock() + self.refresh_interval
            while True:
                now = self._clock()
                if now >= retry_at:
                    break
                wake = min(retry_at, next_refresh)
                await asyncio.sleep(max(0.0, wake - now))
                if self._clock() >= next_refresh:
                    next_refresh = self._clock() + self.refresh_interval
                    yield RefreshDue()

    async def _poll_forever(self, reason: str) -> AsyncIterator[LiveEvent]:
        self.state = "polling"
        log.info("no live socket (%s): refreshing every %g s", reason, self.refresh_interval)
        yield LiveUnavailable(reason)
        while True:
            await asyncio.sleep(self.refresh_interval)
            yield RefreshDue()

    async def _session(self) -> AsyncIterator[LiveEvent]:
        """One connection: yields :class:`LiveConnected` once subscribed, then its events."""
        from websockets.asyncio.client import connect
        from websockets.exceptions import InvalidStatus

        try:
            url = await self._client.events_url()
        except APIStatusError as exc:
            if is_missing_route(exc):
                raise _Refused("this Desktop is too old for live updates") from None
            raise
        headers = {"User-Agent": "beeper-tui"}
        token = self._client.access_token
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            socket = await connect(
                url,
                additional_headers=headers,
                user_agent_header=None,
                proxy=None,  # a proxy would see the token
                open_timeout=self._open_timeout,
                max_size=MAX_FRAME_BYTES,
                compression=None,
            )
        except InvalidStatus as exc:
            status = exc.response.status_code
            if status in _REFUSING_STATUSES:
                raise _Refused(f"Desktop refused the live socket (HTTP {status})") from None
            raise
        self._socket = socket
        await socket.send(
            json.dumps({"type": "subscriptions.set", "requestID": "beeper-tui-1", "chatIDs": ["*"]})
        )
        async for frame in socket:
            event = read_event(frame)
            if event is None:
                continue
            if isinstance(event, dict):
                kind = event.get("type")
                if kind == "subscriptions.updated":
                    yield LiveConnected()
                elif kind == "error":
                    log.info("live socket error: %s", str(event.get("message", ""))[:200])
                continue
            yield event


def _is_socket_error(exc: Exception) -> bool:
    module = type(exc).__module__
    return module.startswith("websockets")


def _describe(exc: Exception) -> str:
    from websockets.exceptions import ConnectionClosed, InvalidStatus

    if isinstance(exc, InvalidStatus):
        return f"HTTP {exc.response.status_code}"
    if isinstance(exc, ConnectionClosed):
        return "closed"
    return type(exc).__name__
