"""Figure 11: merging 16,000 identities that share one phone into one person.

Before the person index it took 54 s, the row being rebuilt on every merge;
now it should be linear: the figure times 8,000 and 16,000 identities with
the garbage collector off and reports the ratio (2 is linear, 4 quadratic).
"""

from __future__ import annotations

import gc
import statistics
import time

from beeper_tui.service.person import PersonIndex
from benchmarks.figure import Result, print_results
from benchmarks.merged_person import IDENTITIES, shared_phone_identities

MERGE_TARGET_S = 1.0
"""16,000 identities into one person (it took 54 s). Parsing the phone number
(phonenumbers, ~30 µs) is most of the cost per identity, not the merge itself."""
LINEAR_RATIO_MAX = 2.6
"""Time(16,000) / time(8,000): 2 for linear, 4 for quadratic; some slack for noise."""


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


class Merge:
    """Figure 11: one person out of 16,000 identities, in linear time."""

    number = 11
    name = f"Merge {IDENTITIES:,} identities sharing one phone"
    target = f"< {MERGE_TARGET_S * 1000:.0f} ms, ×{LINEAR_RATIO_MAX} for 2× input"
    unit = "ms"

    def run(self) -> list[Result]:
        """Merge all of them with the GC on; half and all with it off."""
        full = merge_seconds(IDENTITIES)
        half_alone = merge_seconds(IDENTITIES // 2, collect=False)
        full_alone = merge_seconds(IDENTITIES, collect=False)
        ratio = full_alone / half_alone if half_alone else float("inf")
        return [
            Result.of(
                self,
                full * 1000,
                f"{full * 1000:.1f} ms",
                full < MERGE_TARGET_S and ratio < LINEAR_RATIO_MAX,
                (
                    f"{full * 1000:.1f} ms with the GC on; GC off: {IDENTITIES // 2:,} "
                    f"identities {half_alone * 1000:.1f} ms, {IDENTITIES:,} "
                    f"{full_alone * 1000:.1f} ms, ×{ratio:.2f} for twice the input "
                    "(2 is linear, 4 quadratic)",
                ),
            )
        ]


FIGURE = Merge()

if __name__ == "__main__":
    print_results(FIGURE)
