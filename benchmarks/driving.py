"""Driving the real app headless against the demo, as a user at the keyboard would.

The app factory and the waiting helpers are the tests' own (``tests/ui_helpers.py``),
so the figures drive the app the way the tests do.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import App
from textual.worker import WorkerCancelled

from benchmarks import app_access
from tests.ui_helpers import app_on_demo
from tests.ui_helpers import settle as settle_once

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from beeper_tui.demo import Dataset, DemoAccount, Latency
    from beeper_tui.ui.app import BeeperApp

__all__ = [
    "BIG_NETWORK",
    "CONTACTS_PATH",
    "DEBOUNCE_MS",
    "SIZE",
    "big_account",
    "make_app",
    "recording_demo",
    "send_key",
    "settle",
    "showing",
    "sleep_until",
    "type_text",
    "wait_until",
]

SIZE = (120, 40)
DEBOUNCE_MS = 200  # the app's default (Settings.debounce_ms)
BIG_NETWORK = "slackgo"  # the demo's big Slack workspace
CONTACTS_PATH = r"/contacts(/list)?$"


async def settle(app: App[Any], pilot: Any, extra: float = 0.0) -> None:
    """The tests' ``settle``, waiting on when a superseded worker was cancelled meanwhile.

    Typing at full speed cancels the person view's debounced workers as the
    cursor moves on; that is what they are for, not a failure of the run.
    """
    for _ in range(10):
        try:
            await settle_once(pilot, extra)
        except WorkerCancelled:
            extra = 0.0
            continue
        return
    await settle_once(pilot)


def recording_demo(dataset: Dataset, latency: Latency | None = None) -> Starlette:
    """A fresh demo app (own request log) over a shared dataset."""
    from beeper_tui.demo import create_demo_app

    return create_demo_app(dataset, latency=latency, record=True)


def make_app(demo_app: Any, *, debounce_ms: int = DEBOUNCE_MS, **settings: Any) -> BeeperApp:
    """The real app on an in-process demo, with the app's own debounce."""
    return app_on_demo(demo_app, debounce_ms=debounce_ms, **settings)


def send_key(app: App[Any], key: str) -> None:
    """Deliver one key as the terminal driver does.

    ``Pilot.press`` waits for the app to go idle after every key (at least
    40 ms), too slow to type at 40 ms per key or to hold PageDown at 30/s.
    """
    name = "space" if key == " " else key
    event = events.Key(name, key if len(key) == 1 else None)
    event.set_sender(app)
    app.post_message(event)


async def sleep_until(deadline: float) -> None:
    """Sleep until ``time.perf_counter()`` reaches ``deadline``."""
    delay = deadline - time.perf_counter()
    if delay > 0:
        await asyncio.sleep(delay)


async def type_text(app: App[Any], text: str, interval: float) -> float:
    """Type ``text`` one key every ``interval`` seconds; the time of the last key."""
    start = time.perf_counter()
    last = start
    for i, char in enumerate(text):
        await sleep_until(start + i * interval)
        last = time.perf_counter()
        send_key(app, char)
    return last


async def wait_until(condition: Callable[[], bool], within: float) -> bool:
    """Poll ``condition`` every millisecond (what is measured has no event of its own)."""
    deadline = time.perf_counter() + within
    while not condition():
        if time.perf_counter() > deadline:
            return False
        await asyncio.sleep(0.001)
    return True


def big_account(dataset: Dataset) -> DemoAccount:
    """The demo's big Slack workspace, where more pages always remain."""
    return next(a for a in dataset.accounts if a.spec.key == BIG_NETWORK)


def showing(app: BeeperApp, query: str) -> Callable[[], bool]:
    """Whether the list shows the first page of ``query``'s results."""

    def check() -> bool:
        pager = app_access.pager(app)
        return (
            pager is not None
            and pager.query == query
            and pager.started
            and app_access.contact_list(app).items is pager.items
        )

    return check
