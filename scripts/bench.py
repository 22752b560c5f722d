"""Performance figures for beeper-tui: `make bench` (not part of `make test`).

Drives the real app headless (``App.run_test`` with a Pilot) against the
embedded demo server and prints one table: each figure, its target, the
measured value and PASS/FAIL, then a one-line summary. The exit status is 0
even when a figure fails; read the summary line. Each figure runs in a fresh
process (``--figure N``), so its heap and garbage collections are like the
app's own rather than the leftovers of the figures before it.

How "painted" is detected (figures 2 and 6): the probe wraps the widget's
``render_line`` and the app's ``_display``. A frame counts as painted when the
compositor has drawn the widget's new rows and handed the update to
``_display``; the probe then also encodes that update as terminal output
(``render_segments``), the work a headless run skips and a real terminal does
on every frame.

``python scripts/bench.py --only 3,7`` runs some figures only.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

os.environ["TEXTUAL_ANIMATIONS"] = "none"
os.environ.pop("BEEPER_ACCESS_TOKEN", None)
os.environ.pop("BEEPER_BASE_URL", None)
os.environ.pop("BEEPER_DESKTOP_BASE_URL", None)
# The app factory and waiting helpers are the tests' own (tests/ui_helpers.py).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
import textual
from rich.console import RenderableType
from rich.text import Text
from starlette.applications import Starlette
from textual import events
from textual._compositor import CompositorUpdate
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import OptionList
from textual.widgets.option_list import Option
from textual.worker import WorkerCancelled

from beeper_tui.api.models import ContactPage
from beeper_tui.config import Settings
from beeper_tui.demo import DEMO_TOKEN, Dataset, DemoAccount, Latency, build_dataset
from beeper_tui.demo import create_demo_app as _create_demo_app
from beeper_tui.service.contacts import ContactPager
from beeper_tui.service.names import best_name, secondary_text
from beeper_tui.service.person import Contact
from beeper_tui.ui.app import BeeperApp
from beeper_tui.ui.contact_list import ContactList
from tests.ui_helpers import app_on_demo, show_big_account
from tests.ui_helpers import settle as settle_once

SIZE = (120, 40)
DEBOUNCE_MS = 200  # the app's default (Settings.debounce_ms)
BIG_NETWORK = "slackgo"  # the demo's big Slack workspace
CONTACTS_PATH = r"/contacts(/list)?$"


async def settle(app: Any, pilot: Any, extra: float = 0.0) -> None:
    """The tests' ``settle``, waiting on when a superseded worker was cancelled meanwhile.

    Typing at full speed cancels the person view's debounced workers as the
    cursor moves on; that is what they are for, not a failure of the run.
    """
    for _ in range(10):
        try:
            await settle_once(app, pilot, extra)
        except WorkerCancelled:
            extra = 0.0
            continue
        return
    await settle_once(app, pilot)


def create_demo_app(dataset: Dataset, latency: Latency | None = None) -> Starlette:
    """A fresh demo app (own request log) over a shared dataset."""
    return _create_demo_app(dataset, latency=latency, record=True)


# -- results -------------------------------------------------------------------


@dataclass
class Result:
    """One row of the table."""

    number: int
    name: str
    target: str
    measured: str
    passed: bool
    notes: tuple[str, ...] = ()


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (p95 of 20 values is the 19th smallest)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- driving the app -------------------------------------------------------------


def make_app(demo_app: Starlette, *, debounce_ms: int = DEBOUNCE_MS) -> BeeperApp:
    """The real app on an in-process demo, with the app's own debounce."""
    return app_on_demo(demo_app, debounce_ms=debounce_ms)


def send_key(app: App[Any], key: str) -> None:
    """Deliver one key as the terminal driver does.

    ``Pilot.press`` waits for the app to go idle after every key (at least
    40 ms), too slow to type at 40 ms per key or to hold PageDown at 30/s.
    """
    name = "space" if key == " " else key
    event = events.Key(name, key if len(key) == 1 else None)
    event.set_sender(app)
    app.post_message(event)


