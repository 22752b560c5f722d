"""Where an export goes (issue 14, items 13 and 16): devices, pipes, modes, endless accounts."""

from __future__ import annotations

import asyncio
import errno
import io
import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from starlette.applications import Starlette

import beeper_tui.config as config_module
from beeper_tui.api.client import BeeperClient
from beeper_tui.api.models import Account, User
from beeper_tui.config import ConfigError, resolve_settings
from beeper_tui.demo import Dataset, build_dataset, create_demo_app
from beeper_tui.service.export.formats import JsonLinesWriter
from beeper_tui.service.export.people import export_people_to_file
from beeper_tui.service.export.run import EndlessAccountError, ExportSink, export_contacts
from beeper_tui.service.person import Contact
from tests.cli_helpers import export_main
from tests.hostile_server import HostileServer, answer

ACCOUNT = "matrix"


@pytest.fixture(scope="module")
def small_dataset() -> Dataset:
    return build_dataset(big_account_size=300)


@pytest.fixture
def demo_app(small_dataset: Dataset) -> Starlette:
    return create_demo_app(small_dataset)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("BEEPER_ACCESS_TOKEN", "BEEPER_BASE_URL", "BEEPER_DESKTOP_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "cfg").mkdir()
    monkeypatch.setattr(config_module, "default_config_path", lambda: tmp_path / "cfg" / "c.toml")


def export(demo_app: Starlette, target: Path | str, fmt: str = "jsonl") -> int:
    return export_main(
        ["--demo", "--account", ACCOUNT, "--format", fmt, "-o", str(target)], demo_app=demo_app
    )


def reference(demo_app: Starlette, tmp_path: Path, fmt: str = "jsonl") -> bytes:
    """What the same export writes to a regular file."""
    path = tmp_path / f"reference.{fmt}"
    assert export(demo_app, path, fmt) == 0
    return path.read_bytes()


def partials(directory: Path) -> list[str]:
    return [name for name in os.listdir(directory) if name.endswith(".partial")]


# -- item 13: devices and pipes are written straight through -----------------------


def test_a_fifo_is_written_through_not_replaced(demo_app: Starlette, tmp_path: Path) -> None:
    expected = reference(demo_app, tmp_path, "csv")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = bytearray()

    def read() -> None:
        with open(fifo, "rb") as reader:
            received.extend(reader.read())

    reader = threading.Thread(target=read)
    reader.start()
    try:
        code = export(demo_app, fifo, "csv")
    finally:
        reader.join(timeout=30)
    assert not reader.is_alive()
    assert code == 0
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    # A stream, not a file: no byte order mark (that belongs to files for Excel).
    assert not received.startswith("\ufeff".encode())
    assert bytes(received) == expected.removeprefix("\ufeff".encode())
    assert partials(tmp_path) == []


def test_a_fifo_without_a_reader_fails_at_once_for_the_app(tmp_path: Path) -> None:
    # The app exports on its event loop: waiting for a reader would freeze the screen.
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="No such device or address") as info:
        ExportSink(fifo, wait_for_reader=False)
    assert info.value.errno == errno.ENXIO
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert partials(tmp_path) == []


PEOPLE = [
    Contact(User(id="@noor:beeper.com", fullName="Noor Haddad", email="noor@b.example"), "matrix"),
    Contact(User(id="@zoe:beeper.com", fullName="Zoé Martin"), "matrix"),
]


def export_people(target: Path, fmt: str = "csv") -> None:
    asyncio.run(export_people_to_file(PEOPLE, lambda account_id: "Matrix", target, fmt))


def test_a_book_export_to_a_fifo_without_a_reader_fails_at_once(tmp_path: Path) -> None:
    # The app's book export runs on its event loop too: no waiting for a reader.
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            export_people(fifo)
        except BaseException as exc:
            outcome.append(exc)
        else:
            outcome.append(None)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=20)
    if worker.is_alive():  # blocked in open(): a reader lets it go, then the test fails
        with open(fifo, "rb") as reader:
            reader.read()
        worker.join(timeout=20)
    assert len(outcome) == 1
    failure = outcome[0]
    assert isinstance(failure, OSError), failure
    assert failure.errno == errno.ENXIO
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert partials(tmp_path) == []


