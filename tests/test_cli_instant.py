"""Every entry point answers from the book before it touches anything slow.

``search`` never waits on Desktop once a book exists (down or slow alike),
``sync`` keeps the book fresh for cron, the command line's options mean the
same on both sides of a command (or are refused), and the import budget of
``search`` and ``cache`` is checked in a fresh interpreter.
"""

from __future__ import annotations

import os
import select
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette

from beeper_tui.cli import main, parse
from beeper_tui.demo import DEMO_TOKEN, Dataset, build_dataset, create_demo_app, serve_in_thread
from beeper_tui.demo.faults import FaultRule
from tests.demo_fixtures import BASELINE_VERSION

SLACK = "slackgo.T0THU48B2V-U09FJCPWPX"
ROOT = Path(__file__).resolve().parents[1]

FORBIDDEN_FOR_SEARCH = (
    "textual",
    "httpx",
    "pydantic",
    "beeper_tui.api.models",
    "beeper_tui.api.client",
    "PIL",
    "textual_image",
    "vobject",
    "faker",
    "starlette",
    "uvicorn",
    "websockets",
    "asyncio",
    "rich",
    "logging",
    "tomllib",
    "rapidfuzz",
)
"""What ``search`` and ``cache`` from a book must not import: the issue's list (Textual,
httpx, pydantic's API models, Pillow, textual-image, vobject, Faker, Starlette, uvicorn),
and what we hold ourselves to beyond it (pydantic itself, asyncio, Rich, websockets; logging
when nothing is logged, tomllib when there is no config or people file, rapidfuzz: a typo is
looked up by spelling until the app has built its typo tables)."""


