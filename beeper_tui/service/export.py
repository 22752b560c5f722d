"""``beeper-tui export``: contacts to vCard 4.0, CSV, JSON or JSON Lines. No Textual here.

Contacts are streamed: each page is written as it arrives and then dropped,
so memory stays flat however large the account (only the IDs already seen are
kept, to drop duplicates the way :class:`~beeper_tui.service.ContactPager` does).

Output to a file is atomic: everything goes to a temporary file in the target's
directory, which replaces the target only when the whole export succeeded. A
failed or interrupted export leaves no partial file and any earlier target as
it was.

Format decisions:

- **vCard 4.0** (RFC 6350), one card per contact, built and escaped by vobject.
  ``FN`` is the best name (a nameless contact gets its handle, phone or email);
  ``N`` only for an unambiguous two-word "Given Family" name (guessing the
  family name of "José María Núñez" or "Ngô Bảo Châu" would be wrong, and ``N``
  is optional in 4.0); ``TEL;TYPE=cell`` in E.164; ``EMAIL``; the username as
  ``NICKNAME`` (what address books show) and ``X-BEEPER-USERNAME``; plus
  ``X-BEEPER-USER-ID``, ``X-BEEPER-ACCOUNT-ID``, ``X-BEEPER-NETWORK`` and a
  ``UID`` derived from account and user ID, so importing a later export again
  updates cards instead of duplicating them. Control characters are removed
  (line breaks become escaped newlines) so hostile names cannot break a card.
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
  dropped) plus ``accountID`` and ``network``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import io
import json
import os
import re
import sys
import tempfile
import unicodedata
import uuid
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TextIO

import vobject  # type: ignore[import-untyped]

from beeper_tui.api.client import BeeperClient
from beeper_tui.api.errors import (
    AuthenticationError,
    BeeperError,
    CannotConnectError,
    NotFoundError,
)
from beeper_tui.api.models import Account, User
from beeper_tui.arguments import (
    OneLineParser,
    argv_secrets,
    non_negative_int,
    positive_int,
    scrub,
)
from beeper_tui.config import ConfigError, resolve_settings

from .accounts import display_order
from .backend import open_backend
from .contacts import DEFAULT_PAGE_SIZE, ContactPager
from .names import best_name
from .networks import network_name
from .person import Contact
from .phones import e164_phone

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID
    from starlette.types import ASGIApp

__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "AccountFailure",
    "ContactWriter",
    "CsvWriter",
    "ExportProgress",
    "ExportResult",
    "JsonArrayWriter",
    "JsonLinesWriter",
    "VCardWriter",
    "build_export_parser",
    "clean_text",
    "export_contacts",
    "export_main",
    "export_to_file",
    "iter_contact_pages",
    "make_writer",
    "neutralise_cell",
    "resolve_accounts",
]

PROG: Final = "beeper-tui export"
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

# Everything a reader may take as a line break: CR LF, CR, VT, FF, the
# separators str.splitlines() honours, NEL, LINE/PARAGRAPH SEPARATOR.
_LINE_BREAKS: Final = re.compile("\r\n|[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
# Other C0 controls, DEL and C1 controls carry no text, only trouble
# (terminal escapes, NUL); tab becomes a space.
_CONTROLS: Final = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")
_SURROGATES: Final = re.compile("[\ud800-\udfff]")


def clean_text(value: str | None, *, newlines: bool = True) -> str | None:
    """``value`` without control characters; line breaks become ``\\n`` (or a space).

    Lone surrogates (possible from ``\\udXXX`` escapes in JSON) cannot be
    written as UTF-8 and become U+FFFD. Returns None for None or blank text.
    """
    if value is None:
        return None
    text = _LINE_BREAKS.sub("\n" if newlines else " ", value)
    text = _CONTROLS.sub("", text.replace("\t", " "))
    text = _SURROGATES.sub("\ufffd", text).strip()
    return text or None


def _clean_user(user: User, *, newlines: bool = True) -> User:
    """A copy of ``user`` whose text fields are safe to write."""
    return user.model_copy(
        update={
            "id": clean_text(user.id, newlines=False) or "",
            "full_name": clean_text(user.full_name, newlines=newlines),
            "username": clean_text(user.username, newlines=False),
            "phone_number": clean_text(user.phone_number, newlines=False),
            "email": clean_text(user.email, newlines=False),
        }
    )


_FORMULA_TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: str) -> str:
    """Prefix ``'`` when a spreadsheet could read the cell as a formula (OWASP).

    Also when the trigger follows leading spaces, which some spreadsheets skip.
    """
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
    data = contact.user.model_dump(mode="json", by_alias=True, exclude_unset=True)
    data["accountID"] = contact.account_id
    data["network"] = network
    return data


def _dumps(data: dict[str, Any]) -> str:
    text = json.dumps(data, ensure_ascii=False)
    # A lone surrogate cannot be encoded as UTF-8; \u escapes keep it exactly.
    return json.dumps(data) if _SURROGATES.search(text) else text


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


# -- driving the pages --------------------------------------------------------


async def iter_contact_pages(
    client: BeeperClient,
    account_id: str,
    *,
    query: str = "",
    page_size: int = DEFAULT_PAGE_SIZE,
) -> AsyncIterator[list[User]]:
    """Yield each page of ``contacts/list`` (users not seen before), one request at a time.

    A :class:`ContactPager` that keeps only IDs, not contacts, so memory stays
    flat however large the account; it stops where the pager stops. Raises the
    typed :class:`BeeperError` of a failed page.
    """
    pager = ContactPager(
        client,
        account_id,
        query,
        page_size=page_size,
        keep_items=False,
        identifier_lookup=False,
    )
    while pager.has_more:
        yield [contact.user for contact in await pager.load_next()]


@dataclass(frozen=True, slots=True)
class ExportProgress:
    """Where an export stands; passed to the progress callback after every page."""

    account_id: str
    network: str
    account_index: int
    """1-based position of the account being exported."""
    account_count: int
    account_written: int
    """Contacts written from this account so far."""
    total_written: int
    """Contacts written from all accounts so far."""


@dataclass(frozen=True, slots=True)
class AccountFailure:
    """An account whose export failed (with ``keep_going``)."""

    account_id: str
    error: BeeperError


@dataclass
class ExportResult:
    """What :func:`export_contacts` did."""

    written: int = 0
    failures: list[AccountFailure] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Whether every account was exported in full."""
        return not self.failures


