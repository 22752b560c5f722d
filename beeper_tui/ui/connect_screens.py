"""Screens for when the app cannot simply start: Beeper Desktop unreachable, or no token."""

from __future__ import annotations

import webbrowser
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import ClassVar, Literal

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Static

from beeper_tui.api.errors import API_SETTINGS, BeeperError

from .clipboard import TMUX_NO_CLIPBOARD, copy_text
from .safe_text import safe_text

SignIn = Callable[[Callable[[str], None]], Awaitable[str]]
"""Runs the sign-in: shows the URL through its argument, returns the token."""


def open_browser(url: str) -> bool:
    """Open ``url`` in a browser when this session has one (tests replace this)."""
    from beeper_tui.service.sign_in import can_open_browser  # OAuth: only when asked for

    return can_open_browser() and webbrowser.open(url)


__all__ = ["TOKEN_HELP", "ConnectErrorScreen", "TokenEntered", "TokenScreen"]

TOKEN_HELP = (
    f"In Beeper Desktop open {API_SETTINGS}, turn on the Beeper Desktop API "
    "(Allow connections) and create an access token."
)

ConnectChoice = Literal["retry", "demo", "quit"]


class ConnectErrorScreen(ModalScreen[ConnectChoice]):
    """Beeper Desktop is not reachable: say where we tried and what to do next."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "choose('retry')", "Retry"),
        Binding("d", "choose('demo')", "Try the demo"),
        Binding("q,escape", "choose('quit')", "Quit"),
    ]

    def __init__(self, base_url: str, reason: str) -> None:
        super().__init__()
        self.base_url = base_url
        self.reason = reason

    def compose(self) -> ComposeResult:
        with Vertical(id="connect-dialog", classes="dialog") as dialog:
            dialog.border_title = "Cannot reach Beeper Desktop"
            message = Text("Tried ", end="")
            message.append_text(safe_text(self.base_url, "bold"))
            message.append(":\n")
            message.append_text(safe_text(self.reason))
            yield Static(message, id="connect-message")
            yield Static(
                f"Start Beeper Desktop, then enable its API in {API_SETTINGS} "
                "(it listens on http://localhost:23373). Or set BEEPER_BASE_URL if it "
                "runs elsewhere.",
                classes="hint",
                markup=False,
            )
            with Horizontal(classes="buttons"):
                yield Button("Retry", id="retry", variant="primary")
                yield Button("Try the demo instead", id="demo")
                yield Button("Quit", id="quit", variant="error")

    def on_mount(self) -> None:
        self.query_one("#retry", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id in ("retry", "demo", "quit"):
            self.dismiss(event.button.id)  # type: ignore[arg-type]

    def action_choose(self, choice: ConnectChoice) -> None:
        self.dismiss(choice)


@dataclass(frozen=True)
class TokenEntered:
    """A token typed by the user, and whether to save it to the config file."""

    token: str
    save: bool

    def __repr__(self) -> str:
        return f"TokenEntered(token=***, save={self.save})"


def _save_label(on: bool) -> str:
    # One plain sentence per state (some themes draw the box the same either way).
    if on:
        return "Save it in the config file once Desktop accepts it (only you can read it)"
    return "Save it in the config file (off: this session only)"


class TokenScreen(ModalScreen[TokenEntered | Literal["demo", "quit"]]):
    """Ask for an access token (masked). Shown when none is set or it was rejected."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "quit", "Quit"),
        Binding("ctrl+d", "demo", "Try the demo"),
    ]
    AUTO_FOCUS = "#token-input"
    """A pasted token needs no extra key; Sign in (above the box) is a Tab away."""

    def __init__(
        self,
        *,
        reason: str | None,
        config_path: str | None,
        sign_in: SignIn | None = None,
        source_note: str | None = None,
    ) -> None:
        super().__init__()
        self.reason = reason
        self.config_path = config_path
        self.sign_in = sign_in
        self.source_note = source_note
        """Where the rejected token came from, when that matters (the environment)."""
        self.sign_in_url: str | None = None
        """The address sign-in asked the user to open (copied by "Copy the address")."""

    def compose(self) -> ComposeResult:
        with Vertical(id="token-dialog", classes="dialog") as dialog:
            dialog.border_title = "Access token"
            if self.reason:
                yield Static(safe_text(self.reason, "bold red"), id="token-reason")
            if self.source_note:
                yield Static(safe_text(self.source_note, "bold"), id="token-source")
            if self.sign_in is not None:
                yield Button("Sign in with Beeper Desktop", id="sign-in", variant="primary")
                yield Static("", id="sign-in-status", classes="hint", markup=False)
                # The address wraps over lines inside the border: one press copies it whole.
                yield Button("Copy the address", id="copy-url", classes="-hidden")
                yield Static("Or paste an access token:", classes="hint", markup=False)
            yield Static(TOKEN_HELP, classes="hint", markup=False)
            yield Input(
                placeholder="Paste the access token",
                password=True,
                id="token-input",
            )
            yield Checkbox(_save_label(False), id="token-save")
            if self.config_path:
                yield Static(safe_text(self.config_path, "dim"), classes="hint")
            with Horizontal(classes="buttons"):
                yield Button("Connect", id="connect", variant="primary")
                yield Button("Try the demo instead", id="demo")
                yield Button("Quit", id="quit", variant="error")

    def on_mount(self) -> None:
        self.query_one("#token-input", Input).focus()

    def _status(self, text: Text) -> None:
        self.query_one("#sign-in-status", Static).update(text)

    @work(exclusive=True, group="sign-in", exit_on_error=False)
    async def _run_sign_in(self) -> None:
        assert self.sign_in is not None

        def show(url: str) -> None:
            self.sign_in_url = url
            self.query_one("#copy-url", Button).remove_class("-hidden")
            opened = open_browser(url)
            text = Text(
                "Approve beeper-tui in the page that opened, or open:\n"
                if opened
                else "Open this address in a browser and approve beeper-tui:\n"
            )
            text.append_text(safe_text(url, "bold"))
            text.append("\nWaiting for the approval…")
            self._status(text)

        self._status(Text("Asking Beeper Desktop…"))
        try:
            token = await self.sign_in(show)
        except BeeperError as exc:
            self._status(safe_text(f"Not signed in: {exc.message}", "bold red"))
            return
        self.dismiss(TokenEntered(token, save=True))

    @on(Checkbox.Changed, "#token-save")
    def _save_changed(self, event: Checkbox.Changed) -> None:
        # The words say the state: some themes draw the box the same ticked or not.
        event.checkbox.label = _save_label(event.value)

    def _submit(self) -> None:
        token = self.query_one("#token-input", Input).value.strip()
        if not token:
            self.notify("Paste a token first.", severity="warning")
            return
        save = self.query_one("#token-save", Checkbox).value
        self.dismiss(TokenEntered(token, save))

    @on(Input.Submitted, "#token-input")
    def _submitted(self) -> None:
        self._submit()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "sign-in":
            self._run_sign_in()
        elif event.button.id == "copy-url" and self.sign_in_url:
            where = copy_text(self.app, self.sign_in_url)
            if where == TMUX_NO_CLIPBOARD:
                self.notify(f"Address {where}.", severity="warning", timeout=12, markup=False)
            else:
                self.notify(f"Copied the address{', ' + where if where else ''}.", markup=False)
        elif event.button.id == "connect":
            self._submit()
        elif event.button.id == "demo":
            self.dismiss("demo")
        elif event.button.id == "quit":
            self.dismiss("quit")

    def action_quit(self) -> None:
        self.dismiss("quit")

    def action_demo(self) -> None:
        self.dismiss("demo")
