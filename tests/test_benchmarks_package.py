"""The benchmarks package: every figure is listed, importable, and implements ``Figure``.

Nothing is measured here (timed assertions stay out of ``make test``).
"""

from __future__ import annotations

import asyncio
import importlib
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.widgets import OptionList

from benchmarks.catalog import FIGURES
from benchmarks.figure import Figure, Result
from benchmarks.paint_probe import PaintProbe

PACKAGE = Path(__file__).resolve().parent.parent / "benchmarks"


def test_every_figure_module_is_in_the_catalog() -> None:
    on_disk = {f"benchmarks.{p.stem}" for p in PACKAGE.glob("fig[0-9][0-9]_*.py")}
    assert on_disk == set(FIGURES.values())
    assert sorted(FIGURES) == list(range(1, len(FIGURES) + 1))  # numbered without gaps


@pytest.mark.parametrize(("number", "module"), sorted(FIGURES.items()))
def test_figure_implements_the_protocol(number: int, module: str) -> None:
    figure = importlib.import_module(module).FIGURE
    assert isinstance(figure, Figure)
    assert figure.number == number
    assert f"benchmarks.fig{number:02d}_" in module
    assert figure.name.strip()
    assert figure.target.strip()
    assert figure.unit.strip()


def test_a_result_survives_the_trip_from_the_child() -> None:
    figure = importlib.import_module(FIGURES[11]).FIGURE
    result = Result.of(figure, 329.4, "329.4 ms", True, ["a note"])
    assert (result.number, result.unit, result.target) == (11, "ms", figure.target)
    assert Result.from_json(result.to_json()) == result


class _Options(App[None]):
    def compose(self) -> ComposeResult:
        yield OptionList()


async def test_the_paint_probe_sees_the_frame_that_draws_the_content() -> None:
    app = _Options()
    original = OptionList.render_line
    with PaintProbe(app, OptionList) as probe:
        async with probe.run_test((40, 10)) as pilot:
            await pilot.pause()
            probe.arm(lambda options: options.option_count > 0)
            assert probe.painted_at is None
            app.query_one(OptionList).add_options(["painted"])
            painted = await asyncio.wait_for(probe.wait(), 5.0)
            assert probe.painted_at == painted
            assert probe.frames > 0
            assert not app.is_headless  # every frame is encoded as for a terminal
            assert OptionList.render_line is not original
    assert OptionList.render_line is original  # the class is as it was
