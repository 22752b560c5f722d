"""The demo server in a child process of its own, as Beeper Desktop runs beside the app.

The parent starts ``python -m <module> --serve``; that module builds its
dataset and calls :func:`serve_until_stdin_closes`, which prints the loopback
base URL and serves until the parent closes its stdin.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["serve_until_stdin_closes", "served_by"]


@contextmanager
def served_by(module: str) -> Iterator[str]:
    """``python -m module --serve`` in a child process; yields its loopback base URL."""
    child = subprocess.Popen(
        [sys.executable, "-m", module, "--serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        base_url = child.stdout.readline().strip()
        if not base_url.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"demo server did not start: {base_url!r}")
        yield base_url
    finally:
        if child.stdin is not None:
            child.stdin.close()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def serve_until_stdin_closes(demo_app: Any) -> None:
    """Child side: serve ``demo_app`` on a free loopback port, print its URL, stop on EOF."""
    from beeper_tui.demo import serve_in_thread

    with serve_in_thread(demo_app) as base_url:
        print(base_url, flush=True)
        sys.stdin.read()
