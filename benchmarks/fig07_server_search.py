"""Figure 7: the demo server's search on a 100,000-contact account, p95 of 400 requests.

200 typical queries (name prefixes and fragments, handles, mail, digits,
misses), each through ``contacts/list`` and the contacts search, over httpx's
ASGI transport (no sockets: the server's own time).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass

import httpx

from beeper_tui.demo import DEMO_TOKEN, build_dataset
from benchmarks.driving import big_account, recording_demo
from benchmarks.figure import Result, ms, percentile, print_results
from benchmarks.queries import server_queries


@dataclass(frozen=True)
class Searched:
    """What the searches took."""

    times: list[float]
    """Seconds per request."""
    queries: int
    index_build: float
    """Seconds the first request took, building the account's index."""


async def search_times() -> Searched:
    """Ask every query through both endpoints, timing each request."""
    dataset = build_dataset(big_account_size=100_000)
    account = big_account(dataset)
    demo = recording_demo(dataset)
    base = f"/v1/accounts/{account.account_id}/contacts"
    headers = {"Authorization": f"Bearer {DEMO_TOKEN}"}
    transport = httpx.ASGITransport(app=demo)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        start = time.perf_counter()
        first = await client.get(f"{base}/list", params={"query": "a"}, headers=headers)
        first.raise_for_status()
        index_build = time.perf_counter() - start
        times: list[float] = []
        queries = server_queries(account, 200)
        for query in queries:
            for path, params in (
                (f"{base}/list", {"query": query, "limit": "50"}),
                (base, {"query": query}),
            ):
                start = time.perf_counter()
                response = await client.get(path, params=params, headers=headers)
                times.append(time.perf_counter() - start)
                if response.status_code not in (200, 422):
                    response.raise_for_status()
    return Searched(times, len(queries), index_build)


class ServerSearch:
    """Figure 7: the demo answers searches on 100,000 contacts quickly."""

    number = 7
    name = "Server search, 100k contacts (p95)"
    target = "<= 20 ms"
    unit = "ms"

    def run(self) -> list[Result]:
        """Ask 400 searches; p95."""
        searched = asyncio.run(search_times())
        times = searched.times
        p95 = percentile(times, 95)
        return [
            Result.of(
                self,
                p95 * 1000,
                ms(p95),
                p95 <= 0.020,
                (
                    f"{len(times)} requests ({searched.queries} typical queries x "
                    "contacts/list and contacts search) through httpx's ASGI transport; "
                    f"median {ms(statistics.median(times))}, max {ms(max(times))}; "
                    f"building the index once took {ms(searched.index_build)}",
                ),
            )
        ]


FIGURE = ServerSearch()

if __name__ == "__main__":
    print_results(FIGURE)
