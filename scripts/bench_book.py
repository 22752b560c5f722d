"""Address book figures: query speed at 100,000 contacts, sync time, loop stalls, memory.

``book_figures()`` returns ``(figure, target, measured, passed)`` rows for
``scripts/bench.py``; ``python scripts/bench_book.py`` prints them.

The demo server with 100,000 contacts over 10 accounts (10,000 each) runs in
a child process, as Beeper Desktop would, and is reached over loopback HTTP.
The book is synced into a temporary file, queried in-process (each query once,
cold, taking the top 50 rows as the screen would), then the same queries go
through today's server path (an ``AllAccountsPager`` of ``ContactPager`` s, first
page of every account). Memory is read in a fresh process that only opens the
book and runs one query.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from beeper_tui.api.client import BeeperClient
from beeper_tui.service.all_accounts import AllAccountsPager
from beeper_tui.service.book import AddressBook
from beeper_tui.service.contacts import ContactPager

ACCOUNTS = 10
PER_ACCOUNT = 10_000
TOP_ROWS = 50
QUERY_TARGET_MS = 15.0
SYNC_TARGET_S = 15.0
STALL_TARGET_MS = 50.0
RSS_TARGET_MB = 250.0
SERVER_QUERIES = 40

Figure = tuple[str, str, str, bool]

# The demo (and Faker with it) is imported only by the child that serves it:
# the measuring process should look like the app talking to Beeper Desktop.
DEMO_TOKEN = "demo-token"
if TYPE_CHECKING:
    from beeper_tui.demo import Dataset


def bench_dataset() -> Dataset:
    """The demo's networks, ten enabled accounts of 10,000 contacts each."""
    from beeper_tui.demo import Dataset, DemoAccount, build_dataset

    base = build_dataset()
    accounts = [
        DemoAccount(
            dataclasses.replace(a.spec, size=PER_ACCOUNT), a.wire, a.owner, base.seed, a.shared
        )
        for a in base.accounts
        if a.spec.status != "disabled"
    ][:ACCOUNTS]
    return Dataset(base.seed, accounts)


def _serve() -> None:
    """Child process: build and warm the dataset, serve it, stop when stdin closes."""
    from beeper_tui.demo import create_demo_app, serve_in_thread

    dataset = bench_dataset()
    for account in dataset.accounts:
        _ = account.index
    # A build that lists every account in /v1/accounts (4.3 hides some).
    with serve_in_thread(create_demo_app(dataset, desktop_version="4.2.808")) as base_url:
        print(base_url, flush=True)
        sys.stdin.read()


@contextmanager
def demo_server() -> Iterator[str]:
    """The 100,000-contact demo in a child process; yields its loopback base URL."""
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        base_url = child.stdout.readline().strip()
        if not base_url.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"demo server did not start: {base_url!r}")
        yield base_url
    finally:
        if child.stdin is not None:
            child.stdin.close()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


