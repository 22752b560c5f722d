"""Figure 6: process start to the accounts painted, demo mode, median of 5 fresh processes.

Each run is ``python -m benchmarks.startup_child cold``, timed from just
before the spawn to the first frame with the accounts painted
(:mod:`benchmarks.paint_probe`); a first, uncounted run writes the ``.pyc``
files a fresh checkout lacks.
"""

from __future__ import annotations

import statistics

from benchmarks.child import run_module
from benchmarks.figure import Result, ms, print_results

RUNS = 5


def cold_start_once() -> dict[str, float]:
    """One fresh process's wall-clock times (see :mod:`benchmarks.startup_child`)."""
    times: dict[str, float] = run_module("benchmarks.startup_child", "cold", stamp_start=True)
    return times


class ColdStart:
    """Figure 6: the first useful frame within a second."""

    number = 6
    name = "Cold start to accounts painted"
    target = "<= 1.0 s"
    unit = "s"

    def run(self) -> list[Result]:
        """Start the app 1 + 5 times; the median of the 5."""
        cold_start_once()  # not counted: writes the .pyc files a fresh checkout lacks
        runs = [cold_start_once() for _ in range(RUNS)]
        total = statistics.median([r["painted"] - r["start"] for r in runs])
        importing = statistics.median([r["imported"] - r["main"] for r in runs])
        boot = statistics.median([r["main"] - r["start"] for r in runs])
        return [
            Result.of(
                self,
                total,
                f"{total:.2f} s (imports {importing / total:.0%})",
                total <= 1.0,
                (
                    f"median of {RUNS} fresh `python` processes (demo mode, every frame "
                    f"encoded for the terminal): interpreter start {ms(boot)}, importing "
                    f"beeper_tui.ui.app {ms(importing)}, the rest "
                    f"{ms(total - boot - importing)} (demo app, mount, accounts request, paint)",
                ),
            )
        ]


FIGURE = ColdStart()

if __name__ == "__main__":
    print_results(FIGURE)
