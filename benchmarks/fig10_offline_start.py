"""Figure 10: start to the cached list painted, with the server not answering.

A book is synced once from the in-process demo (its default dataset) into a
temporary file; then five fresh processes (``python -m
benchmarks.startup_child offline URL BOOK``) each start the app against a
loopback port nobody listens on, with that book, and are timed from just
before the spawn to the first frame with the book's rows painted
(:mod:`benchmarks.paint_probe`).
"""

from __future__ import annotations

import asyncio
import socket
import statistics
import tempfile
from pathlib import Path

from benchmarks.child import run_module
from benchmarks.figure import Result, print_results

TARGET_S = 0.6
RUNS = 5


async def write_book(path: Path) -> int:
    """Sync the demo's default dataset into a book at ``path``; its contacts."""
    from beeper_tui.demo import build_dataset, create_demo_app
    from beeper_tui.service.book import AddressBook
    from beeper_tui.wiring import open_backend

    backend = open_backend(
        base_url="http://x", access_token=None, demo_app=create_demo_app(build_dataset())
    )
    accounts = await backend.accounts.refresh()
    book = await AddressBook.open(path)
    await book.syncer(backend.client).run(accounts)
    contacts = len(book.index)
    await book.close()
    await backend.aclose()
    return contacts


def closed_port() -> int:
    """A loopback port nobody listens on: connecting is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def offline_start_once(base_url: str, cache_dir: Path) -> dict[str, float]:
    """One fresh process's wall-clock times (see :mod:`benchmarks.startup_child`)."""
    times: dict[str, float] = run_module(
        "benchmarks.startup_child", "offline", base_url, str(cache_dir), stamp_start=True
    )
    return times


class OfflineStart:
    """Figure 10: the book's rows come up without Desktop."""

    number = 10
    name = "Start to the cached list painted, server not answering"
    target = f"<= {TARGET_S:g} s"
    unit = "s"

    def run(self) -> list[Result]:
        """Write a book; start the app on it 1 + 5 times; the median of the 5."""
        with tempfile.TemporaryDirectory(prefix="beeper-tui-bench-") as workdir:
            # The app finds its book where every user's is: under XDG_CACHE_HOME.
            cache_dir = Path(workdir)
            path = cache_dir / "beeper-tui" / "book.sqlite3"
            path.parent.mkdir(mode=0o700)
            contacts = asyncio.run(write_book(path))
            base_url = f"http://127.0.0.1:{closed_port()}"
            offline_start_once(base_url, cache_dir)  # not counted: warms .pyc and page cache
            runs = [offline_start_once(base_url, cache_dir) for _ in range(RUNS)]
        total = statistics.median([r["painted"] - r["start"] for r in runs])
        boot = statistics.median([r["main"] - r["start"] for r in runs])
        return [
            Result.of(
                self,
                total,
                f"{total:.2f} s",
                total <= TARGET_S,
                (
                    f"median of {RUNS} fresh processes, {contacts:,}-contact book on disk, "
                    f"connection refused; interpreter start {boot * 1000:.0f} ms, "
                    f"{int(runs[0]['rows']):,} rows listed",
                ),
            )
        ]


FIGURE = OfflineStart()

if __name__ == "__main__":
    print_results(FIGURE)
