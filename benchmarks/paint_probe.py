"""The one paint probe: when a frame showing a widget's new content reached the terminal.

What "painted" means here: the compositor drew a frame in which the widget's
rows were rendered while the awaited condition held (the widget class's
public ``render_line`` ran), Textual encoded that frame as terminal output
(the escape sequences a real terminal is sent, inside synchronized-update
markers, and the cursor move), handed every byte of it to the driver and
flushed. That is the moment a real terminal driver writes to the tty; only
the tty and the terminal emulator's own drawing are left out.

How, with public hooks only: the app runs under :class:`PaintDriver`, a
driver (``App.driver_class``) that says it is not headless, so ``App`` does
on every frame the encoding it skips in headless tests, but that writes
nowhere and notes the time of each ``flush()``. The widget class's
``render_line`` (public API of a Line-API widget) is wrapped while the probe
is in use, to learn which frame drew the content. Figures 2, 6 and 10 use
this probe; figure 3 runs its bench app under the same driver.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

from textual.app import App
from textual.drivers.headless_driver import HeadlessDriver
from textual.pilot import Pilot
from textual.strip import Strip
from textual.widget import Widget

__all__ = ["PaintDriver", "PaintProbe"]

W = TypeVar("W", bound=Widget)

_probes: WeakKeyDictionary[App[Any], PaintProbe[Any]] = WeakKeyDictionary()


class PaintDriver(HeadlessDriver):
    """A terminal driver without a terminal: frames are encoded in full, then dropped.

    It keeps the headless driver's size handling and input (none), but is not
    headless, so the app encodes every frame as it would for a tty. Each
    ``flush()`` (one per frame, after its last byte) is reported to the
    app's :class:`PaintProbe`, if it has one.
    """

    def __init__(
        self,
        app: App[Any],
        *,
        debug: bool = False,
        mouse: bool = True,
        size: tuple[int, int] | None = None,
    ) -> None:
        super().__init__(app, debug=debug, mouse=mouse, size=size)
        self._probe = _probes.get(app)
        self.bytes_written = 0
        """Every byte the app sent to the terminal, for a sanity check."""

    @property
    def is_headless(self) -> bool:
        """Not headless: the app encodes its frames for this driver."""
        return False

    def write(self, data: str) -> None:
        """Take the frame's bytes as a terminal would, and drop them."""
        self.bytes_written += len(data)

    def flush(self) -> None:
        """The frame is out: tell the probe."""
        if self._probe is not None:
            self._probe.frame_flushed()


class PaintProbe(Generic[W]):
    """Notes when the first frame drawing a ``widget_class`` while armed is painted.

    Create it before the app runs (it picks the app's driver), enter it
    (``with probe:``) to wrap ``widget_class.render_line``, run the app with
    :meth:`run_test`, then :meth:`arm` it with a condition on the widget and
    read :attr:`painted_at` or await :meth:`wait`. ``clock`` is
    ``time.perf_counter`` unless the figure compares with another process
    (``time.time``).
    """

    def __init__(
        self,
        app: App[Any],
        widget_class: type[W],
        *,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.app = app
        self.widget_class = widget_class
        self.clock = clock
        self.painted_at: float | None = None
        """When the frame that drew the armed content was flushed, by ``clock``."""
        self.frames = 0
        """Frames flushed so far."""
        self._condition: Callable[[W], bool] | None = None
        self._drawn = False
        self._painted = asyncio.Event()
        self._original: Callable[[W, int], Strip] | None = None
        self._had_own = False
        app.driver_class = PaintDriver
        _probes[app] = self

    def run_test(self, size: tuple[int, int]) -> AbstractAsyncContextManager[Pilot[Any]]:
        """``App.run_test`` with the probe's driver in place of the headless one."""
        return self.app.run_test(headless=False, size=size)

    def arm(self, condition: Callable[[W], bool]) -> None:
        """Wait for the next frame that draws the widget while ``condition(widget)`` holds."""
        self._condition = condition
        self._drawn = False
        self.painted_at = None
        self._painted.clear()

    async def wait(self) -> float:
        """When the armed content was painted (waits for it)."""
        await self._painted.wait()
        assert self.painted_at is not None
        return self.painted_at

    def frame_flushed(self) -> None:
        """Called by the driver after each frame's bytes."""
        self.frames += 1
        if self._drawn and self.painted_at is None:
            self.painted_at = self.clock()
            self._painted.set()

    def _drawing(self, widget: W) -> None:
        if self._condition is not None and not self._drawn and self._condition(widget):
            self._drawn = True

    def __enter__(self) -> PaintProbe[W]:
        cls = self.widget_class
        original = cls.render_line
        self._original = original
        self._had_own = "render_line" in vars(cls)
        probe = self

        def render_line(widget: W, y: int) -> Strip:
            probe._drawing(widget)
            return original(widget, y)

        cls.render_line = render_line  # type: ignore[method-assign,assignment]
        return self

    def __exit__(self, *exc_info: object) -> None:
        cls = self.widget_class
        if self._had_own:
            cls.render_line = self._original  # type: ignore[method-assign,assignment]
        else:
            del cls.render_line
