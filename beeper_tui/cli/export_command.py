"""``beeper-tui export``: arguments, progress on stderr, exit codes."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from beeper_tui.config import ConfigError, Settings, resolve_settings
from beeper_tui.exit_signals import EXIT_SIGNALS
from beeper_tui.service.export.formats import FORMATS
from beeper_tui.service.text_hygiene import clean_text

from .common import (
    add_shared_flags,
    command_secrets,
    non_negative_int,
    positive_int,
    scrub,
    silence_stdout,
    takes,
)

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID
    from starlette.types import ASGIApp

    from beeper_tui.api.models import Account
    from beeper_tui.service.backend import Backend
    from beeper_tui.service.export.run import ExportProgress, ExportSink

__all__ = ["register", "run"]

PROG: Final = "beeper-tui export"

_EXPORT_EPILOG: Final = """\
formats:
  vcf    vCard 4.0, one card per contact (FN, N, TEL, EMAIL, NICKNAME, X-BEEPER-*)
  csv    header row; cells a spreadsheet could run as a formula (starting with
         = + - @, tab or CR) get a leading '; plain E.164 phones (+447…) and
         plain handles (@zoe) are kept as they are; files get a BOM
  json   one array of the API's User objects plus accountID and network
  jsonl  the same objects, one per line

A file is written only when the whole export succeeded; on any error the exit
status is 1 and an existing FILE is left as it was. Ctrl-C, SIGTERM and SIGHUP
remove the unfinished file too (exit status 128 + the signal's number). A FILE
that is a device or a pipe (/dev/stdout, a FIFO, >(gzip > x.gz)) is written
straight through, like standard output.
"""


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``export`` to the command tree."""
    parser = commands.add_parser(
        "export",
        help="export contacts to vCard, CSV, JSON or JSON Lines",
        description="Export contacts of one account or of all accounts.",
        epilog=_EXPORT_EPILOG,
    )
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--account",
        metavar="ACCOUNT",
        help="export this account's contacts: an ID, a network name (whatsapp) or a unique "
        "prefix; 'beeper-tui accounts' lists them",
    )
    which.add_argument("--all", action="store_true", help="export every account's contacts")
    parser.add_argument("--query", metavar="TEXT", default="", help="only contacts matching TEXT")
    parser.add_argument("--format", required=True, choices=FORMATS, help="output format")
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write to FILE (without -o, or with -o -: standard output)",
    )
    add_shared_flags(parser, ("base_url", "token", "demo", "config"), top=False)
    parser.add_argument(
        "--page-size",
        type=positive_int,
        metavar="N",
        default=argparse.SUPPRESS,
        help="contacts per page",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        default=argparse.SUPPRESS,
        help="page the server even when the address book has synced these accounts",
    )
    takes(parser, "base_url", "token", "demo", "config", "page_size", "no_cache")
    parser.add_argument(
        "--max-retries",
        type=non_negative_int,
        metavar="N",
        default=2,
        help="retries of a page after 408/409/429/5xx (default 2)",
    )
    parser.set_defaults(run=run)


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


