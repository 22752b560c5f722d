"""Finding Beeper Desktop on this machine when no address was configured.

As the official CLI does: ``GET /v1/info`` on 127.0.0.1 and localhost, ports
23373 to 23392 (stable, nightly and headless builds can each take one), a few
at a time with a short timeout; the first that answers like Beeper Desktop
wins, lowest port first.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Final

from beeper_tui.api.client import BeeperClient
from beeper_tui.api.errors import BeeperError

__all__ = ["DESKTOP_HOSTS", "DESKTOP_PORTS", "candidates", "find_desktop"]

log = logging.getLogger("beeper_tui.service")

DESKTOP_HOSTS: Final = ("127.0.0.1", "localhost")
DESKTOP_PORTS: Final = range(23373, 23393)
_AT_ONCE: Final = 4
_TIMEOUT: Final = 0.75


def candidates(
    hosts: Sequence[str] = DESKTOP_HOSTS, ports: Sequence[int] = DESKTOP_PORTS
) -> list[str]:
    """Base URLs to try, in order: each port on every host before the next port."""
    return [f"http://{host}:{port}" for port in ports for host in hosts]


async def _answers(url: str, timeout: float) -> bool:  # noqa: ASYNC109
    client = BeeperClient(
        url, max_retries=0, connect_timeout=timeout, read_timeout=timeout, deadline=timeout * 2
    )
    try:
        info = await client.info()
    except BeeperError:
        return False
    finally:
        await client.aclose()
    # Something answered JSON on /v1/info; Desktop names itself in ``app``.
    return info.app.version is not None or info.app.name is not None


async def find_desktop(
    hosts: Sequence[str] = DESKTOP_HOSTS,
    ports: Sequence[int] = DESKTOP_PORTS,
    *,
    at_once: int = _AT_ONCE,
    timeout: float = _TIMEOUT,  # noqa: ASYNC109
) -> str | None:
    """The base URL of the first Beeper Desktop that answers, or None."""
    urls = candidates(hosts, ports)
    for start in range(0, len(urls), at_once):
        batch = urls[start : start + at_once]
        found = await asyncio.gather(*(_answers(url, timeout) for url in batch))
        for url, ok in zip(batch, found, strict=True):
            if ok:
                log.info("found Beeper Desktop at %s", url)
                return url
    log.info("no Beeper Desktop answered on %s, ports %s", ", ".join(hosts), _span(ports))
    return None


def _span(ports: Sequence[int]) -> str:
    return f"{ports[0]}-{ports[-1]}" if ports else "none"