@pytest.fixture(scope="module")
def small() -> Dataset:
    return build_dataset(big_account_size=400)


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("BEEPER_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("BEEPER_BASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "cache"


def _app(small: Dataset) -> Starlette:
    return create_demo_app(small, desktop_version=BASELINE_VERSION, record=True)


def _sync(base_url: str, *more: str) -> int:
    return main(["sync", "--base-url", base_url, "--token", DEMO_TOKEN, *more])


@pytest.fixture
def silent_port() -> Iterator[tuple[str, socket.socket]]:
    """A loopback address that accepts connections into its backlog and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", listener


def _nobody_called(listener: socket.socket) -> bool:
    readable, _, _ = select.select([listener], [], [], 0)
    return not readable


def test_search_answers_from_the_book_and_never_calls_desktop(
    small: Dataset,
    silent_port: tuple[str, socket.socket],
    capsys: pytest.CaptureFixture[str],
) -> None:
    with serve_in_thread(_app(small)) as base_url:
        assert _sync(base_url) == 0
    capsys.readouterr()
    url, listener = silent_port
    argv = ["search", "morrison zoe", "--base-url", url]
    assert main([*argv, "--token", DEMO_TOKEN]) == 0
    out = capsys.readouterr()
    assert out.out.startswith("Zoe Morrison")
    assert out.err == ""
    assert _nobody_called(listener)  # a Desktop that never answers cost the search nothing


def test_search_with_a_slow_desktop_asks_it_nothing(
    small: Dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    app = _app(small)
    with serve_in_thread(app) as base_url:
        assert _sync(base_url) == 0
        app.state.demo.faults.add(FaultRule(path=r".*", delay_ms=2000))
        app.state.demo.clear_requests()
        assert main(["search", "zoe", "--base-url", base_url, "--token", DEMO_TOKEN]) == 0
        assert app.state.demo.requests == []
    assert "Zoe" in capsys.readouterr().out


def test_a_stale_book_says_so_and_still_answers(
    small: Dataset, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve_in_thread(_app(small)) as base_url:
        assert _sync(base_url) == 0
    capsys.readouterr()
    later = time.time() + 3 * 3600
    monkeypatch.setattr("beeper_tui.cli.search_command.time.time", lambda: later)
    assert main(["search", "zoe", "--base-url", "http://127.0.0.1:9"]) == 0
    captured = capsys.readouterr()
    assert "Zoe" in captured.out
    assert "last synced 3 h ago: run `beeper-tui sync`" in captured.err


def test_a_damaged_saved_index_still_answers_as_if_rebuilt(
    small: Dataset, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `search` decodes the saved index as the query reads it: damage found half way through
    # the query is answered from the contacts, with the same answer and no word about it.
    with serve_in_thread(_app(small)) as base_url:
        assert _sync(base_url) == 0
    argv = ["search", "morrison zoe", "--format", "json", "--base-url", "http://127.0.0.1:9"]
    assert main(argv) == 0
    expected = capsys.readouterr().out
    with sqlite3.connect(cache_dir / "beeper-tui" / "book.sqlite3") as conn:
        parts = conn.execute("SELECT part, data FROM snapshot WHERE part > 0").fetchall()
        assert parts  # the sync saved its index
        conn.executemany(
            "UPDATE snapshot SET data = ? WHERE part = ?",
            [(bytes([data[0] ^ 1]) + data[1:], part) for part, data in parts],
        )
    conn.close()
    assert main(argv) == 0
    out = capsys.readouterr()
    assert (out.out, out.err) == (expected, "")
    assert '"Zoe Morrison"' in expected


def test_sync_reports_each_account_and_exits_by_the_result(
    small: Dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    app = _app(small)
    app.state.demo.faults.add(FaultRule(path=f"/accounts/{SLACK}/contacts/list", status=500))
    with serve_in_thread(app) as base_url:
        assert _sync(base_url) == 1
        err = capsys.readouterr().err
        assert "Slack" in err
        assert "Traceback" not in err
        app.state.demo.faults.clear()
        assert _sync(base_url) == 0
        assert capsys.readouterr().err == ""  # quiet when not on a terminal and all went well
    assert _sync("http://127.0.0.1:9") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("beeper-tui sync: error:")


def test_sync_with_an_unknown_account_exits_2(
    small: Dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve_in_thread(_app(small)) as base_url:
        assert _sync(base_url, "--account", "nosuchnetwork") == 2
    assert "nosuchnetwork" in capsys.readouterr().err


# -- options on both sides of a command ----------------------------------------------


@pytest.mark.parametrize(
    ("flag", "dest", "value"),
    [
        (["--demo"], "demo", True),
        (["--no-cache"], "no_cache", True),
        (["--config", "c.toml"], "config", Path("c.toml")),
        (["--base-url", "http://127.0.0.1:1"], "base_url", "http://127.0.0.1:1"),
        (["--token", "t0k"], "token", "t0k"),
    ],
)
def test_an_option_means_the_same_before_and_after_search(
    flag: list[str], dest: str, value: object
) -> None:
    before = parse([*flag, "search", "zoe"])
    after = parse(["search", *flag, "zoe"])
    assert not isinstance(before, int)
    assert not isinstance(after, int)
    assert getattr(before, dest) == getattr(after, dest) == value


def test_an_option_after_the_command_wins_over_the_same_one_before() -> None:
    args = parse(
        ["--base-url", "http://127.0.0.1:1", "search", "--base-url", "http://[::1]:2", "x"]
    )
    assert not isinstance(args, int)
    assert args.base_url == "http://[::1]:2"


def test_the_page_size_counts_before_export_too() -> None:
    args = parse(["--page-size", "7", "export", "--all", "--format", "csv"])
    assert not isinstance(args, int)
    assert args.page_size == 7


@pytest.mark.parametrize(
    ("argv", "flag", "command"),
    [
        (["--page-size", "5", "search", "x"], "--page-size", "search"),
        (["--demo", "login"], "--demo", "login"),
        (["--token", "abc", "demo-server"], "--token", "demo-server"),
        (["--no-cache", "accounts"], "--no-cache", "accounts"),
        (["--images", "off", "cache", "path"], "--images", "cache"),
    ],
)
def test_an_option_a_command_does_not_take_is_refused_not_ignored(
    argv: list[str], flag: str, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert parse(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"{flag} does not apply to '{command}'" in err
    assert "abc" not in err  # a token is never echoed, even refused


def test_the_demo_servers_own_token_is_its_own_option() -> None:
    args = parse(["demo-server", "--token", "mine"])
    assert not isinstance(args, int)
    assert args.accept_token == "mine"
    assert args.token is None


# -- the import budget ---------------------------------------------------------------


def _imported(
    argv: list[str], env: dict[str, str]
) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run ``beeper-tui ARGV`` in a fresh interpreter; every module it imported."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "beeper_tui", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
        check=False,
    )
    modules = {
        line.rsplit("|", 1)[1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and line.count("|") == 2
    }
    return result, modules


def _heavy(modules: set[str]) -> list[str]:
    return sorted(
        m for m in modules if any(m == f or m.startswith(f"{f}.") for f in FORBIDDEN_FOR_SEARCH)
    )


def test_search_and_cache_import_only_what_their_path_needs(
    small: Dataset, cache_dir: Path, tmp_path: Path
) -> None:
    with serve_in_thread(_app(small)) as base_url:
        assert _sync(base_url) == 0
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(cache_dir),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "BEEPER_BASE_URL": "http://127.0.0.1:9",
        "BEEPER_ACCESS_TOKEN": DEMO_TOKEN,
    }
    env.pop("PYTHONWARNINGS", None)
    search, modules = _imported(["search", "morrsion", "--format", "mutt"], env)  # a typo
    assert search.returncode == 0, search.stderr[-2000:]
    assert "people found" in search.stdout
    assert "beeper_tui.service.book.search" in modules  # the probe sees our own imports
    assert _heavy(modules) == []
    cache, modules = _imported(["cache", "path"], env)
    assert cache.returncode == 0, cache.stderr[-2000:]
    assert _heavy(modules) == []


def test_a_reader_that_goes_away_ends_any_command_without_a_traceback() -> None:
    # ``beeper-tui completion bash | head -1``: the reader is gone before the script is out
    # (closed before the command starts, so the first write meets a broken pipe every time).
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        process = subprocess.run(
            [sys.executable, "-m", "beeper_tui", "completion", "bash"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert b"Traceback" not in process.stderr
    assert process.returncode == 1
