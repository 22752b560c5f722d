"""The demo's defaults that the command line shows before anything is served.

Kept apart from the ASGI app, the dataset and the server so that building the
command tree (every ``beeper-tui`` command does) loads none of them.
"""

from __future__ import annotations

from typing import Final

__all__ = ["DEFAULT_PORT", "DEFAULT_SEED", "DEMO_TOKEN"]

DEMO_TOKEN: Final = "demo-token"
"""The access token the demo accepts unless told another."""

DEFAULT_SEED: Final = 7
"""The seed of the demo's deterministic dataset."""

DEFAULT_PORT: Final = 23373
"""Where ``demo-server`` listens by default: Beeper Desktop's own port."""
