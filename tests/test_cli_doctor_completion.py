"""``beeper-tui doctor`` and ``beeper-tui completion``, run as a person runs them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from beeper_tui.cli import main
from beeper_tui.service.book import BookStore

BIN = Path(sys.executable).parent


def test_doctor_on_the_demo_says_nothing_is_wrong(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "--demo"]) == 0
    out = capsys.readouterr().out
    assert "Beeper Desktop 4.3.20" in out
    assert "sensitive actions  allowed" in out
    assert "iMessage" in out
    assert out.rstrip().endswith("nothing wrong found")


def test_doctor_json_and_a_desktop_that_is_not_there(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["doctor", "--format", "json", "--base-url", "http://127.0.0.1:9"]
    status = main([*argv, "--token", "s3cret-token"])
    out = capsys.readouterr().out
    assert status == 1
    report = json.loads(out)
    desktop = report["checks"][0]
    assert desktop["ok"] is False
    assert "Settings → Integrations" in desktop["fix"]
    assert "s3cret-token" not in out


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts_come_from_the_parser(
    shell: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["completion", shell]) == 0
    script = capsys.readouterr().out
    for word in ("doctor", "completion", "export", "--account", "completion --account-words"):
        assert word in script


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completes_commands_and_account_ids(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    book = cache / "beeper-tui" / "book.sqlite3"
    store = BookStore(book)
    store.replace_account("local-whatsapp_ba_x1", [])
    store.close()
    script = subprocess.run(
        [str(BIN / "beeper-tui"), "completion", "bash"], capture_output=True, text=True, check=True
    ).stdout
    probe = (
        script
        + '\nCOMP_WORDS=(beeper-tui do); COMP_CWORD=1; _shtab_beeper_tui; echo "${COMPREPLY[*]}"'
        + "\nCOMP_WORDS=(beeper-tui export --account ''); COMP_CWORD=3; _shtab_beeper_tui;"
        + ' echo "${COMPREPLY[*]}"\n'
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "PATH": f"{BIN}:{os.environ['PATH']}"}
    out = subprocess.run(
        ["bash", "--norc", "-c", probe], capture_output=True, text=True, env=env, check=True
    ).stdout.splitlines()
    assert "doctor" in out[0].split()
    assert set(out[1].split()) >= {"local-whatsapp_ba_x1", "whatsapp"}
