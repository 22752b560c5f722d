"""Export formats: contacts to vCard 4.0, CSV, JSON or JSON Lines, and text hygiene.

Format decisions:

- **vCard 4.0** (RFC 6350), one card per person, written here (vobject is
  ten times too slow for 25,000 cards; tests read every card back with it):
  text values escaped (backslash, comma, semicolon, newline), lines folded at
  75 octets without splitting a UTF-8 character, CRLF line ends.
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
- **CSV** for spreadsheets: a header row, one line per identity (line breaks
  in names become spaces), and, in files, a UTF-8 byte order mark so Excel
  reads the international names right. ``name`` is the person's display name
  and ``person`` the person's key (the same for every identity of one person,
  the vCard's ``UID``). One rule guards every cell: a cell starting with
  ``= + - @``, tab or carriage return (after any spaces) gets a leading
  apostrophe (OWASP's CSV-injection advice), phones and handles included
  (``'+14155552671``, ``'@alice``). Programs wanting the raw values should
  use ``--format json`` or ``jsonl``.
- **JSON** (an array) and **JSON Lines**: one object per identity, the wire
  User with the keys the API sent (camelCase; keys this client does not know
  are dropped) plus ``accountID``, ``network``, and the person's ``name`` and
  ``person`` key as in CSV. Values are kept exactly, but
  invisible characters, C1 controls and U+0085/U+2028/U+2029 are written as
  ``\\uXXXX`` escapes, so JSON Lines survive ``splitlines()``.
"""

from __future__ import annotations

import csv
import dataclasses
import json
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
    "make_writer",
    "neutralise_cell",
    "person_key",
]

FORMATS: Final = ("vcf", "csv", "json", "jsonl")
CSV_COLUMNS: Final = (
    "person",
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
    """``user``, or a copy whose text fields are safe to write."""
    fields = (
        clean_text(user.id, newlines=False) or "",
        clean_text(user.full_name, newlines=newlines),
        clean_text(user.username, newlines=False),
        clean_text(user.phone_number, newlines=False),
        clean_text(user.email, newlines=False),
    )
    if fields == (user.id, user.full_name, user.username, user.phone_number, user.email):
        return user  # nothing to clean (most people): no copy
    uid, full_name, username, phone_number, email = fields
    return dataclasses.replace(
        user,
        id=uid,
        full_name=full_name,
        username=username,
        phone_number=phone_number,
        email=email,
    )


_FORMULA_TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: str) -> str:
    """Prefix ``'`` when a spreadsheet could read the cell as a formula (OWASP).

    One rule for every cell, also when the trigger follows leading spaces,
    which some spreadsheets skip: IDs, handles and phones alike.
    """
    if value.lstrip(" ").startswith(_FORMULA_TRIGGERS):
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
    def write_contact(self, contact: Contact, network: str, person: Contact | None = None) -> None:
        """Write one contact of an account on ``network``, an identity of ``person``
        (None: a person of its own)."""

    def write_person(self, person: Contact, network_of: Callable[[str], str]) -> None:
        """Write one person (every identity); here one record per identity, in order.

        ``network_of`` names the network of an account ID. vCard overrides
        this with one card per person.
        """
        for identity in person.identities:
            self.write_contact(
                Contact(identity.user, identity.account_id),
                network_of(identity.account_id),
                person,
            )

    def close(self) -> None:
        """Write whatever follows the last contact and flush."""
        self.stream.flush()


def _card_uid(contact: Contact) -> str:
    """Stable per (account, user): a later export of the same contact updates its card."""
    key = contact.account_id + "\0" + contact.user.id
    return f"urn:uuid:{uuid.uuid5(_UID_NAMESPACE, key)}"


def person_key(person: Contact) -> str:
    """The key of a person in CSV and JSON: its vCard's ``UID`` (its first identity's)."""
    return _card_uid(person)


_VCARD_ESCAPES: Final = str.maketrans({"\\": "\\\\", ",": "\\,", ";": "\\;", "\n": "\\n"})


def _escape(value: str) -> str:
    """A vCard text value (RFC 6350 3.4); a CR of a CRLF goes with its LF."""
    return value.replace("\r\n", "\n").replace("\r", "\n").translate(_VCARD_ESCAPES)