def _aborts_everything(exc: BeeperError) -> bool:
    # These fail the same way for every account: trying the others only
    # repeats the message.
    return isinstance(exc, CannotConnectError | AuthenticationError)


async def export_contacts(
    client: BeeperClient,
    accounts: Sequence[Account],
    writer: ContactWriter,
    *,
    query: str = "",
    page_size: int = DEFAULT_PAGE_SIZE,
    keep_going: bool = False,
    progress: Callable[[ExportProgress], None] | None = None,
    on_account_error: Callable[[Account, BeeperError], None] | None = None,
) -> ExportResult:
    """Write every contact of ``accounts`` (matching ``query``) through ``writer``.

    Each page is written and flushed as it arrives. A failed page raises its
    :class:`BeeperError` (without closing the writer), unless ``keep_going``:
    then the failure is recorded, reported to ``on_account_error``, and the
    next account follows; a lost connection or a rejected token still raise.
    """
    result = ExportResult()
    writer.write_header()
    for index, account in enumerate(accounts, 1):
        network = network_name(account)
        state = ExportProgress(account.account_id, network, index, len(accounts), 0, result.written)
        if progress is not None:
            progress(state)
        try:
            async for users in iter_contact_pages(
                client, account.account_id, query=query, page_size=page_size
            ):
                for user in users:
                    writer.write_contact(Contact(user, account.account_id), network)
                result.written += len(users)
                writer.stream.flush()
                state = replace(
                    state,
                    account_written=state.account_written + len(users),
                    total_written=result.written,
                )
                if progress is not None:
                    progress(state)
        except BeeperError as exc:
            if not keep_going or _aborts_everything(exc):
                raise
            result.failures.append(AccountFailure(account.account_id, exc))
            if on_account_error is not None:
                on_account_error(account, exc)
    writer.close()
    return result


