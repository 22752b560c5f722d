"""``search`` never answers from a partial book in silence; ``--account`` and the mutt column.

Against the demo Desktop on a loopback port and the book file in a temporary
cache directory, as a user's machine runs ``beeper-tui search``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.applications import Starlette

from beeper_tui.cli import main
from beeper_tui.demo import DEMO_TOKEN, Dataset, build_dataset, create_demo_app, serve_in_thread
from beeper_tui.demo.faults import FaultRule
from tests.demo_fixtures import BASELINE_VERSION

SLACK = "slackgo.T0THU48B2V-U09FJCPWPX"


@pytest.fixture(scope="module")
def small() -> Dataset:
    return build_dataset(big_account_size=400)


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("BEEPER_ACCESS_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "cache"


def _app(small: Dataset) -> Starlette:
    return create_demo_app(small, desktop_version=BASELINE_VERSION, record=True)


def _argv(base_url: str, *more: str) -> list[str]:
    return ["search", *more, "--base-url", base_url, "--token", DEMO_TOKEN]


def test_an_account_that_failed_its_first_sync_is_named_then_completed(
    small: Dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    app = _app(small)
    app.state.demo.faults.add(FaultRule(path=f"/accounts/{SLACK}/contacts/list", status=500))
    with serve_in_thread(app) as base_url:
        main(_argv(base_url, "zoe"))
        err = capsys.readouterr().err
        assert "book is missing Slack" in err
        assert err.count("\n") <= 3  # one line per problem, no traceback
        assert "Traceback" not in err
    # Desktop gone: the book answers, and still says what it lacks.
    main([*_argv("http://127.0.0.1:9", "zoe")])
    captured = capsys.readouterr()
    assert captured.out
    assert "book is missing Slack" in captured.err
    # Desktop back: search still answers from the book alone (it never waits on the
    # network once a book exists) and still names what is missing ...
    app.state.demo.faults.clear()
    with serve_in_thread(app) as base_url:
        app.state.demo.clear_requests()
        main(_argv(base_url, "zoe"))
        assert "book is missing Slack: run `beeper-tui sync`" in capsys.readouterr().err
        assert app.state.demo.requests_to(r"/contacts/list$") == []
        # ... until `search --sync` (or `beeper-tui sync`) completes it.
        main(_argv(base_url, "zoe", "--sync"))
        assert "missing" not in capsys.readouterr().err
        paged = app.state.demo.requests_to(r"/contacts/list$")
        assert any(SLACK in r.path for r in paged)
        main(_argv(base_url, "zoe"))
        assert "missing" not in capsys.readouterr().err


def test_account_takes_a_network_name_and_the_mutt_column_names_networks(
    small: Dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    app = _app(small)
    with serve_in_thread(app) as base_url:
        assert main(_argv(base_url, "a", "--format", "mutt")) == 0
        first = capsys.readouterr().out.splitlines()[1:]
        app.state.demo.clear_requests()
        assert main(_argv(base_url, "a", "--format", "mutt")) == 0
        second = capsys.readouterr().out.splitlines()[1:]
        assert first == second  # the same network names on the second run, from the book
        assert not any("local-" in line.split("\t")[2] for line in second)
        assert app.state.demo.requests_to(r"/contacts/list$") == []
        assert main(_argv(base_url, "a", "--account", "whatsapp", "--format", "tsv")) == 0
        lines = capsys.readouterr().out.splitlines()
        assert lines
        assert all("WhatsApp" in line.split("\t")[4] for line in lines)
        assert app.state.demo.requests_to(r"/contacts/list$") == []


def test_a_query_of_punctuation_matches_nobody(
    small: Dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    app = _app(small)
    with serve_in_thread(app) as base_url:
        assert main(_argv(base_url, "(")) == 1
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("redirect", ["> /dev/full", ">&-", "| true-closed"])
def test_stdout_that_cannot_take_the_results_ends_in_one_line(
    redirect: str, tmp_path: Path
) -> None:
    import os
    import shlex
    import subprocess
    import sys

    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "c"), "XDG_CONFIG_HOME": str(tmp_path)}
    command = [sys.executable, "-m", "beeper_tui", "search", "a", "--demo"]
    if redirect == "| true-closed":  # the reader went away before the first line
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        assert proc.stdout is not None
        proc.stdout.close()
        _, err_bytes = proc.communicate(timeout=120)
        code, err = proc.returncode, err_bytes.decode()
    else:
        shell = f"{shlex.join(command)} {redirect}"
        done = subprocess.run(
            ["sh", "-c", shell], capture_output=True, text=True, env=env, timeout=120
        )
        code, err = done.returncode, done.stderr
    assert code != 0
    assert err.count("\n") == 1, err
    assert err.startswith("beeper-tui search: error: ")
