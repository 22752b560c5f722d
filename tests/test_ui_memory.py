"""Freezing loaded pages out of the garbage collector must not keep old results alive."""

from __future__ import annotations

import asyncio
import gc
import weakref

from beeper_tui.demo import build_dataset, create_demo_app
from beeper_tui.ui.gc_freeze import IdleSweep, freeze_page
from tests.ui_helpers import app_on_demo, settle, show_big_account


async def test_replaced_result_sets_are_freed_although_pages_are_frozen() -> None:
    demo = create_demo_app(build_dataset(big_account_size=2_000))
    app = app_on_demo(demo, debounce_ms=0, book="off")
    async with app.run_test(size=(120, 40)) as pilot:
        lst = await show_big_account(app, pilot)
        lst.focus()
        for _ in range(3):  # pages arrive, and each is frozen
            await pilot.press("end")
            await settle(app, pilot)
        first = app.pane.pager
        assert first is not None
        assert len(first.items) > 100
        old = weakref.ref(first)
        row = weakref.ref(first.items[150].user)  # a loaded row never shown or highlighted
        del first

        app.pane.search_box.value = "an"  # a new result set replaces it
        await settle(app, pilot)
        assert app.pane.pager is not old()
        freeze_page()  # as the next page of the new results would
        app.pane.idle_sweep.sweep()  # the user paused
        assert old() is None
        assert row() is None
        assert app.pane.idle_sweep.sweeps == 1
        assert gc.isenabled()


async def test_the_sweep_waits_while_the_user_holds_a_key() -> None:
    # A sweep is a full collection (a stall of 50-200 ms): never while keys arrive.
    demo = create_demo_app(build_dataset(big_account_size=2_000))
    app = app_on_demo(demo, debounce_ms=0, book="off")
    async with app.run_test(size=(120, 40)) as pilot:
        lst = await show_big_account(app, pilot)
        lst.focus()
        app.pane.idle_sweep = sweep = IdleSweep(app.pane, delay=0.5)
        sweep.poke()
        for _ in range(20):  # 1 s of Down at 20 keys/s: twice the delay
            await pilot.press("down")
            await asyncio.sleep(0.05)
        assert sweep.sweeps == 0
        assert lst.cursor == 20
        for _ in range(60):  # then the user pauses
            if sweep.sweeps:
                break
            await asyncio.sleep(0.05)
        assert sweep.sweeps == 1