async def sleep_until(deadline: float) -> None:
    delay = deadline - time.perf_counter()
    if delay > 0:
        await asyncio.sleep(delay)


async def type_text(app: App[Any], text: str, interval: float) -> float:
    """Type ``text`` one key every ``interval`` seconds; the time of the last key."""
    start = time.perf_counter()
    last = start
    for i, char in enumerate(text):
        await sleep_until(start + i * interval)
        last = time.perf_counter()
        send_key(app, char)
    return last


async def wait_until(condition: Callable[[], bool], within: float) -> bool:
    deadline = time.perf_counter() + within
    while not condition():
        if time.perf_counter() > deadline:
            return False
        await asyncio.sleep(0.001)
    return True


def big_account(dataset: Dataset) -> DemoAccount:
    return next(a for a in dataset.accounts if a.spec.key == BIG_NETWORK)


def showing(app: BeeperApp, query: str) -> Callable[[], bool]:
    """Whether the list shows the first page of ``query``'s results."""

    def check() -> bool:
        pager = app.pane.pager
        return (
            pager is not None
            and pager.query == query
            and pager.started
            and app.pane.contact_list.items is pager.items
        )

    return check


class PaintProbe:
    """Encodes every frame for the terminal; notes when one first draws ``widget`` while armed."""

    def __init__(self, app: App[Any], widget: Widget | None = None) -> None:
        self._condition: Callable[[], bool] | None = None
        self._drawn = False
        self.painted_at: float | None = None
        display = app._display

        def probed_display(screen: Screen[Any], renderable: RenderableType | None) -> None:
            display(screen, renderable)
            if renderable is None:
                return
            if isinstance(renderable, CompositorUpdate):
                # Headless runs skip this; a terminal pays for it on every frame.
                renderable.render_segments(app.console)
            if self._drawn and self.painted_at is None:
                self.painted_at = time.perf_counter()

        app._display = probed_display  # type: ignore[method-assign]
        if widget is not None:
            render_line = widget.render_line

            def probed_render_line(y: int) -> Strip:
                if self._condition is not None and not self._drawn and self._condition():
                    self._drawn = True
                return render_line(y)

            widget.render_line = probed_render_line  # type: ignore[method-assign]

    def arm(self, condition: Callable[[], bool]) -> None:
        """Wait for the next frame that draws the widget while ``condition()`` is true."""
        self._condition = condition
        self._drawn = False
        self.painted_at = None


class GcWatch:
    """Full (generation 2) garbage collections while in the block: start and duration."""

    def __init__(self) -> None:
        self.pauses: list[tuple[float, float]] = []
        self._start = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.pauses.append((self._start, time.perf_counter() - self._start))

    def __enter__(self) -> GcWatch:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc_info: object) -> None:
        gc.callbacks.remove(self._callback)

    def within(self, start: float, end: float) -> list[float]:
        """Durations of the collections that began between ``start`` and ``end``."""
        return [length for began, length in self.pauses if start <= began <= end]


class LoopLag:
    """Event-loop lag: a task sleeps 5 ms in a loop and records the overshoot."""

    TICK = 0.005

    def __init__(self) -> None:
        self.lags: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            start = time.perf_counter()
            await asyncio.sleep(self.TICK)
            self.lags.append(time.perf_counter() - start - self.TICK)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


# -- picking queries ---------------------------------------------------------------


def ascii_names(account: DemoAccount) -> list[str]:
    names = []
    for contact in account.contacts:
        name = contact.get("fullName")
        if isinstance(name, str) and name.isascii() and name.replace(" ", "").isalpha():
            names.append(name.lower())
    return names


