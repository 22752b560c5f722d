"""A user's fields as the app keeps them: small, plain, and cheap to import.

The wire models (:class:`beeper_tui.api.models.User`, pydantic) check what
Desktop sends; what the app then holds for every contact, in lists of
100,000 and in the address book, is a :class:`UserInfo`: a slotted record of
the same fields, a fifth of a model's memory, built from the book's stored
JSON without importing pydantic (``beeper-tui search`` answers from the book
with neither pydantic's models nor httpx loaded).

:class:`UserFields` is what the naming and merging rules read; a wire
``User`` (an account's owner) and a :class:`UserInfo` both have it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol

__all__ = ["WIRE_KEYS", "UserFields", "UserInfo"]


class UserFields(Protocol):
    """The fields of a user that the app's rules read (names, merging, rows)."""

    @property
    def id(self) -> str:
        """The Beeper user ID."""

    @property
    def full_name(self) -> str | None:
        """``fullName``."""

    @property
    def username(self) -> str | None:
        """``username``."""

    @property
    def phone_number(self) -> str | None:
        """``phoneNumber``."""

    @property
    def email(self) -> str | None:
        """``email``."""

    @property
    def img_url(self) -> str | None:
        """``imgURL``."""

    @property
    def is_self(self) -> bool | None:
        """``isSelf``."""

    @property
    def cannot_message(self) -> bool | None:
        """``cannotMessage``."""


WIRE_KEYS: Final = (
    ("id", "id"),
    ("full_name", "fullName"),
    ("username", "username"),
    ("phone_number", "phoneNumber"),
    ("email", "email"),
    ("img_url", "imgURL"),
    ("is_self", "isSelf"),
    ("cannot_message", "cannotMessage"),
)
"""(attribute, wire key) of every field, in the wire's order."""


def _text(value: object) -> str | None:
    # As the wire model reads it: some builds send numbers where strings are documented.
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _flag(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


@dataclass(frozen=True, slots=True, weakref_slot=True)
class UserInfo:
    """A contact's user: the wire ``User``'s fields, without pydantic."""

    id: str
    full_name: str | None = None
    username: str | None = None
    phone_number: str | None = None
    email: str | None = None
    img_url: str | None = None
    is_self: bool | None = None
    cannot_message: bool | None = None

    @classmethod
    def of(cls, user: UserFields) -> UserInfo:
        """The fields of ``user`` (a wire ``User``, or a :class:`UserInfo` as it is)."""
        if isinstance(user, UserInfo):
            return user
        return cls(
            user.id,
            user.full_name,
            user.username,
            user.phone_number,
            user.email,
            user.img_url,
            user.is_self,
            user.cannot_message,
        )

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> UserInfo:
        """A user from its camelCase JSON object (unknown keys ignored, odd types dropped)."""
        return cls(
            _text(data.get("id")) or "",
            _text(data.get("fullName")),
            _text(data.get("username")),
            _text(data.get("phoneNumber")),
            _text(data.get("email")),
            _text(data.get("imgURL")),
            _flag(data.get("isSelf")),
            _flag(data.get("cannotMessage")),
        )

    @classmethod
    def from_json(cls, text: str) -> UserInfo:
        """A user from the JSON text :meth:`to_json` wrote (the book's stored form)."""
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("a stored user is a JSON object")
        return cls.from_wire(data)

    def wire(self) -> dict[str, Any]:
        """The camelCase JSON object of the set fields (None left out), as the API spells it."""
        data: dict[str, Any] = {}
        for attribute, key in WIRE_KEYS:
            value = getattr(self, attribute)
            if value is not None:
                data[key] = value
        return data

    def to_json(self) -> str:
        """:meth:`wire` as compact JSON text."""
        return json.dumps(self.wire(), ensure_ascii=False, separators=(",", ":"))
