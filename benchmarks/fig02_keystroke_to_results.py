"""Figure 2: from the last key of a query to its result rows painted, p95 of 20 queries.

Typed at 40 ms/key on the demo's 20,000-contact account with no added
latency; "painted" is :mod:`benchmarks.paint_probe`'s: the frame with the new
rows encoded for the terminal and flushed.
"""

from __future__ import annotations

import asyncio
import statistics
from collections.abc import Callable

from beeper_tui.demo import build_dataset
from beeper_tui.ui.app import BeeperApp
from beeper_tui.ui.contact_list import ContactList
from benchmarks import app_access
from benchmarks.driving import (
    DEBOUNCE_MS,
    SIZE,
    big_account,
    make_app,
    recording_demo,
    settle,
    showing,
    type_text,
)
from benchmarks.figure import Result, ms, percentile, print_results
from benchmarks.paint_probe import PaintProbe
from benchmarks.queries import typed_queries
from benchmarks.stalls import GcWatch
from tests.ui_helpers import show_big_account


def rows_of(app: BeeperApp, query: str) -> Callable[[ContactList], bool]:
    """Whether a drawing of the list draws ``query``'s first page."""
    shown = showing(app, query)
    return lambda _rows: shown()


async def keystroke_to_results() -> tuple[list[float], list[float]]:
    """Last key to results painted, per query; and the full collections in those spans."""
    dataset = build_dataset()
    queries = typed_queries(big_account(dataset), 20)
    app = make_app(recording_demo(dataset))
    latencies: list[float] = []
    collections: list[float] = []
    with PaintProbe(app, ContactList) as probe:
        async with probe.run_test(SIZE) as pilot:
            await show_big_account(app, pilot)
            with GcWatch() as watch:
                for query in queries:
                    app_access.clear_search(app)
                    await settle(app, pilot)
                    app_access.focus_search(app)
                    await pilot.pause()
                    probe.arm(rows_of(app, query))
                    last_key = await type_text(app, query, 0.040)
                    try:
                        painted = await asyncio.wait_for(probe.wait(), 5.0)
                    except TimeoutError:
                        raise RuntimeError(
                            f"the results for {query!r} were never painted"
                        ) from None
                    latencies.append(painted - last_key)
                    collections += watch.within(last_key, painted)
    return latencies, collections


class KeystrokeToResults:
    """Figure 2: the last key to the result rows on the terminal."""

    number = 2
    name = "Keystroke to results painted (p95)"
    target = f"<= {DEBOUNCE_MS + 50} ms"
    unit = "ms"

    def run(self) -> list[Result]:
        """Type 20 queries; p95 of last key to rows painted."""
        latencies, collections = asyncio.run(keystroke_to_results())
        p95 = percentile(latencies, 95)
        return [
            Result.of(
                self,
                p95 * 1000,
                ms(p95),
                p95 <= (DEBOUNCE_MS + 50) / 1000,
                (
                    f"{len(latencies)} queries on the 20,000-contact account, latency 0; "
                    f"median {ms(statistics.median(latencies))}, max {ms(max(latencies))}; "
                    f"{len(collections)} full garbage collections inside those spans"
                    + (f" (longest {ms(max(collections))})" if collections else ""),
                ),
            )
        ]


FIGURE = KeystrokeToResults()

if __name__ == "__main__":
    print_results(FIGURE)
