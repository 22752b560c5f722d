"""What holds up the event loop: a late-waking sleeper, and full garbage collections."""

from __future__ import annotations

import asyncio
import gc
import time

__all__ = ["GcWatch", "LoopLag"]


class LoopLag:
    """Event-loop lag: a task sleeps 5 ms in a loop and records how late it wakes.

    Used as ``with LoopLag() as lag:`` inside the running loop.
    """

    TICK = 0.005

    def __init__(self) -> None:
        self.lags: list[float] = []
        """How late each wake-up was, in seconds."""
        self._task: asyncio.Task[None] | None = None

    @property
    def worst(self) -> float:
        """The longest stall so far, in seconds."""
        return max(self.lags, default=0.0)

    async def _run(self) -> None:
        while True:
            start = time.perf_counter()
            await asyncio.sleep(self.TICK)
            self.lags.append(time.perf_counter() - start - self.TICK)

    def __enter__(self) -> LoopLag:
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._task is not None:
            self._task.cancel()


class GcWatch:
    """Full (generation 2) garbage collections while in the block: start and duration."""

    def __init__(self) -> None:
        self.pauses: list[tuple[float, float]] = []
        self._start = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.pauses.append((self._start, time.perf_counter() - self._start))

    def __enter__(self) -> GcWatch:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc_info: object) -> None:
        gc.callbacks.remove(self._callback)

    def within(self, start: float, end: float) -> list[float]:
        """Durations of the collections that began between ``start`` and ``end``."""
        return [length for began, length in self.pauses if start <= began <= end]
