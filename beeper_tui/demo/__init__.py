"""Embedded Beeper Desktop stand-in: an ASGI app serving a deterministic dataset.

Used by ``beeper-tui --demo`` (in-process through ``httpx.ASGITransport``), by
``beeper-tui demo-server`` (over a loopback socket) and by the test suite.
Never imports Textual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from beeper_tui.demo.asgi import DEMO_TOKEN, DemoState, create_demo_app
from beeper_tui.demo.dataset import DEFAULT_SEED, Dataset, DemoAccount, build_dataset
from beeper_tui.demo.faults import FaultRule, Latency

if TYPE_CHECKING:
    from beeper_tui.demo.server import DemoServer, serve_in_thread

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
    # The socket server pulls in uvicorn; in-process demo mode never needs it,
    # and ``python -m beeper_tui.demo.server`` must not find it pre-imported.
    if name in ("DemoServer", "serve_in_thread"):
        from beeper_tui.demo import server

        return getattr(server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
