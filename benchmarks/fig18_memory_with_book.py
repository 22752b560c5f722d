"""Figure 18: the app's resident memory as a user runs it, 100,000 contacts in book and list.

The demo (its accounts, one of them a 100,000-contact Slack workspace) is
served over loopback HTTP from this process. The app runs in a child process
(``python -m benchmarks.fig18_memory_with_book --child URL CACHE``) with the
address book on disk under ``CACHE``, as the command line starts it: it syncs
every account into the book, the list then shows the book's people for All
accounts, and the user pages through them to the end (every row is drawn
once, as holding PageDown does). The RSS read then is what the user's
terminal costs: the book, its index, the person index and the list, together.
Figure 4 measures the server's list alone (no book), figure 9 the book alone.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import sys
import tempfile
from datetime import UTC, datetime

from benchmarks.child import rss_bytes, run_module
from benchmarks.figure import Result, print_results

MODULE = "benchmarks.fig18_memory_with_book"
BIG = 100_000
TARGET_MB = 250.0
SIZE = (120, 40)
RUNS = 2
STILL_SECONDS = 15.0
"""Seconds the app is left still after the sync (the book saves its index after 10)."""


async def run_app(base_url: str, cache_dir: str) -> dict[str, int]:
    """Child side: the real app, book on disk, synced, its whole list paged through."""
    os.environ["XDG_CACHE_HOME"] = cache_dir
    os.environ["XDG_CONFIG_HOME"] = cache_dir
    from beeper_tui.config import Settings
    from beeper_tui.service.book_source import BookSource
    from beeper_tui.ui.app import BeeperApp
    from benchmarks import app_access
    from benchmarks.driving import settle
    from tests.ui_helpers import wait_for

    settings = Settings(
        base_url=base_url,
        access_token=os.environ["BENCH_TOKEN"],
        page_size=200,
        refresh_seconds=0,
        theme="textual-dark",
        book="disk",
        config_path=None,
    )
    app = BeeperApp(settings)
    started = datetime.now(UTC)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.book_driver.keeper is not None, 60)

        def synced() -> bool:
            # A sync ran to its end in this run (a book from an earlier run is synced again).
            keeper = app.book_driver.keeper
            book = None if keeper is None else keeper.book
            latest = None if book is None else book.last_synced()
            pager = app_access.pager(app)
            return (
                keeper is not None
                and not keeper.syncing
                and latest is not None
                and latest >= started
                and isinstance(pager, BookSource)
                and len(pager.items) >= BIG
            )

        await wait_for(pilot, synced, 300)
        await settle(app, pilot)
        # What the user's top shows a little later: the book has been still long enough to
        # save its index and give back the heap its rebuilds used (service/book/heap.py).
        await pilot.pause(STILL_SECONDS)
        gc.collect()
        synced_rss = rss_bytes()
        rows = app_access.contact_list(app)
        rows.focus()
        height = rows.scrollable_content_region.height
        # Page through to the end: every row read once, as PageDown after PageDown reads it.
        items = rows.items
        for start in range(0, len(items), height):
            for row in items[start : start + height]:
                assert row is not None
        await pilot.press("end")
        await settle(app, pilot)
        listed = len(rows.items)
        gc.collect()
        after = rss_bytes()
    return {"synced": synced_rss, "after": after, "listed": listed}


def child_main() -> None:
    """``--child URL CACHE``: run the app, print its figures as JSON."""
    print(json.dumps(asyncio.run(run_app(sys.argv[2], sys.argv[3]))))


class MemoryWithBook:
    """Figure 18: the app's RSS with the 100,000-contact book synced and listed to the end."""

    number = 18
    name = "RSS, 100k contacts in the book and the list"
    target = f"<= {TARGET_MB:g} MB"
    unit = "MB"

    def run(self) -> list[Result]:
        """Serve the big dataset here; run the app in a fresh child per run."""
        from beeper_tui.demo import DEMO_TOKEN, build_dataset
        from beeper_tui.demo.server import serve_in_thread  # uvicorn: only the server side
        from benchmarks.driving import recording_demo

        dataset = build_dataset(big_account_size=BIG)
        for account in dataset.accounts:
            _ = account.index  # build once, before the first run
        first: list[dict[str, int]] = []  # the book synced from nothing
        again: list[dict[str, int]] = []  # the next start: the saved index, synced again
        with serve_in_thread(recording_demo(dataset)) as base_url:
            for _ in range(RUNS):
                with tempfile.TemporaryDirectory(prefix="beeper-tui-bench-") as cache:
                    for runs in (first, again):
                        env = {"BENCH_TOKEN": DEMO_TOKEN}
                        runs.append(run_module(MODULE, "--child", base_url, cache, env=env))

        def mb(runs: list[dict[str, int]], key: str) -> str:
            return ", ".join(f"{r[key] / 2**20:.0f}" for r in runs)

        worst = max(r["after"] for r in first + again) / 2**20
        listed = min(r["listed"] for r in first + again)
        return [
            Result.of(
                self,
                worst,
                f"{worst:.0f} MB (first start: {mb(first, 'after')}; next: {mb(again, 'after')})",
                worst <= TARGET_MB and listed >= BIG,
                (
                    "real app in a child process, book on disk synced over loopback HTTP "
                    f"(first start from nothing; next start from the saved index, synced again), "
                    f"{listed:,} people in the list, every row read once; "
                    f"once synced, before paging: {mb(first, 'synced')} / {mb(again, 'synced')} MB",
                ),
            )
        ]


FIGURE = MemoryWithBook()

if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child_main()
    else:
        print_results(FIGURE)