def ten_char_query(account: DemoAccount) -> str:
    """A 10-letter name fragment matching between 1 and 40 contacts (one page).

    Without a space: the pane trims the query, so "aaron " would not be a new
    search and an undebounced client would send 9 requests for 10 keys.
    """
    for word in (w for name in ascii_names(account) for w in name.split()):
        query = word[:10]
        if len(query) == 10 and 1 <= len(account.index.match(query)) <= 40:
            return query
    raise RuntimeError("no suitable 10-letter query in the demo dataset")


def typed_queries(account: DemoAccount, count: int, seed: int = 2) -> list[str]:
    """Distinct 3-8 character name fragments, as people type them."""
    rng = random.Random(seed)
    names = ascii_names(account)
    queries: list[str] = []
    while len(queries) < count:
        name = rng.choice(names)
        words = name.split()
        word = rng.choice(words)
        query = word[: rng.randint(3, 8)]
        if len(query) >= 3 and query not in queries:
            queries.append(query)
    return queries


def server_queries(account: DemoAccount, count: int, seed: int = 7) -> list[str]:
    """Typical queries: name prefixes and fragments, handles, mail, digits, misses."""
    rng = random.Random(seed)
    contacts = account.contacts
    queries: list[str] = []
    while len(queries) < count:
        contact = contacts[rng.randrange(len(contacts))]
        name = contact.get("fullName")
        username = contact.get("username")
        email = contact.get("email")
        phone = contact.get("phoneNumber")
        kind = rng.randrange(9)
        query: str | None = None
        if kind <= 2 and isinstance(name, str):
            query = name[: rng.randint(1, 8)]
        elif kind == 3 and isinstance(name, str) and " " in name:
            query = name.split()[-1]
        elif kind == 4 and isinstance(name, str) and len(name) > 4:
            start = rng.randrange(len(name) - 3)
            query = name[start : start + rng.randint(3, 5)]
        elif kind == 5 and isinstance(username, str):
            query = username[: rng.randint(2, len(username))]
        elif kind == 6 and isinstance(email, str):
            query = email if rng.random() < 0.5 else email.split("@")[1][:5]
        elif kind == 7 and isinstance(phone, str):
            digits = phone[-7:]
            query = f"{digits[:3]} {digits[3:5]}"
        elif kind == 8:
            query = "".join(rng.choice("qxzjvk") for _ in range(rng.randint(3, 6)))
        if query and query.strip():
            queries.append(query)
    return queries


# -- 1. requests per typed query ------------------------------------------------------


async def requests_for_typed_query(
    dataset: Dataset, query: str, debounce_ms: int
) -> tuple[int, int]:
    """Contacts requests the demo received while ``query`` was typed: (all, searches).

    A search is a first-page request (no cursor); the others are next pages
    the list prefetched for the results of a query typed so far.
    """
    demo = create_demo_app(dataset)
    state = demo.state.demo
    app = make_app(demo, debounce_ms=debounce_ms)
    async with app.run_test(size=SIZE) as pilot:
        await show_big_account(app, pilot)
        app.main_screen.action_focus_search()
        await pilot.pause()
        state.clear_requests()
        await type_text(app, query, 0.040)
        await wait_until(showing(app, query), 5.0)
        await asyncio.sleep(debounce_ms / 1000 + 0.3)
        await settle(app, pilot)
        if not showing(app, query)():
            raise RuntimeError(f"the results for {query!r} never showed")
        requests = state.requests_to(CONTACTS_PATH)
        return len(requests), sum("cursor" not in r.params for r in requests)


async def fig_requests_per_query() -> Result:
    dataset = build_dataset()
    query = ten_char_query(big_account(dataset))
    debounced, _ = await requests_for_typed_query(dataset, query, DEBOUNCE_MS)
    undebounced, searches = await requests_for_typed_query(dataset, query, 0)
    return Result(
        1,
        "Requests per typed query",
        "exactly 1",
        f"{debounced} (no debounce: {searches})",
        debounced == 1,
        (
            f'"{query}" typed at 40 ms/key, debounce {DEBOUNCE_MS} ms: every contacts '
            f"request the demo received; the same app with debounce 0 sent {searches} "
            f"searches, one per key (plus {undebounced - searches} next-page prefetches "
            "for the broad early prefixes)",
        ),
    )


