"""``beeper-tui demo-server``: serve the embedded Beeper Desktop stand-in over HTTP."""

from __future__ import annotations

import argparse
import errno
import signal
import sys
import threading
import time
from types import FrameType
from typing import Any

from beeper_tui.demo.defaults import DEFAULT_PORT, DEFAULT_SEED, DEMO_TOKEN
from beeper_tui.demo.generations import LATEST_VERSION

from .common import desktop_version, positive_int

__all__ = ["register", "run"]

_PROG = "beeper-tui demo-server"


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


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``demo-server`` to the command tree."""
    parser = commands.add_parser(
        "demo-server",
        help="serve the embedded Beeper Desktop stand-in over HTTP",
        description="Serve a fake Beeper Desktop API with a deterministic demo dataset.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT, help="0 picks a free port")
    # Its own dest: the app's --token (a token to send) means something else.
    parser.add_argument(
        "--token",
        dest="accept_token",
        type=_token,
        default=DEMO_TOKEN,
        help="accepted access token",
    )
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
    parser.add_argument(
        "--desktop-version",
        metavar="V",
        type=desktop_version,
        default=LATEST_VERSION,
        help=f"the Beeper Desktop build to play (default {LATEST_VERSION}, the newest)",
    )
    parser.add_argument(
        "--activity",
        metavar="SECONDS",
        type=_non_negative,
        default=0.0,
        help="a contact writes a message every SECONDS (a fixed sequence; 0: never)",
    )
    parser.add_argument(
        "--auto-approve",
        action="store_true",
        help="approve OAuth sign-ins without the approval page (for scripts)",
    )
    parser.add_argument(
        "--no-sensitive-actions",
        dest="sensitive_actions",
        action="store_false",
        help="play a token made without 'Allow sensitive actions' (403 on starting chats, "
        "sending; from 4.3)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C or SIGTERM."""
    from beeper_tui.api.net import is_loopback_host
    from beeper_tui.demo.asgi import create_demo_app
    from beeper_tui.demo.dataset import build_dataset
    from beeper_tui.demo.faults import Latency
    from beeper_tui.demo.server import DemoServer

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
    app = create_demo_app(
        dataset,
        token=args.accept_token,
        latency=latency,
        desktop_version=args.desktop_version,
        oauth_auto_approve=args.auto_approve,
        sensitive_actions=args.sensitive_actions,
    )
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
        print(
            f"Demo Beeper Desktop API listening on {server.base_url}"
            f" (playing Desktop {args.desktop_version})",
            flush=True,
        )
        print(f"Access token (demo only): {args.accept_token}", flush=True)
        print(
            f"Try: BEEPER_BASE_URL={server.base_url} BEEPER_ACCESS_TOKEN={args.accept_token}"
            " beeper-tui",
            flush=True,
        )
        print("Press Ctrl-C to stop.", flush=True)
        # Build every contact list and index now rather than on first request.
        for account in dataset.accounts:
            _ = account.index
        next_message = time.monotonic() + args.activity
        while server.running and not stop.wait(0.25):
            if args.activity and time.monotonic() >= next_message:
                next_message += args.activity
                app.state.demo.messages.deliver_incoming()
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
