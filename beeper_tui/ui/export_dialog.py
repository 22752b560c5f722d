"""The export dialog: write the current result set to a file, with progress.

Every problem is one line in the dialog (``#export-progress``, error style);
the dialog stays open with what was typed. Escape cancels at any time: the
export writes to a temporary file, so nothing is written and an existing file
is kept. An existing file is replaced only after a second confirmation. The
last format and folder are remembered for the session.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, ProgressBar, Select, Static
from textual.worker import Worker, WorkerState

from beeper_tui.api.errors import BeeperError

from .messages import UnexpectedError
from .safe_text import inert, safe_text

if TYPE_CHECKING:
    from beeper_tui.api.models import Account
    from beeper_tui.service.backend import Backend

    # ExportResult is named in a string (the base class): the export loads on first use.
    from beeper_tui.service.export.run import ExportProgress, ExportResult  # noqa: F401

__all__ = ["EXPORT_FORMATS", "ExportDialog", "ExportMemory", "ResultCount"]

EXPORT_FORMATS: list[tuple[str, str]] = [
    ("vCard 4.0 (.vcf)", "vcf"),
    ("CSV, Excel-safe (.csv)", "csv"),
    ("JSON array (.json)", "json"),
    ("JSON Lines (.jsonl)", "jsonl"),
]


@dataclass(slots=True)
class ExportMemory:
    """The last format and folder used, kept for the session."""

    format: str | None = None
    folder: Path | None = None


@dataclass(frozen=True, slots=True)
class ResultCount:
    """How many people the list holds now, and whether more pages remain."""

    loaded: int
    more: bool


class ExportDialog(ModalScreen["ExportResult | None"]):
    """Pick a file and a format; pages through every matching contact while showing progress."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
        Binding("ctrl+s", "start", "Export", id="export.start"),
    ]

    def __init__(
        self,
        backend: Backend,
        accounts: Sequence[Account],
        *,
        query: str,
        default_path: Path,
        scope_label: str,
        count: ResultCount | None = None,
        memory: ExportMemory | None = None,
    ) -> None:
        super().__init__()
        self.backend = backend
        self.accounts = list(accounts)
        self.search_query = query
        self.memory = ExportMemory() if memory is None else memory
        fmt = self.memory.format or "vcf"
        folder = self.memory.folder or default_path.parent
        self.format = fmt
        self.default_path = folder / Path(default_path.name).with_suffix("." + fmt)
        self.scope_label = scope_label
        self.count = count
        self.running = False
        self._confirm_replace: Path | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog", classes="dialog") as dialog:
            dialog.border_title = "Export contacts"
            yield Static(self._what(), id="export-what")
            yield Select(EXPORT_FORMATS, value=self.format, allow_blank=False, id="export-format")
            # Not selected on focus: a Space typed into it must not erase the path.
            yield Input(str(self.default_path), select_on_focus=False, id="export-path")
            yield ProgressBar(total=self._expected(), show_eta=False, id="export-bar")
            yield Static("", id="export-progress")
            with Horizontal(classes="buttons"):
                yield Button("Export", id="export-start", variant="primary")
                yield Button("Cancel", id="export-cancel")
        yield Footer()

    def _expected(self) -> float | None:
        count = self.count
        return float(count.loaded) if count is not None and not count.more else None

    def _what(self) -> Text:
        count = self.count
        what = Text("", end="")
        if count is None:
            what.append("Every contact")
        elif count.more:
            what.append(f"At least {count.loaded:,} people", "bold")
            what.append(" (more pages to come)")
        else:
            noun = "person" if count.loaded == 1 else "people"
            what.append(f"{count.loaded:,} {noun}", "bold")
        what.append(" of ")
        what.append_text(safe_text(self.scope_label, "bold"))
        if self.search_query:
            what.append(" matching ")
            what.append_text(safe_text(f'"{self.search_query}"', "bold"))
        what.append(", paging to the end.")
        return what

    def on_mount(self) -> None:
        # The format first: Enter opens its choices, it never exports before one is chosen.
        self.query_one("#export-format", Select).focus()

    def on_key(self, event: events.Key) -> None:
        # While it runs, a key is for this dialog or for nobody: never the main screen.
        if self.running and event.key not in ("escape", "ctrl+c"):
            event.stop()
            event.prevent_default()

    @on(Select.Changed, "#export-format")
    def _format_changed(self, event: Select.Changed) -> None:
        box = self.query_one("#export-path", Input)
        if event.value != self.format:
            self.format = str(event.value)
            box.focus()  # a format chosen: the file next, then Enter exports
        path = Path(box.value.strip())
        if not path.name or path.name in (".", ".."):
            return  # no file name yet: nothing to give a suffix to
        box.value = str(path.with_suffix("." + str(event.value)))
        box.cursor_position = len(box.value)

    @on(Input.Changed, "#export-path")
    def _path_changed(self, event: Input.Changed) -> None:
        if self._confirm_replace is None:
            return
        if self._absolute(event.value) != self._confirm_replace:
            self._confirm_replace = None  # another file: ask again if it exists
            self.query_one("#export-start", Button).label = "Export"

    @staticmethod
    def _absolute(raw: str) -> Path:
        return Path(os.path.abspath(Path(raw.strip()).expanduser()))

    def _say(self, message: str, *, error: bool = True) -> None:
        self.query_one("#export-progress", Static).update(
            Text(message, "bold red" if error else "")
        )

    def action_start(self) -> None:
        self._start()

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-start")
    def _start(self) -> None:
        if self.running:
            return
        if self.count is not None and self.count.loaded == 0 and not self.count.more:
            self._say("Nothing to export: the list is empty, so no file is written.")
            return
        raw = self.query_one("#export-path", Input).value.strip()
        if not raw:
            self._say("Choose a file to write.")
            return
        target = self._absolute(raw)
        if target.is_dir():
            self._say(f"{inert(str(target))} is a folder: add a file name.")
            return
        if not target.parent.is_dir():
            self._say(f"No such folder: {inert(str(target.parent))}")
            return
        if target.exists() and self._confirm_replace != target:
            self._confirm_replace = target
            self.query_one("#export-start", Button).label = "Replace"
            self._say(f"{inert(str(target))} exists. Press Replace (or Enter) to overwrite it.")
            return
        fmt = str(self.query_one("#export-format", Select).value)
        self.memory.format = fmt
        self.memory.folder = target.parent
        self.running = True
        self.query_one("#export-start", Button).disabled = True
        self._say("Starting…", error=False)
        self._export(target, fmt)

    @on(Button.Pressed, "#export-cancel")
    def action_cancel(self) -> None:
        # The worker writes a temporary file; cancelling removes it and keeps the old file.
        if self.running:
            self.workers.cancel_group(self, "export")
            self.app.notify("Export cancelled; nothing was written.", title="Export")
        self.dismiss(None)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self._failed(f"{type(event.worker.error).__name__}: {event.worker.error}")
            self.post_message(UnexpectedError(event.worker.error))

    def _failed(self, message: str) -> None:
        self.running = False
        self.query_one("#export-start", Button).disabled = False
        self._say("Export failed, nothing written: " + inert(message))

    def _progress(self, state: ExportProgress) -> None:
        bar = self.query_one("#export-bar", ProgressBar)
        bar.update(progress=state.total_written)
        if bar.total is not None and state.total_written > bar.total:
            bar.update(total=None)  # more than the list had loaded: indeterminate
        line = Text(f"{state.total_written:,} written · ")
        line.append_text(safe_text(state.network, "bold"))
        line.append(f" (account {state.account_index}/{state.account_count})")
        self.query_one("#export-progress", Static).update(line)

    @work(group="export", exclusive=True, exit_on_error=False)
    async def _export(self, target: Path, fmt: str) -> None:
        try:
            result = await self.backend.export_to_file(
                self.accounts, target, fmt, query=self.search_query, progress=self._progress
            )
        except BeeperError as exc:
            self._failed(exc.message)
            return
        except OSError as exc:
            # Name the file the user chose, never the temporary one beside it.
            self._failed(f"cannot write {target}: {exc.strerror or exc}")
            return
        self.running = False
        records = result.records if result.records > result.written else None
        rows = f" ({records:,} rows, one per identity)" if records else ""
        self.app.notify(
            f"Exported {result.written:,} {'person' if result.written == 1 else 'people'}"
            f"{rows} to {inert(str(target))}",
            title="Export",
            markup=False,
        )
        self.dismiss(result)
