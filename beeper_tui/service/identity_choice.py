"""Which of a person's identities to use for "message" or "copy", and why not the others.

A pure function of the person, the accounts as last listed (their status) and
the chats found with the person: no I/O, so the menu and its tests agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from beeper_tui.api.models import Account, AccountStatus

from .chats import PersonChat
from .names import best_name, secondary_text
from .networks import StatusBadge, account_label, status_badge
from .person import Contact

__all__ = ["IdentityOption", "Purpose", "rank_identities"]

Purpose = Literal["message", "copy"]

# Connected is best; a build that reports no status at all is not held against
# the account (older Desktop builds send none); busy accounts come next.
_STATUS_RANK: Final = {
    AccountStatus.CONNECTED: 0,
    AccountStatus.UNKNOWN: 1,
    AccountStatus.CONNECTING: 2,
    AccountStatus.BACKFILLING: 2,
}


@dataclass(frozen=True, slots=True)
class IdentityOption:
    """One identity of the person as the network menu shows it."""

    identity: Contact
    account: Account | None
    label: str
    """``WhatsApp · Noor's phone``: the network and the account's owner."""
    handle: str
    """The name, handle or phone on that network (may be empty)."""
    badge: StatusBadge
    messageable: bool
    last_activity: datetime | None
    """The latest activity of a chat with the person on this identity."""
    problem: str | None
    """Why this identity cannot be used for the purpose, in words; None when it can."""
    warning: str | None
    """Something to say before using it (the account is not connected); None when fine."""

    @property
    def usable(self) -> bool:
        """Whether the identity can be chosen for the purpose."""
        return self.problem is None


def _latest_by_identity(chats: Iterable[PersonChat]) -> dict[tuple[str, str], datetime]:
    latest: dict[tuple[str, str], datetime] = {}
    for chat in chats:
        if chat.last_activity is None:
            continue
        key = chat.identity.key
        if key not in latest or chat.last_activity > latest[key]:
            latest[key] = chat.last_activity
    return latest


def rank_identities(
    contact: Contact,
    accounts: Mapping[str, Account],
    chats: Iterable[PersonChat] = (),
    *,
    purpose: Purpose = "message",
) -> list[IdentityOption]:
    """The person's identities, the most likely one first.

    Usable ones first (for "message": the person can be messaged there and the
    account still exists), then connected accounts before the rest, then the
    identity with the most recent chat, then the person's own order.
    """
    latest = _latest_by_identity(chats)
    options: list[tuple[tuple[int, int, float, int], IdentityOption]] = []
    for order, identity in enumerate(contact.identities):
        account = accounts.get(identity.account_id)
        status = account.status if account is not None else AccountStatus.UNKNOWN
        badge = status_badge(status)
        messageable = not identity.user.cannot_message
        problem: str | None = None
        warning: str | None = None
        if purpose == "message":
            if account is None:
                problem = "this account is no longer in Beeper"
            elif not messageable:
                problem = "can't be messaged on this network"
            elif status not in (AccountStatus.CONNECTED, AccountStatus.UNKNOWN):
                warning = f"the account is {badge.label}"
        label = account_label(account) if account is not None else identity.account_id
        name = best_name(identity.user)
        handle = secondary_text(identity.user) or name
        when = latest.get(identity.key)
        key = (
            0 if problem is None else 1,
            _STATUS_RANK.get(status, 3) if account is not None else 4,
            -(when.timestamp() if when else float("-inf")),
            order,
        )
        options.append(
            (
                key,
                IdentityOption(
                    identity=identity,
                    account=account,
                    label=label,
                    handle=handle,
                    badge=badge,
                    messageable=messageable,
                    last_activity=when,
                    problem=problem,
                    warning=warning,
                ),
            )
        )
    options.sort(key=lambda pair: pair[0])
    return [option for _, option in options]
