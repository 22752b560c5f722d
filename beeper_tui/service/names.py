"""How people are named and what a query looks like: pure functions, no I/O.

The UI shows these strings as plain text; nothing here produces markup.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Final

from .phones import e164_phone, format_phone, phone_key
from .users import UserFields

if TYPE_CHECKING:
    from beeper_tui.api.models import User

__all__ = [
    "IMESSAGE_PARTICIPANT_PREFIX",
    "IdentifierKind",
    "best_name",
    "clean",
    "identifier_kind",
    "is_participant",
    "participant_user",
    "secondary_text",
]

IMESSAGE_PARTICIPANT_PREFIX: Final = "imsg##participant:"
"""How real installs name an iMessage chat participant known only by a phone number."""


def clean(value: str | None) -> str | None:
    """``value`` stripped, or None when nothing is left."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def best_name(user: UserFields) -> str:
    """fullName, else username, phone, email, and finally the user ID."""
    for candidate in (user.full_name, user.username, user.phone_number, user.email):
        cleaned = clean(candidate)
        if cleaned:
            return cleaned
    return user.id


def secondary_text(user: UserFields) -> str:
    """The handle or phone number shown beside the name, unless it *is* the name."""
    name = best_name(user)
    for candidate, is_phone in (
        (user.username, False),
        (user.phone_number, True),
        (user.email, False),
    ):
        cleaned = clean(candidate)
        if not cleaned or cleaned == name:
            continue
        shown = format_phone(cleaned) if is_phone else cleaned
        if shown != name:
            return shown
    return ""


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


def participant_user(user: User) -> User:
    """A chat participant as a person reads it.

    iMessage participants can come back as ``imsg##participant:<hash>`` with the
    E.164 number as their only name: that reads as the formatted phone (and the
    number is the participant's phone), never as the hash.
    """
    if not user.id.startswith(IMESSAGE_PARTICIPANT_PREFIX):
        return user
    title = clean(user.full_name) or clean(user.phone_number)
    if title is None or identifier_kind(title) != IdentifierKind.PHONE:
        return user
    phone = clean(user.phone_number) or e164_phone(title)
    return user.model_copy(update={"full_name": format_phone(phone), "phone_number": phone})


def is_participant(participant: User, user: UserFields) -> bool:
    """Whether ``participant`` (from a chat) is ``user``: the same ID, or for an iMessage
    participant known only by a phone, the same phone number."""
    if participant.id == user.id:
        return True
    if not participant.id.startswith(IMESSAGE_PARTICIPANT_PREFIX):
        return False
    key = phone_key(participant_user(participant).phone_number)
    return key is not None and key == phone_key(user.phone_number)
