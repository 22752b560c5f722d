"""Phone numbers: the one place they are parsed, normalised and formatted."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers

__all__ = ["e164_in_region", "e164_phone", "format_phone", "phone_key"]

_MIN_BARE_DIGITS = 6


def _parse(text: str, region: str | None = None) -> phonenumbers.PhoneNumber | None:
    """``text`` as a possible phone number, or None."""
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return parsed if phonenumbers.is_possible_number(parsed) else None


def _phone_as(text: str, fmt: int) -> str:
    """``text`` in ``fmt`` (a ``PhoneNumberFormat``) when it is a possible number, else as given."""
    parsed = _parse(text)
    return text if parsed is None else phonenumbers.format_number(parsed, fmt)


@lru_cache(maxsize=4096)  # drawn on every row of the list that shows a phone
def format_phone(e164: str) -> str:
    """Group an E.164 number for reading (``+1 415-555-2671``); unknown forms pass through."""
    return _phone_as(e164, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def e164_phone(phone: str) -> str:
    """The phone in E.164 (``+14155552671``) when it parses as international, else as given."""
    return _phone_as(phone, phonenumbers.PhoneNumberFormat.E164)


def e164_in_region(text: str, region: str | None) -> str | None:
    """``text`` as E.164, reading a national number (``06 12 34 56 78``) in ``region``.

    ``region`` is an ISO country code such as ``"FR"``; with None only
    international numbers (``+33 6 …``) parse. None when it is not a possible number.
    """
    parsed = _parse(text.strip(), region.upper() if region else None)
    if parsed is None:
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_key(phone: str | None) -> str | None:
    """What makes two phone numbers the same: E.164, or bare digits when it does not parse."""
    if not phone or not phone.strip():
        return None
    try:
        parsed = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        digits = "".join(ch for ch in phone if ch.isdigit())
        return digits if len(digits) >= _MIN_BARE_DIGITS else None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
