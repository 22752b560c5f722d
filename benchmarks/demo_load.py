"""Load figures for the demo server: a bounded burst over keep-alive connections.

``python -m benchmarks.demo_load`` (run by ``make bench``) serves the demo on a
free loopback port, then prints p50/p95 for one keep-alive client asking in
turn, and for a burst of 2,000 requests over 50 keep-alive connections. Every
answer is checked; the figures are printed, not judged.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from dataclasses import dataclass

import httpx

from beeper_tui.demo import DEMO_TOKEN, build_dataset, create_demo_app
from beeper_tui.demo.server import DemoServer

__all__ = ["LoadResult", "burst", "main", "sequential"]

AUTH = {"Authorization": f"Bearer {DEMO_TOKEN}"}


@dataclass(frozen=True)
class LoadResult:
    """Latencies (seconds) of a run, every answer checked."""

    latencies: list[float]
    wall: float
    connections: int

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.latencies, n=20)[-1]

    def line(self, label: str) -> str:
        return (
            f"{label}: {len(self.latencies)} requests over {self.connections} connection(s) "
            f"in {self.wall:.2f} s: p50 {self.p50 * 1000:.1f} ms, p95 {self.p95 * 1000:.1f} ms, "
            f"{len(self.latencies) / self.wall:.0f} req/s"
        )


def _check(response: httpx.Response, path: str) -> None:
    if response.status_code != 200:
        raise AssertionError(f"{path}: HTTP {response.status_code}")
    data = response.json()
    if path.endswith("/contacts/list"):
        if not isinstance(data, dict) or not data.get("items"):
            raise AssertionError(f"{path}: no contacts in the answer")
    elif not isinstance(data, dict | list):
        raise AssertionError(f"{path}: not a JSON object")


def _paths(account_ids: list[str]) -> list[str]:
    paths = ["/v1/info", "/v1/accounts"]
    paths += [f"/v1/accounts/{a}/contacts/list" for a in account_ids]
    return paths


async def sequential(base_url: str, paths: list[str], count: int) -> LoadResult:
    """``count`` requests one after another on one keep-alive connection."""
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(base_url=base_url, headers=AUTH, limits=limits) as client:
        await client.get("/v1/info")  # open the connection first
        started = time.perf_counter()
        for i in range(count):
            path = paths[i % len(paths)]
            t0 = time.perf_counter()
            response = await client.get(path, params={"limit": "5"} if "list" in path else None)
            latencies.append(time.perf_counter() - t0)
            _check(response, path)
        wall = time.perf_counter() - started
    return LoadResult(latencies, wall, 1)


async def burst(
    base_url: str, paths: list[str], count: int = 2000, connections: int = 50
) -> LoadResult:
    """``count`` requests at once over ``connections`` keep-alive connections."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    latencies: list[float] = []
    async with httpx.AsyncClient(
        base_url=base_url, headers=AUTH, limits=limits, timeout=60
    ) as client:
        queue: asyncio.Queue[str] = asyncio.Queue()
        for i in range(count):
            queue.put_nowait(paths[i % len(paths)])

        async def worker() -> None:
            while True:
                try:
                    path = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                t0 = time.perf_counter()
                params = {"limit": "5"} if "list" in path else None
                response = await client.get(path, params=params)
                latencies.append(time.perf_counter() - t0)
                _check(response, path)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        wall = time.perf_counter() - started
    if len(latencies) != count:
        raise AssertionError(f"{len(latencies)} answers for {count} requests")
    return LoadResult(latencies, wall, connections)


async def _run(base_url: str, account_ids: list[str]) -> None:
    paths = _paths(account_ids)
    print((await sequential(base_url, paths, 300)).line("keep-alive client"))
    print((await burst(base_url, paths)).line("burst"))


def main() -> int:
    dataset = build_dataset(big_account_size=2000)
    account_ids = [a.account_id for a in dataset.accounts]
    for account in dataset.accounts:
        _ = account.index  # build once, before the clock starts
    with DemoServer(create_demo_app(dataset)) as server:
        print(f"demo server load ({server.base_url}):")
        asyncio.run(_run(server.base_url, account_ids))
    return 0


if __name__ == "__main__":
    sys.exit(main())
