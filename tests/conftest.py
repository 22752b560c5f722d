"""Shared fixtures: the demo server fixtures, and apps wired to an in-process demo."""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
from collections.abc import Callable
from typing import Any

import pytest

# Deterministic screens: no animations, no blinking cursor, fixed colours.
os.environ["TEXTUAL_ANIMATIONS"] = "none"
os.environ.setdefault("TEXTUAL_COLOR_SYSTEM", "truecolor")
os.environ.pop("BEEPER_ACCESS_TOKEN", None)
os.environ.pop("BEEPER_BASE_URL", None)
os.environ.pop("BEEPER_DESKTOP_BASE_URL", None)
# Never the real user cache: the address book of any test that does not pick its own lands here.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="beeper-tui-test-cache-")
atexit.register(functools.partial(shutil.rmtree, os.environ["XDG_CACHE_HOME"], True))
# Nor the real user config: the decisions about people (people.toml) live there.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="beeper-tui-test-config-")
atexit.register(functools.partial(shutil.rmtree, os.environ["XDG_CONFIG_HOME"], True))

pytest_plugins = ["tests.demo_fixtures"]


@pytest.fixture(autouse=True)
def private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Avatars and the demo's generated images go to a fresh cache, never the user's own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))


@pytest.fixture(autouse=True)
def record_notifications(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let tests read an app's toasts with ``tests.ui_helpers.toasts``."""
    from textual.app import App

    from tests.ui_helpers import recording

    monkeypatch.setattr(App, "notify", recording(App.notify))


@pytest.fixture
def make_app(demo_app: Any) -> Callable[..., Any]:
    """Build a :class:`BeeperApp` on the in-process demo (``demo_app``), with settings overrides."""
    from tests.ui_helpers import app_on_demo

    def factory(**overrides: Any) -> Any:
        return app_on_demo(demo_app, **{"debounce_ms": 50, **overrides})

    return factory
