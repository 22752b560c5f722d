"""The one place the figures reach into the app's widgets.

The UI's layout moves (the panes may go to a ``MainScreen``); re-point these
few functions and every figure follows. Figures use nothing else of the app
but its public actions, its ``backend`` and its ``workers``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from beeper_tui.service.contacts import ContactSource
    from beeper_tui.ui.app import BeeperApp
    from beeper_tui.ui.contact_list import ContactList
    from beeper_tui.ui.person_view import PersonView
    from beeper_tui.ui.search_pane import SearchBox

__all__ = [
    "clear_search",
    "contact_list",
    "focus_search",
    "pager",
    "person_view",
    "search_box",
    "switch_account",
]


def contact_list(app: BeeperApp) -> ContactList:
    """The list of contacts on screen."""
    return app.pane.contact_list


def pager(app: BeeperApp) -> ContactSource | None:
    """The source behind the rows on screen."""
    return app.pane.pager


def search_box(app: BeeperApp) -> SearchBox:
    """The search input."""
    return app.pane.search_box


def clear_search(app: BeeperApp) -> None:
    """Empty the search, as Escape in the box does."""
    app.pane.clear_search()


def focus_search(app: BeeperApp) -> None:
    """Put the cursor in the search box, as ``/`` does."""
    app.main_screen.action_focus_search()


def person_view(app: BeeperApp) -> PersonView:
    """The detail panel showing the highlighted person."""
    return app.detail


def switch_account(app: BeeperApp, account_id: str) -> None:
    """Show one account's contacts, as picking it in the sidebar does."""
    app.main_screen.switch_account(account_id)