class StallMeter:
    """Measures how late the event loop wakes a 5 ms sleeper: its worst stall."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(0.005)
            self.worst = max(self.worst, time.perf_counter() - started - 0.005)

    def __enter__(self) -> StallMeter:
        self._task = asyncio.get_running_loop().create_task(self._tick())
        return self

    def __exit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()


def queries(book: AddressBook, count: int = 25, seed: int = 3) -> list[str]:
    """Type-ahead prefixes of real names, typos, phone digits: what people type."""
    rng = random.Random(seed)
    everyone = book.search("")
    picks = [everyone.people[rng.randrange(everyone.total)] for _ in range(count * 3)]
    named = [p for p in picks if p.contact.user.full_name and p.name.isascii()][:count]
    typed: list[str] = []
    for person in named:
        name = person.name.lower()
        typed.extend(name[:n] for n in range(1, min(len(name), 12) + 1))
        words = name.split()
        if len(words) > 1:
            typed.append(f"{words[-1]} {words[0]}")  # any order
        longest = max(words, key=len)
        if len(longest) >= 5:
            cut = rng.randrange(1, len(longest) - 1)
            typed.append(longest[:cut] + longest[cut + 1 :])  # a missing letter
        phone = person.contact.user.phone_number
        if phone:
            typed.append(phone[-7:])
    return [q for q in typed if q.strip()]


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def _book_query_ms(book: AddressBook, typed: list[str]) -> list[float]:
    times: list[float] = []
    for q in typed:
        started = time.perf_counter()
        result = book.search(q, limit=TOP_ROWS)
        list(result.people)
        times.append((time.perf_counter() - started) * 1000)
    return times


async def _server_query_ms(
    client: BeeperClient, account_ids: list[str], typed: list[str]
) -> list[float]:
    times: list[float] = []
    for q in typed:
        started = time.perf_counter()
        pager = AllAccountsPager([ContactPager(client, a, q) for a in account_ids])
        await pager.load_next()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _rss_of_loaded_book(path: Path) -> float:
    out = subprocess.run(
        [sys.executable, __file__, "--rss", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def _rss_child(path: str) -> None:
    async def main() -> None:
        book = await AddressBook.open(Path(path))
        list(book.search("ma", limit=TOP_ROWS).people)
        await book.close()

    asyncio.run(main())
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                print(int(line.split()[1]) / 1024)


async def _measure(workdir: Path) -> list[Figure]:
    figures: list[Figure] = []
    path = workdir / "book.sqlite3"
    with demo_server() as base_url:
        async with BeeperClient(base_url, DEMO_TOKEN) as client:
            accounts = await client.list_accounts()
            book = await AddressBook.open(path)
            # As the app does (BeeperApp._book_changed): each new index goes into
            # the permanent generation, so full collections stop rescanning it.
            gc.collect()
            gc.freeze()
            book.add_listener(gc.freeze)
            with StallMeter() as meter:
                started = time.perf_counter()
                errors = await book.syncer(client).run(accounts)
                sync_s = time.perf_counter() - started
            failed = [a for a, e in errors.items() if e is not None]
            contacts = len(book.index)
            typed = queries(book)
            book_ms = _book_query_ms(book, typed)
            step = max(1, len(typed) // SERVER_QUERIES)
            server_ms = await _server_query_ms(
                client, [a.account_id for a in accounts], typed[::step][:SERVER_QUERIES]
            )
            await book.close()
    book_p95 = _p95(book_ms)
    figures.append(
        (
            f"book query → top {TOP_ROWS} rows, p95 ({contacts:,} contacts, "
            f"{len(book.account_ids)} accounts, {len(book_ms)} queries)",
            f"≤ {QUERY_TARGET_MS:g} ms",
            f"{book_p95:.1f} ms (median {statistics.median(book_ms):.1f})",
            book_p95 <= QUERY_TARGET_MS,
        )
    )
    server_p95 = _p95(server_ms)
    figures.append(
        (
            f"same queries via server path (ContactPager × {len(accounts)}), p95",
            "for comparison",
            f"{server_p95:.1f} ms (median {statistics.median(server_ms):.1f})",
            True,
        )
    )
    synced_ok = not failed and contacts >= ACCOUNTS * PER_ACCOUNT
    figures.append(
        (
            f"full sync of {contacts:,} contacts over loopback HTTP",
            f"≤ {SYNC_TARGET_S:g} s",
            f"{sync_s:.1f} s" + (f" (failed: {', '.join(failed)})" if failed else ""),
            synced_ok and sync_s <= SYNC_TARGET_S,
        )
    )
    stall_ms = meter.worst * 1000
    figures.append(
        (
            "worst event-loop stall during the sync",
            f"≤ {STALL_TARGET_MS:g} ms",
            f"{stall_ms:.1f} ms",
            stall_ms <= STALL_TARGET_MS,
        )
    )
    rss = _rss_of_loaded_book(path)
    figures.append(
        (
            f"RSS with the {contacts:,}-contact book loaded",
            f"≤ {RSS_TARGET_MB:g} MB",
            f"{rss:.0f} MB",
            rss <= RSS_TARGET_MB,
        )
    )
    return figures


def book_figures() -> list[Figure]:
    """Measure the address book figures; each row is (figure, target, measured, passed)."""
    with tempfile.TemporaryDirectory(prefix="beeper-tui-bench-") as workdir:
        return asyncio.run(_measure(Path(workdir)))


def main() -> None:
    if sys.argv[1:2] == ["--serve"]:
        _serve()
        return
    if sys.argv[1:2] == ["--rss"]:
        _rss_child(sys.argv[2])
        return
    rows = book_figures()
    if sys.argv[1:2] == ["--json"]:  # for scripts/bench.py
        print(json.dumps(rows))
        return
    width = max(len(r[0]) for r in rows)
    for figure, target, measured, passed in rows:
        print(f"{figure:<{width}}  {target:>14}  {measured:>24}  {'PASS' if passed else 'FAIL'}")
    print(
        f"{sum(r[3] for r in rows)}/{len(rows)} address book figures pass (cpus: {os.cpu_count()})"
    )


if __name__ == "__main__":
    main()