def _fold(line: str) -> str:
    """``line`` with CRLF, folded at 75 octets (RFC 6350 3.2), never inside a character."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line + "\r\n"
    parts: list[str] = []
    start, limit = 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1  # a UTF-8 continuation byte: cut before its character
        parts.append(data[start:end].decode("utf-8"))
        start, limit = end, 74  # continuation lines start with a space
    return "\r\n ".join(parts) + "\r\n"


class _Card:
    """The lines of one vCard 4.0."""

    def __init__(self, uid: str) -> None:
        self.lines = ["BEGIN:VCARD\r\n", "VERSION:4.0\r\n", _fold("UID:" + _escape(uid))]

    def add(self, name: str, value: str, params: str = "") -> None:
        self.lines.append(_fold(f"{name}{params}:{_escape(value)}"))

    def add_name(self, full_name: str | None) -> None:
        if (parts := _structured_name(full_name)) is not None:
            family, given = parts
            self.lines.append(_fold(f"N:{_escape(family)};{_escape(given)};;;"))

    def text(self) -> str:
        return "".join(self.lines) + "END:VCARD\r\n"


class VCardWriter(ContactWriter):
    """vCard 4.0, one card per person (see the module docstring for the fields)."""

    def write_contact(self, contact: Contact, network: str, person: Contact | None = None) -> None:
        self.write_person(contact, lambda _account_id: network)

    def write_person(self, person: Contact, network_of: Callable[[str], str]) -> None:
        """One card for the person: the name of ``person.user``, every identity's
        TEL, EMAIL and NICKNAME (each value once), and X-BEEPER-* per identity."""
        first = _clean_user(person.user)
        card = _Card(_card_uid(person))
        card.add("FN", best_name(first) or first.id or "?")
        card.add_name(first.full_name)
        users = [(_clean_user(c.user), c.account_id) for c in person.identities]
        seen: set[tuple[str, str]] = set()

        def once(kind: str, value: str) -> bool:
            fresh = (kind, value.casefold()) not in seen
            seen.add((kind, value.casefold()))
            return fresh

        for user, _ in users:
            if user.phone_number and once("tel", phone := e164_phone(user.phone_number)):
                card.add("TEL", phone, ";TYPE=cell")
            if user.email and once("email", user.email):
                card.add("EMAIL", user.email)
            if user.username and once("nickname", user.username):
                card.add("NICKNAME", user.username)
        for user, raw_account in users:
            account_id = clean_text(raw_account, newlines=False) or ""
            if user.username:
                card.add("X-BEEPER-USERNAME", user.username)
            card.add("X-BEEPER-USER-ID", user.id)
            card.add("X-BEEPER-ACCOUNT-ID", account_id)
            network = clean_text(network_of(raw_account), newlines=False) or account_id
            card.add("X-BEEPER-NETWORK", network)
            if user.is_self:
                card.add("X-BEEPER-IS-SELF", "true")
        if all(user.cannot_message for user, _ in users):
            card.add("X-BEEPER-CANNOT-MESSAGE", "true")
        self.stream.write(card.text())
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

    def write_contact(self, contact: Contact, network: str, person: Contact | None = None) -> None:
        user = _clean_user(contact.user, newlines=False)
        whole = person or contact
        row = (
            person_key(whole),
            clean_text(best_name(whole.user), newlines=False) or "",
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


def wire_object(contact: Contact, network: str, person: Contact | None = None) -> dict[str, Any]:
    """The User as the API sent it (known keys only) plus ``accountID``, ``network``,
    and the ``name`` and ``person`` key of the person it is an identity of."""
    data = contact.user.wire()
    data["accountID"] = contact.account_id
    data["network"] = network
    whole = person or contact
    data["name"] = best_name(whole.user)
    data["person"] = person_key(whole)
    return data


def _dumps(data: dict[str, Any]) -> str:
    # Lone surrogates (not UTF-8), invisible and line-separator characters are
    # kept exactly, as \u escapes: no raw one reaches the file or splitlines().
    return escape_invisible(json.dumps(data, ensure_ascii=False))


class JsonArrayWriter(ContactWriter):
    """One JSON array, one object per line."""

    def write_header(self) -> None:
        self.stream.write("[")

    def write_contact(self, contact: Contact, network: str, person: Contact | None = None) -> None:
        self.stream.write(
            ("\n" if self.written == 0 else ",\n") + _dumps(wire_object(contact, network, person))
        )
        self.written += 1

    def close(self) -> None:
        self.stream.write("\n]\n" if self.written else "]\n")
        super().close()


class JsonLinesWriter(ContactWriter):
    """JSON Lines: one object per line."""

    def write_contact(self, contact: Contact, network: str, person: Contact | None = None) -> None:
        self.stream.write(_dumps(wire_object(contact, network, person)) + "\n")
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
