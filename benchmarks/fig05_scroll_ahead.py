"""Figure 5: PageDown held at 30/s through 20,000 contacts, 30 ms per page from the demo.

Counted: the times the cursor waited more than 100 ms on the last loaded row
for the next page; the list should always have fetched ahead.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from beeper_tui.demo import Latency, build_dataset
from benchmarks import app_access
from benchmarks.driving import (
    SIZE,
    big_account,
    make_app,
    recording_demo,
    send_key,
    sleep_until,
)
from benchmarks.figure import Result, ms, print_results
from tests.ui_helpers import show_big_account


@dataclass(frozen=True)
class Held:
    """What holding PageDown did."""

    stalls: list[float]
    """Seconds the cursor sat on the last loaded row, each time it did."""
    presses: int
    reached: int
    """The row the cursor reached (1-based)."""
    seconds: float
    total: int
    """Rows the account has."""


async def hold_pagedown() -> Held:
    """Hold PageDown at 30/s until the cursor is on the account's last row."""
    dataset = build_dataset()
    app = make_app(recording_demo(dataset, latency=Latency(fixed_ms=30)))
    stalls: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        contact_list = await show_big_account(app, pilot)
        contact_list.focus()
        await pilot.pause()
        done = False

        def at_loaded_end() -> bool:
            pager = app_access.pager(app)
            return (
                pager is not None
                and pager.has_more
                and contact_list.cursor >= len(contact_list.items) - 1
            )

        async def watch() -> None:
            stalled_since: float | None = None
            while not done:
                now = time.perf_counter()
                if at_loaded_end():
                    stalled_since = stalled_since or now
                elif stalled_since is not None:
                    stalls.append(now - stalled_since)
                    stalled_since = None
                await asyncio.sleep(0.002)
            if stalled_since is not None:
                stalls.append(time.perf_counter() - stalled_since)

        watcher = asyncio.create_task(watch())
        start = time.perf_counter()
        presses = 0
        while time.perf_counter() - start < 90:
            pager = app_access.pager(app)
            finished = pager is not None and not pager.has_more
            if finished and contact_list.cursor >= len(contact_list.items) - 1:
                break
            await sleep_until(start + presses / 30)
            send_key(app, "pagedown")
            presses += 1
        elapsed = time.perf_counter() - start
        done = True
        await watcher
        reached = contact_list.cursor + 1
    return Held(stalls, presses, reached, elapsed, len(big_account(dataset).contacts))


class ScrollAhead:
    """Figure 5: the list fetches ahead of a held PageDown."""

    number = 5
    name = "Scroll-ahead stalls > 100 ms"
    target = "0"
    unit = "stalls"

    def run(self) -> list[Result]:
        """Hold PageDown to the end of the big account."""
        held = asyncio.run(hold_pagedown())
        long_stalls = [s for s in held.stalls if s > 0.100]
        return [
            Result.of(
                self,
                len(long_stalls),
                str(len(long_stalls)),
                not long_stalls and held.reached == held.total,
                (
                    f"{held.presses} PageDowns at 30/s reached row {held.reached:,} in "
                    f"{held.seconds:.1f} s; 30 ms per page; cursor on the last loaded row "
                    f"{len(held.stalls)} times, longest {ms(max(held.stalls, default=0.0))}",
                ),
            )
        ]


FIGURE = ScrollAhead()

if __name__ == "__main__":
    print_results(FIGURE)
