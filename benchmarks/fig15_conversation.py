"""Figure 15: the person view with the recent conversation, and a live message reaching it.

Two rows.

Held cursor: figure 13's set-up (the in-process demo, 20 ms on every answer,
a WhatsApp account of 300 people with avatars, a one-to-one chat with each of
the first 200), the Down key 199 times at 30 keys per second. Measured: the
worst event-loop stall until the view is complete, the most avatar requests
and the most requests for the person's data (chat search and messages search
together) in flight at once, and the time from the last key until the view
shows the face, the chats and the recent messages of the row it stopped on.

Live: the demo served on a loopback port (as Desktop is: the app's live
socket is real), the cursor resting on a person with messages; 20 times a
message is sent to their most recent chat through the demo's API
(``POST /v1/chats/{chatID}/messages``) and the time until the person view
shows it is measured. The p95 of the 20 is the row's value.
"""

from __future__ import annotations

import asyncio
import gc
import os
import tempfile
import time
from pathlib import Path

from beeper_tui.config import Settings
from beeper_tui.demo import DEMO_TOKEN, Latency, build_dataset, create_demo_app, serve_in_thread
from beeper_tui.ui.app import BeeperApp
from beeper_tui.wiring import open_backend
from benchmarks import app_access
from benchmarks.driving import SIZE, make_app, send_key, settle, wait_until
from benchmarks.fig13_person_view import AVATAR_PATHS, NETWORK, bench_dataset
from benchmarks.figure import Result, percentile, print_results
from benchmarks.stalls import LoopLag
from tests.ui_helpers import InFlight

PEOPLE = 200
KEYS_PER_SECOND = 30
LATENCY_MS = 20
STALL_TARGET_MS = 50.0
COMPLETE_TARGET_MS = 300.0
LIVE_TARGET_MS = 500.0
MESSAGES = 20
PERSON_PATHS = ("/v1/chats/search", "/v1/messages/search")


def complete(app: BeeperApp) -> bool:
    """Whether the view shows the face, the chats and the conversation of the highlighted row."""
    contact = app_access.contact_list(app).highlighted
    view = app_access.person_view(app)
    return (
        contact is not None
        and view.subject is contact
        and view.chats is not None
        and view.conversation is not None
        and view.avatar.showing_image
    )


class PersonInFlight(InFlight):
    """Counts requests per path, and the person's data requests together."""

    def __init__(self, app: object) -> None:
        super().__init__(app)
        self.person_now = 0
        self.person_peak = 0

    async def __call__(self, scope: object, receive: object, send: object) -> None:
        path = str(scope.get("path", "")) if isinstance(scope, dict) else ""
        counted = path in PERSON_PATHS
        if counted:
            self.person_now += 1
            self.person_peak = max(self.person_peak, self.person_now)
        try:
            await super().__call__(scope, receive, send)
        finally:
            if counted:
                self.person_now -= 1


async def hold_down(asset_dir: Path) -> tuple[float, float, int, int, int, int]:
    """Hold Down through the people; (took ms, worst stall ms, avatars, person requests,
    landed row, messages shown)."""
    demo = create_demo_app(
        bench_dataset(), latency=Latency(fixed_ms=LATENCY_MS), asset_dir=asset_dir
    )
    counter = PersonInFlight(demo)
    app = make_app(counter, page_size=PEOPLE, images="halfblock")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        account = next(a for a in app.backend.accounts.accounts if NETWORK in a.account_id)
        app_access.switch_account(app, account.account_id)
        await settle(app, pilot)
        rows = app_access.contact_list(app)
        people = list(rows.items[:PEOPLE])
        assert len(people) == PEOPLE, f"only {len(people)} people loaded"
        for person in people:
            if person.user.is_self:
                continue
            found = await app.backend.chats_with(person)
            if not found.chats:
                await app.backend.client.start_chat(account.account_id, {"id": person.user.id})
        rows.focus()
        await settle(app, pilot)
        gc.collect()
        gc.freeze()  # the in-process demo's objects, as figure 13 does
        counter.peak.clear()
        counter.person_peak = 0
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
        conversation = app_access.person_view(app).conversation
        return (
            (done - last_key) * 1000,
            lag.worst * 1000,
            max((counter.peak.get(p, 0) for p in AVATAR_PATHS), default=0),
            counter.person_peak,
            rows.cursor,
            len(conversation.lines) if conversation else 0,
        )


