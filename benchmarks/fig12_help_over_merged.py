"""Figure 12: ``?`` opens the help screen over the 16,000-identity person (it took 6 s).

Timed from the key until the app is idle again and has painted (``Pilot.press``
then ``Pilot.pause``), over the demo's own list and then with the merged person
highlighted; the difference is the merge's share.
"""

from __future__ import annotations

import asyncio
import statistics
import time

from beeper_tui.demo import build_dataset, create_demo_app
from beeper_tui.service.person import PersonIndex
from beeper_tui.ui.help_screen import HelpScreen
from benchmarks import app_access
from benchmarks.driving import SIZE
from benchmarks.figure import Result, print_results
from benchmarks.merged_person import IDENTITIES, shared_phone_identities
from tests.ui_helpers import app_on_demo, settle

HELP_EXTRA_S = 0.2
"""What the merged person may add to opening the help screen (it took 6 s)."""


async def help_open_seconds(repeats: int = 3) -> tuple[float, float]:
    """Median time from ``?`` to the help screen up and painted: over the demo's own
    list, then over the 16,000-identity person (the difference is the merge's share)."""
    app = app_on_demo(create_demo_app(build_dataset(big_account_size=300)))
    index = PersonIndex()
    index.extend(shared_phone_identities(IDENTITIES))

    async with app.run_test(size=SIZE) as pilot:

        async def open_help() -> float:
            started = time.perf_counter()
            await pilot.press("question_mark")  # returns once the app is idle again
            await pilot.pause()  # and painted
            elapsed = time.perf_counter() - started
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("escape")
            await settle(pilot)
            return elapsed

        await settle(pilot)
        contacts = app_access.contact_list(app)
        contacts.focus()
        await settle(pilot)
        plain = statistics.median([await open_help() for _ in range(repeats)])
        contacts.set_items(index)
        await settle(pilot)
        assert contacts.highlighted is not None
        assert len(contacts.highlighted.identities) == IDENTITIES
        merged = statistics.median([await open_help() for _ in range(repeats)])
    return plain, merged


class HelpOverMerged:
    """Figure 12: the merged person adds little to opening the help screen."""

    number = 12
    name = "? opens over that merged person"
    target = f"< {HELP_EXTRA_S * 1000:.0f} ms more than without"
    unit = "ms"

    def run(self) -> list[Result]:
        """Open the help three times without the merged person, three times with."""
        plain, merged = asyncio.run(help_open_seconds())
        return [
            Result.of(
                self,
                merged * 1000,
                f"{merged * 1000:.1f} ms",
                merged - plain < HELP_EXTRA_S,
                (
                    f"help screen up and painted {merged * 1000:.1f} ms after the key with "
                    f"the {IDENTITIES:,}-identity person highlighted, {plain * 1000:.1f} ms "
                    "over the demo's own list (medians of 3)",
                ),
            )
        ]


FIGURE = HelpOverMerged()

if __name__ == "__main__":
    print_results(FIGURE)
