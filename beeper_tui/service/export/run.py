"""The export run: page through accounts, write each page, report progress.

Contacts are streamed: each page is written as it arrives and then dropped,
so memory stays flat however large the account (only the IDs already seen are
kept, to drop duplicates the way :class:`~beeper_tui.service.ContactPager` does).

Output to a file is atomic: everything goes to a temporary file in the target's
directory, which replaces the target only when the whole export succeeded. A
failed or interrupted export leaves no partial file and any earlier target as
it was. A new file is 0600 (contact lists are personal data), also when the
target was a symlink; only an existing regular file keeps its mode.

A target that exists and is not a regular file (a FIFO, a terminal,
``/dev/null``, ``/dev/stdout``, ``/dev/fd/N``, ``>(gzip > x.gz)``), or any path
in ``/dev`` or ``/proc``, is written straight through like ``-``: replacing it
with a regular file would break the pipe it stands for (as root, replace
``/dev/stdout`` itself).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import stat
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final, TextIO

from beeper_tui.api.client import BeeperClient
from beeper_tui.api.errors import (
    AuthenticationError,
    BeeperError,
    CannotConnectError,
    ProtocolError,
)
from beeper_tui.api.models import Account
from beeper_tui.service.contacts import DEFAULT_PAGE_SIZE, ContactPager
from beeper_tui.service.networks import network_name
from beeper_tui.service.person import Contact
from beeper_tui.service.users import UserInfo

from .formats import ContactWriter, make_writer

__all__ = [
    "DEFAULT_MAX_CONTACTS",
    "AccountFailure",
    "EndlessAccountError",
    "ExportPlan",
    "ExportProgress",
    "ExportResult",
    "ExportSink",
    "export_contacts",
    "export_to_file",
    "iter_contact_pages",
    "write_into",
]


DEFAULT_MAX_CONTACTS: Final = 1_000_000
"""Most contacts exported from one account: beyond this the account is taken as endless."""


class EndlessAccountError(ProtocolError):
    """An account kept sending new contacts and cursors past the export's cap."""

    def __init__(self, account_id: str, cap: int) -> None:
        super().__init__(
            f"accounts/{account_id}/contacts/list",
            f"the account sent more than {cap:,} contacts and still says there are more; "
            "stopped (raise export_max_contacts if it really is that large)",
        )
        self.account_id = account_id
        self.cap = cap