async def live_messages(base_url: str) -> list[float]:
    """Send ``MESSAGES`` messages to the shown person's chat; ms until each is on screen."""
    settings = Settings(
        base_url=base_url,
        access_token=DEMO_TOKEN,
        refresh_seconds=0,
        theme="textual-dark",
        images="off",
        config_path=None,
    )
    backend = open_backend(base_url=base_url, access_token=DEMO_TOKEN, max_retries=0)
    app = BeeperApp(settings, backend=backend)
    app.main_screen.live_refresh_interval = 3600  # only the socket may bring them
    took: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        rows = app_access.contact_list(app)
        view = app_access.person_view(app)
        rows.focus()
        for index in range(min(40, len(rows.items))):
            rows.cursor = index
            await settle(app, pilot)
            if view.conversation is not None and view.conversation.lines:
                break
        assert view.conversation is not None, "nobody near the top has messages"
        chat_id = view.conversation.chats[0].id
        await asyncio.sleep(0.5)  # the socket subscribed
        for n in range(MESSAGES):
            text = f"bench message {n}"
            start = time.perf_counter()
            await backend.client.send_message(chat_id, text)
            shown = await wait_until(lambda: text in view.text, within=5.0)  # noqa: B023
            assert shown, "never shown"
            took.append((time.perf_counter() - start) * 1000)
            await settle(app, pilot)
    return took


class Conversation:
    """Figure 15: the person's conversation keeps up with a held cursor and with live messages."""

    number = 15
    name = f"person view with conversation, {PEOPLE} people at {KEYS_PER_SECOND} keys/s"
    target = (
        f"<= {COMPLETE_TARGET_MS:.0f} ms, stall <= {STALL_TARGET_MS:.0f} ms, 1+1 in flight; "
        f"live <= {LIVE_TARGET_MS:.0f} ms p95"
    )
    unit = "ms"

    def run(self) -> list[Result]:
        """Both measurements, each on its own demo."""
        with tempfile.TemporaryDirectory(prefix="beeper-tui-bench-") as workdir:
            os.environ["XDG_CACHE_HOME"] = str(Path(workdir) / "cache")
            took, worst, avatars, person, landed, lines = asyncio.run(
                hold_down(Path(workdir) / "assets")
            )
            with serve_in_thread(create_demo_app(build_dataset())) as base_url:
                live = asyncio.run(live_messages(base_url))
        p95 = percentile(live, 95)
        held = Result.of(
            self,
            took,
            f"complete {took:.0f} ms after the last key; worst stall {worst:.1f} ms; "
            f"in flight: {avatars} avatar, {person} chats or messages",
            worst <= STALL_TARGET_MS
            and avatars <= 1
            and person <= 1
            and took <= COMPLETE_TARGET_MS
            and landed == PEOPLE - 1,
            (
                f"cursor on row {landed + 1} of {PEOPLE}; {lines} messages shown; "
                f"demo latency {LATENCY_MS} ms per answer",
            ),
        )
        arrived = Result.of(
            self,
            p95,
            f"a sent message on screen after {p95:.0f} ms (p95 of {len(live)}; "
            f"median {percentile(live, 50):.0f} ms, worst {max(live):.0f} ms)",
            p95 <= LIVE_TARGET_MS,
            ("the demo on a loopback port, the app's live socket subscribed to every chat",),
        )
        return [held, arrived]


FIGURE = Conversation()

if __name__ == "__main__":
    print_results(FIGURE)
