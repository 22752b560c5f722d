"""Figure 3: take a 100-row page and draw the next frame, with 100,000 rows loaded vs 0.

The bench app is one :class:`ContactList` filling the screen, run under the
paint probe's driver, so every timed frame is also encoded for the terminal.
Textual's stock ``OptionList.add_options`` is timed the same way for comparison.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from beeper_tui.api.models import ContactPage
from beeper_tui.demo import DemoAccount, build_dataset
from beeper_tui.service.names import best_name, secondary_text
from beeper_tui.service.person import Contact
from beeper_tui.service.users import UserInfo
from beeper_tui.ui.contact_list import ContactList
from benchmarks.driving import SIZE, big_account
from benchmarks.figure import Result, ms, print_results
from benchmarks.paint_probe import PaintDriver


class ListBench(App[None]):
    """One list widget filling the screen; every frame encoded as for a terminal."""

    CSS = "ContactList { overflow-y: scroll; }"

    def __init__(self, widget: Widget) -> None:
        super().__init__(driver_class=PaintDriver)
        self._widget = widget

    def compose(self) -> ComposeResult:
        yield self._widget


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
        contacts.extend(Contact(UserInfo.of(user), account.account_id) for user in page.items)
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
    async with app.run_test(headless=False, size=SIZE) as pilot:
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
    async with app.run_test(headless=False, size=SIZE) as pilot:
        for _ in range(reps + 2):
            option_list.clear_options()
            option_list.add_options(Option(p) for p in prompts[:loaded])
            await quiesce(pilot)
            page = [Option(p) for p in prompts[loaded : loaded + 100]]
            with timed(times):
                option_list.add_options(page)
                await paint_now(pilot)
    return times[2:]


@dataclass(frozen=True)
class Medians:
    """Median seconds per page: the list at 0 and 100,000 rows, at its end, and OptionList."""

    empty: float
    deep: float
    deep_end: float
    option_small: float
    """Stock ``OptionList``, 1,000 options loaded."""
    option_big: float
    """Stock ``OptionList``, 50,000 options loaded."""


async def measure() -> Medians:
    """Time the pages at every depth, and the stock OptionList's."""
    account = big_account(build_dataset(big_account_size=100_000))
    pool = parsed_contacts(account, 100_000)
    frames = await time_contact_list(pool, (0, 100_000), 200)
    at_end = await time_contact_list(pool, (100_000,), 100, at_end=True)
    prompts = [Text(f"{best_name(c.user)}  {secondary_text(c.user)}") for c in pool[:50_100]]
    return Medians(
        empty=statistics.median(frames[0]),
        deep=statistics.median(frames[100_000]),
        deep_end=statistics.median(at_end[100_000]),
        option_small=statistics.median(await time_option_list(prompts, 1_000, 20)),
        option_big=statistics.median(await time_option_list(prompts, 50_000, 10)),
    )


class PageAppend:
    """Figure 3: a page costs the same whatever is already loaded."""

    number = 3
    name = "Page append at 100k loaded"
    target = "ratio <= 1.25, <= 10 ms"
    unit = "ms"

    def run(self) -> list[Result]:
        """Time page appends at both depths, taking turns."""
        m = asyncio.run(measure())
        empty, deep = m.empty, m.deep
        ratio = deep / empty
        return [
            Result.of(
                self,
                deep * 1000,
                f"{ms(deep)} (x{ratio:.2f} of {ms(empty)} at 0)",
                ratio <= 1.25 and deep <= 0.010,
                (
                    "median of 200: extend the list by 100 Contacts, rows_appended(), draw "
                    "the next frame (same 40 rows on screen, drawn afresh, scrollbar always "
                    "shown; the two depths take turns in one list); with the cursor on the "
                    f"last of 100,000 rows instead: {ms(m.deep_end)}",
                    f"stock OptionList.add_options(100 options): {ms(m.option_small)} at "
                    f"1,000 loaded, {ms(m.option_big)} at 50,000 loaded "
                    f"(x{m.option_big / m.option_small:.1f})",
                ),
            )
        ]


FIGURE = PageAppend()

if __name__ == "__main__":
    print_results(FIGURE)
