"""How people and accounts are named and described: pure functions, no I/O.

The UI shows these strings as plain text; nothing here produces markup.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

import phonenumbers

from beeper_tui.api.models import Account, AccountStatus, User

__all__ = [
    "Contact",
    "IdentifierKind",
    "StatusBadge",
    "account_label",
    "account_owner",
    "best_name",
    "e164_phone",
    "format_phone",
    "identifier_kind",
    "network_code",
    "network_name",
    "secondary_text",
    "status_badge",
]


@dataclass(frozen=True, slots=True)
class Contact:
    """A user as found in one account's contacts.

    In "All accounts", one row may stand for a person found on several
    networks: ``others`` then holds the same person's other identities.
    """

    user: User
    account_id: str
    others: tuple[Contact, ...] = ()

    @property
    def id(self) -> str:
        """The Beeper user ID (primary key of a person within an account)."""
        return self.user.id

    @property
    def identities(self) -> tuple[Contact, ...]:
        """This identity first, then the person's identities on other accounts."""
        return (self, *self.others)

    def merged_with(self, other: Contact) -> Contact:
        """The same person with ``other`` (and its identities) added."""
        known = {(c.account_id, c.id) for c in self.identities}
        extra = tuple(c for c in other.identities if (c.account_id, c.id) not in known)
        plain = tuple(Contact(c.user, c.account_id) for c in extra)
        return Contact(self.user, self.account_id, self.others + plain)


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def best_name(user: User) -> str:
    """fullName, else username, phone, email, and finally the user ID."""
    for candidate in (user.full_name, user.username, user.phone_number, user.email):
        cleaned = _clean(candidate)
        if cleaned:
            return cleaned
    return user.id


def secondary_text(user: User) -> str:
    """The handle or phone number shown beside the name, unless it *is* the name."""
    name = best_name(user)
    for candidate, is_phone in (
        (user.username, False),
        (user.phone_number, True),
        (user.email, False),
    ):
        cleaned = _clean(candidate)
        if not cleaned or cleaned == name:
            continue
        shown = format_phone(cleaned) if is_phone else cleaned
        if shown != name:
            return shown
    return ""


def _phone_as(text: str, fmt: int) -> str:
    """``text`` in ``fmt`` (a ``PhoneNumberFormat``) when it is a possible number, else as given."""
    try:
        parsed = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return text
    if not phonenumbers.is_possible_number(parsed):
        return text
    return phonenumbers.format_number(parsed, fmt)


def format_phone(e164: str) -> str:
    """Group an E.164 number for reading (``+1 415-555-2671``); unknown forms pass through."""
    return _phone_as(e164, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def e164_phone(phone: str) -> str:
    """The phone in E.164 (``+14155552671``) when it parses as international, else as given."""
    return _phone_as(phone, phonenumbers.PhoneNumberFormat.E164)


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
    network = _clean(account.network)
    if network:
        return network
    bridge_type = _clean(account.bridge.type) if account.bridge else None
    if bridge_type:
        return _NETWORK_BY_TYPE.get(bridge_type.lower(), bridge_type)
    stem = _ID_SEPARATORS.split(account.account_id.lower().removeprefix("local-"), maxsplit=1)[0]
    return _NETWORK_BY_TYPE.get(stem, account.account_id)


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
    name = network_name(account)
    code = _NETWORK_CODES.get(name)
    if code:
        return code
    letters = [ch for ch in name if ch.isalnum()]
    return ("".join(letters[:2]) or "??").upper()


def account_owner(account: Account) -> str:
    """How the account's owner is best named."""
    return best_name(account.user)


def account_label(account: Account) -> str:
    """``Network · owner`` — one line that tells accounts apart."""
    return f"{network_name(account)} · {account_owner(account)}"


@dataclass(frozen=True, slots=True)
class StatusBadge:
    """A status shown by symbol *and* colour, so it reads without colour too."""

    symbol: str
    label: str
    level: str  # "ok", "busy", "action", "off", "unknown": maps to a style in the UI


_BADGES: Final = {
    AccountStatus.CONNECTED: StatusBadge("●", "connected", "ok"),
    AccountStatus.CONNECTING: StatusBadge("◐", "connecting", "busy"),
    AccountStatus.BACKFILLING: StatusBadge("◐", "backfilling", "busy"),
    AccountStatus.CONNECTION_REQUIRED: StatusBadge("▲", "connection required", "action"),
    AccountStatus.RECONNECT_REQUIRED: StatusBadge("▲", "reconnect required", "action"),
    AccountStatus.ATTENTION_REQUIRED: StatusBadge("▲", "attention required", "action"),
    AccountStatus.DISCONNECTED: StatusBadge("○", "disconnected", "off"),
    AccountStatus.DISABLED: StatusBadge("○", "disabled", "off"),
    AccountStatus.UNKNOWN: StatusBadge("?", "unknown", "unknown"),
}


def status_badge(status: AccountStatus) -> StatusBadge:
    """The badge for a status (unknown values get the unknown badge)."""
    return _BADGES.get(status, _BADGES[AccountStatus.UNKNOWN])


class IdentifierKind:
    """What an exact-identifier query looks like."""

    PHONE: Final = "phone"
    EMAIL: Final = "email"
    USERNAME: Final = "username"


_EMAIL_RE: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_USERNAME_RE: Final = re.compile(r"^@[^\s@:]+$")
_PHONE_RE: Final = re.compile(r"^\+?[\d\s().\-]+$")


def identifier_kind(query: str) -> str | None:
    """``phone``/``email``/``username`` when the query is an exact identifier, else None."""
    text = unicodedata.normalize("NFKC", query).strip()
    if _EMAIL_RE.match(text):
        return IdentifierKind.EMAIL
    if _USERNAME_RE.match(text):
        return IdentifierKind.USERNAME
    if _PHONE_RE.match(text) and sum(ch.isdigit() for ch in text) >= 6:
        return IdentifierKind.PHONE
    return None