def test_a_book_export_to_a_pipe_has_no_byte_order_mark(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # the reader is there first
    try:
        export_people(fifo)
        received = os.read(reader, 65536)
    finally:
        os.close(reader)
    assert received.startswith(b"person,name,"), received[:20]
    assert "Zoé Martin".encode() in received
    # The same export to a regular file does get one (Excel reads UTF-8 by it).
    export_people(tmp_path / "people.csv")
    assert (tmp_path / "people.csv").read_bytes() == "\ufeff".encode() + received


def test_a_character_device_is_written_through(demo_app: Starlette) -> None:
    before = os.stat("/dev/null")
    assert export(demo_app, "/dev/null") == 0
    after = os.lstat("/dev/null")
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
    assert not [name for name in os.listdir("/dev") if name.startswith(".null.")]


def test_dev_stdout_carries_the_export_down_the_pipe(demo_app: Starlette, tmp_path: Path) -> None:
    expected = reference(demo_app, tmp_path)
    argv = [sys.executable, "-m", "beeper_tui", "export", "--demo", "--account", ACCOUNT]
    argv += ["--format", "jsonl", "-o", "/dev/stdout"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("BEEPER_")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "cfg")
    done = subprocess.run(argv, capture_output=True, timeout=120, env=env, check=False)
    assert done.returncode == 0, done.stderr.decode()
    # ``export -o /dev/stdout | wc -c`` counts the whole export.
    assert len(done.stdout) == len(expected)
    assert done.stdout == expected
    assert os.path.islink("/dev/stdout") or not os.path.exists("/dev/stdout")


def test_dev_fd_n_is_written_through(demo_app: Starlette, tmp_path: Path) -> None:
    expected = reference(demo_app, tmp_path)
    read_end, write_end = os.pipe()
    received = bytearray()

    def read() -> None:
        with os.fdopen(read_end, "rb") as reader:
            received.extend(reader.read())

    reader = threading.Thread(target=read)
    reader.start()
    try:
        code = export(demo_app, f"/dev/fd/{write_end}")
    finally:
        os.close(write_end)
        reader.join(timeout=30)
    assert code == 0
    assert bytes(received) == expected


# -- item 16: modes ---------------------------------------------------------------


def test_a_new_file_is_0600_whatever_the_umask(demo_app: Starlette, tmp_path: Path) -> None:
    target = tmp_path / "new.vcf"
    old = os.umask(0)
    try:
        assert export(demo_app, target, "vcf") == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_symlink_target_does_not_lend_its_mode(demo_app: Starlette, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.vcf"
    elsewhere.write_text("someone else's file")
    elsewhere.chmod(0o604)
    link = tmp_path / "contacts.vcf"
    link.symlink_to(elsewhere)
    assert export(demo_app, link, "vcf") == 0
    info = os.lstat(link)
    assert stat.S_ISREG(info.st_mode)
    assert stat.S_IMODE(info.st_mode) == 0o600
    assert elsewhere.read_text() == "someone else's file"


def test_an_existing_regular_file_keeps_its_mode(demo_app: Starlette, tmp_path: Path) -> None:
    target = tmp_path / "shared.csv"
    target.write_text("old")
    target.chmod(0o640)
    assert export(demo_app, target, "csv") == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert target.read_text(encoding="utf-8-sig").startswith("person,name,")


# -- item 16: an endless account ends with a clear error ---------------------------


async def _endless(head_bytes: bytes, writer: asyncio.StreamWriter) -> None:
    """Every page: fresh users and a fresh cursor, and always more."""
    request_line = head_bytes.split(b"\r\n", 1)[0].decode()
    page = (
        request_line.split("cursor=")[1].split("&")[0].split(" ")[0]
        if "cursor=" in request_line
        else "0"
    )
    start = int(page) * 100
    items = [{"id": f"@u{n}:endless", "fullName": f"User {n}"} for n in range(start, start + 100)]
    body = {"items": items, "hasMore": True, "oldestCursor": str(int(page) + 1)}
    await answer(writer, json.dumps(body).encode())


async def test_an_endless_account_stops_at_the_cap() -> None:
    account = Account.model_validate({"accountID": "endless", "user": User(id="@me").model_dump()})
    stream = io.StringIO()
    async with HostileServer(_endless) as url, BeeperClient(url, "t" * 32) as client:
        with pytest.raises(EndlessAccountError, match="more than 1,000 contacts") as info:
            await export_contacts(
                client, [account], JsonLinesWriter(stream), page_size=100, max_contacts=1000
            )
    assert info.value.account_id == "endless"
    assert "export_max_contacts" in info.value.message
    # It stopped at the cap, not one page later or a million pages later.
    assert len(stream.getvalue().splitlines()) == 1000


@pytest.mark.parametrize("value", [0, -5, True, 200_000_000, "100"])
def test_export_max_contacts_is_bounded(tmp_path: Path, value: object) -> None:
    path = tmp_path / "config.toml"
    literal = "true" if value is True else json.dumps(value)
    path.write_text(f"export_max_contacts = {literal}\n")
    with pytest.raises(ConfigError, match="export_max_contacts"):
        resolve_settings({}, environ={}, config_path=path)


def test_export_max_contacts_is_read_from_the_config(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("export_max_contacts = 5000\n")
    assert resolve_settings({}, environ={}, config_path=path).export_max_contacts == 5000


def test_the_cli_stops_an_account_past_export_max_contacts(
    demo_app: Starlette, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("export_max_contacts = 100\n")  # the demo's matrix account has 150
    target = tmp_path / "out.vcf"
    argv = ["--demo", "--account", ACCOUNT, "--format", "vcf", "--page-size", "50"]
    code = export_main([*argv, "--config", str(config), "-o", str(target)], demo_app=demo_app)
    assert code == 1
    err = capsys.readouterr().err
    assert "more than 100 contacts" in err
    assert "export_max_contacts" in err
    assert not target.exists()
    assert partials(tmp_path) == []
