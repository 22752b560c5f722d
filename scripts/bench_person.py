"""Person view figure: the cursor held down through 200 people, each with a face and chats.

``person_figure()`` returns ``(figure, target, measured, passed, notes)`` for
``scripts/bench.py``; ``python scripts/bench_person.py`` prints it.

The demo (in-process, 20 ms on every answer) gets a WhatsApp account where
every contact has an avatar (the owner, listed among them, has none), and a
one-to-one chat is started with each of the first 200 before measuring.
The app (half-block images, a cold avatar cache in a temporary directory)
shows that account; the Down key is sent 199
times at 30 keys per second. Measured: the worst event-loop stall while the
cursor moves and until the view is complete, the most avatar and chat-search
requests in flight at once, and the time from the last key until the person
view shows the face and the chats of the row the cursor stopped on. The
setup's objects (the in-process demo's chats and contacts) are frozen out of
the garbage collector's scans before measuring, as the app does with its own
start-up objects.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ["TEXTUAL_ANIMATIONS"] = "none"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual import events

from beeper_tui.demo import (
    Dataset,
    DemoAccount,
    Latency,
    build_dataset,
    create_demo_app,
)
from beeper_tui.ui.app import BeeperApp
from tests.ui_helpers import InFlight, app_on_demo, settle

PEOPLE = 200
KEYS_PER_SECOND = 30
LATENCY_MS = 20
STALL_TARGET_MS = 50.0
COMPLETE_TARGET_MS = 300.0
AVATAR_PATHS = ("/v1/assets/download", "/v1/assets/serve")
CHATS_PATH = "/v1/chats/search"
NETWORK = "whatsapp"

Figure = tuple[str, str, str, bool, tuple[str, ...]]


def bench_dataset() -> Dataset:
    """The demo's accounts; WhatsApp with 300 contacts, every one with an avatar."""
    base = build_dataset()
    accounts = [
        DemoAccount(
            dataclasses.replace(a.spec, img_rate=1.0, size=300),
            a.wire,
            a.owner,
            base.seed,
            a.shared,
        )
        if a.spec.key == NETWORK
        else a
        for a in base.accounts
    ]
    return Dataset(base.seed, accounts)


class StallMeter:
    """How late the event loop wakes a 5 ms sleeper: its worst stall."""

    def __init__(self) -> None:
        self.worst = 0.0
        self.stalls: list[tuple[float, float]] = []
        """(when, how long late) of every wake-up."""
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(0.005)
            late = time.perf_counter() - started - 0.005
            self.worst = max(self.worst, late)
            self.stalls.append((started, late))

    def __enter__(self) -> StallMeter:
        self._task = asyncio.get_running_loop().create_task(self._tick())
        return self

    def __exit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()


def send_key(app: BeeperApp, key: str) -> None:
    """One key as the terminal driver delivers it (``Pilot.press`` waits for idle)."""
    event = events.Key(key, None)
    event.set_sender(app)
    app.post_message(event)


async def wait_until(condition: Callable[[], bool], within: float) -> None:
    """Poll the screen state (what is measured has no event of its own)."""
    deadline = time.perf_counter() + within
    while not condition():
        if time.perf_counter() > deadline:
            return
        await asyncio.sleep(0.001)


def complete(app: BeeperApp) -> bool:
    """Whether the person view shows the face and the chats of the highlighted row."""
    contact = app.pane.contact_list.highlighted
    view = app.detail
    return (
        contact is not None
        and view.subject is contact
        and view.chats is not None
        and view.avatar.showing_image
    )


async def _measure(asset_dir: Path) -> Figure:
    demo = create_demo_app(
        bench_dataset(), latency=Latency(fixed_ms=LATENCY_MS), asset_dir=asset_dir
    )
    counter = InFlight(demo)
    app = app_on_demo(counter, page_size=PEOPLE, images="halfblock")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        account = next(a for a in app.backend.accounts.accounts if NETWORK in a.account_id)
        app.main_screen.switch_account(account.account_id)
        await settle(app, pilot)
        rows = app.pane.contact_list
        people = list(rows.items[:PEOPLE])
        assert len(people) == PEOPLE, f"only {len(people)} people loaded"
        others = [p for p in people if not p.user.is_self]  # the owner is in the list too
        assert len(others) >= PEOPLE - 1, "more than the owner is missing"
        assert all(p.user.img_url for p in others), "someone has no avatar"
        for person in others:
            found = await app.backend.chats_with(person)
            if not found.chats:
                await app.backend.client.start_chat(account.account_id, {"id": person.user.id})
        rows.focus()
        await settle(app, pilot)
        # The demo's chat book and dataset live in this process only because the
        # demo is in-process (Beeper Desktop holds them in its own); freeze them
        # as the app freezes its start-up objects, so collections scan what the
        # app itself allocates.
        gc.collect()
        gc.freeze()
        counter.peak.clear()
        interval = 1 / KEYS_PER_SECOND
        with StallMeter() as stalls:
            start = time.perf_counter()
            for i in range(PEOPLE - 1):
                delay = start + i * interval - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                send_key(app, "down")
            last_key = time.perf_counter()
            await wait_until(lambda: complete(app), within=5.0)
            done = time.perf_counter()
        landed = rows.cursor
        chats = app.detail.chats
    took_ms = (done - last_key) * 1000
    worst_ms = stalls.worst * 1000
    avatars = max((counter.peak.get(p, 0) for p in AVATAR_PATHS), default=0)
    searches = counter.peak.get(CHATS_PATH, 0)
    passed = (
        worst_ms <= STALL_TARGET_MS
        and avatars <= 1
        and searches <= 1
        and took_ms <= COMPLETE_TARGET_MS
        and landed == PEOPLE - 1
    )
    measured = (
        f"complete {took_ms:.0f} ms after the last key; worst stall {worst_ms:.1f} ms; "
        f"in flight: {avatars} avatar, {searches} chats"
    )
    notes = (
        f"cursor on row {landed + 1} of {PEOPLE}; its view lists "
        f"{len(chats.chats) if chats else 0} chats; demo latency {LATENCY_MS} ms per answer",
    )
    return (
        f"person view, {PEOPLE} people at {KEYS_PER_SECOND} keys/s",
        f"<= {COMPLETE_TARGET_MS:.0f} ms, stall <= {STALL_TARGET_MS:.0f} ms, 1+1 in flight",
        measured,
        passed,
        notes,
    )


def person_figure() -> Figure:
    """Run the figure with a private avatar cache and demo asset directory."""
    with tempfile.TemporaryDirectory(prefix="beeper-tui-bench-") as workdir:
        # The app's avatar cache lives under the user cache: point it at a cold, private one.
        os.environ["XDG_CACHE_HOME"] = str(Path(workdir) / "cache")
        return asyncio.run(_measure(Path(workdir) / "assets"))


def main() -> None:
    name, target, measured, passed, notes = person_figure()
    print(f"{name}\n  target:   {target}\n  measured: {measured}\n  {'PASS' if passed else 'FAIL'}")
    for note in notes:
        print(f"  {note}")


if __name__ == "__main__":
    main()