async def iter_contact_pages(
    client: BeeperClient,
    account_id: str,
    *,
    query: str = "",
    page_size: int = DEFAULT_PAGE_SIZE,
) -> AsyncIterator[list[UserInfo]]:
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
class ExportPlan:
    """Which accounts an export covers, and how to name it."""

    accounts: Sequence[Account]
    label: str
    """What the dialog says is being exported ("all accounts", "WhatsApp · Noor")."""
    slug: str
    """A word for the default file name ("all", "whatsapp")."""

    def file_name(self, suffix: str) -> str:
        """The default file name: ``beeper-contacts-SLUG.SUFFIX``, safe on any file system."""
        slug = re.sub(r"[^a-z0-9]+", "-", self.slug.casefold()).strip("-") or "contacts"
        return f"beeper-contacts-{slug}.{suffix}"


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
    """People (or, paging the server, contacts) written."""
    records: int = 0
    """Records in the file: one per person in vCard, one per identity in CSV and JSON."""
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
    max_contacts: int = DEFAULT_MAX_CONTACTS,
) -> ExportResult:
    """Write every contact of ``accounts`` (matching ``query``) through ``writer``.

    Each page is written and flushed as it arrives. A failed page raises its
    :class:`BeeperError` (without closing the writer), unless ``keep_going``:
    then the failure is recorded, reported to ``on_account_error``, and the
    next account follows; a lost connection or a rejected token still raise.
    An account with more than ``max_contacts`` contacts (a server sending
    fresh IDs and cursors forever) fails with :class:`EndlessAccountError`
    before the disk fills.
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
                if state.account_written + len(users) > max_contacts:
                    raise EndlessAccountError(account.account_id, max_contacts)
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


def _writes_through(target: Path) -> bool:
    """Whether ``target`` must be written in place rather than replaced (see the module)."""
    try:
        info = target.stat()
    except OSError:
        info = None
    if info is not None and not stat.S_ISREG(info.st_mode):
        return True
    where = os.path.abspath(target)
    return any(where == top or where.startswith(top + os.sep) for top in ("/dev", "/proc"))


def _same_file_as_stdout(target: Path) -> bool:
    try:
        return os.path.samestat(target.stat(), os.fstat(sys.stdout.fileno()))
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return False


class ExportSink:
    """Where the export goes: stdout, a device or pipe written straight through, or a
    temp file renamed onto the target on success."""

    def __init__(self, target: Path | None, *, wait_for_reader: bool = True) -> None:
        """Open where the export goes (``None``: standard output).

        With ``wait_for_reader`` False a FIFO nobody reads is an error (ENXIO)
        at once, not a wait that would freeze an event loop.
        """
        self.target = target
        self._tmp: Path | None = None
        self._wrapper: io.TextIOWrapper | None = None
        self._direct = False
        self.stream: TextIO
        if target is not None and _writes_through(target):
            if _same_file_as_stdout(target):
                target = None  # /dev/stdout, /dev/fd/1: stdout's own stream, its offset too
            else:
                self._open_direct(target, wait_for_reader=wait_for_reader)
                return
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
            # New files stay 0600 (mkstemp's mode): contact lists are personal data.
            # Only a regular file that is there already keeps its mode; a symlink
            # is replaced, so what it pointed at has no say.
            with contextlib.suppress(FileNotFoundError):
                info = target.lstat()
                if stat.S_ISREG(info.st_mode):
                    os.chmod(fd, stat.S_IMODE(info.st_mode))
            self.stream = open(fd, "w", encoding="utf-8", newline="")  # noqa: SIM115
        except BaseException:
            os.close(fd)
            self._tmp.unlink(missing_ok=True)
            raise

    def _open_direct(self, target: Path, *, wait_for_reader: bool) -> None:
        # A FIFO blocks here until its reader opens it, as ``cat > fifo`` would.
        flags = os.O_WRONLY | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
        if not wait_for_reader:
            flags |= os.O_NONBLOCK
        fd = os.open(target, flags)
        try:
            if not wait_for_reader:
                os.set_blocking(fd, True)
            if stat.S_ISREG(os.fstat(fd).st_mode):
                os.ftruncate(fd, 0)  # /dev/fd/N opened on a regular file
            self.stream = open(fd, "w", encoding="utf-8", newline="")  # noqa: SIM115
        except BaseException:
            os.close(fd)
            raise
        self._direct = True

    @property
    def is_file(self) -> bool:
        """Whether the export becomes a regular file, all or nothing (CSV gets a BOM then)."""
        return self._tmp is not None

    def writer(self, fmt: str) -> ContactWriter:
        """A ``fmt`` writer on this sink: a CSV byte order mark only in a regular file."""
        return make_writer(fmt, self.stream, to_file=self.is_file)

    @property
    def is_terminal(self) -> bool:
        if self._direct:
            return self.stream.isatty()
        return self._tmp is None and sys.stdout.isatty()

    def commit(self) -> None:
        """Finish: the temp file becomes the target."""
        if self._tmp is None:
            self._release()
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
            self._release()
            return
        with contextlib.suppress(OSError):
            self.stream.close()
        self._tmp.unlink(missing_ok=True)
        self._tmp = None

    def _release(self) -> None:
        if self._direct:
            self._direct = False
            # A reader that went away: what it missed cannot be sent anyway.
            with contextlib.suppress(OSError):
                self.stream.close()
            return
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


async def write_into(
    target: Path, fmt: str, write: Callable[[ContactWriter], Awaitable[ExportResult]]
) -> ExportResult:
    """Run ``write`` on a ``fmt`` writer into ``target``, all at once or not at all.

    The one way an export on an event loop reaches a path: a FIFO without a
    reader fails at once (ENXIO) rather than blocking the loop, and only a
    regular file gets a CSV byte order mark. Any failure (or cancellation)
    removes the temp file and leaves an existing ``target`` untouched, then
    re-raises. A device or pipe is written straight through (see
    :class:`ExportSink`).
    """
    sink = ExportSink(target, wait_for_reader=False)
    try:
        result = await write(sink.writer(fmt))
    except BaseException:
        sink.abort()
        raise
    sink.commit()
    return result


async def export_to_file(
    client: BeeperClient,
    accounts: Sequence[Account],
    target: Path,
    fmt: str,
    *,
    query: str = "",
    page_size: int = DEFAULT_PAGE_SIZE,
    progress: Callable[[ExportProgress], None] | None = None,
    max_contacts: int = DEFAULT_MAX_CONTACTS,
) -> ExportResult:
    """Export the accounts' contacts to ``target`` through :func:`write_into`."""
    return await write_into(
        target,
        fmt,
        lambda writer: export_contacts(
            client,
            accounts,
            writer,
            query=query,
            page_size=page_size,
            progress=progress,
            max_contacts=max_contacts,
        ),
    )
