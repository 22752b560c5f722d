"""Serve the demo app over a real socket: in a background thread, or from the CLI.

The socket is bound before uvicorn starts, so ``port=0`` yields a free port
that is known immediately, and a stopped server can be started again on the
same port (tests use that for "Beeper Desktop went away and came back").
"""

from __future__ import annotations

import argparse
import errno
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType, TracebackType

import uvicorn
from starlette.types import ASGIApp

from beeper_tui.api.net import is_loopback_host
from beeper_tui.arguments import OneLineParser, positive_int
from beeper_tui.demo.app import DEMO_TOKEN, create_demo_app
from beeper_tui.demo.dataset import DEFAULT_SEED, build_dataset
from beeper_tui.demo.faults import Latency

DEFAULT_PORT = 23373
_PROG = "beeper-tui demo-server"


class DemoServer:
    """An ASGI app served by uvicorn on a background thread.

    ``start()`` and ``stop()`` may alternate any number of times; after the
    first start the port stays fixed, so clients see the same base URL.
    """

    def __init__(
        self,
        app: ASGIApp,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        startup_timeout: float = 10.0,
        shutdown_timeout: float = 5.0,
    ) -> None:
        self.app = app
        self.host = host
        self._port = port
        self._startup_timeout = startup_timeout
        self._shutdown_timeout = shutdown_timeout
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def port(self) -> int:
        """The listening port (the requested one until the first start)."""
        return self._port

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self._port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> str:
        """Bind, start serving and wait until uvicorn accepts connections."""
        if self._thread is not None:
            raise RuntimeError("demo server is already running")
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # proto=IPPROTO_TCP, not create_server's 0: asyncio turns Nagle off
        # (TCP_NODELAY) only on sockets that say they are TCP, and with Nagle on
        # every answer waits ~40 ms for the client's delayed ACK.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self._port))
            sock.listen()
        except OSError:
            sock.close()
            raise
        self._port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            log_config=None,
            access_log=False,
            lifespan="off",
            loop="asyncio",
            http="h11",
            ws="none",
            timeout_graceful_shutdown=1,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run,
            kwargs={"sockets": [sock]},
            name=f"beeper-demo-server:{self._port}",
            daemon=True,
        )
        self._server, self._thread, self._socket = server, thread, sock
        thread.start()
        deadline = time.monotonic() + self._startup_timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"demo server failed to start on {self.base_url}")
            time.sleep(0.005)
        return self.base_url

    def stop(self) -> None:
        """Shut down and join the thread; idempotent."""
        server, thread, sock = self._server, self._thread, self._socket
        self._server = self._thread = self._socket = None
        if server is not None:
            server.should_exit = True
        if thread is not None:
            thread.join(self._shutdown_timeout)
            if thread.is_alive() and server is not None:
                server.force_exit = True
                thread.join(self._shutdown_timeout)
        if sock is not None:
            sock.close()

    def __enter__(self) -> DemoServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


@contextmanager
def serve_in_thread(app: ASGIApp, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``app`` on a background thread; yields the base URL, always stops."""
    server = DemoServer(app, host, port)
    server.start()
    try:
        yield server.base_url
    finally:
        server.stop()


# -- command line ------------------------------------------------------------


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port must be between 0 and 65535, got {value}")
    return value


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text}")
    return value


def _token(text: str) -> str:
    if not text.strip() or any(c.isspace() for c in text):
        raise argparse.ArgumentTypeError("token must be non-empty and without spaces")
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog=_PROG,
        description="Serve a fake Beeper Desktop API with a deterministic demo dataset.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT, help="0 picks a free port")
    parser.add_argument("--token", type=_token, default=DEMO_TOKEN, help="accepted access token")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="dataset seed")
    parser.add_argument(
        "--latency-ms", type=_non_negative, default=0.0, help="delay added to every answer"
    )
    parser.add_argument(
        "--jitter-ms", type=_non_negative, default=0.0, help="random extra delay, up to this"
    )
    parser.add_argument(
        "--big-account-size",
        type=positive_int,
        default=20_000,
        help="members of the big Slack workspace",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """``beeper-tui demo-server``: serve until Ctrl-C or SIGTERM."""
    args = build_parser().parse_args(argv)
    if not is_loopback_host(args.host):
        print(
            f"{_PROG}: warning: {args.host} is not a loopback address; "
            "the demo token travels in clear text over plain HTTP",
            file=sys.stderr,
        )
    dataset = build_dataset(args.seed, big_account_size=args.big_account_size)
    latency = None
    if args.latency_ms or args.jitter_ms:
        latency = Latency(args.latency_ms, args.jitter_ms, seed=args.seed)
    app = create_demo_app(dataset, token=args.token, latency=latency)
    server = DemoServer(app, args.host, args.port)
    try:
        server.start()
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            reason = "the port is already in use"
        else:
            reason = exc.strerror or str(exc)
        print(f"{_PROG}: cannot listen on {args.host}:{args.port}: {reason}", file=sys.stderr)
        return 1

    stop = threading.Event()

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        stop.set()

    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, on_sigterm) if in_main_thread else None
    try:
        print(f"Demo Beeper Desktop API listening on {server.base_url}", flush=True)
        print(f"Access token (demo only): {args.token}", flush=True)
        print(
            f"Try: BEEPER_BASE_URL={server.base_url} BEEPER_ACCESS_TOKEN={args.token} beeper-tui",
            flush=True,
        )
        print("Press Ctrl-C to stop.", flush=True)
        # Build every contact list and index now rather than on first request.
        for account in dataset.accounts:
            _ = account.index
        while server.running and not stop.wait(0.25):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        if in_main_thread:
            # A second Ctrl-C during shutdown must not end in a traceback.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, previous)
        crashed = not stop.is_set() and not server.running
        server.stop()
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
