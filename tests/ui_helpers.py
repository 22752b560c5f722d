"""Helpers for Pilot tests: let timers, workers and screens catch up; read the toasts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from textual.app import App
from textual.notifications import SeverityLevel


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


@dataclass(frozen=True, slots=True)
class Toast:
    """One notification as the app asked for it through ``App.notify``."""

    message: str
    title: str
    severity: SeverityLevel
    markup: bool


_toasts: WeakKeyDictionary[App[Any], list[Toast]] = WeakKeyDictionary()


def toasts(app: App[Any]) -> list[Toast]:
    """Every notification ``app`` has raised so far, oldest first (expired ones too)."""
    return _toasts.get(app, [])


def recording(notify: Callable[..., None]) -> Callable[..., None]:
    """Wrap ``App.notify`` (the public way every widget raises a toast) to record each call."""

    def record(
        self: App[Any],
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        _toasts.setdefault(self, []).append(Toast(message, title, severity, markup))
        notify(self, message, title=title, severity=severity, timeout=timeout, markup=markup)

    return record
