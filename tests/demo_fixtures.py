"""Pytest fixtures for the demo Beeper Desktop server.

Use from a test module with ``pytest_plugins = ["demo_fixtures"]``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.applications import Starlette

from beeper_tui.demo import Dataset, DemoState, build_dataset, create_demo_app, serve_in_thread

BASELINE_VERSION = "4.2.808"
"""The Desktop build most tests run against: every account is listed, every route is there.

Newer and older generations are test parameters of their own (test_desktop_generations.py).
"""


@pytest.fixture(scope="session")
def demo_dataset() -> Dataset:
    """The default dataset, shared by the whole session: the app never mutates it."""
    return build_dataset()


@pytest.fixture
def demo_app(demo_dataset: Dataset) -> Starlette:
    """A fresh demo app per test (fresh request log, faults and chats)."""
    return create_demo_app(demo_dataset, desktop_version=BASELINE_VERSION)


@pytest.fixture
def demo_state(demo_app: Starlette) -> DemoState:
    """The app's state, with request recording on (tests asking for it inspect requests)."""
    state: DemoState = demo_app.state.demo
    state.recording = True
    return state


@pytest.fixture
def demo_server(demo_app: Starlette) -> Iterator[str]:
    """``demo_app`` served on a free loopback port; yields its base URL."""
    with serve_in_thread(demo_app) as base_url:
        yield base_url
