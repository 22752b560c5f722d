"""A hostile stand-in for Beeper Desktop on a loopback port, for wire-level tests.

Each behaviour is an async function that gets the request head and the
connection's writer and answers however badly it likes: endless bodies,
gzip bombs, slow drips, deeply nested JSON. Use as
``async with HostileServer(behaviour) as base_url:``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from types import TracebackType

Behaviour = Callable[[bytes, asyncio.StreamWriter], Awaitable[None]]


class HostileServer:
    """Serves ``behaviour`` on 127.0.0.1 (a free port) inside the test's event loop."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.connections = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)  # type: ignore[arg-type]
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            await self.behaviour(head, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client hung up, as it should when it has had enough
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def __aenter__(self) -> str:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()


def head(status: str = "200 OK", **headers: str) -> bytes:
    """An HTTP/1.1 response head with ``headers`` (underscores become dashes)."""
    lines = [f"HTTP/1.1 {status}"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def answer(writer: asyncio.StreamWriter, body: bytes, **headers: str) -> None:
    """A complete, well-framed answer carrying ``body``."""
    headers.setdefault("content_type", "application/json")
    writer.write(head(content_length=str(len(body)), **headers) + body)
    await writer.drain()
