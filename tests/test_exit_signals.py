"""SIGTERM and SIGHUP: the App and ``beeper-tui export`` answer the same list of signals."""

from __future__ import annotations

import asyncio
import signal
from typing import Any

from beeper_tui.cli.export_command import _abort_on_signals
from beeper_tui.exit_signals import EXIT_SIGNALS
from beeper_tui.ui.exit_signals import ExitSignals


def _handlers() -> dict[int, Any]:
    return {signum: signal.getsignal(signum) for signum in signal.valid_signals()}


def _changed(before: dict[int, Any], after: dict[int, Any]) -> set[int]:
    return {signum for signum in before if before[signum] is not after[signum]}


def test_the_export_and_the_app_take_over_exactly_the_exit_signals() -> None:
    assert signal.SIGTERM in EXIT_SIGNALS
    before = _handlers()
    with _abort_on_signals():
        export_took = _changed(before, _handlers())
    assert _handlers() == before

    async def install_and_restore() -> set[int]:
        # Compared within the loop: asyncio.run has a SIGINT handler of its own.
        in_loop = _handlers()
        guard = ExitSignals(app=None)  # type: ignore[arg-type]  # never exits: no signal comes
        guard.install()
        try:
            return _changed(in_loop, _handlers())
        finally:
            guard.restore()
            assert _handlers() == in_loop

    app_took = asyncio.run(install_and_restore())
    assert export_took == app_took == set(EXIT_SIGNALS)
