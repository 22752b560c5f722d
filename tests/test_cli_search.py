"""``beeper-tui search`` (json, mutt, tsv), ``cache clear``, and ``--no-cache``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from starlette.applications import Starlette

from beeper_tui.book_path import default_book_path
from beeper_tui.cli import main, parse
from beeper_tui.cli.app_command import settings_from_args
from beeper_tui.demo import Dataset, build_dataset, create_demo_app
from tests.cli_helpers import search_main
from tests.demo_fixtures import BASELINE_VERSION


@pytest.fixture(scope="module")
def small() -> Dataset:
    return build_dataset(big_account_size=400)


@pytest.fixture
def demo(small: Dataset) -> Starlette:
    return create_demo_app(small, desktop_version=BASELINE_VERSION)


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # Never the real user cache.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)
    return tmp_path / "cache"


def test_the_book_lives_in_the_user_cache_dir(cache_dir: Path) -> None:
    assert default_book_path() == cache_dir / "beeper-tui" / "book.sqlite3"


def test_search_json_prints_ranked_people(
    demo: Starlette, capsys: pytest.CaptureFixture[str]
) -> None:
    assert search_main(["morrison zoe", "--format", "json"], demo_app=demo) == 0
    people = json.loads(capsys.readouterr().out)
    assert people[0]["name"] == "Zoe Morrison"
    assert people[0]["inContacts"] is True
    assert people[0]["identities"][0]["accountID"]


def test_search_mutt_prints_a_status_line_then_address_lines(
    demo: Starlette, capsys: pytest.CaptureFixture[str]
) -> None:
    assert search_main(["zoe", "--format", "mutt", "--limit", "5"], demo_app=demo) == 0
    first, *lines = capsys.readouterr().out.splitlines()
    assert "found" in first
    assert lines
    for line in lines:
        email, name, extra = line.split("\t")
        assert "@" in email
        assert name
        assert extra


def test_search_tsv_and_limit(demo: Starlette, capsys: pytest.CaptureFixture[str]) -> None:
    assert search_main(["zoe", "--format", "tsv", "--limit", "3"], demo_app=demo) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert all(len(line.split("\t")) == 5 for line in lines)


def test_search_with_no_match_exits_1(demo: Starlette, capsys: pytest.CaptureFixture[str]) -> None:
    assert search_main(["qqqqzzzz"], demo_app=demo) == 1
    assert capsys.readouterr().out == ""


def test_search_from_the_book_on_disk_then_cache_clear(
    small: Dataset, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from beeper_tui.demo import DEMO_TOKEN, serve_in_thread

    book = default_book_path()
    app = create_demo_app(small, desktop_version=BASELINE_VERSION, record=True)
    with serve_in_thread(app) as base_url:
        argv = ["search", "lindqvist", "--base-url", base_url, "--token", DEMO_TOKEN]
        assert main([*argv, "--format", "json"]) == 0
        assert json.loads(capsys.readouterr().out)[0]["name"] == "Zoë Lindqvist"
        assert book.exists()
        assert book.stat().st_mode & 0o077 == 0
        # The second search reads the book: no contact list is paged again.
        app.state.demo.clear_requests()
        assert main([*argv, "--format", "text"]) == 0
        assert "Zoë Lindqvist" in capsys.readouterr().out
        assert app.state.demo.requests_to(r"/contacts/list$") == []
    assert main(["cache", "clear"]) == 0
    assert capsys.readouterr().out.strip() == f"removed {book}"
    assert not book.exists()
    assert main(["cache", "clear"]) == 0
    assert "no address book" in capsys.readouterr().out


def test_cache_clear_removes_the_demos_books_too(
    cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from beeper_tui.book_path import demo_book_path
    from beeper_tui.service.book import BookStore

    kept = [demo_book_path(), demo_book_path("4.2.400")]
    for path in kept:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        BookStore(path).close()
    assert main(["cache", "clear"]) == 0
    assert capsys.readouterr().out.splitlines() == [f"removed {p}" for p in sorted(kept)]
    assert not any(p.exists() for p in kept)


def test_no_cache_keeps_the_book_in_memory(
    small: Dataset, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from beeper_tui.demo import DEMO_TOKEN, serve_in_thread

    app = create_demo_app(small, desktop_version=BASELINE_VERSION)
    with serve_in_thread(app) as base_url:
        argv = ["search", "lindqvist", "--base-url", base_url, "--token", DEMO_TOKEN]
        assert main([*argv, "--no-cache"]) == 0
    assert "Zoë Lindqvist" in capsys.readouterr().out
    assert not cache_dir.exists()

    for argv in (["--no-cache", "search", "x"], ["search", "x", "--no-cache"]):
        parsed = parse(argv)
        assert not isinstance(parsed, int)
        assert parsed.no_cache is True
    parsed = parse(["search", "x"])
    assert not isinstance(parsed, int)
    assert parsed.no_cache is False
    args = parse(["--no-cache"])
    assert not isinstance(args, int)
    assert settings_from_args(args).book == "memory"
    args = parse([])
    assert not isinstance(args, int)
    assert settings_from_args(args).book == "disk"


def test_export_writes_the_books_people_once_synced(
    small: Dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    from beeper_tui.demo import DEMO_TOKEN, serve_in_thread

    app = create_demo_app(small, desktop_version=BASELINE_VERSION, record=True)
    with serve_in_thread(app) as base_url:
        auth = ["--base-url", base_url, "--token", DEMO_TOKEN]
        assert main(["search", "zoe", "--format", "json", *auth]) == 0
        people = json.loads(capsys.readouterr().out)
        app.state.demo.clear_requests()
        assert main(["export", "--all", "--query", "zoe", "--format", "vcf", *auth]) == 0
        cards = capsys.readouterr().out.count("BEGIN:VCARD")
        assert app.state.demo.requests_to(r"/contacts/list$") == []  # from the book
    assert cards == len(people)


def test_export_from_the_book_reads_national_phones_in_the_configured_region(
    small: Dataset, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from beeper_tui.demo import DEMO_TOKEN, serve_in_thread

    config = tmp_path / "config.toml"
    config.write_text('phone_region = "FR"\n', encoding="utf-8")
    app = create_demo_app(small, desktop_version=BASELINE_VERSION, record=True)
    with serve_in_thread(app) as base_url:
        auth = ["--base-url", base_url, "--token", DEMO_TOKEN, "--config", str(config)]
        assert main(["search", "06 12 34 56 78", "--format", "json", *auth]) == 0
        on_screen = [p["name"] for p in json.loads(capsys.readouterr().out)]
        assert "Renée Dubois" in on_screen
        app.state.demo.clear_requests()
        query = ["--query", "06 12 34 56 78"]
        assert main(["export", "--all", *query, "--format", "jsonl", *auth]) == 0
        exported = capsys.readouterr().out
        assert app.state.demo.requests_to(r"/contacts/list$") == []  # from the book
    assert "Renée Dubois" in exported


def test_a_national_number_without_phone_region_finds_her_or_says_what_to_set(
    small: Dataset, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from beeper_tui.demo import DEMO_TOKEN, serve_in_thread

    config = tmp_path / "config.toml"
    config.write_text('phone_region = ""\n', encoding="utf-8")
    app = create_demo_app(small, desktop_version=BASELINE_VERSION, record=True)
    with serve_in_thread(app) as base_url:
        auth = ["--base-url", base_url, "--token", DEMO_TOKEN, "--config", str(config)]
        assert main(["search", "06 12 34 56 78", "--format", "json", *auth]) == 0
        out, err = capsys.readouterr()
        assert [p["name"] for p in json.loads(out)] == ["Renée Dubois"]  # her number ends so
        assert "phone_region" not in err
        assert main(["search", "06 99 98 97 96", *auth]) == 1
        err = capsys.readouterr().err
        assert 'set phone_region = "FR"' in err
        assert "config.toml" in err
