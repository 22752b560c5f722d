"""The export dialog: write the current result set to a file, with progress."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static
from textual.worker import Worker, WorkerState

from beeper_tui.api.errors import BeeperError
from beeper_tui.api.models import Account
from beeper_tui.service.backend import Backend
from beeper_tui.service.export.run import ExportProgress, ExportResult

from .safe_text import inert, safe_text

__all__ = ["EXPORT_FORMATS", "ExportDialog"]

EXPORT_FORMATS: list[tuple[str, str]] = [
    ("vCard 4.0 (.vcf)", "vcf"),
    ("CSV, Excel-safe (.csv)", "csv"),
    ("JSON array (.json)", "json"),
    ("JSON Lines (.jsonl)", "jsonl"),
]


class ExportDialog(ModalScreen[ExportResult | None]):
    """Pick a file and a format; pages through every matching contact while showing progress."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        backend: Backend,
        accounts: Sequence[Account],
        *,
        query: str,
        default_path: Path,
        scope_label: str,
    ) -> None:
        super().__init__()
        self.backend = backend
        self.accounts = list(accounts)
        self.search_query = query
        self.default_path = default_path
        self.scope_label = scope_label
        self.running = False

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog", classes="dialog") as dialog:
            dialog.border_title = "Export contacts"
            what = Text("Every contact of ", end="")
            what.append_text(safe_text(self.scope_label, "bold"))
            if self.search_query:
                what.append(" matching ")
                what.append_text(safe_text(f'"{self.search_query}"', "bold"))
            what.append(", paging to the end.")
            yield Static(what)
            yield Select(EXPORT_FORMATS, value="vcf", allow_blank=False, id="export-format")
            yield Input(str(self.default_path), id="export-path")
            yield Static("", id="export-progress")
            with Horizontal(classes="buttons"):
                yield Button("Export", id="export-start", variant="primary")
                yield Button("Cancel", id="export-cancel")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    @on(Select.Changed, "#export-format")
    def _format_changed(self, event: Select.Changed) -> None:
        box = self.query_one("#export-path", Input)
        path = Path(box.value.strip())
        if not path.name or path.name in (".", ".."):
            return  # no file name yet: nothing to give a suffix to
        box.value = str(path.with_suffix("." + str(event.value)))

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-start")
    def _start(self) -> None:
        if self.running:
            return
        raw = self.query_one("#export-path", Input).value.strip()
        if not raw:
            self.notify("Choose a file to write.", severity="warning")
            return
        target = Path(raw).expanduser()
        if not target.parent.is_dir():
            self.notify(
                f"No such folder: {inert(str(target.parent))}", severity="error", markup=False
            )
            return
        fmt = str(self.query_one("#export-format", Select).value)
        self.running = True
        self.query_one("#export-start", Button).disabled = True
        self._export(target, fmt)

    @on(Button.Pressed, "#export-cancel")
    def action_cancel(self) -> None:
        # Cancelling the worker removes the partial file; nothing half-written stays.
        self.workers.cancel_group(self, "export")
        self.dismiss(None)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self._failed(f"{type(event.worker.error).__name__}: {event.worker.error}")
            report = getattr(self.app, "report_unexpected", None)
            if report is not None:
                report(event.worker.error)

    def _failed(self, message: str) -> None:
        self.running = False
        self.query_one("#export-start", Button).disabled = False
        self.query_one("#export-progress", Static).update(
            Text("Export failed, nothing written: " + inert(message), "bold red")
        )

    def _progress(self, state: ExportProgress) -> None:
        line = Text(f"{state.total_written:,} written · ")
        line.append_text(safe_text(state.network, "bold"))
        line.append(f" ({state.account_index}/{state.account_count})")
        self.query_one("#export-progress", Static).update(line)

    @work(group="export", exclusive=True, exit_on_error=False)
    async def _export(self, target: Path, fmt: str) -> None:
        try:
            result = await self.backend.export_to_file(
                self.accounts, target, fmt, query=self.search_query, progress=self._progress
            )
        except (BeeperError, OSError) as exc:
            self._failed(exc.message if isinstance(exc, BeeperError) else str(exc))
            return
        self.app.notify(
            f"Exported {result.written:,} contacts to {inert(str(target))}",
            title="Export",
            markup=False,
        )
        self.dismiss(result)
