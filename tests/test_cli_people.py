"""``beeper-tui people``: suggestions, link, split and reject on the demo's book."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from starlette.applications import Starlette

from beeper_tui.book_path import default_people_path
from beeper_tui.demo import Dataset, build_dataset, create_demo_app
from beeper_tui.service.book.decisions import PeopleDecisions
from tests.cli_helpers import run_command, search_main
from tests.demo_fixtures import BASELINE_VERSION


@pytest.fixture(scope="module")
def small() -> Dataset:
    return build_dataset(big_account_size=400)


@pytest.fixture
def demo(small: Dataset) -> Starlette:
    return create_demo_app(small, desktop_version=BASELINE_VERSION)


@pytest.fixture(autouse=True)
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def _suggestions(demo: Starlette, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    assert run_command(["people", "suggestions", "--format", "json"], demo_app=demo) == 0
    found: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return found


def test_suggestions_link_and_split_by_user_id(
    demo: Starlette, capsys: pytest.CaptureFixture[str]
) -> None:
    found = _suggestions(demo, capsys)
    assert found
    first = found[0]
    assert str(first["reason"]).startswith("same ")
    a, b = first["a"], first["b"]
    assert isinstance(a, dict)
    assert isinstance(b, dict)
    assert {"accountID", "userID", "network", "name"} <= a.keys()
    assert run_command(["people", "link", a["userID"], b["userID"]], demo_app=demo) == 0
    assert "now one person" in capsys.readouterr().out
    decisions = PeopleDecisions.load(default_people_path(demo=True)).decisions
    assert [(d.kind, d.a, d.b) for d in decisions] == [
        ("link", (a["accountID"], a["userID"]), (b["accountID"], b["userID"]))
    ]
    assert all(
        {s["a"]["userID"], s["b"]["userID"]} != {a["userID"], b["userID"]}  # type: ignore[index]
        for s in _suggestions(demo, capsys)
    )
    # search shows the person as decided: one row with both identities.
    assert search_main([str(a["name"]), "--format", "json"], demo_app=demo) in (0, 1)
    people = json.loads(capsys.readouterr().out)
    rows = [
        {i["id"] for i in p["identities"]}
        for p in people
        if a["userID"] in {i["id"] for i in p["identities"]}
    ]
    assert rows == [rows[0]]
    assert {a["userID"], b["userID"]} <= rows[0]
    assert run_command(["people", "split", b["userID"]], demo_app=demo) == 0
    assert "stands alone" in capsys.readouterr().out


def test_reject_removes_the_suggestion(demo: Starlette, capsys: pytest.CaptureFixture[str]) -> None:
    found = _suggestions(demo, capsys)
    a, b = found[0]["a"], found[0]["b"]
    assert isinstance(a, dict)
    assert isinstance(b, dict)
    assert run_command(["people", "reject", a["userID"], b["userID"]], demo_app=demo) == 0
    capsys.readouterr()
    assert len(_suggestions(demo, capsys)) == len(found) - 1


def test_an_ambiguous_query_lists_the_choices_and_exits_2(
    demo: Starlette, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_command(["people", "split", "a"], demo_app=demo) == 2
    err = capsys.readouterr().err
    assert "people" in err
    assert "use a user ID" in err
    assert len(err.splitlines()) > 2
    assert run_command(["people", "link", "zzzqqq-nobody", "a"], demo_app=demo) == 2
    assert "nobody in the address book" in capsys.readouterr().err
