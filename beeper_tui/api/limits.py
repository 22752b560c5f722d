"""Facts of the API that light modules need without loading the HTTP client.

``config`` (read by every command, ``search`` from the book too) takes its
defaults from here, so settings never import httpx.
"""

from __future__ import annotations

from typing import Final

__all__ = ["DEFAULT_BASE_URL", "MAX_LIMIT"]

DEFAULT_BASE_URL: Final = "http://localhost:23373"
"""Where Beeper Desktop serves its API unless told otherwise."""

MAX_LIMIT: Final = 200
"""The largest ``limit`` any list endpoint accepts; larger asks are a 400 on real builds."""
