"""The accounts sidebar: every connected chat account with a live status badge."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from beeper_tui.api.models import Account, AccountStatus
from beeper_tui.service.all_accounts import ALL_ACCOUNTS
from beeper_tui.service.networks import account_owner, network_name, status_badge

from .safe_text import safe_text

__all__ = ["BADGE_STYLES", "AccountsSidebar", "account_prompt"]

BADGE_STYLES: dict[str, str] = {
    "ok": "bold green",
    "busy": "bold yellow",
    "action": "bold red",
    "off": "dim",
    "unknown": "bold magenta",
}
"""Colour of each badge level; the symbol alone also tells them apart."""


PROMPT_WIDTH = 26
"""Cells a sidebar line may use; longer names are cut with an ellipsis, never wrapped."""


def _line(*parts: Text) -> Text:
    line = Text(end="", no_wrap=True)
    for part in parts:
        line.append_text(part)
    line.truncate(PROMPT_WIDTH, overflow="ellipsis")
    return line


def account_prompt(account: Account) -> Text:
    """Two lines: badge + network, then the status in words and the owner's name."""
    badge = status_badge(account.status)
    style = BADGE_STYLES[badge.level]
    return Text("\n", end="").join(
        [
            _line(Text(badge.symbol + " ", style), safe_text(network_name(account), "bold")),
            _line(
                Text("  "),
                Text(badge.label, style),
                Text(" · ", "dim"),
                safe_text(account_owner(account), "dim"),
            ),
        ]
    )


def all_accounts_prompt(accounts: Sequence[Account]) -> Text:
    """The first row: search every account at once."""
    searched = sum(a.status is not AccountStatus.DISABLED for a in accounts)
    count = f"{searched} account{'' if searched == 1 else 's'}"
    return Text("\n", end="").join(
        [
            _line(Text("✱ ", "bold cyan"), Text("All accounts", "bold")),
            _line(Text("  "), Text(f"{count} · search everywhere", "dim")),
        ]
    )


class AccountsSidebar(OptionList):
    """One option per account, keyed by account ID; keeps the highlight across refreshes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Accounts"

    @property
    def highlighted_id(self) -> str | None:
        """Account ID of the highlighted row."""
        if self.highlighted is None:
            return None
        return self.get_option_at_index(self.highlighted).id

    def show_accounts(self, accounts: Sequence[Account]) -> None:
        """Replace the rows, keeping the current account highlighted."""
        keep = self.highlighted_id
        with self.prevent(OptionList.OptionHighlighted):
            self.clear_options()
            if accounts:
                self.add_option(Option(all_accounts_prompt(accounts), id=ALL_ACCOUNTS))
            self.add_options(Option(account_prompt(a), id=a.account_id) for a in accounts)
        ids = [ALL_ACCOUNTS, *(a.account_id for a in accounts)] if accounts else []
        if keep in ids:
            self.highlighted = ids.index(keep)
        elif ids:
            self.highlighted = 0

    def select_account(self, account_id: str) -> bool:
        """Move the highlight to ``account_id``; False when it is not listed."""
        try:
            self.highlighted = self.get_option_index(account_id)
        except OptionDoesNotExist:
            return False
        return True
