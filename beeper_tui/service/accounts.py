"""The list of chat accounts: load, refresh, detail, and a stable display order."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from beeper_tui.api.client import BeeperClient
from beeper_tui.api.errors import BeeperError, NotFoundError
from beeper_tui.api.models import Account, AccountStatus

from .networks import account_owner, network_name

__all__ = ["AccountDirectory", "display_order", "is_enabled"]

log = logging.getLogger("beeper_tui.service")


def display_order(accounts: Sequence[Account]) -> list[Account]:
    """Order accounts by network, then owner, then ID: stable across refreshes."""
    return sorted(
        accounts,
        key=lambda a: (network_name(a).casefold(), account_owner(a).casefold(), a.account_id),
    )


class AccountDirectory:
    """Holds the last known account list; a failed refresh keeps it and marks it stale."""

    def __init__(self, client: BeeperClient) -> None:
        self.client = client
        self._accounts: list[Account] = []
        self._by_id: dict[str, Account] = {}
        self.loaded = False
        """Whether at least one refresh has succeeded."""
        self.stale = False
        """Whether the last refresh failed (the list shown is the last good one)."""
        self.last_error: BeeperError | None = None
        self.refreshed_at: float | None = None
        """``time.monotonic()`` of the last successful refresh."""

    @property
    def accounts(self) -> Sequence[Account]:
        """The accounts in display order."""
        return self._accounts

    def get(self, account_id: str) -> Account | None:
        """The account with this ID from the last list, if any."""
        return self._by_id.get(account_id)

    async def refresh(self) -> Sequence[Account]:
        """Ask for the account list again; on failure keep the old one and raise."""
        try:
            fresh = await self.client.list_accounts()
        except BeeperError as exc:
            self.stale = self.loaded
            self.last_error = exc
            raise
        self._accounts = display_order(fresh)
        self._by_id = {a.account_id: a for a in self._accounts}
        self.loaded = True
        self.stale = False
        self.last_error = None
        self.refreshed_at = time.monotonic()
        return self._accounts

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


def is_enabled(account: Account) -> bool:
    """Whether an account counts: every state but disabled (a disconnected one still answers)."""
    return account.status is not AccountStatus.DISABLED
