"""Freezing loaded pages out of the garbage collector must not keep old results alive."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable
from typing import cast

import pytest
from textual.timer import Timer
from textual.widget import Widget

import beeper_tui.ui.app as app_module
from beeper_tui.demo import build_dataset, create_demo_app
from beeper_tui.ui import gc_freeze
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
            await settle(pilot)
        first = app.pane.pager
        assert first is not None
        assert len(first.items) > 100
        old = weakref.ref(first)
        row = weakref.ref(first.items[150].user)  # a loaded row never shown or highlighted
        del first

        app.pane.search_box.value = "an"  # a new result set replaces it
        await settle(pilot)
        assert app.pane.pager is not old()
        freeze_page()  # as the next page of the new results would
        app.pane.idle_sweep.sweep()  # the user paused
        assert old() is None
        assert row() is None
        assert app.pane.idle_sweep.sweeps == 1
        assert gc.isenabled()


class _Owner:
    """Stands in for the pane: timers are noted, not run (the test runs them)."""

    def __init__(self) -> None:
        self.timers: list[float] = []

    def call_later(self, callback: Callable[[], object]) -> None:
        callback()

    def set_timer(self, delay: float, callback: Callable[[], object]) -> Timer:
        self.timers.append(delay)
        return cast(Timer, _StoppableTimer())


class _StoppableTimer:
    def stop(self) -> None:
        pass


def test_the_sweep_waits_while_the_user_holds_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    # A sweep is a full collection (a stall of 50-200 ms): never while keys arrive.
    clock = [1000.0]
    monkeypatch.setattr(gc_freeze, "monotonic", lambda: clock[0])
    owner = _Owner()
    sweep = IdleSweep(cast(Widget, owner), delay=4.0)
    sweep.poke()  # a page arrived
    assert owner.timers == [4.0]
    clock[0] += 3.0
    gc_freeze.note_input()  # a key, 3 s later
    clock[0] += 1.0
    sweep._due()  # the page's 4 s are up, but the key's are not
    assert sweep.sweeps == 0
    assert owner.timers[-1] == pytest.approx(3.0)
    clock[0] += 3.0
    sweep._due()  # 4 s after the last key
    assert sweep.sweeps == 1
    assert gc.isenabled()


async def test_every_key_and_mouse_event_is_noted_as_input(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    noted: list[bool] = []
    monkeypatch.setattr(app_module, "note_input", lambda: noted.append(True))
    demo = create_demo_app(build_dataset(big_account_size=200))
    app = app_on_demo(demo, book="off")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        noted.clear()
        await pilot.press("down")
        assert noted
        noted.clear()
        await pilot.hover("#contacts")
        await pilot.click("#contacts")
        assert noted
