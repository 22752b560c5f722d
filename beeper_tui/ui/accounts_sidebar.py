"""The accounts sidebar: every connected chat account with a live status badge."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from beeper_tui.api.models import Account
from beeper_tui.service.accounts import searched_accounts
from beeper_tui.service.networks import account_owner, network_name, status_badge
from beeper_tui.service.scope import ALL_ACCOUNTS, Scope

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


def account_prompt(account: Account, problem: str | None = None) -> Text:
    """Two lines: badge + network, then the status in words and the owner's name.

    ``problem`` (why its contacts cannot be read) replaces the second line with a
    short warning; the contact pane shows the whole reason.
    """
    badge = status_badge(account.status)
    style = BADGE_STYLES[badge.level]
    if problem is not None:
        return Text("\n", end="").join(
            [
                _line(Text("⚠ ", "bold yellow"), safe_text(network_name(account), "bold")),
                _line(Text("  can't list contacts · ", "yellow"), safe_text(problem, "dim")),
            ]
        )
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
    searched = len(searched_accounts(accounts))
    count = f"{searched} account{'' if searched == 1 else 's'}"
    return Text("\n", end="").join(
        [
            _line(Text("✱ ", "bold cyan"), Text("All accounts", "bold")),
            _line(Text("  "), Text(f"{count} · search everywhere", "dim")),
        ]
    )


_ALL_OPTION = "beeper-tui:all-accounts"
"""Option ID of the "All accounts" row (no real account ID has this form)."""


class AccountsSidebar(OptionList):
    """One option per account, keyed by account ID; keeps the highlight across refreshes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Accounts"

    @staticmethod
    def scope_of(option_id: str | None) -> Scope | None:
        """The scope an option stands for."""
        if option_id is None:
            return None
        return ALL_ACCOUNTS if option_id == _ALL_OPTION else option_id

    @staticmethod
    def _option_id(scope: Scope) -> str:
        return _ALL_OPTION if scope is ALL_ACCOUNTS else str(scope)

    @property
    def highlighted_scope(self) -> Scope | None:
        """The scope of the highlighted row."""
        if self.highlighted is None:
            return None
        return self.scope_of(self.get_option_at_index(self.highlighted).id)

    def show_accounts(
        self, accounts: Sequence[Account], problems: Mapping[str, str] | None = None
    ) -> None:
        """Replace the rows, keeping the current scope highlighted.

        ``problems`` maps account IDs to why their contacts cannot be read.
        """
        problems = problems or {}
        keep = self.highlighted_scope
        with self.prevent(OptionList.OptionHighlighted):
            self.clear_options()
            if accounts:
                self.add_option(Option(all_accounts_prompt(accounts), id=_ALL_OPTION))
            self.add_options(
                Option(account_prompt(a, problems.get(a.account_id)), id=a.account_id)
                for a in accounts
            )
        scopes: list[Scope] = [ALL_ACCOUNTS, *(a.account_id for a in accounts)] if accounts else []
        if keep in scopes:
            self.highlighted = scopes.index(keep)
        elif scopes:
            self.highlighted = 0

    def select_account(self, scope: Scope) -> bool:
        """Move the highlight to ``scope``; False when it is not listed."""
        try:
            self.highlighted = self.get_option_index(self._option_id(scope))
        except OptionDoesNotExist:
            return False
        return True
