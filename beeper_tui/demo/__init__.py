"""Embedded Beeper Desktop stand-in: an ASGI app serving a deterministic dataset.

Used by ``beeper-tui --demo`` (in-process through ``httpx.ASGITransport``), by
``beeper-tui demo-server`` (over a loopback socket) and by the test suite.
Never imports Textual.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from beeper_tui.demo.defaults import DEFAULT_SEED, DEMO_TOKEN

if TYPE_CHECKING:
    from beeper_tui.demo.asgi import DemoState, create_demo_app
    from beeper_tui.demo.dataset import Dataset, DemoAccount, build_dataset
    from beeper_tui.demo.faults import FaultRule, Latency
    from beeper_tui.demo.server import DemoServer, serve_in_thread

_HOMES = {
    "DemoState": "asgi",
    "create_demo_app": "asgi",
    "Dataset": "dataset",
    "DemoAccount": "dataset",
    "build_dataset": "dataset",
    "FaultRule": "faults",
    "Latency": "faults",
    # The socket server pulls in uvicorn; in-process demo mode never needs it,
    # and ``python -m beeper_tui.demo.server`` must not find it pre-imported.
    "DemoServer": "server",
    "serve_in_thread": "server",
}
"""Where each name lives, imported on first use: the command line reads the demo's
defaults (and its Desktop builds) without loading Starlette, Faker or uvicorn."""

__all__ = [
    "DEFAULT_SEED",
    "DEMO_TOKEN",
    "Dataset",
    "DemoAccount",
    "DemoServer",
    "DemoState",
    "FaultRule",
    "Latency",
    "build_dataset",
    "create_demo_app",
    "serve_in_thread",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
