"""Many processes on one book at once: every one answers, none sees "database is locked".

Real processes, bounded in count and time, always reaped.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from beeper_tui.demo import DEMO_TOKEN, build_dataset, create_demo_app, serve_in_thread
from tests.demo_fixtures import BASELINE_VERSION

PROCESSES = 20
TIMEOUT = 120.0

_CREATE = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from beeper_tui.service.book import BookStore
    from tests.book_helpers import rows
    path, me, go = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    while not go.exists():
        time.sleep(0.005)
    store = BookStore(path)
    store.replace_account(me, rows({me: [{"id": "@" + me, "fullName": "P " + me}]}))
    store.save_snapshot([b"x"], store.fingerprint())
    assert me in [m.account_id for m in store.accounts()]
    store.close()
    """
)


def _reap(procs: list[subprocess.Popen[str]]) -> list[tuple[int, str]]:
    results = []
    try:
        for proc in procs:
            _, err = proc.communicate(timeout=TIMEOUT)
            results.append((proc.returncode, err))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return results


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env.pop("BEEPER_ACCESS_TOKEN", None)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    return env


@pytest.mark.parametrize("round_", range(4))
def test_twenty_processes_create_and_write_one_fresh_book(tmp_path: Path, round_: int) -> None:
    path = tmp_path / "book.sqlite3"
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _CREATE, str(path), f"acct{i}", str(go)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(tmp_path),
        )
        for i in range(PROCESSES)
    ]
    go.touch()  # all at once
    results = _reap(procs)
    assert [err for code, err in results if code != 0] == []
    from beeper_tui.service.book import BookStore

    store = BookStore(path)
    try:
        assert len(store.accounts()) == PROCESSES
    finally:
        store.close()


def test_twenty_searches_on_a_fresh_book_all_answer(tmp_path: Path) -> None:
    app = create_demo_app(build_dataset(big_account_size=60), desktop_version=BASELINE_VERSION)
    with serve_in_thread(app) as base_url:
        argv = ["-m", "beeper_tui", "search", "zoe", "--base-url", base_url, "--token", DEMO_TOKEN]
        procs = [
            subprocess.Popen(
                [sys.executable, *argv],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=_env(tmp_path),
            )
            for _ in range(PROCESSES)
        ]
        outputs = []
        try:
            for proc in procs:
                out, err = proc.communicate(timeout=TIMEOUT)
                outputs.append((proc.returncode, out, err))
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
    assert [err for code, _, err in outputs if code != 0 or err] == []
    assert len({out for _, out, _ in outputs}) == 1  # every one gives the same answer


def test_a_book_created_between_two_reads_of_the_probe_is_still_ours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race 20 processes once hit: the creator commits while another reads the file.

    The reader saw "no mark" in one statement and the finished schema in the
    next, a mix that matches no book, and refused the file as foreign. Every
    read of the probe now sees one committed state.
    """
    import sqlite3

    from beeper_tui.service.book import BookStore
    from beeper_tui.service.book import store as store_module

    path = tmp_path / "book.sqlite3"
    creator = sqlite3.connect(path, isolation_level=None)
    creator.execute("PRAGMA journal_mode=WAL")
    creator.execute("PRAGMA user_version = 0")  # an empty SQLite file: header, no tables
    assert store_module._read_header(path) is not None
    real_tables = store_module._tables
    finished: list[bool] = []

    def creator_commits_first(conn: sqlite3.Connection) -> frozenset[str]:
        if not finished:  # between the reader's first and second read
            first = BookStore(None)  # the schema, as the other process writes it
            schema = [r[0] for r in first._conn.execute("SELECT sql FROM sqlite_master") if r[0]]
            first.close()
            creator.execute("BEGIN IMMEDIATE")
            for statement in schema:
                creator.execute(statement)
            creator.execute(f"PRAGMA application_id = {store_module.APPLICATION_ID}")
            creator.execute(f"PRAGMA user_version = {store_module.SCHEMA_VERSION}")
            creator.execute("COMMIT")
            finished.append(True)
        return real_tables(conn)

    monkeypatch.setattr(store_module, "_tables", creator_commits_first)
    try:
        store = BookStore(path)
        store.close()
    finally:
        creator.close()
    assert finished
