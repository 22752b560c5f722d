"""The TUI paints the book first: its first frame with the book's rows imports no HTTP client.

``beeper-tui`` with a book on disk and Desktop down is started in a fresh
interpreter, from its command line (``parse`` and ``build_app``, what
``beeper-tui`` does before the app takes the terminal), and run headless. The
modules loaded when the contact list first draws the book's rows are the
import budget of the first frame: Textual, the book and the list; the HTTP
client, the API models, OAuth, the export writers, the demo and the rest load
after it (the session is built once that frame is out) or on first use.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from beeper_tui.cli import main
from beeper_tui.demo import DEMO_TOKEN, build_dataset, create_demo_app, serve_in_thread
from tests.demo_fixtures import BASELINE_VERSION

ROOT = Path(__file__).resolve().parents[1]

FORBIDDEN_BEFORE_FIRST_FRAME = (
    "httpx",
    "httpcore",
    "pydantic",
    "beeper_tui.api.models",
    "beeper_tui.api.client",
    "beeper_tui.api.oauth",
    "beeper_tui.service.backend",
    "beeper_tui.service.session",
    "beeper_tui.service.sign_in",
    "beeper_tui.service.live",
    "beeper_tui.service.avatars",
    "beeper_tui.service.export",
    "beeper_tui.service.book.sync",
    "beeper_tui.wiring",
    "beeper_tui.demo",
    "beeper_tui.cli.export_command",
    "beeper_tui.cli.search_command",
    "PIL",
    "textual_image",
    "vobject",
    "websockets",
    "faker",
    "starlette",
    "uvicorn",
)
"""What the first frame of the book must not wait for: the issue's list (HTTP client, API
models, images, export, OAuth) and the modules of ours that bring them. Run with
``--images off``: with images on, textual-image (and Pillow) are imported before the app
takes the terminal, by necessity (it asks the terminal what it can draw)."""

_FIRST_FRAME = """
import json, sys
from beeper_tui.cli import parse
from beeper_tui.cli.app_command import build_app

args = parse(sys.argv[1:])
app = build_app(args)
from beeper_tui.ui.contact_list import ContactList

seen = {}
draw = ContactList.render_line


def render_line(self, y):
    if self.items and "modules" not in seen:  # the first frame with the book's rows
        seen["modules"] = sorted(sys.modules)
        seen["rows"] = len(self.items)
        seen["connected"] = app.connected
    return draw(self, y)


ContactList.render_line = render_line


async def run():
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(3000):  # until the session is built after that frame (or 30 s)
            if "modules" in seen and app.connected:
                break
            await pilot.pause(0.01)
        seen["later"] = sorted(m for m in ("httpx", "beeper_tui.api.models") if m in sys.modules)


import asyncio

asyncio.run(run())
print(json.dumps(seen))
"""


def _heavy(modules: list[str]) -> list[str]:
    return sorted(
        m
        for m in modules
        if any(m == f or m.startswith(f"{f}.") for f in FORBIDDEN_BEFORE_FIRST_FRAME)
    )


def test_the_first_frame_lists_the_book_before_the_http_client_is_imported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache, config = tmp_path / "cache", tmp_path / "config"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.delenv("BEEPER_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("BEEPER_BASE_URL", raising=False)
    app = create_demo_app(build_dataset(big_account_size=400), desktop_version=BASELINE_VERSION)
    with serve_in_thread(app) as base_url:
        assert main(["sync", "--base-url", base_url, "--token", DEMO_TOKEN]) == 0
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "XDG_CONFIG_HOME": str(config)}
    for name in ("BEEPER_ACCESS_TOKEN", "BEEPER_BASE_URL", "BEEPER_DESKTOP_BASE_URL"):
        env.pop(name, None)
    env.pop("PYTHONWARNINGS", None)
    # Port 9 on loopback: nobody listens, the connection is refused (Desktop is down).
    argv = ["--base-url", "http://127.0.0.1:9", "--token", "t0k", "--images", "off"]
    done = subprocess.run(
        [sys.executable, "-c", _FIRST_FRAME, *argv],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["rows"] > 400  # the book's people, listed before Desktop was asked
    assert not seen["connected"]  # the session (and the backend) came after that frame
    assert "beeper_tui.service.book.search" in seen["modules"]  # the probe sees our imports
    assert _heavy(seen["modules"]) == []
    assert seen["later"] == ["beeper_tui.api.models", "httpx"]  # and they did load, after
