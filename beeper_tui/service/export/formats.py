"""Export formats: contacts to vCard 4.0, CSV, JSON or JSON Lines, and text hygiene.

Format decisions:

- **vCard 4.0** (RFC 6350), one card per contact, built and escaped by vobject.
  ``FN`` is the best name (a nameless contact gets its handle, phone or email);
  ``N`` only for an unambiguous two-word "Given Family" name (guessing the
  family name of "José María Núñez" or "Ngô Bảo Châu" would be wrong, and ``N``
  is optional in 4.0); ``TEL;TYPE=cell`` in E.164; ``EMAIL``; the username as
  ``NICKNAME`` (what address books show) and ``X-BEEPER-USERNAME``; plus
  ``X-BEEPER-USER-ID``, ``X-BEEPER-ACCOUNT-ID``, ``X-BEEPER-NETWORK`` and a
  ``UID`` derived from account and user ID, so importing a later export again
  updates cards instead of duplicating them. Control characters, escape
  sequences and invisible characters (bidi overrides, zero-width spaces) are
  removed (line breaks become escaped newlines) so hostile names can neither
  break a card nor spoof how it reads.
  Avatars are left out: their URLs are Beeper-internal and may be temporary.
- **CSV** for spreadsheets: a header row, one line per contact (line breaks in
  names become spaces), and, in files, a UTF-8 byte order mark so Excel reads
  the international names right. Every cell starting with ``= + - @``, tab or
  carriage return gets a leading apostrophe (OWASP's CSV-injection advice).
  That includes E.164 phones (``'+14155552671``) and handles (``'@alice``):
  they would otherwise be read as formulas. Programs wanting the raw values
  should use ``--format json`` or ``jsonl``.
- **JSON** (an array) and **JSON Lines**: each object is the wire User with
  the keys the API sent (camelCase; keys this client does not know are
  dropped) plus ``accountID`` and ``network``. Values are kept exactly, but
  invisible characters, C1 controls and U+0085/U+2028/U+2029 are written as
  ``\\uXXXX`` escapes, so JSON Lines survive ``splitlines()``.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import re
import unicodedata
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, Final, TextIO

from beeper_tui.service.names import best_name
from beeper_tui.service.person import Contact
from beeper_tui.service.phones import e164_phone
from beeper_tui.service.text_hygiene import clean_text, escape_invisible
from beeper_tui.service.users import UserInfo

__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "ContactWriter",
    "CsvWriter",
    "JsonArrayWriter",
    "JsonLinesWriter",
    "VCardWriter",
    "clean_text",
    "is_plain_value",
    "make_writer",
    "neutralise_cell",
]

FORMATS: Final = ("vcf", "csv", "json", "jsonl")
CSV_COLUMNS: Final = (
    "name",
    "full_name",
    "username",
    "phone",
    "email",
    "user_id",
    "account_id",
    "network",
    "is_self",
    "cannot_message",
)

_UID_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_DNS, "contacts.beeper-tui.invalid")


# -- text hygiene -------------------------------------------------------------

# clean_text lives in service/text_hygiene.py (also used by copy and the CLI).


def _clean_user(user: UserInfo, *, newlines: bool = True) -> UserInfo:
    """A copy of ``user`` whose text fields are safe to write."""
    return dataclasses.replace(
        user,
        id=clean_text(user.id, newlines=False) or "",
        full_name=clean_text(user.full_name, newlines=newlines),
        username=clean_text(user.username, newlines=False),
        phone_number=clean_text(user.phone_number, newlines=False),
        email=clean_text(user.email, newlines=False),
    )


_FORMULA_TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r")
# Values a spreadsheet reads as a number or plain text although they start with
# a trigger: an E.164 phone number, and a handle or Matrix ID with no operator,
# bracket or space. Anything else after a trigger is neutralised.
_PLAIN_E164: Final = re.compile(r"\+[1-9][0-9]{6,14}")
_PLAIN_HANDLE: Final = re.compile(r"@[A-Za-z0-9_.]*[A-Za-z_][A-Za-z0-9_.]*(:[A-Za-z0-9.\-]+)?")


def is_plain_value(value: str) -> bool:
    """Whether ``value`` is a plain E.164 number or a plain ``@handle`` (not a formula)."""
    return bool(_PLAIN_E164.fullmatch(value) or _PLAIN_HANDLE.fullmatch(value))


def neutralise_cell(value: str) -> str:
    """Prefix ``'`` when a spreadsheet could read the cell as a formula (OWASP).

    Also when the trigger follows leading spaces, which some spreadsheets skip.
    Plain E.164 numbers and plain handles are left alone: importers and scripts
    would keep the apostrophe, and neither is something a spreadsheet evaluates.
    """
    if is_plain_value(value):
        return value
    if value.startswith(_FORMULA_TRIGGERS) or value.lstrip(" ").startswith(_FORMULA_TRIGGERS):
        return "'" + value
    return value


def _is_name_word(word: str) -> bool:
    has_letter = False
    for ch in word:
        category = unicodedata.category(ch)
        if category.startswith("L"):
            has_letter = True
        elif not (category.startswith("M") or ch in "'’-."):
            return False
    return has_letter


def _structured_name(full_name: str | None) -> tuple[str, str] | None:
    """``(family, given)`` for a plain two-word name, else None (no guessing)."""
    if not full_name or "\n" in full_name:
        return None
    words = full_name.split()
    if len(words) != 2 or not all(_is_name_word(w) for w in words):
        return None
    return words[1], words[0]


# -- writers ------------------------------------------------------------------


class ContactWriter(ABC):
    """Writes contacts in one format to a text stream opened with ``newline=""``.

    Call :meth:`write_header` once, :meth:`write_contact` per contact, then
    :meth:`close`, which finishes the format (it does not close the stream).
    An export that fails never calls :meth:`close`, so a JSON array cut short
    stays visibly invalid.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.written = 0
        """Contacts written so far."""

    def write_header(self) -> None:  # noqa: B027 - an optional hook, not abstract
        """Write whatever precedes the first contact."""

    @abstractmethod
    def write_contact(self, contact: Contact, network: str) -> None:
        """Write one contact of an account on ``network``."""

    def write_person(self, person: Contact, network_of: Callable[[str], str]) -> None:
        """Write one person (every identity); here one record per identity, in order.

        ``network_of`` names the network of an account ID. vCard overrides
        this with one card per person.
        """
        for identity in person.identities:
            self.write_contact(
                Contact(identity.user, identity.account_id), network_of(identity.account_id)
            )

    def close(self) -> None:
        """Write whatever follows the last contact and flush."""
        self.stream.flush()


