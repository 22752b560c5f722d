"""The Desktop chooser: several Beeper Desktops answer on this machine, which one to use."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from beeper_tui.service.discovery import FoundDesktop

__all__ = ["DesktopChooser"]


class DesktopChooser(ModalScreen[str | None]):
    """Lists the Desktops that answered; Enter returns the URL of one, Esc keeps the address set.

    Shown at start-up only when the saved token does not tell them apart (no
    token, or none or several of them accept it).
    """

    DEFAULT_CSS = """
    DesktopChooser {
        align: center middle;
        background: $background 70%;
    }
    DesktopChooser #desktop-options {
        height: auto;
        max-height: 12;
        border: none;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", id="desktop_chooser.close")
    ]

    def __init__(self, found: Sequence[FoundDesktop], configured: str) -> None:
        super().__init__()
        self.found = list(found)
        self.configured = configured
        """The address used when the user chooses none."""

    def compose(self) -> ComposeResult:
        with Vertical(id="desktop-dialog", classes="dialog") as dialog:
            dialog.border_title = "Several Beeper Desktops"
            yield Static(Text("Which Beeper Desktop should beeper-tui use?", "bold"))
            yield OptionList(
                *(Option(Text(d.describe())) for d in self.found), id="desktop-options"
            )
            hint = Text(f"Enter uses it · Esc tries {self.configured} · ")
            hint.append("--base-url picks one at start")
            yield Static(hint, classes="hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected, "#desktop-options")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.found[event.option_index].url)

    def action_close(self) -> None:
        """Choose none: the configured address is tried."""
        self.dismiss(None)
