"""Phone numbers: the one place they are parsed, normalised and formatted.

``phonenumbers`` (and its metadata) is imported on the first number parsed:
``search`` from the book, and the app's first frame, need none.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import phonenumbers

__all__ = ["e164_in_region", "e164_phone", "format_phone", "phone_key"]

_MIN_BARE_DIGITS = 6


def _parse(text: str, region: str | None = None) -> phonenumbers.PhoneNumber | None:
    """``text`` as a possible phone number, or None."""
    import phonenumbers

    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return parsed if phonenumbers.is_possible_number(parsed) else None


def _phone_as(text: str, fmt: str) -> str:
    """``text`` in ``fmt`` (a ``PhoneNumberFormat`` name) when it is a possible number, else as
    given."""
    import phonenumbers

    parsed = _parse(text)
    if parsed is None:
        return text
    return phonenumbers.format_number(parsed, getattr(phonenumbers.PhoneNumberFormat, fmt))


@lru_cache(maxsize=4096)  # drawn on every row of the list that shows a phone
def format_phone(e164: str) -> str:
    """Group an E.164 number for reading (``+1 415-555-2671``); unknown forms pass through."""
    return _phone_as(e164, "INTERNATIONAL")


def e164_phone(phone: str) -> str:
    """The phone in E.164 (``+14155552671``) when it parses as international, else as given."""
    return _phone_as(phone, "E164")


def e164_in_region(text: str, region: str | None) -> str | None:
    """``text`` as E.164, reading a national number (``06 12 34 56 78``) in ``region``.

    ``region`` is an ISO country code such as ``"FR"``; with None only
    international numbers (``+33 6 …``) parse. None when it is not a possible number.
    """
    import phonenumbers

    parsed = _parse(text.strip(), region.upper() if region else None)
    if parsed is None:
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_key(phone: str | None) -> str | None:
    """What makes two phone numbers the same: E.164, or bare digits when it does not parse."""
    if not phone or not phone.strip():
        return None
    import phonenumbers

    try:
        parsed = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        digits = "".join(ch for ch in phone if ch.isdigit())
        return digits if len(digits) >= _MIN_BARE_DIGITS else None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
