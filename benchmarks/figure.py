"""What a figure is: the :class:`Figure` protocol and the :class:`Result` rows it measures."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol, runtime_checkable

__all__ = ["Figure", "Result", "ms", "percentile", "print_results"]


@dataclass(frozen=True, slots=True)
class Result:
    """One row of the bench table: a measured value with its unit, against a target."""

    number: int
    """The figure's number in the table (figure 9 gives several rows)."""
    name: str
    target: str
    """The target as the table shows it, e.g. ``<= 250 ms``."""
    value: float
    """The headline value, in ``unit``."""
    unit: str
    measured: str
    """The table's text for the value, with whatever context the figure adds."""
    passed: bool
    notes: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        figure: Figure,
        value: float,
        measured: str,
        passed: bool,
        notes: Sequence[str] = (),
    ) -> Result:
        """A row for ``figure`` with its own number, name, target and unit."""
        return cls(
            figure.number,
            figure.name,
            figure.target,
            value,
            figure.unit,
            measured,
            passed,
            tuple(notes),
        )

    def to_json(self) -> dict[str, Any]:
        """The row as plain JSON, for the runner in the parent process."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Result:
        """The row a child process printed."""
        return cls(**{**data, "notes": tuple(data["notes"])})


@runtime_checkable
class Figure(Protocol):
    """One performance figure: what it measures, its target and unit, and how to run it.

    ``run`` measures in the calling process and returns the table's rows (one
    for most figures). The runner calls it in a fresh process per figure, so
    the heap and its garbage collections are like the app's own.
    """

    number: int
    name: str
    target: str
    unit: str

    def run(self) -> list[Result]:
        """Measure; the rows of the table."""
        ...


def print_results(figure: Figure) -> None:
    """Child side of the runner: measure ``figure`` and print its rows as one JSON line."""
    results = figure.run()
    print(json.dumps([r.to_json() for r in results]), flush=True)


def ms(seconds: float) -> str:
    """``seconds`` as milliseconds for the table."""
    return f"{seconds * 1000:.1f} ms"


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (p95 of 20 values is the 19th smallest)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]