# -- 2. keystroke to results -------------------------------------------------------------


async def keystroke_to_results() -> tuple[list[float], list[float]]:
    """Last key to results painted, per query; and the full collections in those spans."""
    dataset = build_dataset()
    queries = typed_queries(big_account(dataset), 20)
    app = make_app(create_demo_app(dataset))
    latencies: list[float] = []
    collections: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        contact_list = await show_big_account(app, pilot)
        probe = PaintProbe(app, contact_list)
        with GcWatch() as watch:
            for query in queries:
                app.pane.clear_search()
                await settle(app, pilot)
                app.main_screen.action_focus_search()
                await pilot.pause()
                probe.arm(showing(app, query))
                last_key = await type_text(app, query, 0.040)
                if not await wait_until(lambda: probe.painted_at is not None, 5.0):
                    raise RuntimeError(f"the results for {query!r} were never painted")
                assert probe.painted_at is not None
                latencies.append(probe.painted_at - last_key)
                collections += watch.within(last_key, probe.painted_at)
    return latencies, collections


async def fig_keystroke_to_results() -> Result:
    latencies, collections = await keystroke_to_results()
    p95 = percentile(latencies, 95)
    budget = (DEBOUNCE_MS + 50) / 1000
    return Result(
        2,
        "Keystroke to results painted (p95)",
        f"<= {DEBOUNCE_MS + 50} ms",
        ms(p95),
        p95 <= budget,
        (
            f"{len(latencies)} queries on the 20,000-contact account, latency 0; "
            f"median {ms(statistics.median(latencies))}, max {ms(max(latencies))}; "
            f"{len(collections)} full garbage collections inside those spans"
            + (f" (longest {ms(max(collections))})" if collections else ""),
        ),
    )


# -- 3. page append at depth -----------------------------------------------------------------


class ListBench(App[None]):
    """One list widget filling the screen."""

    CSS = "ContactList { overflow-y: scroll; }"

    def __init__(self, widget: Widget) -> None:
        super().__init__()
        self._widget = widget

    def compose(self) -> ComposeResult:
        yield self._widget

    def on_mount(self) -> None:
        PaintProbe(self)  # every frame is also encoded for the terminal, as in a real run


async def paint_now(pilot: Pilot[Any]) -> None:
    """Let pending messages through, then draw the frame now instead of on the 60 Hz timer.

    This is what ``Pilot.pause`` does minus its idle-wait sleep, so the time is
    the work done, not the wait for the next frame tick.
    """
    await pilot._wait_for_screen()
    await pilot._wait_for_screen()
    pilot.app.screen._on_timer_update()


async def quiesce(pilot: Pilot[Any]) -> None:
    """Untimed: draw, and let the messages that drawing sends run out."""
    await paint_now(pilot)
    await paint_now(pilot)


@contextmanager
def timed(times: list[float]) -> Iterator[None]:
    """Append the block's duration to ``times``; no garbage collection inside (as timeit)."""
    gc.disable()
    start = time.perf_counter()
    try:
        yield
    finally:
        times.append(time.perf_counter() - start)
        gc.enable()


def parsed_contacts(account: DemoAccount, count: int) -> list[Contact]:
    """``count`` contacts parsed from wire pages of 100, as the pager holds them."""
    contacts: list[Contact] = []
    wire = account.contacts
    for start in range(0, count, 100):
        page = ContactPage.model_validate({"items": wire[start : start + 100], "hasMore": True})
        contacts.extend(Contact(user, account.account_id) for user in page.items)
    return contacts


