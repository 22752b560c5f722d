"""``python -m benchmarks [--only 3,7]``: every figure in a fresh process, then one table.

Drives the real app headless (``App.run_test``, keys posted as the terminal
driver posts them) against the embedded demo server and prints one table:
each figure, its target, the measured value and PASS/FAIL, the figures'
notes, then a one-line summary. The exit status is 0 even when a figure
fails; read the summary line. Each figure runs as ``python -m
benchmarks.figNN_…``, so its heap and garbage collections are like the app's
own rather than the leftovers of the figures before it.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from importlib.metadata import version

from benchmarks.catalog import FIGURES
from benchmarks.child import run_module
from benchmarks.figure import Result


def log(message: str) -> None:
    """Progress, on stderr: the table alone goes to stdout."""
    print(message, file=sys.stderr, flush=True)


def run_figure(number: int) -> list[Result]:
    """One figure's rows, measured in a fresh process."""
    rows = run_module(FIGURES[number], quiet=False)
    return [Result.from_json(row) for row in rows]


def print_table(results: list[Result]) -> None:
    """The table, the notes under it, and the summary line."""
    machine = (
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"Textual {version('textual')}, {platform.system()} {platform.machine()}"
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


def main() -> None:
    """Run the figures asked for (all by default) and print the table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--only", metavar="N,M", help=f"run only these figures (1-{max(FIGURES)})")
    args = parser.parse_args()
    only = sorted({int(n) for n in args.only.split(",")}) if args.only else sorted(FIGURES)
    unknown = [n for n in only if n not in FIGURES]
    if unknown:
        parser.error(f"no figure {', '.join(map(str, unknown))}")
    results: list[Result] = []
    for number in only:
        log(f"bench: figure {number}…")
        started = time.perf_counter()
        rows = run_figure(number)
        results.extend(rows)
        log(f"bench: figure {number}: {rows[0].measured} ({time.perf_counter() - started:.0f} s)")
    print_table(results)


if __name__ == "__main__":
    main()
