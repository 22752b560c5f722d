"""Figure 13: the person view while the cursor is held down through 200 people.

The demo (in-process, 20 ms on every answer) gets a WhatsApp account where
every contact has an avatar (the owner, listed among them, has none), and a
one-to-one chat is started with each of the first 200 before measuring.
The app (half-block images, a cold avatar cache in a temporary directory)
shows that account; the Down key is sent 199 times at 30 keys per second.
Measured: the worst event-loop stall while the cursor moves and until the
view is complete, the most avatar and chat-search requests in flight at
once, and the time from the last key until the person view shows the face
and the chats of the row the cursor stopped on. The setup's objects (the
in-process demo's chats and contacts) are frozen out of the garbage
collector's scans before measuring, as the app does with its own start-up
objects.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import os
import tempfile
import time
from pathlib import Path

from beeper_tui.demo import Dataset, DemoAccount, Latency, build_dataset, create_demo_app
from beeper_tui.ui.app import BeeperApp
from benchmarks import app_access
from benchmarks.driving import SIZE, make_app, send_key, settle, wait_until
from benchmarks.figure import Result, print_results
from benchmarks.stalls import LoopLag
from tests.ui_helpers import InFlight

PEOPLE = 200
KEYS_PER_SECOND = 30
LATENCY_MS = 20
STALL_TARGET_MS = 50.0
COMPLETE_TARGET_MS = 300.0
AVATAR_PATHS = ("/v1/assets/download", "/v1/assets/serve")
CHATS_PATH = "/v1/chats/search"
NETWORK = "whatsapp"


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


def complete(app: BeeperApp) -> bool:
    """Whether the person view shows the face and the chats of the highlighted row."""
    contact = app_access.contact_list(app).highlighted
    view = app_access.person_view(app)
    return (
        contact is not None
        and view.subject is contact
        and view.chats is not None
        and view.avatar.showing_image
    )


@dataclasses.dataclass
class Measured:
    """What holding the cursor down measured."""

    took_ms: float
    worst_ms: float
    avatars: int
    searches: int
    landed: int
    chats: int


async def hold_down(asset_dir: Path) -> Measured:
    """Prepare the chats, then hold Down through the people; see the module's docstring."""
    demo = create_demo_app(
        bench_dataset(), latency=Latency(fixed_ms=LATENCY_MS), asset_dir=asset_dir
    )
    counter = InFlight(demo)
    app = make_app(counter, page_size=PEOPLE, images="halfblock")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        account = next(a for a in app.backend.accounts.accounts if NETWORK in a.account_id)
        app_access.switch_account(app, account.account_id)
        await settle(app, pilot)
        rows = app_access.contact_list(app)
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
        with LoopLag() as lag:
            start = time.perf_counter()
            for i in range(PEOPLE - 1):
                delay = start + i * interval - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                send_key(app, "down")
            last_key = time.perf_counter()
            await wait_until(lambda: complete(app), within=5.0)
            done = time.perf_counter()
        chats = app_access.person_view(app).chats
        return Measured(
            took_ms=(done - last_key) * 1000,
            worst_ms=lag.worst * 1000,
            avatars=max((counter.peak.get(p, 0) for p in AVATAR_PATHS), default=0),
            searches=counter.peak.get(CHATS_PATH, 0),
            landed=rows.cursor,
            chats=len(chats.chats) if chats else 0,
        )


class PersonView:
    """Figure 13: the person view keeps up with a held cursor, one request of each at a time."""

    number = 13
    name = f"person view, {PEOPLE} people at {KEYS_PER_SECOND} keys/s"
    target = f"<= {COMPLETE_TARGET_MS:.0f} ms, stall <= {STALL_TARGET_MS:.0f} ms, 1+1 in flight"
    unit = "ms"

    def run(self) -> list[Result]:
        """Hold the cursor down with a private avatar cache and demo asset directory."""
        with tempfile.TemporaryDirectory(prefix="beeper-tui-bench-") as workdir:
            # The app's avatar cache lives under the user cache: a cold, private one.
            os.environ["XDG_CACHE_HOME"] = str(Path(workdir) / "cache")
            m = asyncio.run(hold_down(Path(workdir) / "assets"))
        passed = (
            m.worst_ms <= STALL_TARGET_MS
            and m.avatars <= 1
            and m.searches <= 1
            and m.took_ms <= COMPLETE_TARGET_MS
            and m.landed == PEOPLE - 1
        )
        return [
            Result.of(
                self,
                m.took_ms,
                f"complete {m.took_ms:.0f} ms after the last key; worst stall "
                f"{m.worst_ms:.1f} ms; in flight: {m.avatars} avatar, {m.searches} chats",
                passed,
                (
                    f"cursor on row {m.landed + 1} of {PEOPLE}; its view lists {m.chats} "
                    f"chats; demo latency {LATENCY_MS} ms per answer",
                ),
            )
        ]


FIGURE = PersonView()

if __name__ == "__main__":
    print_results(FIGURE)
