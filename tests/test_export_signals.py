"""SIGTERM and SIGHUP abort an export as cleanly as Ctrl-C (issue 14, item 14).

The command line: a real ``beeper-tui export`` process, killed mid-export. The
app: the handlers it installs turn the signal into a clean exit that cancels
the export worker (removing its temp file) and restores the handlers before.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from textual.widgets import Input

from beeper_tui.demo import (
    DEMO_TOKEN,
    Dataset,
    DemoState,
    FaultRule,
    build_dataset,
    create_demo_app,
    serve_in_thread,
)
from beeper_tui.ui.app import BeeperApp
from beeper_tui.ui.export_dialog import ExportDialog
from tests.ui_helpers import settle, wait_for, wait_for_screen

ACCOUNT = "matrix"
CONTACTS = r"^/v1/accounts/matrix/contacts/list$"
BIG = "telegram"  # 800 contacts: four pages of the app's 200
BIG_CONTACTS = r"^/v1/accounts/telegram/contacts/list$"


@pytest.fixture(scope="module")
def small_dataset() -> Dataset:
    return build_dataset(big_account_size=300)


@pytest.fixture
def demo_app(small_dataset: Dataset) -> Starlette:
    return create_demo_app(small_dataset)


def stall_second_page(state: DemoState, path: str = CONTACTS) -> None:
    """The first page answers; the second hangs (the server stops it at shutdown)."""
    state.faults.add(FaultRule(path=path, delay_ms=0, times=1))
    state.faults.add(FaultRule(path=path, delay_ms=120_000))


def partials(directory: Path) -> list[str]:
    return sorted(name for name in os.listdir(directory) if name.endswith(".partial"))


@pytest.fixture
def served(demo_app: Starlette, demo_state: DemoState) -> Iterator[str]:
    stall_second_page(demo_state)
    with serve_in_thread(demo_app) as base_url:
        yield base_url


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_mid_export_leaves_no_file(
    served: str, demo_state: DemoState, tmp_path: Path, signum: signal.Signals
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / "contacts.vcf"
    argv = [sys.executable, "-m", "beeper_tui", "export", "--base-url", served]
    argv += ["--token", DEMO_TOKEN, "--account", ACCOUNT, "--format", "vcf"]
    argv += ["--page-size", "5", "--no-cache", "-o", str(target)]  # the pager streams
    env = {k: v for k, v in os.environ.items() if not k.startswith("BEEPER_")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "cfg")
    process = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=os.getcwd()
    )
    try:
        deadline = time.monotonic() + 60
        # The first page is in the temp file and the second is being asked for.
        while not (partials(out) and len(demo_state.requests_to(CONTACTS)) >= 2):
            assert process.poll() is None, process.communicate()[1].decode()
            assert time.monotonic() < deadline, "the export never began"
            time.sleep(0.02)  # polling another process: there is no event to await
        assert (out / partials(out)[0]).stat().st_size > 0
        process.send_signal(signum)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 128 + signum, err.decode()
    assert partials(out) == []
    assert not target.exists()
    assert "terminated; nothing was written" in err.decode()
    assert "Traceback" not in err.decode()


# -- the app -------------------------------------------------------------------------


async def test_sigterm_in_the_app_cancels_the_export_and_exits_cleanly(
    make_app: Callable[..., BeeperApp], demo_state: DemoState, tmp_path: Path
) -> None:
    app = make_app()
    before = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP)}
    target = tmp_path / "contacts.vcf"
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # The handlers are the app's while it runs (else the kill below ends pytest).
        assert signal.getsignal(signal.SIGTERM) is not before[signal.SIGTERM]
        assert signal.getsignal(signal.SIGHUP) is not before[signal.SIGHUP]
        app.main_screen.switch_account(BIG)
        await settle(pilot)
        stall_second_page(demo_state, BIG_CONTACTS)
        demo_state.clear_requests()
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, ExportDialog, "#export-path")
        app.screen.query_one("#export-path", Input).value = str(target)
        await pilot.press("ctrl+s")  # the dialog's Export (Enter on the format opens its choices)
        await wait_for(
            pilot,
            lambda: bool(partials(tmp_path)) and len(demo_state.requests_to(BIG_CONTACTS)) >= 2,
        )
        os.kill(os.getpid(), signal.SIGTERM)
        await wait_for(pilot, lambda: app.return_code is not None)
    assert app.return_code == 128 + signal.SIGTERM
    assert partials(tmp_path) == []
    assert not target.exists()
    # Back to whatever handled these signals before the app ran.
    assert {s: signal.getsignal(s) for s in before} == before
