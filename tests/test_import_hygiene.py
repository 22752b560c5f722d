"""api/, service/ and demo/ must work without Textual: they never import it."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import beeper_tui

CORE = ("beeper_tui.api", "beeper_tui.service", "beeper_tui.demo")


def core_modules() -> list[str]:
    names: list[str] = []
    for info in pkgutil.walk_packages(beeper_tui.__path__, "beeper_tui."):
        if info.name.startswith(CORE):
            names.append(info.name)
    return names


def test_core_packages_import_no_textual() -> None:
    modules = core_modules()
    assert {m.rsplit(".", 1)[0] for m in modules} >= set(CORE)
    assert "beeper_tui.service.export.formats" in modules
    # A fresh interpreter: this test process has Textual loaded already.
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""


def test_the_ui_does_import_textual() -> None:
    # The check above would pass vacuously if the probe could not see Textual.
    script = "import sys, beeper_tui.ui.app; print('textual' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "True"
