"""Command palette entries: switch account (and the app's actions)."""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider

from beeper_tui.service.networks import account_label
from beeper_tui.service.scope import ALL_ACCOUNTS, Scope

from .main_screen import MainScreen
from .safe_text import inert

__all__ = ["AccountCommands", "ContactCommands", "plain_highlight"]


def plain_highlight(matcher: Matcher, candidate: str) -> Text:
    """Like ``Matcher.highlight`` but never parses ``candidate`` as markup.

    Account labels hold user-controlled names; Textual's own highlighter would
    interpret ``[bold]`` in a name as markup.
    """
    text = Text(candidate)
    _score, offsets = matcher.fuzzy_search.match(matcher.query, candidate)
    for offset in offsets:
        if not candidate[offset].isspace():
            text.stylize("reverse", offset, offset + 1)
    return text


def _main_screen(provider: Provider) -> MainScreen | None:
    """The main screen under the palette (None if the app has none)."""
    return next((s for s in provider.app.screen_stack if isinstance(s, MainScreen)), None)


class AccountCommands(Provider):
    """``Switch to <network · owner>`` for every account."""

    def _commands(self) -> list[tuple[str, Scope]]:
        main = _main_screen(self)
        if main is None:
            return []
        accounts = main.backend.accounts.accounts
        every = [("Switch account: All accounts", ALL_ACCOUNTS)] if accounts else []
        return every + [
            (f"Switch account: {inert(account_label(a), limit=80)}", a.account_id) for a in accounts
        ]

    def _switch(self, account_id: Scope) -> None:
        if (main := _main_screen(self)) is not None:
            main.switch_account(account_id)

    async def discover(self) -> Hits:
        for text, account_id in self._commands():
            yield DiscoveryHit(
                Text(text), partial(self._switch, account_id), text=text, help="Show this account"
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, account_id in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(
                    score,
                    plain_highlight(matcher, text),
                    partial(self._switch, account_id),
                    text=text,
                )


class ContactCommands(Provider):
    """The actions on the highlighted contact, each with the key it is bound to now."""

    ACTIONS = (
        ("Message the highlighted contact: open the chat in Beeper Desktop", "message"),
        ("Chats with the highlighted contact: pick one to open", "open_chats"),
        ("Copy a detail of the highlighted contact", "copy"),
        ("IDs: show or hide the raw IDs in the person view", "toggle_ids"),
        ("Export the current results to a file", "export"),
        ("Refresh accounts, retry what failed", "refresh"),
        ("Search: put the cursor in the search box", "focus_search"),
        ("Details: show or hide the person view", "toggle_detail"),
        ("Accounts: show or hide the sidebar", "toggle_sidebar"),
        ("Help: keys and marks", "app.help"),
        ("Quit", "app.quit"),
    )

    def _commands(self) -> list[tuple[str, str]]:
        # The keys come from the bindings (a keymap may have moved them), not from here.
        keys: dict[str, list[str]] = {}
        for key, bound in self.screen.active_bindings.items():
            shown = self.app.get_key_display(Binding(key, bound.binding.action))
            keys.setdefault(bound.binding.action, []).append(shown)
        out = []
        for text, action in self.ACTIONS:
            label = " ".join(keys.get(action, []))
            out.append((f"{text} ({label})" if label else text, action))
        return out

    def _run(self, action: str) -> None:
        # The actions are the main screen's (its panes, the highlighted person).
        if (main := _main_screen(self)) is not None:
            self.app.call_later(main.run_action, action)

    async def discover(self) -> Hits:
        for text, action in self._commands():
            yield DiscoveryHit(Text(text), partial(self._run, action), text=text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, action in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(
                    score, plain_highlight(matcher, text), partial(self._run, action), text=text
                )
