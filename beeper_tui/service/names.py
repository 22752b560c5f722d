"""How people are named and what a query looks like: pure functions, no I/O.

The UI shows these strings as plain text; nothing here produces markup.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from beeper_tui.api.models import User

from .phones import format_phone

__all__ = ["IdentifierKind", "best_name", "clean", "identifier_kind", "secondary_text"]


def clean(value: str | None) -> str | None:
    """``value`` stripped, or None when nothing is left."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def best_name(user: User) -> str:
    """fullName, else username, phone, email, and finally the user ID."""
    for candidate in (user.full_name, user.username, user.phone_number, user.email):
        cleaned = clean(candidate)
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
