"""The signals that end beeper-tui as cleanly as quitting does: one list for every entry point.

Outside the layered packages so the App (``ui/exit_signals.py``) and the
command line (``beeper-tui export``) share it without the export importing Textual.
"""

from __future__ import annotations

import signal
from typing import Final

__all__ = ["EXIT_SIGNALS"]

EXIT_SIGNALS: Final[tuple[signal.Signals, ...]] = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)
"""SIGTERM and SIGHUP (where the platform has it): unwind, clean up, restore the terminal."""
