"""The copy menu: pick which of a contact's details goes to the clipboard.

What reaches the clipboard is what the menu shows: the value cleaned to one
line (:func:`~beeper_tui.service.text_hygiene.clean_text`: no control
characters, escape sequences or line breaks), so a username holding
``"\\ncurl … | sh\\n"`` or an OSC 52 sequence never pastes as a command.
"""

from __future__ import annotations

import logging
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList
from textual.widgets.option_list import Option

from beeper_tui.service.names import best_name
from beeper_tui.service.person import Contact
from beeper_tui.service.phones import format_phone
from beeper_tui.service.text_hygiene import clean_text

from .clipboard import TMUX_NO_CLIPBOARD, copy_text
from .safe_text import inert, safe_text

log = logging.getLogger("beeper_tui.ui")

__all__ = ["CopyMenu", "copy_choices"]


def copy_choices(contact: Contact, name: str | None = None) -> list[tuple[str, str]]:
    """(label, raw value) for every detail of the person that can be copied.

    ``name``: the person's name as the screen shows it (one network's details
    still copy the whole name, "Zoe Morrison", not that network's "Zoe M.").
    """
    choices: list[tuple[str, str]] = [("Name", name or best_name(contact.user))]
    seen: set[tuple[str, str]] = set()
    for identity in contact.identities:
        u = identity.user
        for label, value in (
            ("Phone", u.phone_number),
            ("Email", u.email),
            ("Username", u.username),
            ("User ID", u.id),
            ("Account ID", identity.account_id),
            ("Avatar URL", u.img_url),
        ):
            if value and value.strip() and (label, value) not in seen:
                seen.add((label, value))
                choices.append((label, value))
    return choices


class CopyMenu(ModalScreen[tuple[str, str] | None]):
    """A small menu of the contact's details; enter copies (and says so), escape closes."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "dismiss", "Close")]

    def __init__(self, contact: Contact, *, name: str | None = None) -> None:
        super().__init__()
        self.choices: list[tuple[str, str]] = []
        """(label, value to copy): each value cleaned to the single line the menu shows."""
        self.cleaned: list[bool] = []
        """Per choice: whether cleaning changed the value."""
        for label, raw in copy_choices(contact, name):
            value = clean_text(raw, newlines=False)
            if value:
                self.choices.append((label, value))
                self.cleaned.append(value != raw)
        self.contact_id = contact.id
        self.title_text = name or best_name(contact.user)

    def compose(self) -> ComposeResult:
        with Vertical(id="copy-dialog", classes="dialog") as dialog:
            dialog.border_title = "Copy to clipboard"
            options = []
            for index, (label, value) in enumerate(self.choices):
                prompt = Text(f"{label:<10} ", "bold")
                shown = format_phone(value) if label == "Phone" else value
                prompt.append_text(safe_text(shown, limit=120))
                options.append(Option(prompt, id=str(index)))
            yield OptionList(*options, id="copy-options")
        yield Footer()  # the dialog's keys, not the main screen's

    def on_mount(self) -> None:
        self.query_one("#copy-options", OptionList).focus()

    @on(OptionList.OptionSelected, "#copy-options")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        label, value = self.choices[event.option_index]
        where = copy_text(self.app, value)
        log.info("copied %s of %s", label, self.contact_id)
        note = (
            " (cleaned: control characters and line breaks removed)"
            if self.cleaned[event.option_index]
            else ""
        )
        shown = inert(value, limit=80)
        if where == TMUX_NO_CLIPBOARD:
            self.app.notify(
                f"{label} {where}. {shown}", severity="warning", timeout=12, markup=False
            )
        else:
            where = f", {where}" if where else ""
            self.app.notify(f"Copied {label.lower()}{note}{where}: {shown}", markup=False)
        self.dismiss((label, value))
