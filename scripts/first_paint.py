"""The start-up figures' shared half: run a fresh app until a widget's rows reach the terminal.

Figures 6 (cold start) and 10 (offline start) each time a fresh ``python``
process from the interpreter's start to the first frame that shows some
widget's content. Each child script imports what the app imports, builds the
app, then hands it here; :func:`run_child` runs the app headless and returns
when that frame was painted. The wall clock (``time.time``) is used because the
start is taken in the parent, before the interpreter exists.

The probes go in before the app starts, so no early frame slips past them:
the widget class's ``render_line`` notes the first frame that draws it with
content, and the app's ``_display`` encodes every frame for the terminal (a
headless run skips that; a terminal pays for it on every frame) and notes the
first one after that draw.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from rich.console import RenderableType
from textual._compositor import CompositorUpdate
from textual.app import App
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

__all__ = ["child", "run_child"]

T = TypeVar("T")
W = TypeVar("W", bound=Widget)
SIZE = (120, 40)


def run_child(
    app: App[Any],
    widget: type[W],
    drawn: Callable[[W], bool],
    finish: Callable[[], Awaitable[T]],
) -> tuple[float, T]:
    """Run ``app`` until a frame that draws ``widget`` while ``drawn(it)`` is painted.

    Then awaits ``finish()`` inside the run (start-up work to wait for, or a
    count to read) and returns (when that frame was painted, what it returned).
    """
    seen: list[bool] = []
    painted: list[float] = []
    shown = asyncio.Event()
    render_line = widget.render_line
    display = app._display

    def probed_render_line(self: W, y: int) -> Strip:
        if not seen and drawn(self):
            seen.append(True)
        return render_line(self, y)

    def probed_display(screen: Screen[Any], renderable: RenderableType | None) -> None:
        display(screen, renderable)
        if renderable is not None and seen and not painted:
            if isinstance(renderable, CompositorUpdate):
                renderable.render_segments(app.console)
            painted.append(time.time())
            shown.set()

    widget.render_line = probed_render_line  # type: ignore[method-assign,assignment]
    app._display = probed_display  # type: ignore[method-assign]

    async def main() -> T:
        async with app.run_test(size=SIZE):
            await shown.wait()
            return await finish()

    outcome = asyncio.run(main())
    return painted[0], outcome


def child(script: str, *args: str) -> dict[str, float]:
    """Run ``script`` in a fresh interpreter; return the JSON its last line prints.

    The script finds this module on ``sys.path`` and the parent's start time in
    ``BENCH_T0``.
    """
    here = str(Path(__file__).resolve().parent)
    env = {
        **os.environ,
        "BENCH_T0": repr(time.time()),
        "PYTHONPATH": os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")])),
    }
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"start-up child failed:\n{done.stderr[-2000:]}")
    data: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return data
