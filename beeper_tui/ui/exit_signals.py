"""SIGTERM and SIGHUP end the app as cleanly as quitting does."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from types import FrameType
from typing import Any

from textual.app import App

from beeper_tui.exit_signals import EXIT_SIGNALS

__all__ = ["ExitSignals"]

log = logging.getLogger("beeper_tui.ui")


class ExitSignals:
    """SIGTERM and SIGHUP become :meth:`App.exit`, so nothing is left behind.

    Without this the process dies at once: an export's temp file stays and
    the terminal is left in the alternate screen with mouse tracking on.
    The exit cancels every worker (an export removes its temp file) and
    restores the terminal; :meth:`restore` puts the handlers before back.
    """

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self._previous: dict[int, Any] | None = None

    def install(self) -> None:
        """Handle the signals from now on (only possible in the main thread)."""
        loop = asyncio.get_running_loop()

        def terminated(signum: int, _frame: FrameType | None) -> None:
            # A signal handler may run between any two bytecodes: hand over to the loop.
            loop.call_soon_threadsafe(self._exit, signum)

        previous: dict[int, Any] = {}
        try:
            for signum in EXIT_SIGNALS:
                previous[signum] = signal.signal(signum, terminated)
        except ValueError:  # not the main thread (an app embedded elsewhere)
            pass
        self._previous = previous

    def restore(self) -> None:
        """Put back the handlers there were before :meth:`install`."""
        previous, self._previous = self._previous, None
        for signum, handler in (previous or {}).items():
            with contextlib.suppress(ValueError):
                signal.signal(signum, handler)

    def _exit(self, signum: int) -> None:
        log.warning("%s: quitting", signal.Signals(signum).name)
        self.app.exit(return_code=128 + signum)
