"""Cross-network merge figures: 16,000 identities sharing one phone (issue 14, item 10).

Two accounts of 8,000 contacts each, every contact with the same phone
number, are merged into one person by :class:`PersonIndex` (the All accounts
list does exactly this as pages arrive). Before the index it took 54 s, the
row being rebuilt on every merge; now it should be linear: the figure times
8,000 and 16,000 identities and reports the ratio (2 is linear, 4 quadratic).
A second figure opens the help screen (``?``) over that merged person, which
used to take 6 s.

``merge_figure()`` and ``help_figure()`` return ``(figure, target, measured,
passed, notes)`` rows, figures 9 and 10 of ``scripts/bench.py``; ``python
scripts/bench_merge.py`` prints both.
"""

from __future__ import annotations

import asyncio
import gc
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any, NamedTuple

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from beeper_tui.api.models import User
from beeper_tui.service.person import Contact, PersonIndex

PHONE = "+14155550100"
IDENTITIES = 16_000
MERGE_TARGET_S = 1.0
"""16,000 identities into one person (it took 54 s). Parsing the phone number
(phonenumbers, ~30 µs) is most of the cost per identity, not the merge itself."""
LINEAR_RATIO_MAX = 2.6
"""Time(16,000) / time(8,000): 2 for linear, 4 for quadratic; some slack for noise."""
HELP_EXTRA_S = 0.2
"""What the merged person may add to opening the help screen (it took 6 s)."""


class Figure(NamedTuple):
    """One row of the bench table."""

    name: str
    target: str
    measured: str
    passed: bool
    notes: tuple[str, ...] = ()


def shared_phone_identities(count: int) -> list[Contact]:
    """``count`` contacts over two accounts, alternating, all with the same phone."""
    accounts = ("whatsapp", "signal")
    return [
        Contact(
            User(id=f"@u{n}:{accounts[n % 2]}", full_name=f"Person {n}", phone_number=PHONE),
            accounts[n % 2],
        )
        for n in range(count)
    ]


def merge_seconds(count: int, repeats: int = 3, *, collect: bool = True) -> float:
    """Median time to merge ``count`` identities and read the merged row once.

    Without ``collect`` the cyclic GC is off while timing: its full collections
    grow with the heap, which blurs the algorithm's own growth.
    """
    contacts = shared_phone_identities(count)
    times = []
    for _ in range(repeats):
        gc.collect()
        if not collect:
            gc.disable()
        try:
            started = time.perf_counter()
            index = PersonIndex()
            index.extend(contacts)
            person = index[0]
            times.append(time.perf_counter() - started)
        finally:
            gc.enable()
        assert len(index) == 1
        assert len(person.identities) == count
    return statistics.median(times)


async def help_open_seconds(repeats: int = 3) -> tuple[float, float]:
    """Median time from ``?`` to the help screen up and painted: over the demo's own
    list, then over the 16,000-identity person (the difference is the merge's share)."""
    from textual.pilot import Pilot

    from beeper_tui.demo import build_dataset, create_demo_app
    from beeper_tui.ui.contact_list import ContactList
    from beeper_tui.ui.help_screen import HelpScreen
    from tests.ui_helpers import app_on_demo, settle

    app = app_on_demo(create_demo_app(build_dataset(big_account_size=300)))
    index = PersonIndex()
    index.extend(shared_phone_identities(IDENTITIES))
    pilot: Pilot[Any]

    async def open_help() -> float:
        started = time.perf_counter()
        await pilot.press("question_mark")  # returns once the app is idle again
        await pilot.pause()  # and painted
        elapsed = time.perf_counter() - started
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await settle(app, pilot)
        return elapsed

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        contacts = app.query_one("#contacts", ContactList)
        contacts.focus()
        await settle(app, pilot)
        plain = statistics.median([await open_help() for _ in range(repeats)])
        contacts.set_items(index)
        await settle(app, pilot)
        assert contacts.highlighted is not None
        assert len(contacts.highlighted.identities) == IDENTITIES
        merged = statistics.median([await open_help() for _ in range(repeats)])
    return plain, merged


def merge_figure() -> Figure:
    """Merging 16,000 identities sharing one phone: time, and growth 8,000 → 16,000."""
    full = merge_seconds(IDENTITIES)
    half_alone = merge_seconds(IDENTITIES // 2, collect=False)
    full_alone = merge_seconds(IDENTITIES, collect=False)
    ratio = full_alone / half_alone if half_alone else float("inf")
    return Figure(
        f"Merge {IDENTITIES:,} identities sharing one phone",
        f"< {MERGE_TARGET_S * 1000:.0f} ms, ×{LINEAR_RATIO_MAX} for 2× input",
        f"{full * 1000:.1f} ms",
        full < MERGE_TARGET_S and ratio < LINEAR_RATIO_MAX,
        (
            f"{full * 1000:.1f} ms with the GC on; GC off: {IDENTITIES // 2:,} identities "
            f"{half_alone * 1000:.1f} ms, {IDENTITIES:,} {full_alone * 1000:.1f} ms, "
            f"×{ratio:.2f} for twice the input (2 is linear, 4 quadratic)",
        ),
    )


def help_figure() -> Figure:
    """Opening the help screen with the merged person highlighted."""
    plain, merged = asyncio.run(help_open_seconds())
    return Figure(
        "? opens over that merged person",
        f"< {HELP_EXTRA_S * 1000:.0f} ms more than without",
        f"{merged * 1000:.1f} ms",
        merged - plain < HELP_EXTRA_S,
        (
            f"help screen up and painted {merged * 1000:.1f} ms after the key with the "
            f"{IDENTITIES:,}-identity person highlighted, {plain * 1000:.1f} ms over the "
            "demo's own list (medians of 3)",
        ),
    )


def merge_figures() -> list[Figure]:
    """The merge figure and the help-screen figure."""
    return [merge_figure(), help_figure()]


def main() -> None:
    for figure in merge_figures():
        verdict = "PASS" if figure.passed else "FAIL"
        print(f"{figure.name:<48} {figure.target:<28} {figure.measured:>12}  {verdict}")
        for note in figure.notes:
            print(f"  {note}")


if __name__ == "__main__":
    main()
