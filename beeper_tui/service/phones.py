"""Phone numbers: the one place they are parsed, normalised and formatted.

``phonenumbers`` (and its metadata) is imported on the first number parsed:
``search`` from the book, and the app's first frame, need none.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import phonenumbers

__all__ = [
    "REGION_HINT",
    "e164_in_region",
    "e164_phone",
    "format_phone",
    "is_phone_region",
    "national_ending",
    "needs_region",
    "phone_key",
]

_MIN_BARE_DIGITS = 6

REGION_HINT = (
    'A number without its country code: set phone_region = "FR" (your country\'s code)'
    " in config.toml, or type it with + and the country code."
)
"""What to say when a number typed without its country (:func:`needs_region`) found nobody."""


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


def _dialled(text: str) -> str:
    """``text`` with the international ``00`` prefix written as ``+`` (``0033 6…`` → ``+33 6…``)."""
    stripped = text.strip()
    return "+" + stripped[2:].lstrip() if stripped.startswith("00") else stripped


def e164_in_region(text: str, region: str | None) -> str | None:
    """``text`` as E.164, reading a national number (``06 12 34 56 78``) in ``region``.

    ``region`` is an ISO country code such as ``"FR"``; with None only
    international numbers (``+33 6 …``, or ``0033 6 …``: ``00`` is the
    international prefix) parse. A national number must be a valid number of
    ``region`` (``06 …`` is no number in ``"US"``, never ``+1 06…``). None when
    it is not a number.
    """
    import phonenumbers

    dialled = _dialled(text)
    parsed = _parse(dialled, region.upper() if region else None)
    if parsed is None:
        return None
    if not dialled.startswith("+") and not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def needs_region(text: str, region: str | None) -> bool:
    """Whether ``text`` is a number typed without its country that ``region`` cannot read.

    Such a number is never sent for an exact lookup (a network would guess its
    country); the book matches it by :func:`national_ending` instead.
    """
    return not _dialled(text).startswith("+") and e164_in_region(text, region) is None


def national_ending(text: str, region: str | None) -> str | None:
    """The digits a number typed without its country ends with, when ``region`` cannot read it.

    Its digits without the trunk prefix (``06 25 17 86 57`` → ``625178657``):
    whatever the country, the full number ends with them. None for an
    international number, one ``region`` reads, or too few digits.
    """
    if not needs_region(text, region):
        return None
    digits = "".join(ch for ch in text if ch.isdigit()).lstrip("0")
    return digits if len(digits) >= _MIN_BARE_DIGITS else None


@lru_cache(maxsize=64)
def is_phone_region(code: str) -> bool:
    """Whether ``code`` (``"FR"``) is a region ``phonenumbers`` can read national numbers in.

    Looks for the region's metadata file rather than importing ``phonenumbers``
    (a quarter of a second): settings are read by every command.
    """
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        return False
    spec = importlib.util.find_spec("phonenumbers")
    folders = spec.submodule_search_locations if spec is not None else None
    return any((Path(f) / "data" / f"region_{code.upper()}.py").is_file() for f in folders or ())


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
