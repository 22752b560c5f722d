"""Shared fixtures: the demo server fixtures, and apps wired to an in-process demo."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest

# Deterministic screens: no animations, no blinking cursor, fixed colours.
os.environ["TEXTUAL_ANIMATIONS"] = "none"
os.environ.setdefault("TEXTUAL_COLOR_SYSTEM", "truecolor")
os.environ.pop("BEEPER_ACCESS_TOKEN", None)
os.environ.pop("BEEPER_BASE_URL", None)
os.environ.pop("BEEPER_DESKTOP_BASE_URL", None)

pytest_plugins = ["tests.demo_fixtures"]


@pytest.fixture(autouse=True)
def record_notifications(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let tests read an app's toasts with ``tests.ui_helpers.toasts``."""
    from textual.app import App

    from tests.ui_helpers import recording

    monkeypatch.setattr(App, "notify", recording(App.notify))


@pytest.fixture
def make_app(demo_app: Any) -> Callable[..., Any]:
    """Build a :class:`BeeperApp` on the in-process demo (``demo_app``), with settings overrides."""
    from beeper_tui.config import Settings
    from beeper_tui.ui.app import BeeperApp
    from beeper_tui.wiring import open_backend

    def factory(**overrides: Any) -> BeeperApp:
        values: dict[str, Any] = {
            "demo": True,
            "debounce_ms": 50,
            "refresh_seconds": 0,
            "theme": "textual-dark",
        }
        values.update(overrides)
        settings = Settings(**values)
        backend = open_backend(
            base_url=settings.base_url,
            access_token=None,
            page_size=settings.page_size,
            demo_app=demo_app,
            max_retries=0,
        )
        return BeeperApp(settings, backend=backend)

    return factory