def _card_uid(contact: Contact) -> str:
    """Stable per (account, user): a later export of the same contact updates its card."""
    key = contact.account_id + "\0" + contact.user.id
    return f"urn:uuid:{uuid.uuid5(_UID_NAMESPACE, key)}"


class VCardWriter(ContactWriter):
    """vCard 4.0, one card per contact (see the module docstring for the fields)."""

    def write_contact(self, contact: Contact, network: str) -> None:
        import vobject  # type: ignore[import-untyped]  # only a vCard export loads it

        user = _clean_user(contact.user)
        account_id = clean_text(contact.account_id, newlines=False) or ""
        card = vobject.vCard()
        card.add("version").value = "4.0"
        card.add("uid").value = _card_uid(contact)
        card.add("fn").value = best_name(user) or user.id or "?"
        if (parts := _structured_name(user.full_name)) is not None:
            card.add("n").value = vobject.vcard.Name(family=parts[0], given=parts[1])
        if user.phone_number:
            tel = card.add("tel")
            tel.value = e164_phone(user.phone_number)
            tel.type_param = "cell"
        if user.email:
            card.add("email").value = user.email
        if user.username:
            card.add("nickname").value = user.username
            card.add("x-beeper-username").value = user.username
        card.add("x-beeper-user-id").value = user.id
        card.add("x-beeper-account-id").value = account_id
        card.add("x-beeper-network").value = clean_text(network, newlines=False) or account_id
        if user.is_self:
            card.add("x-beeper-is-self").value = "true"
        if user.cannot_message:
            card.add("x-beeper-cannot-message").value = "true"
        self.stream.write(str(card.serialize()))
        self.written += 1

    def write_person(self, person: Contact, network_of: Callable[[str], str]) -> None:
        """One card for the person: the name of ``person.user``, every identity's
        TEL, EMAIL and NICKNAME (each value once), and X-BEEPER-* per identity."""
        if not person.others:
            self.write_contact(person, network_of(person.account_id))
            return
        import vobject

        first = _clean_user(person.user)
        card = vobject.vCard()
        card.add("version").value = "4.0"
        card.add("uid").value = _card_uid(person)
        card.add("fn").value = best_name(first) or first.id or "?"
        if (parts := _structured_name(first.full_name)) is not None:
            card.add("n").value = vobject.vcard.Name(family=parts[0], given=parts[1])
        users = [(_clean_user(c.user), c.account_id) for c in person.identities]
        seen: set[tuple[str, str]] = set()

        def once(kind: str, value: str) -> bool:
            fresh = (kind, value.casefold()) not in seen
            seen.add((kind, value.casefold()))
            return fresh

        for user, _ in users:
            if user.phone_number and once("tel", e164_phone(user.phone_number)):
                tel = card.add("tel")
                tel.value = e164_phone(user.phone_number)
                tel.type_param = "cell"
            if user.email and once("email", user.email):
                card.add("email").value = user.email
            if user.username and once("nickname", user.username):
                card.add("nickname").value = user.username
        for user, raw_account in users:
            account_id = clean_text(raw_account, newlines=False) or ""
            if user.username:
                card.add("x-beeper-username").value = user.username
            card.add("x-beeper-user-id").value = user.id
            card.add("x-beeper-account-id").value = account_id
            network = network_of(raw_account)
            card.add("x-beeper-network").value = clean_text(network, newlines=False) or account_id
            if user.is_self:
                card.add("x-beeper-is-self").value = "true"
        if all(user.cannot_message for user, _ in users):
            card.add("x-beeper-cannot-message").value = "true"
        self.stream.write(str(card.serialize()))
        self.written += 1


