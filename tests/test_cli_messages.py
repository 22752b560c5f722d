"""``beeper-tui messages NAME``, and the demo's deterministic activity."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from starlette.applications import Starlette

from beeper_tui.demo import Dataset, DemoState, build_dataset, create_demo_app
from tests.cli_helpers import run_command
from tests.demo_fixtures import BASELINE_VERSION


@pytest.fixture(scope="module")
def small() -> Dataset:
    return build_dataset(big_account_size=400)


@pytest.fixture
def demo(small: Dataset) -> Starlette:
    return create_demo_app(small, desktop_version=BASELINE_VERSION)


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)
    return tmp_path / "cache"


def test_json_conversation_of_the_best_match(
    demo: Starlette, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        run_command(["messages", "domitila", "--format", "json", "--limit", "4"], demo_app=demo)
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["name"] == "Domitila"
    messages = out["messages"]
    assert len(messages) == 4
    stamps = [m["timestamp"] for m in messages]
    assert stamps == sorted(stamps, reverse=True)
    assert {m["network"] for m in messages} == {"Telegram"}
    assert out["lastTalked"]["network"] == "Telegram"
    assert all(m["sender"] == "you" for m in messages if m["fromMe"])


def test_text_shows_a_sent_message_cleaned(
    demo: Starlette, capsys: pytest.CaptureFixture[str]
) -> None:
    state: DemoState = demo.state.demo
    assert (
        run_command(["messages", "domitila", "--format", "json", "--limit", "1"], demo_app=demo)
        == 0
    )
    chat_id = json.loads(capsys.readouterr().out)["messages"][0]["chatID"]
    state.messages.send(chat_id, "\x1b[2Jsee\u202e you\nsoon")
    assert run_command(["messages", "domitila", "--limit", "3"], demo_app=demo) == 0
    header, first, *_ = capsys.readouterr().out.splitlines()
    assert header.startswith("Domitila — Last talked just now on Telegram")
    assert first.endswith("Telegram  you: see you soon")


def test_nobody_matches(demo: Starlette, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_command(["messages", "zzqxv nobody"], demo_app=demo) == 1
    assert "nobody matches" in capsys.readouterr().err


def test_bad_limit_is_a_usage_error() -> None:
    assert run_command(["messages", "x", "--limit", "0"]) == 2


def test_the_module_imports_light() -> None:
    # Its heavy imports wait for run(): a lazy command tree pays nothing for it.
    import ast

    import beeper_tui.cli.messages_command as module

    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    top: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            top.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            top.add(node.module or "")
    assert top == {"__future__", "argparse", "typing", "common"}  # common: the cli's plumbing


def test_activity_is_deterministic_and_reaches_the_chat(small: Dataset) -> None:
    first = create_demo_app(small, desktop_version=BASELINE_VERSION).state.demo.messages
    second = create_demo_app(small, desktop_version=BASELINE_VERSION).state.demo.messages
    seen: list[tuple[str, dict[str, object]]] = []
    first.listeners.append(lambda kind, event: seen.append((kind, event)))
    a = [first.deliver_incoming() for _ in range(4)]
    b = [second.deliver_incoming() for _ in range(4)]
    assert [(m["chatID"], m["text"]) for m in a if m] == [(m["chatID"], m["text"]) for m in b if m]
    assert all(m is not None and not m["isSender"] for m in a)
    message = a[-1]
    assert message is not None
    assert first.messages(str(message["chatID"]))[-1] == message
    kinds = [kind for kind, _ in seen]
    assert kinds == ["message.upserted", "chat.upserted"] * 4


def test_ines_whose_only_slack_chat_was_a_big_channel_has_a_conversation(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The default dataset: her Slack workspace is the big one, #general with everyone.
    demo = create_demo_app(build_dataset(), desktop_version=BASELINE_VERSION)
    assert run_command(["messages", "ines", "--limit", "3"], demo_app=demo) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Ines Becker — Last talked ")
    assert len(out) == 4
    assert "(no messages)" not in out
    assert all("  Slack  " in line for line in out[1:])
