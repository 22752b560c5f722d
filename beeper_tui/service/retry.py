"""Waiting as a server asked (``Retry-After``) before trying again, owned by a source."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Final

from beeper_tui.api.errors import BeeperError, RateLimitedError

__all__ = ["DEFAULT_RETRY_AFTER", "RetryTimer", "auto_retry_delay"]

DEFAULT_RETRY_AFTER: Final = 5.0
"""Seconds to wait after a 429 that did not say how long."""

log = logging.getLogger("beeper_tui.service")


def auto_retry_delay(error: BeeperError | None) -> float | None:
    """How long to wait before retrying by itself after ``error``; None: not by itself."""
    if not isinstance(error, RateLimitedError) or not error.retry_soon:
        return None  # a long wait is the user's to decide: "try again in N min", r retries
    return error.retry_after if error.retry_after is not None else DEFAULT_RETRY_AFTER


class RetryTimer:
    """At most one pending retry; arming again replaces it, :meth:`cancel` drops it."""

    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None

    @property
    def pending(self) -> bool:
        """Whether a retry is waiting to run."""
        return self._task is not None and not self._task.done()

    def arm(self, delay: float, action: Callable[[], Awaitable[object]]) -> None:
        """Run ``action`` after ``delay`` seconds (replacing any pending retry)."""
        self.cancel()
        self._task = asyncio.ensure_future(self._later(delay, action))

    async def _later(self, delay: float, action: Callable[[], Awaitable[object]]) -> None:
        await asyncio.sleep(delay)
        try:
            await action()
        except BeeperError as exc:  # kept by the source itself; the retry is over
            log.info("retry after %.1f s failed: %s", delay, exc)

    def cancel(self) -> None:
        """Drop the pending retry, if any (a retry that is already running goes on)."""
        task, self._task = self._task, None
        with contextlib.suppress(RuntimeError):  # no running loop: nothing is pending
            if task is not None and task is not asyncio.current_task():
                task.cancel()
