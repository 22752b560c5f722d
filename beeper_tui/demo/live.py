"""The demo's live socket, ``/v1/ws``, speaking Desktop's experimental events protocol.

A client connects with ``Authorization: Bearer …`` (a bad token is refused
with a 401 before the upgrade), is told ``{"type": "ready"}``, and sends
``{"type": "subscriptions.set", "requestID": "…", "chatIDs": ["*"]}`` (or a
list of chat IDs; ``[]`` pauses; ``"*"`` is never mixed with IDs). The server
answers ``subscriptions.updated`` (or ``error`` with ``INVALID_PAYLOAD``),
then sends ``{type, seq, ts, chatID, ids, entries?}`` for ``chat.upserted``,
``chat.deleted``, ``message.upserted`` and ``message.deleted``. ``seq``
counts per connection from 1; nothing is replayed after a reconnect.

Tests drive it through :class:`LiveHub`: :meth:`LiveHub.publish` (any event,
even of an unknown type), :meth:`LiveHub.disconnect_all` (Desktop restarting),
``refuse`` (a build that answers the upgrade with a 404), ``ts_as_string``
(real installs send ``ts`` as text). Every method is safe from any thread:
the server runs on its own event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Final

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from beeper_tui.demo.dataset import JSONDict
from beeper_tui.demo.responses import error_response

__all__ = ["EVENT_TYPES", "LiveHub", "LiveRoutes"]

EVENT_TYPES: Final = ("chat.upserted", "chat.deleted", "message.upserted", "message.deleted")
_CLOSE: Final = object()
_MAX_FRAME: Final = 64 * 1024


@dataclass(eq=False)
class _Connection:
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[Any] = field(default_factory=asyncio.Queue)
    chat_ids: frozenset[str] | None = frozenset()
    """What the client subscribed to: None for every chat (``*``), empty for none yet."""

    def wants(self, chat_id: str) -> bool:
        return self.chat_ids is None or chat_id in self.chat_ids


class LiveHub:
    """Every open ``/v1/ws`` connection of one demo app, and the knobs tests turn."""

    def __init__(self) -> None:
        self._connections: list[_Connection] = []
        self._lock = threading.Lock()
        self.refuse = False
        """Answer the upgrade with 404, as a build without the socket would."""
        self.ts_as_string = False
        """Send ``ts`` as text (``"1747733400000"``), as some real installs do."""
        self.connects = 0
        """How many connections were accepted so far."""

    @property
    def connected(self) -> int:
        """How many clients are connected now."""
        with self._lock:
            return len(self._connections)

    def subscribed(self) -> int:
        """How many connected clients have a non-empty subscription."""
        with self._lock:
            return sum(1 for c in self._connections if c.chat_ids is None or c.chat_ids)

    def publish(self, event: JSONDict) -> None:
        """Send ``event`` (``seq`` and ``ts`` added) to every connection subscribed to its chat."""
        chat_id = str(event.get("chatID", ""))
        with self._lock:
            targets = [c for c in self._connections if c.wants(chat_id)]
        for connection in targets:
            _put(connection, event)

    def on_change(self, kind: str, event: JSONDict) -> None:
        """A :class:`~beeper_tui.demo.messages.MessageBook` listener."""
        self.publish(event)

    def disconnect_all(self) -> None:
        """Close every connection (code 1012, service restart)."""
        with self._lock:
            targets = list(self._connections)
        for connection in targets:
            _put(connection, _CLOSE)

    def _add(self, connection: _Connection) -> None:
        with self._lock:
            self._connections.append(connection)
            self.connects += 1

    def _remove(self, connection: _Connection) -> None:
        with self._lock:
            if connection in self._connections:
                self._connections.remove(connection)


def _put(connection: _Connection, item: Any) -> None:
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is connection.loop:
        connection.queue.put_nowait(item)
    else:
        with contextlib.suppress(RuntimeError):  # that loop has closed: the client is gone
            connection.loop.call_soon_threadsafe(connection.queue.put_nowait, item)


def _subscription(message: Any) -> tuple[frozenset[str] | None, str | None]:
    """The chat IDs a ``subscriptions.set`` asks for, or an error text."""
    if not isinstance(message, dict) or message.get("type") != "subscriptions.set":
        return frozenset(), "Expected a subscriptions.set message"
    chat_ids = message.get("chatIDs")
    if not isinstance(chat_ids, list) or not all(isinstance(c, str) and c for c in chat_ids):
        return frozenset(), 'chatIDs must be an array of chat IDs, or ["*"]'
    if "*" in chat_ids:
        if len(chat_ids) > 1:
            return frozenset(), '"*" cannot be combined with chat IDs'
        return None, None
    return frozenset(chat_ids), None


class LiveRoutes:
    """The ``/v1/ws`` route over one hub; ``auth_problem`` checks the bearer header."""

    def __init__(self, hub: LiveHub, auth_problem: Any) -> None:
        self.hub = hub
        self._auth_problem = auth_problem

    def routes(self) -> list[WebSocketRoute]:
        return [WebSocketRoute("/v1/ws", self.socket)]

    async def socket(self, websocket: WebSocket) -> None:
        hub = self.hub
        if hub.refuse:
            await websocket.send_denial_response(error_response(404, "No route for GET /v1/ws"))
            return
        problem = self._auth_problem(websocket.headers.get("authorization"))
        if problem is not None:
            await websocket.send_denial_response(error_response(401, problem))
            return
        await websocket.accept()
        connection = _Connection(asyncio.get_running_loop())
        hub._add(connection)
        reader = asyncio.create_task(self._read(websocket, connection))
        try:
            await websocket.send_json({"type": "ready"})
            seq = 0
            while True:
                item = await connection.queue.get()
                if item is _CLOSE:
                    await websocket.close(code=1012, reason="Beeper Desktop is restarting")
                    return
                if item.get("type") in ("subscriptions.updated", "error"):
                    await websocket.send_json(item)
                    continue
                seq += 1
                stamp = int(time.time() * 1000)
                await websocket.send_json(
                    {**item, "seq": seq, "ts": str(stamp) if hub.ts_as_string else stamp}
                )
        except (WebSocketDisconnect, RuntimeError, OSError):
            return
        finally:
            hub._remove(connection)
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader

    async def _read(self, websocket: WebSocket, connection: _Connection) -> None:
        try:
            while True:
                raw = await websocket.receive_text()
                message: Any = None
                if len(raw) <= _MAX_FRAME:
                    with contextlib.suppress(ValueError, RecursionError):
                        message = json.loads(raw)
                request_id = message.get("requestID") if isinstance(message, dict) else None
                chat_ids, problem = _subscription(message)
                if problem is not None:
                    reply: JSONDict = {
                        "type": "error",
                        "code": "INVALID_PAYLOAD",
                        "message": problem,
                    }
                else:
                    connection.chat_ids = chat_ids
                    reply = {
                        "type": "subscriptions.updated",
                        "chatIDs": ["*"] if chat_ids is None else sorted(chat_ids),
                    }
                if isinstance(request_id, str):
                    reply["requestID"] = request_id
                connection.queue.put_nowait(reply)
        except (WebSocketDisconnect, RuntimeError, OSError, KeyError):
            connection.queue.put_nowait(_CLOSE)