def _flag(value: bool | None) -> str:
    return "" if value is None else str(value).lower()


class CsvWriter(ContactWriter):
    """CSV with a header row, formula-safe cells; ``bom`` for Excel (files only)."""

    def __init__(self, stream: TextIO, *, bom: bool = False) -> None:
        super().__init__(stream)
        self.bom = bom
        self._csv = csv.writer(stream, lineterminator="\r\n")

    def write_header(self) -> None:
        if self.bom:
            self.stream.write("\ufeff")
        self._csv.writerow(CSV_COLUMNS)

    def write_contact(self, contact: Contact, network: str) -> None:
        user = _clean_user(contact.user, newlines=False)
        row = (
            best_name(user),
            user.full_name or "",
            user.username or "",
            user.phone_number or "",
            user.email or "",
            user.id,
            clean_text(contact.account_id, newlines=False) or "",
            clean_text(network, newlines=False) or "",
            _flag(user.is_self),
            _flag(user.cannot_message),
        )
        self._csv.writerow([neutralise_cell(cell) for cell in row])
        self.written += 1


def wire_object(contact: Contact, network: str) -> dict[str, Any]:
    """The User as the API sent it (known keys only) plus ``accountID`` and ``network``."""
    data = contact.user.wire()
    data["accountID"] = contact.account_id
    data["network"] = network
    return data


def _dumps(data: dict[str, Any]) -> str:
    # Lone surrogates (not UTF-8), invisible and line-separator characters are
    # kept exactly, as \u escapes: no raw one reaches the file or splitlines().
    return escape_invisible(json.dumps(data, ensure_ascii=False))


class JsonArrayWriter(ContactWriter):
    """One JSON array, one object per line."""

    def write_header(self) -> None:
        self.stream.write("[")

    def write_contact(self, contact: Contact, network: str) -> None:
        self.stream.write(
            ("\n" if self.written == 0 else ",\n") + _dumps(wire_object(contact, network))
        )
        self.written += 1

    def close(self) -> None:
        self.stream.write("\n]\n" if self.written else "]\n")
        super().close()


class JsonLinesWriter(ContactWriter):
    """JSON Lines: one object per line."""

    def write_contact(self, contact: Contact, network: str) -> None:
        self.stream.write(_dumps(wire_object(contact, network)) + "\n")
        self.written += 1


def make_writer(fmt: str, stream: TextIO, *, to_file: bool = False) -> ContactWriter:
    """The writer for ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "vcf":
        return VCardWriter(stream)
    if fmt == "csv":
        return CsvWriter(stream, bom=to_file)
    if fmt == "json":
        return JsonArrayWriter(stream)
    if fmt == "jsonl":
        return JsonLinesWriter(stream)
    raise ValueError(f"unknown format {fmt!r}")
