"""Exact-identifier lookups: phone numbers, email addresses and @usernames.

Real Beeper Desktop asks the network to resolve such a query even when nobody
in the contact list matches, so a search can return a person who is not a
contact yet. The demo resolves them deterministically: the same identifier
always yields the same synthesized user.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Literal

from beeper_tui.demo.dataset import DemoAccount, JSONDict
from beeper_tui.demo.search import phone_digits

IdentifierKind = Literal["phone", "email", "username"]

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_USERNAME = re.compile(r"@[\w.\-]+(?::[\w.\-]+)?")

_WIRE_KEY: dict[IdentifierKind, str] = {
    "phone": "phoneNumber",
    "email": "email",
    "username": "username",
}


def identifier_kind(query: str) -> IdentifierKind | None:
    """Which kind of exact identifier ``query`` is, if any."""
    text = query.strip()
    if _EMAIL.fullmatch(text):
        return "email"
    if _USERNAME.fullmatch(text):
        return "username"
    digits = phone_digits(text)
    if digits is not None and 7 <= len(digits) <= 15:
        return "phone"
    return None


def canonical(kind: IdentifierKind, value: str) -> str:
    """The identifier as it is compared and as it appears on the wire."""
    text = value.strip()
    if kind == "phone":
        digits = "".join(c for c in text if c.isdigit())
        if not text.startswith("+") and len(digits) == 10:
            digits = "1" + digits  # a bare ten-digit number reads as North American
        return "+" + digits
    return text.casefold()


def _wire_value(user: JSONDict, kind: IdentifierKind) -> str | None:
    value = user.get(_WIRE_KEY[kind])
    if not isinstance(value, str) or not value:
        return None
    return canonical(kind, value)


def exact_matches(account: DemoAccount, kind: IdentifierKind, value: str) -> list[int]:
    """Positions of the account's contacts whose identifier equals ``value``."""
    wanted = canonical(kind, value)
    # The index narrows the scan to substring hits before the exact comparison.
    probe = wanted.lstrip("+") if kind == "phone" else wanted
    contacts = account.contacts
    hits = [i for i in account.index.match(probe) if _wire_value(contacts[i], kind) == wanted]
    if kind == "username":
        # A full Matrix ID ("@alice:beeper.com") is also a username query.
        position = account.positions_by_id.get(value.strip())
        if position is not None:
            hits.append(position)
    return sorted(set(hits))


def synthesize(account: DemoAccount, kind: IdentifierKind, value: str) -> JSONDict:
    """A not-yet-contact user the network resolved for ``value``."""
    spec = account.spec
    identifier = canonical(kind, value)
    digest = hashlib.sha256(f"{account.account_id}|{kind}|{identifier}".encode()).hexdigest()
    if kind == "phone" and spec.key in ("whatsapp", "gmessages", "imessagecloud"):
        user_id = f"@{spec.key}_{identifier.lstrip('+')}:{spec.server}"
    elif kind == "username" and spec.key == "matrix" and ":" in identifier:
        user_id = identifier
    else:
        user_id = f"@{spec.key}_{digest[:16]}:{spec.server}"
    user: JSONDict = {"id": user_id}
    if kind == "username":
        user["username"] = value.strip()
    else:
        user[_WIRE_KEY[kind]] = identifier
    return user


def find_user(account: DemoAccount, user: JSONDict) -> JSONDict | None:
    """Resolve a chats/start ``user`` payload: by id, then by each identifier."""
    user_id = user.get("id")
    if isinstance(user_id, str):
        position = account.positions_by_id.get(user_id)
        if position is not None:
            return account.contacts[position]
    candidates: Sequence[tuple[IdentifierKind, str]] = [
        (kind, value)
        for kind, key in _WIRE_KEY.items()
        if isinstance(value := user.get(key), str) and value.strip()
    ]
    for kind, value in candidates:
        hits = exact_matches(account, kind, value)
        if hits:
            return account.contacts[hits[0]]
    for kind, value in candidates:
        if kind in account.spec.lookups and kind not in account.spec.rejects:
            return synthesize(account, kind, value)
    return None
