"""Driving the app headless: build it on the demo, let it catch up, read its toasts.

Shared by the Pilot tests and the ``benchmarks`` package (run from the repository
root, which puts it on ``sys.path``), so the figures drive the app the way the
tests do. Set ``TEXTUAL_ANIMATIONS`` before importing this module: Textual
reads it on import.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from starlette.applications import Starlette
from textual.app import App
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.worker import WorkerCancelled

from beeper_tui.config import Settings
from beeper_tui.ui.app import BeeperApp
from beeper_tui.ui.contact_list import ContactList
from beeper_tui.wiring import open_backend


def app_on_demo(demo_app: Starlette, **overrides: Any) -> BeeperApp:
    """The real app on an in-process demo, as ``beeper-tui --demo`` builds it.

    ``overrides`` are settings; by default nothing refreshes in the background,
    the theme is fixed and avatars are half-blocks (no terminal to ask).
    """
    values: dict[str, Any] = {
        "demo": True,
        "refresh_seconds": 0,
        "theme": "textual-dark",
        "images": "halfblock",
    }
    values.update(overrides)
    settings = Settings(**values)
    backend = open_backend(
        base_url=settings.base_url,
        access_token=None,
        page_size=settings.page_size,
        demo_app=demo_app,
        max_retries=0,
    )
    return BeeperApp(settings, backend=backend)


async def workers_done(app: App[Any]) -> None:
    """Wait until every worker finished, the ones that replaced a cancelled one too.

    A search the book's progress starts again (a new account joined it) cancels
    the one before; waiting on that one would fail, so the newer one is waited for.
    """
    for _ in range(50):
        try:
            await app.workers.wait_for_complete()
            return
        except WorkerCancelled:
            continue


def at_rest(app: App[Any]) -> bool:
    """No worker runs and the address book is not syncing (its sync runs in plain tasks)."""
    keeper = getattr(getattr(app, "book_driver", None), "keeper", None)
    return not len(app.workers) and (keeper is None or not keeper.syncing)


async def settle(pilot: Any, extra: float = 0.0) -> None:
    """Wait until the app is at rest: every worker done, the book's sync over, and every
    message they posted handled, two rounds in a row.

    Work reaches the screen as messages (a search worker's rows, a highlight, the book's
    changes), each of which may start more work: one round of waiting is not enough.
    ``extra`` first lets time pass on purpose (a test of what a timer does after it).
    """
    app = pilot.app
    if extra:
        await asyncio.sleep(extra)
    quiet = 0
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while quiet < 2:
        assert loop.time() < deadline, "the app did not come to rest"
        resting = at_rest(app)
        await workers_done(app)
        await pilot.pause()
        quiet = quiet + 1 if resting and at_rest(app) else 0
        if not at_rest(app):
            await pilot.pause(0.01)  # the book syncs on its own tasks: let them run


async def wait_for(pilot: Any, condition: Callable[[], bool], limit: float = 5.0) -> None:
    """Poll the running app until ``condition`` holds (screens open in workers)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        assert loop.time() < deadline, "condition not reached in time"
        await pilot.pause(0.02)


async def wait_for_screen(
    pilot: Any, screen_type: type[Screen[Any]], selector: str, limit: float = 5.0
) -> None:
    """Wait until a screen of ``screen_type`` is up and has composed ``selector``."""
    app = pilot.app

    def composed() -> bool:
        screen = app.screen
        return isinstance(screen, screen_type) and bool(screen.query(selector))

    await wait_for(pilot, composed, limit)


async def show_big_account(app: BeeperApp, pilot: Any) -> ContactList:
    """Show the 20,000-member Slack account, where more pages always remain; its list."""
    await settle(pilot)
    big = next(a for a in app.backend.accounts.accounts if a.account_id.startswith("slackgo"))
    app.main_screen.switch_account(big.account_id)
    await settle(pilot)
    return app.query_one("#contacts", ContactList)


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


class InFlight:
    """An ASGI wrapper that counts requests in flight per path, and the most at once."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.now: dict[str, int] = {}
        self.peak: dict[str, int] = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = str(scope.get("path", ""))
        self.now[path] = self.now.get(path, 0) + 1
        self.peak[path] = max(self.peak.get(path, 0), self.now[path])
        try:
            await self.app(scope, receive, send)
        finally:
            self.now[path] -= 1