async def time_contact_list(
    pool: list[Contact], depths: Sequence[int], reps: int, *, at_end: bool = False
) -> dict[int, list[float]]:
    """Seconds to take one 100-row page and draw the next frame, ``reps`` times per depth.

    Before each page the list is set to ``depth`` rows and its line cache is
    emptied, so every timed frame draws its rows afresh. The depths take turns
    in the same list, so a machine that slows down or speeds up meanwhile
    (a shared VM does, by half) weighs on each alike and their ratio is the
    list's, not the machine's. The bench app always shows the scrollbar: with
    0 rows an "auto" one is hidden, and a re-shown scrollbar reuses its old
    drawing, so only the deep list would pay for redrawing it. With the list
    at the top the same 40 rows are on screen whatever is loaded; with
    ``at_end`` the cursor is on the last row, where the user is when a page
    arrives.
    """
    contact_list = ContactList()
    app = ListBench(contact_list)
    items: list[Contact] = []
    times: dict[int, list[float]] = {depth: [] for depth in depths}
    async with app.run_test(size=SIZE) as pilot:
        contact_list.set_items(items)
        contact_list.set_status("loading more…")
        for _ in range(reps + 5):
            for depth in depths:
                items[:] = pool[:depth]
                contact_list.rows_appended()
                contact_list.cursor = max(0, depth - 1) if at_end else 0
                await quiesce(pilot)
                contact_list._line_cache.clear()
                with timed(times[depth]):
                    items.extend(pool[:100])
                    contact_list.rows_appended()
                    await paint_now(pilot)
    return {depth: frames[5:] for depth, frames in times.items()}


async def time_option_list(prompts: list[Text], loaded: int, reps: int) -> list[float]:
    """The same for Textual's own ``OptionList.add_options``."""
    option_list = OptionList()
    app = ListBench(option_list)
    times: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(reps + 2):
            option_list.clear_options()
            option_list.add_options(Option(p) for p in prompts[:loaded])
            await quiesce(pilot)
            page = [Option(p) for p in prompts[loaded : loaded + 100]]
            with timed(times):
                option_list.add_options(page)
                await paint_now(pilot)
    return times[2:]


async def fig_page_append() -> Result:
    account = big_account(build_dataset(big_account_size=100_000))
    pool = parsed_contacts(account, 100_000)
    frames = await time_contact_list(pool, (0, 100_000), 200)
    empty, deep = statistics.median(frames[0]), statistics.median(frames[100_000])
    at_end = await time_contact_list(pool, (100_000,), 100, at_end=True)
    deep_end = statistics.median(at_end[100_000])
    prompts = [Text(f"{best_name(c.user)}  {secondary_text(c.user)}") for c in pool[:50_100]]
    option_small = statistics.median(await time_option_list(prompts, 1_000, 20))
    option_big = statistics.median(await time_option_list(prompts, 50_000, 10))
    ratio = deep / empty
    return Result(
        3,
        "Page append at 100k loaded",
        "ratio <= 1.25, <= 10 ms",
        f"{ms(deep)} (x{ratio:.2f} of {ms(empty)} at 0)",
        ratio <= 1.25 and deep <= 0.010,
        (
            "median of 200: extend the list by 100 Contacts, rows_appended(), draw the "
            "next frame (same 40 rows on screen, drawn afresh, scrollbar always shown; the two "
            "depths take turns in one list); with "
            f"the cursor on the last of 100,000 rows instead: {ms(deep_end)}",
            f"stock OptionList.add_options(100 options): {ms(option_small)} at 1,000 "
            f"loaded, {ms(option_big)} at 50,000 loaded "
            f"(x{option_big / option_small:.1f})",
        ),
    )


# -- 4. memory ---------------------------------------------------------------------------


