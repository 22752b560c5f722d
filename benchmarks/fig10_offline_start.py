"""Figure 10: start to the cached list painted, with the server not answering.

A book is synced once from the in-process demo (its default dataset) into a
temporary file; then five fresh processes (``python -m
benchmarks.startup_child offline URL CACHE_DIR``) each start ``beeper-tui`` from
its command line against a loopback port nobody listens on, with that book, and
are timed from just before the spawn to the first frame with the book's rows
painted (:mod:`benchmarks.paint_probe`). Between them, five fresh processes of a
bare Textual app (``startup_child bare``) are timed to their first frame the same
way: the target is relative to that yardstick, measured in the same run under the
same load (at most twice it; on an idle machine that is at most 0.5 s).
"""

from __future__ import annotations

import asyncio
import socket
import statistics
import tempfile
from pathlib import Path

from benchmarks.child import run_module
from benchmarks.figure import Result, print_results

TARGET_RATIO = 2.0
"""At most this many bare Textual first paints (the issue's target)."""
IDLE_TARGET_S = 0.5
"""What that comes to on an idle machine here (printed beside it, not judged: load varies)."""
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


BYTECODE = {"PYTHONDONTWRITEBYTECODE": ""}
"""Both children may cache their bytecode (the uncounted first runs write it), as an
installed beeper-tui and Textual have theirs: a shell with ``PYTHONDONTWRITEBYTECODE``
set would otherwise have every start compile beeper-tui's sources (installed packages
such as Textual come with theirs compiled), which no user's start does."""


def offline_start_once(base_url: str, cache_dir: Path) -> dict[str, float]:
    """One fresh process's wall-clock times (see :mod:`benchmarks.startup_child`)."""
    times: dict[str, float] = run_module(
        "benchmarks.startup_child",
        "offline",
        base_url,
        str(cache_dir),
        stamp_start=True,
        env=BYTECODE,
    )
    return times


def bare_start_once() -> dict[str, float]:
    """One fresh bare Textual app's wall-clock times, to its first frame."""
    times: dict[str, float] = run_module(
        "benchmarks.startup_child", "bare", stamp_start=True, env=BYTECODE
    )
    return times


def spread(values: list[float]) -> str:
    """``0.41-0.52 s``: the lowest and the highest of the runs."""
    return f"{min(values):.2f}-{max(values):.2f} s"


class OfflineStart:
    """Figure 10: the book's rows come up without Desktop."""

    number = 10
    name = "Start to the cached list painted, server not answering, vs a bare Textual app"
    target = f"<= {TARGET_RATIO:g}x bare Textual (<= {IDLE_TARGET_S:g} s idle)"
    unit = "x"

    def run(self) -> list[Result]:
        """Write a book; start the app on it and a bare Textual app, 1 + 5 times each,
        in turns; the ratio of the medians."""
        with tempfile.TemporaryDirectory(prefix="beeper-tui-bench-") as workdir:
            # The app finds its book where every user's is: under XDG_CACHE_HOME.
            cache_dir = Path(workdir)
            path = cache_dir / "beeper-tui" / "book.sqlite3"
            path.parent.mkdir(mode=0o700)
            contacts = asyncio.run(write_book(path))
            base_url = f"http://127.0.0.1:{closed_port()}"
            # Not counted: writes the bytecode caches and warms the page cache for both.
            offline_start_once(base_url, cache_dir)
            bare_start_once()
            runs, bares = [], []
            for _ in range(RUNS):  # in turns: both see the same load
                bares.append(bare_start_once())
                runs.append(offline_start_once(base_url, cache_dir))
        ours = [r["painted"] - r["start"] for r in runs]
        yardstick = [r["painted"] - r["start"] for r in bares]
        total, bare = statistics.median(ours), statistics.median(yardstick)
        ratio = total / bare
        boot = statistics.median([r["main"] - r["start"] for r in runs])
        return [
            Result.of(
                self,
                ratio,
                f"{total:.2f} s vs {bare:.2f} s (x{ratio:.2f})",
                ratio <= TARGET_RATIO,
                (
                    f"median of {RUNS} fresh processes each, in turns: `beeper-tui` from its "
                    f"command line to the book's rows, {contacts:,}-contact book on disk, "
                    f"connection refused: {total:.2f} s (runs {spread(ours)}); a bare Textual "
                    f"app to its first frame: {bare:.2f} s (runs {spread(yardstick)}); "
                    f"interpreter start {boot * 1000:.0f} ms, {int(runs[0]['rows']):,} rows "
                    f"listed; idle target {IDLE_TARGET_S:g} s "
                    f"({'met' if total <= IDLE_TARGET_S else 'not met'} in this run)",
                ),
            )
        ]


FIGURE = OfflineStart()

if __name__ == "__main__":
    print_results(FIGURE)
