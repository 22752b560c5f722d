"""Waiting helpers for Pilot tests: let timers, workers and screens catch up."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from textual.app import App


async def settle(app: App[Any], pilot: Any, extra: float = 0.0) -> None:
    """Sleep ``extra`` (to let debounce timers fire), then let every worker finish."""
    if extra:
        await asyncio.sleep(extra)
    for _ in range(2):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def wait_for(pilot: Any, condition: Callable[[], bool], limit: float = 5.0) -> None:
    """Poll the running app until ``condition`` holds (screens open in workers)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        assert loop.time() < deadline, "condition not reached in time"
        await pilot.pause(0.02)


async def wait_for_screen(pilot: Any, screen_type: type, selector: str) -> None:
    """Wait until a screen of ``screen_type`` is up and has composed ``selector``."""
    app = pilot.app
    await wait_for(
        pilot, lambda: isinstance(app.screen, screen_type) and bool(app.screen.query(selector))
    )