def rss_bytes() -> int:
    """Resident set size now, from /proc/self/status."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


async def memory_child(base_url: str, account_id: str) -> None:
    """Child process: the real app over loopback HTTP loads 100,000 contacts."""
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
        app.main_screen.switch_account(account_id)
        await settle(app, pilot)
        pager = app.pane.pager
        assert isinstance(pager, ContactPager)
        assert pager.account_id == account_id
        while pager.has_more:
            added = await pager.load_next()
            if not added and pager.loading:
                await asyncio.sleep(0.005)  # the list's own prefetch has this page
        app.pane.contact_list.rows_appended()
        await settle(app, pilot)
        loaded = len(app.pane.contact_list.items)
        gc.collect()
        after = rss_bytes()
    print(json.dumps({"before": before, "after": after, "loaded": loaded}))


def fig_memory() -> Result:
    from beeper_tui.demo.server import serve_in_thread  # uvicorn: only this figure needs it

    big_dataset = build_dataset(big_account_size=100_000)
    account = big_account(big_dataset)
    with serve_in_thread(create_demo_app(big_dataset)) as base_url:
        env = {**os.environ, "BENCH_TOKEN": DEMO_TOKEN}
        command = [sys.executable, __file__, "--memory-child", base_url, account.account_id]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"memory child failed:\n{done.stderr[-2000:]}")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    after, before, loaded = data["after"], data["before"], data["loaded"]
    per_contact = (after - before) / loaded
    return Result(
        4,
        "RSS with 100k contacts loaded",
        "<= 250 MB",
        f"{after / 2**20:.0f} MB ({per_contact:,.0f} B/contact)",
        after <= 250 * 2**20 and loaded == 100_000,
        (
            f"real app in a child process over loopback HTTP, {loaded:,} contacts in "
            f"the list; {before / 2**20:.0f} MB after start-up, before loading them",
        ),
    )


# -- 5. scroll-ahead -----------------------------------------------------------------------


async def fig_scroll_ahead() -> Result:
    dataset = build_dataset()
    app = make_app(create_demo_app(dataset, latency=Latency(fixed_ms=30)))
    stalls: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        contact_list = await show_big_account(app, pilot)
        contact_list.focus()
        await pilot.pause()
        pane = app.pane
        done = False

        def at_loaded_end() -> bool:
            pager = pane.pager
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
            pager = pane.pager
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
    long_stalls = [s for s in stalls if s > 0.100]
    return Result(
        5,
        "Scroll-ahead stalls > 100 ms",
        "0",
        str(len(long_stalls)),
        not long_stalls and reached == len(big_account(dataset).contacts),
        (
            f"{presses} PageDowns at 30/s reached row {reached:,} in {elapsed:.1f} s; "
            f"30 ms per page; cursor on the last loaded row {len(stalls)} times, "
            f"longest {ms(max(stalls, default=0.0))}",
        ),
    )


# -- 6. cold start -----------------------------------------------------------------------

# Runs in a fresh interpreter so that it imports only what the app imports.
COLD_START_CHILD = """
import json, os, time
t_main = time.time()
from beeper_tui.ui.app import BeeperApp
t_imported = time.time()
from beeper_tui.config import Settings
from beeper_tui.ui.accounts_sidebar import AccountsSidebar
from first_paint import run_child

app = BeeperApp(Settings(demo=True, refresh_seconds=0, theme="textual-dark"))
t_built = time.time()
painted, _ = run_child(
    app,
    AccountsSidebar,
    lambda sidebar: bool(sidebar.option_count),
    app.workers.wait_for_complete,  # quit once start-up work is done
)
print(json.dumps({"start": float(os.environ["BENCH_T0"]), "main": t_main,
                  "imported": t_imported, "built": t_built, "painted": painted}))
