"""The export dialog's states: count, progress, cancel, replace prompt, empty result, errors."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Button, Input, ProgressBar, Select

from beeper_tui.demo import DemoState, FaultRule
from beeper_tui.ui.app import BeeperApp
from beeper_tui.ui.copy_menu import CopyMenu
from beeper_tui.ui.export_dialog import ExportDialog
from tests.ui_helpers import settle, show_big_account, toasts, wait_for

SIZE = (120, 40)


def _line(dialog: ExportDialog) -> str:
    return str(dialog.query_one("#export-progress").render())


async def _open(app: BeeperApp, pilot: object) -> ExportDialog:
    app.pane.contact_list.focus()
    await pilot.press("ctrl+s")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    assert isinstance(app.screen, ExportDialog)
    return app.screen


async def test_big_export_shows_progress_asks_before_replacing_and_cancels(
    make_app: Callable[..., BeeperApp], demo_state: DemoState, tmp_path: Path
) -> None:
    target = tmp_path / "slack.vcf"
    target.write_text("the old file\n", encoding="utf-8")
    app = make_app(page_size=50)
    async with app.run_test(size=SIZE) as pilot:
        await show_big_account(app, pilot)
        dialog = await _open(app, pilot)
        assert "At least" in str(dialog.query_one("#export-what").render())
        dialog.query_one("#export-path", Input).value = str(target)
        await pilot.click("#export-start")
        await pilot.pause()
        # An existing file: nothing starts until the user confirms.
        assert not dialog.running
        assert "exists" in _line(dialog)
        assert str(dialog.query_one("#export-start", Button).label) == "Replace"
        # The first page answers; the later ones are held until the user has pressed
        # keys: the export is still running then, however fast the machine writes.
        later_pages = asyncio.Event()
        demo_state.faults.add(FaultRule(path=r"/contacts/list$", times=1))
        demo_state.faults.add(FaultRule(path=r"/contacts/list$", hold=later_pages))
        await pilot.press("ctrl+s")  # the dialog's own "Export" key confirms too
        bar = dialog.query_one("#export-bar", ProgressBar)
        await pilot.pause()
        assert dialog.running, _line(dialog)
        await wait_for(pilot, lambda: bar.progress > 0 or not dialog.running, limit=20)
        assert dialog.running, _line(dialog)
        assert "written" in _line(dialog)
        # Keys typed meanwhile stay in the dialog.
        await pilot.press("ctrl+y", "ctrl+o")
        assert not isinstance(app.screen, CopyMenu)
        await pilot.press("escape")
        later_pages.set()
        await settle(pilot)
        assert not isinstance(app.screen, ExportDialog)
        assert target.read_text(encoding="utf-8") == "the old file\n"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["slack.vcf"]
        assert any("cancelled" in t.message for t in toasts(app))


async def test_empty_result_is_refused_with_a_reason(
    make_app: Callable[..., BeeperApp], tmp_path: Path
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"qqqqzzzzxxxx", "enter")
        await settle(pilot)
        assert not app.pane.contact_list.items
        dialog = await _open(app, pilot)
        assert "0 people" in str(dialog.query_one("#export-what").render())
        dialog.query_one("#export-path", Input).value = str(tmp_path / "empty.csv")
        await pilot.click("#export-start")
        await pilot.pause()
        assert "Nothing to export" in _line(dialog)
        assert isinstance(app.screen, ExportDialog)
        assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "says"), [("no/such/dir/x.vcf", "No such folder"), (".", "is a folder")]
)
async def test_errors_are_a_line_in_the_dialog_and_keep_the_input(
    make_app: Callable[..., BeeperApp], tmp_path: Path, name: str, says: str
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dialog = await _open(app, pilot)
        typed = str(tmp_path / name)
        dialog.query_one("#export-path", Input).value = typed
        await pilot.click("#export-start")
        await pilot.pause()
        assert says in _line(dialog)
        assert isinstance(app.screen, ExportDialog)
        assert dialog.query_one("#export-path", Input).value == typed
        assert not [t for t in toasts(app) if t.severity == "error"]


async def test_remembers_format_and_folder_and_reports_the_absolute_path(
    make_app: Callable[..., BeeperApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app(page_size=50)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.main_screen.switch_account("linkedin")
        await settle(pilot)
        dialog = await _open(app, pilot)
        dialog.query_one("#export-format", Select).value = "csv"
        await pilot.pause()
        dialog.query_one("#export-path", Input).value = "linkedin.csv"  # relative
        await pilot.click("#export-start")
        await wait_for(pilot, (tmp_path / "linkedin.csv").exists)
        await settle(pilot)
        assert any(f"to {tmp_path / 'linkedin.csv'}" in t.message for t in toasts(app))
        again = await _open(app, pilot)
        assert again.query_one("#export-format", Select).value == "csv"
        path = Path(again.query_one("#export-path", Input).value)
        assert path.parent == tmp_path
        assert path.suffix == ".csv"
