"""The accounts sidebar: every connected chat account with a live status badge."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar, Final

from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from beeper_tui.service.accounts import searched_accounts
from beeper_tui.service.networks import account_owner, network_code, network_name, status_badge
from beeper_tui.service.scope import ALL_ACCOUNTS, Scope
from beeper_tui.service.session_events import Health

from .app_keys import ACCOUNT_KEYS
from .cell_text import cell_text
from .messages import HEALTH_WORDS

if TYPE_CHECKING:
    from beeper_tui.api.models import Account

__all__ = [
    "BADGE_CLASSES",
    "BADGE_STYLES",
    "AccountsSidebar",
    "BadgeStyles",
    "account_prompt",
    "badge_styles",
]

BadgeStyles = Mapping[str, Style | str]
"""Style of each badge level ("ok", "busy", "action", "off", "unknown") and of "muted" words."""

BADGE_STYLES: BadgeStyles = {
    "ok": "bold green",
    "busy": "bold yellow",
    "action": "bold red",
    "off": "dim",
    "unknown": "bold magenta",
    "muted": "dim",
}
"""Outside a widget (tests, plain text): ANSI colours. On screen the theme's
``$text-*`` colours replace them (:func:`badge_styles`); the symbol alone also
tells the levels apart."""

BADGE_CLASSES: Final = frozenset(f"badge--{level}" for level in BADGE_STYLES)
"""The component classes a widget drawing badges declares (their colours are in app.tcss)."""


def badge_styles(widget: Widget) -> dict[str, Style]:
    """The badge styles of the current theme, resolved against ``widget``'s background.

    The theme's ``$text-error``/``$text-success``/… read on every built-in theme's
    background, and stay apart from it in grey under ``NO_COLOR`` (ANSI red became
    colour 237 on 234 there).
    """
    styles: dict[str, Style] = {}
    for level in BADGE_STYLES:
        full = widget.get_component_rich_style(f"badge--{level}")
        styles[level] = Style(color=full.color, bold=full.bold, italic=full.italic)
    return styles


PROMPT_WIDTH = 26
"""Cells a sidebar line may use at the default width; lines are cut to the real width."""

COMPACT_WIDTH = 12
"""Below this many cells a row is the badge and the network's code only."""


def _line(width: int, *parts: Text) -> Text:
    line = Text(end="", no_wrap=True)
    for part in parts:
        line.append_text(part)
    line.truncate(max(1, width), overflow="ellipsis")
    return line


def _shares_network(account: Account, accounts: Sequence[Account]) -> bool:
    name = network_name(account)
    return sum(network_name(a) == name for a in accounts) > 1


def account_prompt(
    account: Account,
    accounts: Sequence[Account] = (),
    width: int = PROMPT_WIDTH,
    problem: str | None = None,
    styles: BadgeStyles = BADGE_STYLES,
) -> Text:
    """Badge + network, then the status text (the owner only where two accounts share a network).

    Below :data:`COMPACT_WIDTH` cells: one line, the badge and the network's code.
    ``problem`` (why its contacts cannot be read) replaces the second line with a
    short warning; the contact pane shows the whole reason.
    """
    badge = status_badge(account.status)
    style = styles[badge.level]
    if width < COMPACT_WIDTH:
        symbol = "⚠ " if problem is not None else badge.symbol + " "
        return _line(width, Text(symbol, style), Text(network_code(account), "bold"))
    muted = styles["muted"]
    if problem is not None:
        why = cell_text(problem, width, pad=False)
        why.stylize(muted)
        return Text("\n", end="").join(
            [
                _line(
                    width,
                    Text("⚠ ", styles["busy"]),
                    cell_text(network_name(account), width, "bold", pad=False),
                ),
                _line(
                    width,
                    Text("  can't list contacts · ", styles["busy"]),
                    why,
                ),
            ]
        )
    second = [Text("  "), Text(badge.label, style)]
    status = (account.status_text or "").strip()
    if status and status.casefold() != badge.label.casefold():
        status_words = cell_text(status, width, pad=False)
        status_words.stylize(muted)
        second += [Text(" · ", muted), status_words]
    first = [
        Text(badge.symbol + " ", style),
        cell_text(network_name(account), width, "bold", pad=False),
    ]
    if _shares_network(account, accounts):
        first += [Text(" · ", "dim"), cell_text(account_owner(account), width, pad=False)]
    return Text("\n", end="").join([_line(width, *first), _line(width, *second)])