"""


def cold_start_once() -> dict[str, float]:
    from first_paint import child

    return child(COLD_START_CHILD)


def fig_cold_start() -> Result:
    cold_start_once()  # not counted: writes the .pyc files a fresh checkout lacks
    runs = [cold_start_once() for _ in range(5)]
    totals = [r["painted"] - r["start"] for r in runs]
    imports = [r["imported"] - r["main"] for r in runs]
    boots = [r["main"] - r["start"] for r in runs]
    total = statistics.median(totals)
    importing = statistics.median(imports)
    boot = statistics.median(boots)
    return Result(
        6,
        "Cold start to accounts painted",
        "<= 1.0 s",
        f"{total:.2f} s (imports {importing / total:.0%})",
        total <= 1.0,
        (
            f"median of 5 fresh `python` processes (demo mode, headless): interpreter "
            f"start {ms(boot)}, importing beeper_tui.ui.app {ms(importing)}, the rest "
            f"{ms(total - boot - importing)} (demo app, mount, accounts request, paint)",
        ),
    )


# -- 7. server search at scale -----------------------------------------------------------


async def fig_server_search() -> Result:
    big_dataset = build_dataset(big_account_size=100_000)
    account = big_account(big_dataset)
    demo = create_demo_app(big_dataset)
    base = f"/v1/accounts/{account.account_id}/contacts"
    headers = {"Authorization": f"Bearer {DEMO_TOKEN}"}
    transport = httpx.ASGITransport(app=demo)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        start = time.perf_counter()
        (
            await client.get(f"{base}/list", params={"query": "a"}, headers=headers)
        ).raise_for_status()
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
    p95 = percentile(times, 95)
    return Result(
        7,
        "Server search, 100k contacts (p95)",
        "<= 20 ms",
        ms(p95),
        p95 <= 0.020,
        (
            f"{len(times)} requests ({len(queries)} typical queries x contacts/list and "
            f"contacts search) through httpx's ASGI transport; "
            f"median {ms(statistics.median(times))}, max {ms(max(times))}; "
            f"building the index once took {ms(index_build)}",
        ),
    )


# -- 8. frame budget --------------------------------------------------------------------


async def frame_budget() -> tuple[list[float], list[float], int, int]:
    """Loop lags while typing and paging; full collections meanwhile; rows; tracked objects."""
    dataset = build_dataset()
    queries = typed_queries(big_account(dataset), 10, seed=11)
    app = make_app(create_demo_app(dataset))
    lag = LoopLag()
    async with app.run_test(size=SIZE) as pilot:
        contact_list = await show_big_account(app, pilot)
        with GcWatch() as watch:
            lag.start()
            for query in queries:
                app.pane.search_box.value = ""
                app.main_screen.action_focus_search()
                await asyncio.sleep(0.05)
                await type_text(app, query, 0.040)
                await wait_until(showing(app, query), 5.0)
                await asyncio.sleep(0.1)
            app.pane.clear_search()
            await wait_until(showing(app, ""), 5.0)
            contact_list.focus()
            start = time.perf_counter()
            for press in range(150):
                await sleep_until(start + press / 30)
                send_key(app, "pagedown")
            await settle(app, pilot)
            await lag.stop()
        rows = len(contact_list.items)
        tracked = len(gc.get_objects())
    return lag.lags, [length for _, length in watch.pauses], rows, tracked


async def fig_frame_budget() -> Result:
    lags, collections, rows, tracked = await frame_budget()
    worst = max(lags)
    return Result(
        8,
        "Event-loop stall while typing/paging",
        "<= 50 ms",
        ms(worst),
        worst <= 0.050,
        (
            f"{len(lags):,} ticks of a 5 ms sleeper while typing 10 queries at 40 ms/key "
            f"and holding PageDown (30/s) until {rows:,} rows were loaded; "
            f"p99 {ms(percentile(lags, 99))}; {len(collections)} full garbage collections, "
            f"longest {ms(max(collections, default=0.0))}, over {tracked:,} tracked objects",
        ),
    )


def fig_merge() -> Result:
    from bench_merge import merge_figure

    return Result(11, *merge_figure())


def fig_help_over_merged() -> Result:
    from bench_merge import help_figure

    return Result(12, *help_figure())


def fig_person_view() -> Result:
    """Figure 13: the person view while the cursor is held down (scripts/bench_person.py)."""
    from bench_person import person_figure

    name, target, measured, passed, notes = person_figure()
    return Result(13, name, target, measured, passed, notes)


FIGURES: dict[str, Callable[[], Any]] = {
    "1": fig_requests_per_query,
    "2": fig_keystroke_to_results,
    "3": fig_page_append,
    "4": fig_memory,
    "5": fig_scroll_ahead,
    "6": fig_cold_start,
    "7": fig_server_search,
    "8": fig_frame_budget,
    "11": fig_merge,
    "12": fig_help_over_merged,
    "13": fig_person_view,
}


def figure_child(name: str) -> None:
    """Child process: measure one figure, print its result as JSON."""
    outcome = FIGURES[name]()
    result = asyncio.run(outcome) if asyncio.iscoroutine(outcome) else outcome
    print(json.dumps(asdict(result)))


def run_figure(name: str) -> Result:
    """Each figure runs in a fresh process, with a heap like the app's own."""
    command = [sys.executable, __file__, "--figure", name]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"figure {name} failed (exit status {done.returncode})")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    data["notes"] = tuple(data["notes"])
    return Result(**data)


