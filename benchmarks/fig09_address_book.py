"""Figure 9: the address book at 100,000 contacts: query speed, sync time, stalls, memory.

The demo server with 100,000 contacts over 10 accounts (10,000 each) runs in
a child process (``--serve``), as Beeper Desktop would, and is reached over
loopback HTTP. The book is synced into a temporary file, queried in-process
(each query once, cold, taking the top 50 rows as the screen would), then
the same queries go through the server path (an ``AllAccountsPager`` of
``ContactPager`` s, first page of every account), for comparison. Memory is
read in a fresh process (``--rss BOOK``) that only opens the book and runs
one query. The demo (and Faker with it) is imported only by the child that
serves it: the measuring process should look like the app talking to Desktop.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from beeper_tui.api.client import BeeperClient
from beeper_tui.service.all_accounts import AllAccountsPager
from beeper_tui.service.book import AddressBook
from beeper_tui.service.contacts import ContactPager
from benchmarks.child import run_module
from benchmarks.demo_server import serve_until_stdin_closes, served_by
from benchmarks.figure import Result, print_results
from benchmarks.stalls import LoopLag

if TYPE_CHECKING:
    from beeper_tui.demo import Dataset

MODULE = "benchmarks.fig09_address_book"
ACCOUNTS = 10
PER_ACCOUNT = 10_000
TOP_ROWS = 50
QUERY_TARGET_MS = 15.0
SYNC_TARGET_S = 15.0
STALL_TARGET_MS = 50.0
RSS_TARGET_MB = 250.0
SERVER_QUERIES = 40
DEMO_TOKEN = "demo-token"  # beeper_tui.demo.DEMO_TOKEN, without importing the demo


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


def serve() -> None:
    """Child side (``--serve``): build and warm the dataset, serve it until stdin closes."""
    from beeper_tui.demo import create_demo_app

    dataset = bench_dataset()
    for account in dataset.accounts:
        _ = account.index
    # A build that lists every account in /v1/accounts (4.3 hides some).
    serve_until_stdin_closes(create_demo_app(dataset, desktop_version="4.2.808"))


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


def p95(values: list[float]) -> float:
    """The 95th percentile, interpolated as ``statistics.quantiles`` does."""
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def book_query_ms(book: AddressBook, typed: list[str]) -> list[float]:
    """Milliseconds per query to the book's top rows."""
    times: list[float] = []
    for q in typed:
        started = time.perf_counter()
        result = book.search(q, limit=TOP_ROWS)
        list(result.people)
        times.append((time.perf_counter() - started) * 1000)
    return times


async def server_query_ms(
    client: BeeperClient, account_ids: list[str], typed: list[str]
) -> list[float]:
    """Milliseconds per query to the first page of every account from the server."""
    times: list[float] = []
    for q in typed:
        started = time.perf_counter()
        pager = AllAccountsPager([ContactPager(client, a, q) for a in account_ids])
        await pager.load_next()
        times.append((time.perf_counter() - started) * 1000)
    return times


def rss_of_loaded_book() -> float:
    """Child side (``--rss BOOK``): MB resident after opening the book and one query."""

    async def main() -> None:
        book = await AddressBook.open(Path(sys.argv[2]))
        list(book.search("ma", limit=TOP_ROWS).people)
        await book.close()

    asyncio.run(main())
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


@dataclasses.dataclass
class Measured:
    """What one sync-and-query run measured."""

    contacts: int
    accounts: int
    book_accounts: int
    failed: list[str]
    sync_s: float
    stall_ms: float
    book_ms: list[float]
    server_ms: list[float]


async def measure(path: Path) -> Measured:
    """Sync the served demo into the book at ``path``, then query both ways."""
    with served_by(MODULE) as base_url:
        async with BeeperClient(base_url, DEMO_TOKEN) as client:
            accounts = await client.list_accounts()
            book = await AddressBook.open(path)
            # As the app does (BeeperApp._book_changed): each new index goes into
            # the permanent generation, so full collections stop rescanning it.
            gc.collect()
            gc.freeze()
            book.add_listener(gc.freeze)
            with LoopLag() as lag:
                started = time.perf_counter()
                errors = await book.syncer(client).run(accounts)
                sync_s = time.perf_counter() - started
            typed = queries(book)
            book_ms = book_query_ms(book, typed)
            step = max(1, len(typed) // SERVER_QUERIES)
            server_ms = await server_query_ms(
                client, [a.account_id for a in accounts], typed[::step][:SERVER_QUERIES]
            )
            measured = Measured(
                contacts=len(book.index),
                accounts=len(accounts),
                book_accounts=len(book.account_ids),
                failed=[a for a, e in errors.items() if e is not None],
                sync_s=sync_s,
                stall_ms=lag.worst * 1000,
                book_ms=book_ms,
                server_ms=server_ms,
            )
            await book.close()
    return measured


class AddressBookFigures:
    """Figure 9: the address book's rows of the table."""

    number = 9
    name = "address book"
    target = f"≤ {QUERY_TARGET_MS:g} ms"
    unit = "ms"

    def _row(
        self, name: str, target: str, value: float, unit: str, measured: str, passed: bool
    ) -> Result:
        return Result(self.number, name, target, value, unit, measured, passed)

    def run(self) -> list[Result]:
        """Sync, query both ways, then read a fresh process's memory."""
        with tempfile.TemporaryDirectory(prefix="beeper-tui-bench-") as workdir:
            path = Path(workdir) / "book.sqlite3"
            m = asyncio.run(measure(path))
            rss: float = run_module(MODULE, "--rss", str(path))
        book_p95, server_p95 = p95(m.book_ms), p95(m.server_ms)
        synced_ok = not m.failed and m.contacts >= ACCOUNTS * PER_ACCOUNT
        return [
            self._row(
                f"book query → top {TOP_ROWS} rows, p95 ({m.contacts:,} contacts, "
                f"{m.book_accounts} accounts, {len(m.book_ms)} queries)",
                f"≤ {QUERY_TARGET_MS:g} ms",
                book_p95,
                "ms",
                f"{book_p95:.1f} ms (median {statistics.median(m.book_ms):.1f})",
                book_p95 <= QUERY_TARGET_MS,
            ),
            self._row(
                f"same queries via server path (ContactPager × {m.accounts}), p95",
                "for comparison",
                server_p95,
                "ms",
                f"{server_p95:.1f} ms (median {statistics.median(m.server_ms):.1f})",
                True,
            ),
            self._row(
                f"full sync of {m.contacts:,} contacts over loopback HTTP",
                f"≤ {SYNC_TARGET_S:g} s",
                m.sync_s,
                "s",
                f"{m.sync_s:.1f} s" + (f" (failed: {', '.join(m.failed)})" if m.failed else ""),
                synced_ok and m.sync_s <= SYNC_TARGET_S,
            ),
            self._row(
                "worst event-loop stall during the sync",
                f"≤ {STALL_TARGET_MS:g} ms",
                m.stall_ms,
                "ms",
                f"{m.stall_ms:.1f} ms",
                m.stall_ms <= STALL_TARGET_MS,
            ),
            self._row(
                f"RSS with the {m.contacts:,}-contact book loaded",
                f"≤ {RSS_TARGET_MB:g} MB",
                rss,
                "MB",
                f"{rss:.0f} MB",
                rss <= RSS_TARGET_MB,
            ),
        ]


FIGURE = AddressBookFigures()

if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve()
    elif sys.argv[1:2] == ["--rss"]:
        print(json.dumps(rss_of_loaded_book()))
    else:
        print_results(FIGURE)
