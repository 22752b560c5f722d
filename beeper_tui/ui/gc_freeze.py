"""Keeping the cyclic garbage collector off long-lived objects, so it never stalls typing."""

from __future__ import annotations

import gc
from time import monotonic
from typing import Final

from textual.timer import Timer
from textual.widget import Widget

__all__ = [
    "IDLE_SWEEP_DELAY",
    "IdleSweep",
    "freeze_long_lived",
    "freeze_page",
    "freeze_startup_objects",
    "note_input",
]

IDLE_SWEEP_DELAY: Final = 4.0
"""Seconds without a new search, page or index, and without input, before :class:`IdleSweep`
collects."""

_last_input = 0.0


def note_input() -> None:
    """The user used the keyboard or the mouse (the app calls this for every input event,
    mouse movement included).

    Process-wide, like the collector it defers: a sweep is a stall, so it
    waits until nobody is at the keyboard or the mouse, whichever widget
    they are using.
    """
    global _last_input
    _last_input = monotonic()


def _quiet_for() -> float:
    return monotonic() - _last_input


def freeze_startup_objects() -> None:
    """Keep the cyclic GC from rescanning everything that exists once the app is up.

    Imports, widgets and caches are ~100,000 long-lived objects; each full
    collection rescanned them all and stalled the event loop for 50-100 ms
    while the user typed. Frozen objects are still freed by reference counting.
    """
    gc.collect()
    freeze_long_lived()


def freeze_long_lived() -> None:
    """Move every object alive now to the permanent generation (no collection first).

    For a new address-book index: 100,000s of long-lived objects that each full
    collection would rescan (50-130 ms stalls); collecting first would stall too.
    """
    gc.freeze()


def freeze_page() -> None:
    """A page of rows just joined the list: keep full collections off it.

    Loaded rows live as long as the result set (thousands of models, each a
    few containers); unfrozen, every full collection rescans all of them and
    stalls the event loop 40-80 ms once a few thousand rows are loaded. Young
    garbage is collected first (cheap: only the young generations), so little
    cyclic garbage is frozen with the rows.
    """
    gc.collect(1)
    gc.freeze()


class IdleSweep:
    """Collects what freezing kept from the collector, once the user pauses.

    Frozen objects are still freed by reference counting, but garbage held in
    reference cycles is not (a replaced result list and the callbacks that
    point back at it, the index it was built on): after :data:`IDLE_SWEEP_DELAY`
    seconds without activity (no search, page or index, and no key or mouse input)
    everything is unfrozen, collected and frozen again. The full collection
    takes 50-200 ms, so it waits for a pause: holding a key down through the
    list is activity too.
    """

    def __init__(self, owner: Widget, delay: float = IDLE_SWEEP_DELAY) -> None:
        self._owner = owner
        self._delay = delay
        self._timer: Timer | None = None
        self.sweeps = 0
        """How many sweeps ran (for tests)."""

    def poke(self) -> None:
        """Something became garbage or may have: (re)start the wait.

        Through the owner's message queue: a timer started inside a worker
        would keep that worker, and what it was given, alive in its context.
        """
        self._owner.call_later(self._restart)

    def _restart(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self._owner.set_timer(self._delay, self._due)

    def _due(self) -> None:
        wait = self._delay - _quiet_for()
        if wait > 0:  # the user is still at it: wait for the pause
            self._timer = self._owner.set_timer(wait, self._due)
        else:
            self.sweep()

    def sweep(self) -> None:
        """Unfreeze, collect everything, freeze again (now)."""
        self._timer = None
        gc.unfreeze()
        freeze_startup_objects()  # collect everything, then freeze what is left
        self.sweeps += 1