async def resolve_accounts(client: BeeperClient, account_id: str | None) -> list[Account]:
    """Every account in display order (``None``), or the one with ``account_id``.

    Older Desktop builds answer 404 to the single-account endpoint: the list
    entry is used then. Raises :class:`NotFoundError` for an unknown ID.
    """
    if account_id is None:
        return display_order(await client.list_accounts())
    try:
        return [await client.get_account(account_id)]
    except NotFoundError:
        for account in await client.list_accounts():
            if account.account_id == account_id:
                return [account]
        raise


# -- the command --------------------------------------------------------------


_EXPORT_EPILOG: Final = """\
formats:
  vcf    vCard 4.0, one card per contact (FN, N, TEL, EMAIL, NICKNAME, X-BEEPER-*)
  csv    header row; cells starting with = + - @ (phones, handles too) get a
         leading ' so spreadsheets never run them as formulas; files get a BOM
  json   one array of the API's User objects plus accountID and network
  jsonl  the same objects, one per line

A file is written only when the whole export succeeded; on any error the exit
status is 1 and an existing FILE is left as it was.
"""


def build_export_parser(secrets: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The parser of ``beeper-tui export``; its errors hide each of ``secrets``."""
    parser = OneLineParser(
        prog=PROG,
        description="Export contacts of one account or of all accounts.",
        epilog=_EXPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.secrets = secrets
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--account", metavar="ID", help="export this account's contacts")
    which.add_argument("--all", action="store_true", help="export every account's contacts")
    parser.add_argument("--query", metavar="TEXT", default="", help="only contacts matching TEXT")
    parser.add_argument("--format", required=True, choices=FORMATS, help="output format")
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write to FILE (without -o, or with -o -: standard output)",
    )
    parser.add_argument("--base-url", metavar="URL", help="Beeper Desktop API URL")
    parser.add_argument("--token", metavar="TOKEN", help="access token (prefer the env var)")
    parser.add_argument(
        "--demo", action="store_true", default=None, help="export the embedded demo data"
    )
    parser.add_argument("--config", metavar="PATH", type=Path, help="config file to use")
    parser.add_argument("--page-size", type=positive_int, metavar="N", help="contacts per page")
    parser.add_argument(
        "--max-retries",
        type=non_negative_int,
        metavar="N",
        default=2,
        help="retries of a page after 408/409/429/5xx (default 2)",
    )
    return parser


class _Stderr:
    """Error lines and the optional progress bar, both on stderr."""

    def __init__(self, secrets: Sequence[str]) -> None:
        self.secrets = [s for s in secrets if s]
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def error(self, text: str) -> None:
        line = f"{PROG}: error: {self._one_line(text)}"
        self._print(line)

    def warning(self, text: str) -> None:
        self._print(f"{PROG}: warning: {self._one_line(text)}")

    def _one_line(self, text: str) -> str:
        # Server messages are user-controlled: no escapes reach the terminal.
        return scrub(clean_text(text, newlines=False) or "", self.secrets)

    def _print(self, line: str) -> None:
        if self._progress is not None:
            self._progress.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            print(line, file=sys.stderr, flush=True)

    def start_progress(self) -> None:
        """Show a progress bar (call only when stderr is a terminal)."""
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.fields[written]:>7,} contacts", markup=False),
            TextColumn("{task.description}", markup=False),
            TimeElapsedColumn(),
            console=Console(file=sys.stderr, highlight=False),
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._task = self._progress.add_task("connecting…", total=None, written=0)
        self._progress.start()

    def update(self, state: ExportProgress) -> None:
        """The progress callback of :func:`export_contacts`."""
        if self._progress is None or self._task is None:
            return
        where = f"{state.network} ({state.account_id})"
        if state.account_count > 1:
            where += f" · account {state.account_index}/{state.account_count}"
        self._progress.update(
            self._task,
            description=self._one_line(where),
            written=state.total_written,
        )

    def stop_progress(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


class _Sink:
    """Where the export goes: stdout, or a temp file renamed onto the target on success."""

    def __init__(self, target: Path | None) -> None:
        self.target = target
        self._tmp: Path | None = None
        self._wrapper: io.TextIOWrapper | None = None
        self.stream: TextIO
        if target is None:
            sys.stdout.flush()
            buffer = getattr(sys.stdout, "buffer", None)
            if buffer is None:
                self.stream = sys.stdout
            else:
                # UTF-8 whatever the locale, no newline translation (vCard wants CRLF).
                self._wrapper = io.TextIOWrapper(
                    buffer, encoding="utf-8", newline="", write_through=True
                )
                self.stream = self._wrapper
            return
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
        self._tmp = Path(name)
        try:
            if target.exists():
                os.chmod(fd, target.stat().st_mode & 0o7777)
            # New files stay 0600 (mkstemp's mode): contact lists are personal data.
            self.stream = open(fd, "w", encoding="utf-8", newline="")  # noqa: SIM115
        except BaseException:
            os.close(fd)
            self._tmp.unlink(missing_ok=True)
            raise

    @property
    def is_terminal(self) -> bool:
        return self.target is None and sys.stdout.isatty()

    def commit(self) -> None:
        """Finish: the temp file becomes the target."""
        if self._tmp is None:
            self._release_stdout()
            return
        try:
            self.stream.flush()
            os.fsync(self.stream.fileno())
            self.stream.close()
            assert self.target is not None
            os.replace(self._tmp, self.target)
        except BaseException:
            self.abort()
            raise
        self._tmp = None

    def abort(self) -> None:
        """Give up: remove the temp file; an existing target stays as it was."""
        if self._tmp is None:
            self._release_stdout()
            return
        with contextlib.suppress(OSError):
            self.stream.close()
        self._tmp.unlink(missing_ok=True)
        self._tmp = None

    def _release_stdout(self) -> None:
        wrapper, self._wrapper = self._wrapper, None
        if wrapper is None:
            return
        # A closed pipe: what it missed cannot be sent anyway.
        with contextlib.suppress(OSError):
            wrapper.flush()
        # Detach, or the wrapper would close sys.stdout's buffer when collected.
        # write_through=True left nothing buffered, so this cannot fail on a flush.
        with contextlib.suppress(OSError):
            wrapper.detach()


async def export_to_file(
    client: BeeperClient,
    accounts: Sequence[Account],
    target: Path,
    fmt: str,
    *,
    query: str = "",
    page_size: int = DEFAULT_PAGE_SIZE,
    progress: Callable[[ExportProgress], None] | None = None,
) -> ExportResult:
    """Export to ``target`` all at once or not at all (temp file, renamed on success).

    Any failure (or cancellation) removes the temp file and leaves an existing
    ``target`` untouched, then re-raises.
    """
    sink = _Sink(target)
    try:
        writer = make_writer(fmt, sink.stream, to_file=True)
        result = await export_contacts(
            client, accounts, writer, query=query, page_size=page_size, progress=progress
        )
    except BaseException:
        sink.abort()
        raise
    sink.commit()
    return result


def _silence_stdout() -> None:
    # The reader went away (``| head``): point stdout at /dev/null so the
    # interpreter's final flush does not complain about the closed pipe.
    with contextlib.suppress(OSError, ValueError, AttributeError, io.UnsupportedOperation):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


async def _run(
    args: argparse.Namespace,
    *,
    base_url: str,
    token: str | None,
    demo: bool,
    page_size: int,
    demo_app: ASGIApp | None,
    sink: _Sink,
    stderr: _Stderr,
) -> int:
    backend = open_backend(
        base_url=base_url,
        access_token=token,
        page_size=page_size,
        demo=demo,
        demo_app=demo_app,
        max_retries=args.max_retries,
    )
    try:
        accounts = await resolve_accounts(backend.client, None if args.all else args.account)
        writer = make_writer(args.format, sink.stream, to_file=sink.target is not None)
        result = await export_contacts(
            backend.client,
            accounts,
            writer,
            query=args.query,
            page_size=page_size,
            keep_going=args.all,
            progress=stderr.update,
            on_account_error=lambda account, exc: stderr.error(f"{account.account_id}: {exc}"),
        )
    except BeeperError as exc:
        stderr.error(str(exc))
        return 1
    finally:
        await backend.aclose()
    if not result.complete:
        failed = len(result.failures)
        stderr.error(
            f"{failed} of {len(accounts)} accounts failed"
            + ("; nothing was written" if sink.target is not None else "")
        )
        return 1
    return 0


def export_main(argv: Sequence[str] | None = None, *, demo_app: ASGIApp | None = None) -> int:
    """``beeper-tui export …``; returns the exit status (2 for bad arguments).

    ``demo_app`` lets tests export from a demo app with faults configured.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    secrets = argv_secrets(argv)
    parser = build_export_parser(secrets)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a bad argument (already reported)
        return exc.code if isinstance(exc.code, int) else 0
    stderr = _Stderr(secrets)
    try:
        settings = resolve_settings(
            {
                "base_url": args.base_url,
                "access_token": args.token,
                "demo": args.demo,
                "page_size": args.page_size,
            },
            config_path=args.config,
        )
    except ConfigError as exc:
        stderr.error(str(exc))
        return 2
    token = settings.token
    stderr.secrets.extend(s for s in (token,) if s)
    demo = settings.demo or demo_app is not None
    if not demo and not token:
        stderr.error(
            "no access token: set BEEPER_ACCESS_TOKEN, pass --token, "
            "or save one from the app (or use --demo)"
        )
        return 2
    if not demo and (warning := settings.clear_text_warning):
        stderr.warning(warning)

    target = None if args.output in (None, "-") else Path(args.output)
    if target is not None and target.is_dir():
        stderr.error(f"{target} is a directory")
        return 2
    try:
        sink = _Sink(target)
    except OSError as exc:
        stderr.error(f"cannot write {target}: {exc.strerror or exc}")
        return 1

    # A bar on a terminal stderr, unless contacts are printing on that terminal too.
    if sys.stderr.isatty() and not sink.is_terminal:
        stderr.start_progress()
    try:
        code = asyncio.run(
            _run(
                args,
                base_url=settings.base_url,
                token=token,
                demo=demo,
                page_size=settings.page_size,
                demo_app=demo_app,
                sink=sink,
                stderr=stderr,
            )
        )
    except KeyboardInterrupt:
        stderr.stop_progress()
        sink.abort()
        stderr.error("interrupted" + ("; nothing was written" if target is not None else ""))
        return 130
    except OSError as exc:  # writing failed: disk full, broken pipe, …
        stderr.stop_progress()
        sink.abort()
        if isinstance(exc, BrokenPipeError):
            _silence_stdout()
        else:
            stderr.error(f"cannot write {target or 'standard output'}: {exc.strerror or exc}")
        return 1
    except BaseException:
        stderr.stop_progress()
        sink.abort()
        raise
    stderr.stop_progress()
    if code != 0:
        sink.abort()
        return code
    try:
        sink.commit()
    except OSError as exc:
        stderr.error(f"cannot write {target or 'standard output'}: {exc.strerror or exc}")
        return 1
    return 0
