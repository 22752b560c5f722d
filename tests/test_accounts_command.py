"""``beeper-tui accounts``: the IDs ``--account`` takes, as text and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from beeper_tui import config as config_module
from beeper_tui.api.models import Account
from beeper_tui.cli import main
from beeper_tui.service.accounts import AccountMatchError, match_account


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("BEEPER_ACCESS_TOKEN", "BEEPER_BASE_URL", "BEEPER_DESKTOP_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(config_module, "default_config_path", lambda: tmp_path / "c.toml")


def test_accounts_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["accounts", "--demo"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "NETWORK", "STATUS", "USER"]
    whatsapp = next(line for line in lines if "WhatsApp" in line)
    assert whatsapp.startswith("local-whatsapp_ba_")
    assert "connected" in whatsapp
    # One column start for every row: the table lines up.
    column = lines[0].index("NETWORK")
    assert all(line[column - 2 : column] == "  " for line in lines)


def test_accounts_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["accounts", "--demo", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"id", "network", "status", "statusText", "user"} <= set(rows[0])
    networks = {r["network"] for r in rows}
    assert {"WhatsApp", "Telegram", "Signal"} <= networks
    assert len({r["id"] for r in rows}) == len(rows)


def test_accounts_needs_a_token(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["accounts"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("beeper-tui accounts: error: no access token")


def _account(account_id: str, network: str, owner: str = "Zoe") -> Account:
    return Account.model_validate(
        {"accountID": account_id, "network": network, "user": {"id": owner, "fullName": owner}}
    )


def test_match_account_rules() -> None:
    wa = _account("local-whatsapp_ba_O7bd7nZZIb4CQLP1aSqX1D", "WhatsApp")
    tg = _account("telegram", "Telegram")
    tg2 = _account("telegram_2", "Telegram", "Ada")
    sg = _account("local-signal_ba_x", "Signal")
    accounts = [wa, tg, sg]
    assert match_account(accounts, "whatsapp") is wa
    assert match_account(accounts, "WhatsApp") is wa
    assert match_account(accounts, "local-whatsapp_ba_O7bd7nZZIb4CQLP1aSqX1D") is wa
    assert match_account(accounts, "local-wh") is wa
    assert match_account(accounts, "sig") is sg
    assert match_account(accounts, "wa") is wa  # the network's code
    assert match_account(accounts, "telegram") is tg  # an exact ID wins
    with pytest.raises(AccountMatchError) as ambiguous:
        match_account([wa, tg, tg2, sg], "tele")
    assert ambiguous.value.ambiguous
    assert ambiguous.value.choices == [tg, tg2]
    with pytest.raises(AccountMatchError) as unknown:
        match_account(accounts, "nope")
    assert not unknown.value.ambiguous
    assert "telegram (Telegram · Zoe)" in unknown.value.message
    with pytest.raises(AccountMatchError):
        match_account(accounts, "  ")
