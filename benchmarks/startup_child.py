"""The child process of the start-up figures: a fresh app until its first content is painted.

``python -m benchmarks.startup_child cold`` (figure 6: demo mode, the accounts
sidebar filled), ``python -m benchmarks.startup_child offline URL CACHE_DIR``
(figure 10: ``beeper-tui`` from its command line to the book's rows, Desktop not
answering at ``URL``) or ``python -m benchmarks.startup_child bare`` (figure 10's
yardstick: a bare Textual app to its first frame). It prints one
JSON line of wall-clock times: ``start`` (the parent's, just before the spawn,
from ``BENCH_T0``), ``main`` (this module's first line), ``imported`` (the app
imported), ``built`` (the app constructed) and ``painted`` (see
:mod:`benchmarks.paint_probe`), and for the offline start the rows listed.
Only the standard library is imported before ``main``: the rest is the app's.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from textual.app import App
    from textual.widget import Widget

    W = TypeVar("W", bound=Widget)

T = TypeVar("T")
SIZE = (120, 40)


def run_until_painted(
    app: App[Any],
    widget_class: type[W],
    drawn: Callable[[W], bool],
    finish: Callable[[], Awaitable[T]],
) -> tuple[float, T]:
    """Run ``app`` until a frame drawing a ``widget_class`` while ``drawn(it)`` is painted.

    Then awaits ``finish()`` inside the run (start-up work to wait for, or a
    count to read); returns (when that frame was painted, what it returned).
    The probe is in place before the app starts, so no early frame slips past.
    """
    import asyncio

    from benchmarks.paint_probe import PaintProbe

    probe = PaintProbe(app, widget_class, clock=time.time)
    probe.arm(drawn)

    async def main() -> T:
        async with probe.run_test(SIZE):
            await probe.wait()
            return await finish()

    with probe:
        outcome = asyncio.run(main())
    assert probe.painted_at is not None
    return probe.painted_at, outcome


def cold(t_main: float) -> dict[str, float]:
    """Figure 6: demo mode, until the accounts sidebar is painted with the accounts."""
    from beeper_tui.ui.app import BeeperApp

    t_imported = time.time()
    from beeper_tui.config import Settings
    from beeper_tui.ui.accounts_sidebar import AccountsSidebar

    app = BeeperApp(Settings(demo=True, refresh_seconds=0, theme="textual-dark"))
    t_built = time.time()
    painted, _ = run_until_painted(
        app,
        AccountsSidebar,
        lambda sidebar: bool(sidebar.option_count),
        app.workers.wait_for_complete,  # quit once start-up work is done
    )
    return {"main": t_main, "imported": t_imported, "built": t_built, "painted": painted}


def offline(t_main: float, base_url: str, cache_dir: str) -> dict[str, float]:
    """Figure 10: a book on disk (under ``cache_dir``), Desktop not answering, until the
    book's rows are painted.

    The app is built as ``beeper-tui --base-url URL --token T`` builds it (the command
    line, the settings, the terminal's image probe), with no config file of the user's.
    """
    os.environ["XDG_CACHE_HOME"] = cache_dir
    os.environ["XDG_CONFIG_HOME"] = os.path.join(cache_dir, "no-config")
    for name in ("BEEPER_ACCESS_TOKEN", "BEEPER_BASE_URL", "BEEPER_DESKTOP_BASE_URL"):
        os.environ.pop(name, None)
    from beeper_tui.cli import parse
    from beeper_tui.cli.app_command import build_app

    args = parse(["--base-url", base_url, "--token", "offline-bench"])
    assert not isinstance(args, int), args
    app = build_app(args)
    assert not isinstance(app, int), app
    t_built = time.time()
    from beeper_tui.service.book_source import BookSource
    from beeper_tui.ui.contact_list import ContactList
    from benchmarks import app_access

    async def rows() -> int:
        return len(app_access.contact_list(app).items)

    painted, listed = run_until_painted(
        app,
        ContactList,
        lambda rows: bool(rows.items) and isinstance(app_access.pager(app), BookSource),
        rows,
    )
    return {
        "main": t_main,
        "imported": t_built,
        "built": t_built,
        "painted": painted,
        "rows": listed,
    }


def bare(t_main: float) -> dict[str, float]:
    """Figure 10's yardstick: a bare Textual app (a header, one line of text, a footer)
    until its first frame is painted, under the same probe."""
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header, Static

    t_imported = time.time()

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield Static("Hello")
            yield Footer()

    app = Bare()
    t_built = time.time()

    async def nothing() -> None:
        return None

    painted, _ = run_until_painted(app, Static, lambda _static: True, nothing)
    return {"main": t_main, "imported": t_imported, "built": t_built, "painted": painted}


def main() -> None:
    """Run the start-up named on the command line; print its times."""
    t_main = time.time()
    kind, *args = sys.argv[1:]
    if kind == "cold":
        times = cold(t_main)
    elif kind == "bare":
        times = bare(t_main)
    else:
        times = offline(t_main, *args)
    print(json.dumps({"start": float(os.environ["BENCH_T0"]), **times}))


if __name__ == "__main__":
    main()
