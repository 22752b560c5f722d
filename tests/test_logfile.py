"""The ``--log`` file: 0600, one line per record, inert control characters, no token."""

from __future__ import annotations

import logging
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from beeper_tui.logfile import add_log_secret, escape_controls, open_debug_log

TOKEN = "sekrit-token-123456"


@pytest.fixture
def log_path(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "debug.log"
    handler = open_debug_log(path, secrets=[TOKEN])
    logger = logging.getLogger("beeper_tui.test_logfile")
    root = logging.getLogger("beeper_tui")
    old_level = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    try:
        yield path
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()
    del logger


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_log_file_is_created_private(log_path: Path) -> None:
    logging.getLogger("beeper_tui.test_logfile").info("hello")
    assert stat.S_IMODE(log_path.stat().st_mode) == 0o600


def test_existing_log_file_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "old.log"
    path.write_text("earlier\n")
    path.chmod(0o644)
    handler = open_debug_log(path)
    handler.emit(logging.makeLogRecord({"msg": "x", "name": "beeper_tui"}))
    handler.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert lines(path)[0] == "earlier"


def test_hostile_contact_id_cannot_forge_lines_or_run_escapes(log_path: Path) -> None:
    hostile = "@bob\n2099-01-01 INFO beeper_tui: forged\x1b[2J\x1b]0;owned\x07\u202e"
    logging.getLogger("beeper_tui.test_logfile").info("opened %s", hostile)
    (line,) = lines(log_path)
    assert "\x1b" not in line
    assert "\x07" not in line
    assert "\u202e" not in line
    assert (
        "opened @bob\\x0a2099-01-01 INFO beeper_tui: forged\\x1b[2J\\x1b]0;owned\\x07\\u202e"
        in (line)
    )


def test_token_and_url_credentials_are_masked(log_path: Path) -> None:
    log = logging.getLogger("beeper_tui.test_logfile")
    log.info("server said: bad token %s", TOKEN)
    log.info("connecting to http://alice:hunter2@127.0.0.1:23373/v1")
    later = "entered-later-token-xyz"
    add_log_secret(later)
    log.info("now %s", later)
    text = log_path.read_text(encoding="utf-8")
    assert TOKEN not in text
    assert "hunter2" not in text
    assert later not in text
    assert "http://127.0.0.1:23373/v1" in text
    assert text.count("***") == 2


def test_tracebacks_keep_their_lines_but_are_inert(log_path: Path) -> None:
    try:
        raise ValueError(f"boom \x1b[31m {TOKEN}")
    except ValueError:
        logging.getLogger("beeper_tui.test_logfile").exception("failed")
    text = log_path.read_text(encoding="utf-8")
    assert "Traceback (most recent call last):" in text
    assert "\x1b" not in text
    assert TOKEN not in text


def test_escape_controls_leaves_ordinary_text_alone() -> None:
    assert escape_controls("Zoë Ångström 🌶 +1 415") == "Zoë Ångström 🌶 +1 415"
    assert escape_controls("a\\x1b") == "a\\\\x1b"
    assert escape_controls("\ud800lone") == "\\ud800lone"