class _Terminated(BaseException):
    """SIGTERM or SIGHUP arrived: unwind like Ctrl-C (a BaseException, as KeyboardInterrupt)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def _abort_on_signals() -> Iterator[None]:
    """While inside, SIGTERM and SIGHUP raise :class:`_Terminated` wherever the export is.

    A Python-level handler runs even while a write blocks on a full pipe or
    opening a FIFO waits for its reader; the handlers before are restored after.
    """

    def terminated(signum: int, _frame: object) -> None:
        raise _Terminated(signum)

    previous = {}
    try:
        for signum in EXIT_SIGNALS:
            previous[signum] = signal.signal(signum, terminated)
    except ValueError:  # not the main thread: signals stay as they were
        pass
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


async def _run(
    args: argparse.Namespace,
    *,
    base_url: str,
    token: str | None,
    demo: bool,
    page_size: int,
    phone_region: str | None,
    client_options: dict[str, Any],
    demo_app: ASGIApp | None,
    sink: ExportSink,
    stderr: _Stderr,
    max_contacts: int,
) -> int:
    # The HTTP client and the exporters load here, not when the command tree is built.
    from beeper_tui.api.errors import BeeperError
    from beeper_tui.service.accounts import searched_accounts
    from beeper_tui.service.export.people import write_people
    from beeper_tui.service.export.run import export_contacts
    from beeper_tui.wiring import open_backend

    backend = open_backend(
        base_url=base_url,
        access_token=token,
        page_size=page_size,
        demo=demo,
        demo_app=demo_app,
        max_retries=args.max_retries,
        client_options=client_options,
    )
    try:
        accounts = await backend.resolve_accounts(None if args.all else args.account)
        if args.all:
            accounts = searched_accounts(accounts)  # left-out accounts stay out, as on screen
        writer = sink.writer(args.format)
        if not args.no_cache and await _from_book(
            backend, accounts, phone_region, demo=demo, max_contacts=max_contacts
        ):
            people = await backend.book_people(accounts, args.query)
            assert people is not None
            await write_people(people, writer, backend.network_of, progress=stderr.update)
            return 0
        result = await export_contacts(
            backend.client,
            accounts,
            writer,
            query=args.query,
            page_size=page_size,
            keep_going=args.all,
            progress=stderr.update,
            on_account_error=lambda account, exc: stderr.error(f"{account.account_id}: {exc}"),
            max_contacts=max_contacts,
        )
    except BeeperError as exc:
        stderr.error(str(exc))
        return 1
    finally:
        if backend.book is not None:
            await backend.book.close()
        await backend.aclose()
    if not result.complete:
        failed = len(result.failures)
        stderr.error(
            f"{failed} of {len(accounts)} accounts failed"
            + ("; nothing was written" if sink.is_file else "")
        )
        return 1
    return 0


async def _from_book(
    backend: Backend,
    accounts: Sequence[Account],
    phone_region: str | None,
    *,
    demo: bool,
    max_contacts: int,
) -> bool:
    """Open the address book and sync what it lacks; whether it holds every account exported.

    The export is then what the screen lists for that scope and query: the
    book's people, merged, ranked and matched as the list does (the server's
    own ``query`` matches substrings and knows no people). The demo's book
    lives in memory; a real one is the user's file, or memory when there is
    none yet. The book reads national phone numbers in ``phone_region``, as
    the screen and ``search`` do, so ``--query "06 …"`` exports the people
    they show.
    """
    if not accounts:
        return False
    from beeper_tui.book_path import default_book_path
    from beeper_tui.service.book import AddressBook

    path = default_book_path()
    try:
        on_disk = not demo and path.exists()
        backend.book = await AddressBook.open(path if on_disk else None, region=phone_region)
    except Exception:  # a broken cache file: page the server instead
        return False
    book = backend.book
    missing = [a for a in accounts if not book.ready(a.account_id)]
    if missing:
        failures = await book.syncer(backend.client).run(missing)
        if any(error is not None for error in failures.values()):
            return False  # the pager says what failed, account by account
    # An account past export_max_contacts: the pager stops it and says so.
    return all(
        book.ready(a.account_id) and (book.count(a.account_id) or 0) <= max_contacts
        for a in accounts
    )


def run(args: argparse.Namespace, *, demo_app: ASGIApp | None = None) -> int:
    """Export as ``args`` say; returns the exit status."""
    stderr = _Stderr(command_secrets(args))
    try:
        settings = resolve_settings(
            {
                "base_url": args.base_url,
                "access_token": args.token,
                "demo": args.demo or None,
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
    for warning in [] if demo else settings.warnings:
        stderr.warning(warning)

    target = None if args.output in (None, "-") else Path(args.output)
    if target is not None and target.is_dir():
        stderr.error(f"{target} is a directory")
        return 2
    with _abort_on_signals():
        return _export(args, settings, token, demo, demo_app, target, stderr)


def _export(
    args: argparse.Namespace,
    settings: Settings,
    token: str | None,
    demo: bool,
    demo_app: ASGIApp | None,
    target: Path | None,
    stderr: _Stderr,
) -> int:
    import asyncio

    from beeper_tui.service.export.run import ExportSink

    sink: ExportSink | None = None
    try:
        try:
            sink = ExportSink(target)
        except OSError as exc:
            stderr.error(f"cannot write {target}: {exc.strerror or exc}")
            return 1
        # A bar on a terminal stderr, unless contacts are printing on that terminal too.
        if sys.stderr.isatty() and not sink.is_terminal:
            stderr.start_progress()
        code = asyncio.run(
            _run(
                args,
                base_url=settings.base_url,
                token=token,
                demo=demo,
                page_size=settings.page_size,
                phone_region=settings.phone_region,
                client_options=settings.client_options(),
                demo_app=demo_app,
                sink=sink,
                stderr=stderr,
                max_contacts=settings.export_max_contacts,
            )
        )
    except (KeyboardInterrupt, _Terminated) as exc:
        stderr.stop_progress()
        # Only a file is all or nothing; a pipe has had what was sent so far.
        nothing = target is not None and (sink is None or sink.is_file)
        if sink is not None:
            sink.abort()
        what = "terminated" if isinstance(exc, _Terminated) else "interrupted"
        stderr.error(what + ("; nothing was written" if nothing else ""))
        return 128 + (exc.signum if isinstance(exc, _Terminated) else signal.SIGINT)
    except OSError as exc:  # writing failed: disk full, broken pipe, …
        stderr.stop_progress()
        if sink is not None:
            sink.abort()
        if isinstance(exc, BrokenPipeError):
            silence_stdout()
        else:
            stderr.error(f"cannot write {target or 'standard output'}: {exc.strerror or exc}")
        return 1
    except BaseException:
        stderr.stop_progress()
        if sink is not None:
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