def all_accounts_prompt(
    accounts: Sequence[Account], width: int = PROMPT_WIDTH, styles: BadgeStyles = BADGE_STYLES
) -> Text:
    """The first row: search every account at once."""
    if width < COMPACT_WIDTH:
        return _line(width, Text("✱ ", "bold cyan"), Text("All", "bold"))
    searched = len(searched_accounts(accounts))
    count = f"{searched} account{'' if searched == 1 else 's'}"
    return Text("\n", end="").join(
        [
            _line(width, Text("✱ ", "bold cyan"), Text("All accounts", "bold")),
            _line(width, Text("  "), Text(f"{count} · search everywhere", styles["muted"])),
        ]
    )


_ALL_OPTION = "beeper-tui:all-accounts"
"""Option ID of the "All accounts" row (no real account ID has this form)."""


class AccountsSidebar(OptionList):
    """One option per account, keyed by account ID; keeps the highlight across refreshes."""

    COMPONENT_CLASSES: ClassVar[set[str]] = set(BADGE_CLASSES)

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        *ACCOUNT_KEYS,
    ]

    health: reactive[Health] = reactive(Health.CONNECTING, init=False)
    """The connection's health (bound to the screen's): when not online, the accounts
    listed may be out of date, and the border says so."""

    def action_account(self, row: int) -> None:
        """Highlight the account on ``row`` (0: All accounts); the screen follows."""
        if 0 <= row < self.option_count:
            self.highlighted = row

    def watch_health(self, health: Health) -> None:
        self.border_subtitle = HEALTH_WORDS.get(health)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Accounts"
        self._accounts: Sequence[Account] = ()
        self._problems: Mapping[str, str] = {}
        self._width = 0
        self._styles: BadgeStyles = BADGE_STYLES

    def notify_style_update(self) -> None:
        super().notify_style_update()
        if self.is_mounted and badge_styles(self) != self._styles and self._accounts:
            self.call_later(self.show_accounts, self._accounts, self._problems)  # a new theme

    @property
    def _prompt_width(self) -> int:
        if not self.is_mounted:
            return PROMPT_WIDTH
        # Room for the scrollbar, once: the content region leaves out a scrollbar
        # already shown; one that may come is kept free, so a line never wraps.
        room = self.scrollable_content_region.width
        if not self.show_vertical_scrollbar:
            room -= self.styles.scrollbar_size_vertical
        return max(1, room)

    def on_resize(self) -> None:
        self._fit_width()

    def _fit_width(self) -> None:
        """Cut the rows again if the room changed (a resize, or the scrollbar came)."""
        if self._accounts and self._prompt_width != self._width:
            self.show_accounts(self._accounts, self._problems)

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
        problems = self._problems = problems or {}
        keep = self.highlighted_scope
        self._accounts = accounts
        width = self._width = self._prompt_width
        styles = self._styles = badge_styles(self)
        with self.prevent(OptionList.OptionHighlighted):
            self.clear_options()
            if accounts:
                self.add_option(
                    Option(all_accounts_prompt(accounts, width, styles), id=_ALL_OPTION)
                )
            self.add_options(
                Option(
                    account_prompt(a, accounts, width, problems.get(a.account_id), styles),
                    id=a.account_id,
                )
                for a in accounts
            )
        scopes: list[Scope] = [ALL_ACCOUNTS, *(a.account_id for a in accounts)] if accounts else []
        if keep in scopes:
            self.highlighted = scopes.index(keep)
        elif scopes:
            self.highlighted = 0
        # The new rows may bring the scrollbar (no resize): then they are cut again.
        self.call_after_refresh(self._fit_width)

    def select_account(self, scope: Scope) -> bool:
        """Move the highlight to ``scope``; False when it is not listed."""
        try:
            self.highlighted = self.get_option_index(self._option_id(scope))
        except OptionDoesNotExist:
            return False
        return True
