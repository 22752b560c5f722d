"""Child processes: run a module of this package in a fresh interpreter, read its JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["rss_bytes", "run_module"]


def run_module(
    module: str,
    *args: str,
    quiet: bool = True,
    stamp_start: bool = False,
    env: Mapping[str, str] | None = None,
) -> Any:
    """``python -m module args…``; the JSON of the last line it prints.

    ``quiet`` keeps the child's stderr unless it fails (then it is raised with
    the error); otherwise it goes straight to ours, so progress stays visible.
    ``stamp_start`` passes the wall-clock time just before the spawn in
    ``BENCH_T0``, for figures timed from before the interpreter exists;
    ``env`` adds variables to the child's environment.
    """
    child_env = {**os.environ, **(env or {})}
    if stamp_start:
        child_env["BENCH_T0"] = repr(time.time())
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        env=child_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE if quiet else None,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        error = done.stderr[-2000:] if done.stderr else ""
        raise RuntimeError(f"{module} failed (exit status {done.returncode})\n{error}")
    lines = done.stdout.strip().splitlines()
    if not lines:
        raise RuntimeError(f"{module} printed nothing")
    return json.loads(lines[-1])


def rss_bytes() -> int:
    """The calling process's resident set size now, from /proc/self/status."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")
