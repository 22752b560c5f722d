"""The list of chat accounts: load, refresh, detail, and a stable display order."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from beeper_tui.api.errors import BeeperError, NotFoundError

from .names import clean
from .networks import account_label, account_owner, network_code, network_name

if TYPE_CHECKING:
    from beeper_tui.api.client import BeeperClient
    from beeper_tui.api.models import Account, Chat, User

__all__ = [
    "AccountDirectory",
    "AccountMatchError",
    "display_order",
    "is_enabled",
    "match_account",
    "searched_accounts",
]

log = logging.getLogger("beeper_tui.service")

HIDDEN_ACCOUNT_SWEEP_PAGES: Final = 3
"""Pages of 200 chats read to find accounts the account list leaves out."""


def display_order(accounts: Sequence[Account]) -> list[Account]:
    """Order accounts by network, then owner, then ID: stable across refreshes."""
    return sorted(
        accounts,
        key=lambda a: (network_name(a).casefold(), account_owner(a).casefold(), a.account_id),
    )


def is_enabled(account: Account) -> bool:
    """Whether an account counts: every state but disabled (a disconnected one still answers)."""
    from beeper_tui.api.models import AccountStatus  # loaded with the accounts

    return account.status is not AccountStatus.DISABLED


def bare_account(account_id: str) -> Account:
    """An account known only by its ID (offline, from the address book).

    Its status reads as unknown; :func:`~beeper_tui.service.networks.network_name`
    still reads the network from the ID's bridge stem (``local-whatsapp_ba_…``).
    """
    from beeper_tui.api.models import Account  # not before the app's first frame

    return Account.model_validate({"accountID": account_id, "user": {"id": ""}})


def searched_accounts(accounts: Sequence[Account]) -> list[Account]:
    """The accounts "All accounts" (and the address book) covers: every enabled one."""
    return [a for a in accounts if is_enabled(a)]


class AccountMatchError(BeeperError):
    """``--account TEXT`` named no account, or more than one; ``choices`` lists candidates."""

    def __init__(self, text: str, choices: Sequence[Account], *, ambiguous: bool) -> None:
        self.text = text
        self.choices = list(choices)
        self.ambiguous = ambiguous
        what = "matches more than one account" if ambiguous else "matches no account"
        listed = ", ".join(f"{a.account_id} ({account_label(a)})" for a in self.choices)
        super().__init__(f"--account {text!r} {what}; choose one of: {listed or 'none'}")


def match_account(accounts: Sequence[Account], text: str) -> Account:
    """The one account ``text`` names: its ID, its network's name or code (``wa``), or a unique
    prefix of the ID or the name.

    Exact matches win over prefixes (``whatsapp`` is the WhatsApp account even
    when an ID starts with ``whatsapp``). Raises :class:`AccountMatchError`
    listing the choices when nothing or more than one account fits.
    """
    wanted = text.strip().casefold()
    for account in accounts:
        if account.account_id.casefold() == wanted:
            return account
    for rule in (
        lambda a: network_name(a).casefold() == wanted,
        lambda a: network_code(a).casefold() == wanted,
        lambda a: (
            a.account_id.casefold().startswith(wanted)
            or a.account_id.casefold().removeprefix("local-").startswith(wanted)
        ),
        lambda a: network_name(a).casefold().startswith(wanted),
    ):
        found = [a for a in accounts if wanted and rule(a)]
        if len(found) == 1:
            return found[0]
        if found:
            raise AccountMatchError(text, found, ambiguous=True)
    raise AccountMatchError(text, accounts, ambiguous=False)


class _HiddenAccount:
    """What chats tell of an account the list leaves out: its network and its owner.

    As msgvault does for 4.3's hidden iMessage: the chat's ``network`` names the
    network and the ``isSelf`` participant is the owner, so the account reads
    "iMessage · Ada" rather than a bare account ID.
    """

    def __init__(self) -> None:
        self.network: str | None = None
        self.owner: User | None = None

    def learn(self, chat: Chat) -> None:
        self.network = self.network or clean(chat.network)
        if self.owner is None:
            self.owner = next((p for p in chat.participants.items if p.is_self), None)

    def account(self, account_id: str) -> Account:
        owner = self.owner.model_dump(by_alias=True) if self.owner else {"id": account_id}
        from beeper_tui.api.models import Account

        return Account.model_validate(
            {
                "accountID": account_id,
                "user": owner,
                "network": self.network,
                "statusText": "found through chats (Beeper Desktop's account list omits it)",
            }
        )


class AccountDirectory:
    """Holds the last known account list; a failed refresh keeps it and marks it stale."""

    def __init__(self, client: BeeperClient) -> None:
        self.client = client
        self.find_hidden = False
        """Whether to look for accounts the list leaves out (Desktop 4.3 hides iMessage)."""
        self.found_through_chats: frozenset[str] = frozenset()
        """IDs of accounts known only from chats, not from the account list."""
        self.contact_problems: dict[str, str] = {}
        """Account found through chats → why its contacts cannot be read (shown, not hidden)."""
        self._accounts: list[Account] = []
        self._by_id: dict[str, Account] = {}
        self.loaded = False
        """Whether at least one refresh has succeeded."""
        self.stale = False
        """Whether the last refresh failed (the list shown is the last good one)."""
        self._refreshes = 0

    @property
    def accounts(self) -> Sequence[Account]:
        """The accounts in display order."""
        return self._accounts

    def get(self, account_id: str) -> Account | None:
        """The account with this ID from the last list, if any."""
        return self._by_id.get(account_id)

    async def refresh(self) -> Sequence[Account]:
        """Ask for the account list again; on failure keep the old one and raise.

        Only the newest refresh's failure makes the list stale: an older one
        failing late (after a newer one succeeded) is old news.
        """
        self._refreshes += 1
        mine = self._refreshes
        try:
            fresh = await self.client.list_accounts()
        except BeeperError:
            if mine == self._refreshes:
                self.stale = self.loaded
            raise
        listed = {a.account_id for a in fresh}
        # Accounts found through chats stay until the list names them itself.
        kept = [self._by_id[i] for i in self.found_through_chats - listed if i in self._by_id]
        self.found_through_chats = frozenset(a.account_id for a in kept)
        self._accounts = display_order([*fresh, *kept])
        self._by_id = {a.account_id: a for a in self._accounts}
        self.loaded = True
        self.stale = False
        return self._accounts

    async def find_hidden_accounts(self) -> bool:
        """Add the accounts chats use but the list leaves out; True when any were new.

        Does nothing unless :attr:`find_hidden` (builds that hide accounts). Runs
        after the listed accounts are shown, so it never delays the first screen.
        """
        if not self.find_hidden or not self.loaded:
            return False
        hidden = await self._hidden_accounts({a.account_id for a in self._accounts})
        if not hidden:
            return False
        self.found_through_chats |= {a.account_id for a in hidden}
        self._accounts = display_order([*self._accounts, *hidden])
        self._by_id = {a.account_id: a for a in self._accounts}
        return True

    async def _hidden_accounts(self, listed: set[str]) -> list[Account]:
        """Accounts that chats use but the list lacks: one bounded sweep of chat search."""
        seen: dict[str, _HiddenAccount] = {}
        cursor: str | None = None
        try:
            for _ in range(HIDDEN_ACCOUNT_SWEEP_PAGES):
                page = await self.client.search_chats(cursor=cursor, limit=200)
                for chat in page.items:
                    if chat.account_id not in listed:
                        seen.setdefault(chat.account_id, _HiddenAccount()).learn(chat)
                cursor = page.oldest_cursor
                if not page.has_more or not cursor:
                    break
        except BeeperError as exc:
            # Finding them is a bonus: the listed accounts work without it.
            log.info("looking for accounts through chats failed: %s", exc)
        return [found.account(account_id) for account_id, found in seen.items()]

    def note_contacts_failed(self, account_id: str, error: BeeperError) -> None:
        """An account found only through chats could not list contacts: keep it, say why."""
        if account_id in self.found_through_chats:
            self.contact_problems[account_id] = error.message

    async def detail(self, account_id: str) -> Account:
        """Everything the server knows of one account.

        Older Desktop builds answer 404 for the retrieve endpoint: fall back to
        the entry from the list, which is all they know anyway.
        """
        try:
            return await self.client.get_account(account_id)
        except NotFoundError:
            known = self._by_id.get(account_id)
            if known is None:
                raise
            log.debug("GET account %s answered 404; using the list entry", account_id)
            return known
