"""The composition root: the one place that builds a backend, for a real Desktop or the demo.

Only this module (and the command line) knows the demo exists; the service
layer gets a :class:`~beeper_tui.service.backend.Backend` and never asks which.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import platformdirs

from beeper_tui.api.client import BeeperClient
from beeper_tui.api.net import is_loopback_url
from beeper_tui.service.avatars import AvatarLoader
from beeper_tui.service.backend import Backend
from beeper_tui.service.contacts import DEFAULT_PAGE_SIZE
from beeper_tui.service.export.run import DEFAULT_MAX_CONTACTS

if TYPE_CHECKING:
    from starlette.types import ASGIApp

__all__ = ["DEMO_BASE_URL", "default_avatar_cache", "open_backend"]

DEMO_BASE_URL = "http://demo.beeper-tui.invalid"
"""Base URL of the in-process demo: never resolved, requests go through ASGI."""


def default_avatar_cache() -> Path:
    """Where scaled avatars are kept: ``avatars`` in the user cache directory."""
    return Path(platformdirs.user_cache_dir("beeper-tui", appauthor=False)) / "avatars"


def open_backend(
    *,
    base_url: str,
    access_token: str | None,
    page_size: int = DEFAULT_PAGE_SIZE,
    demo: bool = False,
    demo_version: str | None = None,
    demo_app: ASGIApp | None = None,
    max_retries: int = 2,
    client_options: Mapping[str, Any] | None = None,
    export_max_contacts: int = DEFAULT_MAX_CONTACTS,
    avatar_cache: Path | None = None,
    remote_images: bool = False,
) -> Backend:
    """Connect to a real Beeper Desktop, or with ``demo`` to the embedded stand-in.

    The demo runs in-process over httpx's ASGI transport: no socket, no port.
    ``demo_app`` lets tests pass an app with latency or faults configured.
    Avatars are cached under ``avatar_cache`` (default: the user cache);
    ``remote_images`` allows ``http(s)://`` avatars.
    """
    cache = avatar_cache if avatar_cache is not None else default_avatar_cache()
    if demo or demo_app is not None:
        from beeper_tui.demo import DEMO_TOKEN, create_demo_app

        if demo_app is None:
            # The embedded demo takes its own token: a real one configured for
            # Beeper Desktop must neither be rejected by it nor be sent to it.
            app: ASGIApp = (
                create_demo_app(desktop_version=demo_version) if demo_version else create_demo_app()
            )
            token = DEMO_TOKEN
        else:
            app, token = demo_app, access_token or DEMO_TOKEN
        client = BeeperClient(
            DEMO_BASE_URL,
            token,
            transport=httpx.ASGITransport(app=app),
            max_retries=max_retries,
        )
        from beeper_tui.demo.chats import REFERENCE_TIME

        avatars = AvatarLoader(client, cache, remote_images=remote_images)
        return Backend(
            client,
            page_size=page_size,
            is_demo=True,
            export_max_contacts=export_max_contacts,
            avatars=avatars,
            # The demo world's chats count back from a fixed moment: "3 h ago" stays true.
            clock=lambda: REFERENCE_TIME,
        )
    client = BeeperClient(base_url, access_token, max_retries=max_retries, **(client_options or {}))
    # Beeper Desktop's file:// answers name files on its machine: read them only
    # when that is this one; otherwise stream through /v1/assets/serve.
    avatars = AvatarLoader(
        client, cache, remote_images=remote_images, local_files=is_loopback_url(base_url)
    )
    return Backend(
        client, page_size=page_size, export_max_contacts=export_max_contacts, avatars=avatars
    )
