"""What the keys do to the highlighted person: copy, message, open a chat, show the IDs.

Mixed into :class:`~beeper_tui.ui.app.BeeperApp`; the person view does the work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from beeper_tui.service.person import Contact

if TYPE_CHECKING:
    from .app import BeeperApp

__all__ = ["PersonActions"]


class PersonActions:
    """Actions on the person under the list's cursor."""

    @property
    def _app(self) -> BeeperApp:
        return cast("BeeperApp", self)

    def _contact_for_action(self) -> Contact | None:
        contact = self._app.pane.contact_list.highlighted
        if contact is None:
            self._app.notify("Highlight a contact first.", severity="warning")
        return contact

    def action_copy(self) -> None:
        """Copy a detail of the highlighted person (for several networks, ask which first)."""
        contact = self._contact_for_action()
        if contact is not None:
            self._app.detail.copy(contact)

    def action_message(self) -> None:
        """Open the chat with the highlighted person (for several networks, ask which first)."""
        contact = self._contact_for_action()
        if contact is None or self._app.book_driver.needs_desktop("Messaging"):
            return
        self._app.detail.message(contact)

    def action_open_chats(self) -> None:
        """Pick one of the chats with the highlighted person and open it in Beeper Desktop."""
        contact = self._contact_for_action()
        if contact is not None:
            self._app.detail.open_chats(contact)

    def action_toggle_ids(self) -> None:
        """Show or hide the raw IDs and URLs of the person in the detail panel."""
        self._app.detail.toggle_ids()
