"""Figure 4: resident memory of the app with 100,000 contacts in the list.

The demo (100,000-contact account) is served over loopback HTTP from this
process; the app runs in a child process (``python -m benchmarks.fig04_memory
--child URL ACCOUNT``) and loads every page into its list.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import sys

from beeper_tui.config import Settings
from beeper_tui.demo import DEMO_TOKEN, build_dataset
from beeper_tui.service.contacts import ContactPager
from beeper_tui.ui.app import BeeperApp
from benchmarks import app_access
from benchmarks.child import rss_bytes, run_module
from benchmarks.driving import SIZE, big_account, recording_demo, settle
from benchmarks.figure import Result, print_results


async def load_everything(base_url: str, account_id: str) -> dict[str, int]:
    """Child side: the real app over loopback HTTP loads every contact of ``account_id``."""
    settings = Settings(
        base_url=base_url,
        access_token=os.environ["BENCH_TOKEN"],
        page_size=200,
        refresh_seconds=0,
        theme="textual-dark",
    )
    app = BeeperApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        gc.collect()
        before = rss_bytes()
        app_access.switch_account(app, account_id)
        await settle(app, pilot)
        pager = app_access.pager(app)
        assert isinstance(pager, ContactPager)
        assert pager.account_id == account_id
        while pager.has_more:
            added = await pager.load_next()
            if not added and pager.loading:
                await asyncio.sleep(0.005)  # the list's own prefetch has this page
        rows = app_access.contact_list(app)
        rows.rows_appended()
        await settle(app, pilot)
        loaded = len(rows.items)
        gc.collect()
        after = rss_bytes()
    return {"before": before, "after": after, "loaded": loaded}


class Memory:
    """Figure 4: the app's RSS with 100,000 contacts loaded."""

    number = 4
    name = "RSS with 100k contacts loaded"
    target = "<= 250 MB"
    unit = "MB"

    def run(self) -> list[Result]:
        """Serve the big dataset here; load it all in a child app."""
        from beeper_tui.demo.server import serve_in_thread  # uvicorn: only this figure

        dataset = build_dataset(big_account_size=100_000)
        account = big_account(dataset)
        with serve_in_thread(recording_demo(dataset)) as base_url:
            data = run_module(
                "benchmarks.fig04_memory",
                "--child",
                base_url,
                account.account_id,
                env={"BENCH_TOKEN": DEMO_TOKEN},
            )
        after, before, loaded = data["after"], data["before"], data["loaded"]
        per_contact = (after - before) / loaded
        return [
            Result.of(
                self,
                after / 2**20,
                f"{after / 2**20:.0f} MB ({per_contact:,.0f} B/contact)",
                after <= 250 * 2**20 and loaded == 100_000,
                (
                    f"real app in a child process over loopback HTTP, {loaded:,} contacts in "
                    f"the list; {before / 2**20:.0f} MB after start-up, before loading them",
                ),
            )
        ]


FIGURE = Memory()

if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(asyncio.run(load_everything(sys.argv[2], sys.argv[3]))))
    else:
        print_results(FIGURE)
