"""Networks and account status: human names, two-letter codes and status badges."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Final

from .names import best_name, clean

if TYPE_CHECKING:
    from beeper_tui.api.models import Account, AccountStatus

__all__ = [
    "StatusBadge",
    "account_label",
    "account_owner",
    "network_code",
    "network_code_of_id",
    "network_name",
    "network_of_account_id",
    "own_account_words",
    "status_badge",
]

_NETWORK_BY_TYPE: Final = {
    "whatsapp": "WhatsApp",
    "telegram": "Telegram",
    "signal": "Signal",
    "slackgo": "Slack",
    "discordgo": "Discord",
    "imessage": "iMessage",
    "imessagecloud": "iMessage",
    "instagramgo": "Instagram",
    "instagram": "Instagram",
    "linkedin": "LinkedIn",
    "matrix": "Matrix",
    "hungryserv": "Beeper",
    "twitter": "X",
    "facebookgo": "Messenger",
    "facebook": "Messenger",
    "gmessages": "Google Messages",
    "googlechat": "Google Chat",
}


_ID_SEPARATORS: Final = re.compile(r"[_.\-]")


def network_name(account: Account) -> str:
    """The network's human name: ``network``, else the bridge type, else the account ID.

    Older Desktop builds send neither ``network`` nor ``bridge``; their account
    IDs still carry the bridge (``local-whatsapp_ba_…``, ``slackgo.T1-U2``), so
    a known stem names the network before the raw ID is shown.
    """
    network = clean(account.network)
    if network:
        return network
    bridge_type = clean(account.bridge.type) if account.bridge else None
    if bridge_type:
        return _NETWORK_BY_TYPE.get(bridge_type.lower(), bridge_type)
    return network_of_account_id(account.account_id)


def network_of_account_id(account_id: str) -> str:
    """The network an account ID names (``local-whatsapp_ba_…``: WhatsApp), else the ID.

    What :func:`network_name` falls back on, and all a book that never saw
    Desktop's account list has to name its accounts by.
    """
    stem = _ID_SEPARATORS.split(account_id.lower().removeprefix("local-"), maxsplit=1)[0]
    return _NETWORK_BY_TYPE.get(stem, account_id)


_NETWORK_CODES: Final = {
    "WhatsApp": "WA",
    "Telegram": "TG",
    "Signal": "SG",
    "Slack": "SL",
    "Discord": "DC",
    "iMessage": "iM",
    "Instagram": "IG",
    "LinkedIn": "IN",
    "Matrix": "MX",
    "Beeper": "BP",
    "X": "X",
    "Twitter": "X",
    "Messenger": "FB",
    "Facebook Messenger": "FB",
    "Google Messages": "GM",
    "Google Chat": "GC",
}


def network_code(account: Account | None) -> str:
    """A two-letter badge for the account's network (``WA``, ``TG``, …)."""
    if account is None:
        return "??"
    return _code_of(network_name(account))


@lru_cache(maxsize=1024)
def network_code_of_id(account_id: str) -> str:
    """The badge of an account known only by its ID (the book's, before Desktop answers):
    what :func:`network_code` says of it."""
    return _code_of(network_of_account_id(account_id))


def _code_of(name: str) -> str:
    code = _NETWORK_CODES.get(name)
    if code:
        return code
    letters = [ch for ch in name if ch.isalnum()]
    return ("".join(letters[:2]) or "??").upper()


def account_owner(account: Account) -> str:
    """How the account's owner is best named; "" when nothing names them but a raw ID.

    An account found only through chats may know no owner at all (its user is
    just ``{"id": "imessagecloud_0302374f92fd"}``): the network names it then.
    """
    user = account.user
    named = (user.full_name, user.username, user.phone_number, user.email)
    return best_name(user) if any(clean(value) for value in named) else ""


def account_label(account: Account) -> str:
    """``Network · owner`` — one line that tells accounts apart (the network alone if unnamed)."""
    owner = account_owner(account)
    return f"{network_name(account)} · {owner}" if owner else network_name(account)


def own_account_words(account: Account) -> str:
    """``WhatsApp (you: Noor Haddad)``: a network and the user's own account on it.

    Beside a contact the owner must never read as the contact's name, so it is
    always marked as the user's.
    """
    owner = account_owner(account)
    return f"{network_name(account)} (you: {owner})" if owner else network_name(account)


@dataclass(frozen=True, slots=True)
class StatusBadge:
    """A status shown by symbol *and* colour, so it reads without colour too."""

    symbol: str
    label: str
    level: str  # "ok", "busy", "action", "off", "unknown": maps to a style in the UI


_BADGES: Final = {
    # Keyed by the status's wire value (AccountStatus is a str enum: its members find these).
    "connected": StatusBadge("●", "connected", "ok"),
    "connecting": StatusBadge("◐", "connecting", "busy"),
    "backfilling": StatusBadge("◐", "backfilling", "busy"),
    "connection_required": StatusBadge("▲", "connection required", "action"),
    "reconnect_required": StatusBadge("▲", "reconnect required", "action"),
    "attention_required": StatusBadge("▲", "attention required", "action"),
    "disconnected": StatusBadge("○", "disconnected", "off"),
    "disabled": StatusBadge("○", "disabled", "off"),
    "unknown": StatusBadge("?", "unknown", "unknown"),
}


def status_badge(status: AccountStatus) -> StatusBadge:
    """The badge for a status (unknown values get the unknown badge)."""
    return _BADGES.get(status, _BADGES["unknown"])
