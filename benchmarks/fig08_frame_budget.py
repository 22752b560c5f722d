"""Figure 8: the longest event-loop stall while typing 10 queries and holding PageDown.

A task sleeps 5 ms in a loop and records how late it wakes; full garbage
collections meanwhile are counted too.
"""

from __future__ import annotations

import asyncio
import gc
import time
from dataclasses import dataclass

from beeper_tui.demo import build_dataset
from benchmarks import app_access
from benchmarks.driving import (
    SIZE,
    big_account,
    make_app,
    recording_demo,
    send_key,
    settle,
    showing,
    sleep_until,
    type_text,
    wait_until,
)
from benchmarks.figure import Result, ms, percentile, print_results
from benchmarks.queries import typed_queries
from benchmarks.stalls import GcWatch, LoopLag
from tests.ui_helpers import show_big_account


@dataclass(frozen=True)
class Budget:
    """What typing and paging cost the event loop."""

    lags: list[float]
    """Seconds late of every 5 ms tick."""
    collections: list[float]
    """Seconds of every full garbage collection meanwhile."""
    rows: int
    """Rows loaded at the end."""
    tracked: int
    """Objects the garbage collector tracked at the end."""


async def frame_budget() -> Budget:
    """Type 10 queries, then hold PageDown, with the sleeper and the GC watched."""
    dataset = build_dataset()
    queries = typed_queries(big_account(dataset), 10, seed=11)
    app = make_app(recording_demo(dataset))
    async with app.run_test(size=SIZE) as pilot:
        contact_list = await show_big_account(app, pilot)
        with GcWatch() as watch, LoopLag() as lag:
            for query in queries:
                app_access.search_box(app).value = ""
                app_access.focus_search(app)
                await asyncio.sleep(0.05)
                await type_text(app, query, 0.040)
                await wait_until(showing(app, query), 5.0)
                await asyncio.sleep(0.1)
            app_access.clear_search(app)
            await wait_until(showing(app, ""), 5.0)
            contact_list.focus()
            start = time.perf_counter()
            for press in range(150):
                await sleep_until(start + press / 30)
                send_key(app, "pagedown")
            await settle(app, pilot)
        rows = len(contact_list.items)
        tracked = len(gc.get_objects())
    return Budget(lag.lags, [length for _, length in watch.pauses], rows, tracked)


class FrameBudget:
    """Figure 8: nothing holds the event loop for longer than a few frames."""

    number = 8
    name = "Event-loop stall while typing/paging"
    target = "<= 50 ms"
    unit = "ms"

    def run(self) -> list[Result]:
        """Type and page with a 5 ms sleeper watching."""
        budget = asyncio.run(frame_budget())
        lags, collections = budget.lags, budget.collections
        worst = max(lags)
        return [
            Result.of(
                self,
                worst * 1000,
                ms(worst),
                worst <= 0.050,
                (
                    f"{len(lags):,} ticks of a 5 ms sleeper while typing 10 queries at "
                    f"40 ms/key and holding PageDown (30/s) until {budget.rows:,} rows were "
                    "loaded; "
                    f"p99 {ms(percentile(lags, 99))}; {len(collections)} full garbage "
                    f"collections, longest {ms(max(collections, default=0.0))}, over "
                    f"{budget.tracked:,} tracked objects",
                ),
            )
        ]


FIGURE = FrameBudget()

if __name__ == "__main__":
    print_results(FIGURE)