# -- the table ----------------------------------------------------------------------------


def print_table(results: list[Result]) -> None:
    machine = (
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"Textual {textual.__version__}, {platform.system()} {platform.machine()}"
    )
    headers = ("#", "figure", "target", "measured", "result")
    rows = [
        (str(r.number), r.name, r.target, r.measured, "PASS" if r.passed else "FAIL")
        for r in results
    ]
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    line = "  ".join("-" * w for w in widths)
    print(f"\nbeeper-tui bench ({machine})\n")
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print(line)
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
    print(line)
    print()
    for result in results:
        for note in result.notes:
            print(f"  {result.number}. {note}")
    failed = [r for r in results if not r.passed]
    print()
    if failed:
        names = ", ".join(f"{r.number} ({r.name})" for r in failed)
        print(f"SUMMARY: {len(results) - len(failed)}/{len(results)} PASS; FAIL: {names}")
    else:
        print(f"SUMMARY: all {len(results)} figures PASS")


# -- 9. the address book, 10. offline start ------------------------------------------------


def book_results() -> list[Result]:
    """The address book's rows (scripts/bench_book.py), measured in a fresh process."""
    script = Path(__file__).resolve().parent / "bench_book.py"
    done = subprocess.run(
        [sys.executable, str(script), "--json"], stdout=subprocess.PIPE, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"figure 9 failed (exit status {done.returncode})")
    rows = json.loads(done.stdout.strip().splitlines()[-1])
    return [Result(9, name, target, measured, passed) for name, target, measured, passed in rows]


def offline_result() -> Result:
    """Start to the cached list painted with the server not answering (bench_offline.py)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_offline import offline_start_figure

    name, target, measured, passed, note = offline_start_figure()
    return Result(10, name, target, measured, passed, (note,))


def run(only: list[int]) -> list[Result]:
    results: list[Result] = []
    for number in only:
        if number in (9, 10):
            log(f"bench: figure {number}…")
            results.extend(book_results() if number == 9 else [offline_result()])
            log(f"bench: figure {number}: {results[-1].measured}")
            continue
        log(f"bench: figure {number}…")
        started = time.perf_counter()
        result = run_figure(str(number))
        results.append(result)
        log(f"bench: figure {number}: {result.measured} ({time.perf_counter() - started:.0f} s)")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", metavar="N,M", help="run only these figures (1-13)")
    parser.add_argument("--figure", choices=list(FIGURES), help=argparse.SUPPRESS)
    parser.add_argument(
        "--memory-child", nargs=2, metavar=("URL", "ACCOUNT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.memory_child:
        asyncio.run(memory_child(*args.memory_child))
    elif args.figure:
        figure_child(args.figure)
    else:
        only = sorted({int(n) for n in args.only.split(",")}) if args.only else list(range(1, 14))
        print_table(run(only))


if __name__ == "__main__":
    main()
