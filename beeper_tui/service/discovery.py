"""Finding Beeper Desktop on this machine when no address was configured.

As the official CLI does: ``GET /v1/info`` on 127.0.0.1 and localhost, ports
23373 to 23392, a few at a time with a short timeout (a port that refuses the
connection is passed over before any HTTP client is built). Stable, Nightly and a
headless service can each hold one of those ports, so the scan lists every
Desktop that answers (lowest port first, each port once) and, when several
do, asks each whether it accepts the saved token (``GET /v1/accounts``): the
one that does is the one to use. When none or more than one does, the choice
is the user's (:attr:`Discovery.ambiguous`). A Desktop that has just restarted
may not have bound its port yet: when nothing answers, the scan is tried again
after each of a few short waits before it reports "not running".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Final

from beeper_tui.api.client import BeeperClient
from beeper_tui.api.errors import AuthenticationError, BeeperError

__all__ = [
    "DESKTOP_HOSTS",
    "DESKTOP_PORTS",
    "REBIND_WAITS",
    "Discovery",
    "FoundDesktop",
    "TokenVerdict",
    "candidates",
    "discover",
]

log = logging.getLogger("beeper_tui.service")

DESKTOP_HOSTS: Final = ("127.0.0.1", "localhost")
DESKTOP_PORTS: Final = range(23373, 23393)
REBIND_WAITS: Final = (0.5, 1.0, 1.5)
"""Seconds to wait before each new scan while nothing answers (a restart rebinding)."""
_AT_ONCE: Final = 4
_TIMEOUT: Final = 0.75


class TokenVerdict(Enum):
    """What one Desktop said of the saved token."""

    ACCEPTED = "accepts the token"
    REFUSED = "refuses the token"
    UNTESTED = "token not tried"
    """No token, only one Desktop answered, or the probe failed for another reason."""


@dataclass(frozen=True, slots=True)
class FoundDesktop:
    """One Beeper Desktop that answered ``/v1/info``."""

    url: str
    version: str | None
    token: TokenVerdict = TokenVerdict.UNTESTED

    def describe(self) -> str:
        """``http://127.0.0.1:23373 (4.2.1, accepts the token)``: one item of a list."""
        parts = [self.version or "version unknown"]
        if self.token is not TokenVerdict.UNTESTED:
            parts.append(self.token.value)
        return f"{self.url} ({', '.join(parts)})"


@dataclass(frozen=True, slots=True)
class Discovery:
    """Every Desktop the scan found, lowest port first, and which one to use."""

    found: tuple[FoundDesktop, ...]

    @property
    def chosen(self) -> FoundDesktop | None:
        """The only Desktop, or the only one of several that accepts the token."""
        if len(self.found) == 1:
            return self.found[0]
        accepting = [d for d in self.found if d.token is TokenVerdict.ACCEPTED]
        return accepting[0] if len(accepting) == 1 else None

    @property
    def ambiguous(self) -> bool:
        """Several answered and the token does not tell them apart: the user chooses."""
        return len(self.found) > 1 and self.chosen is None

    def listing(self) -> str:
        """Every Desktop found, on one line."""
        return "; ".join(d.describe() for d in self.found)

    def choose_message(self) -> str:
        """The one line the command line prints when it cannot choose."""
        return (
            f"{len(self.found)} Beeper Desktops answer: {self.listing()}. "
            "Pass --base-url to choose one."
        )


def candidates(
    hosts: Sequence[str] = DESKTOP_HOSTS, ports: Sequence[int] = DESKTOP_PORTS
) -> list[str]:
    """Base URLs to try, in order: each port on every host before the next port."""
    return [f"http://{host}:{port}" for port in ports for host in hosts]


def _client(url: str, timeout: float, token: str | None = None) -> BeeperClient:
    return BeeperClient(
        url,
        token,
        max_retries=0,
        connect_timeout=timeout,
        read_timeout=timeout,
        deadline=timeout * 2,
    )


async def _answers(url: str, timeout: float) -> FoundDesktop | None:  # noqa: ASYNC109
    client = _client(url, timeout)
    try:
        info = await client.info()
    except BeeperError:
        return None
    finally:
        await client.aclose()
    # Something answered JSON on /v1/info; Desktop names itself in ``app``.
    if info.app.version is None and info.app.name is None:
        return None
    return FoundDesktop(url, info.app.version)


async def _listens(host: str, port: int, timeout: float) -> bool:  # noqa: ASYNC109
    """Whether anything accepts a connection there: a refused port costs no HTTP client.

    (An HTTP client builds its TLS context, some 40 ms; most of the 20 ports are closed.)
    """
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    except (OSError, TimeoutError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True


async def _on_port(port: int, hosts: Sequence[str], timeout: float) -> FoundDesktop | None:  # noqa: ASYNC109
    """The Desktop on ``port``, by the first host that reaches it (localhost is the same one)."""
    for host in hosts:
        if not await _listens(host, port, timeout):
            continue
        found = await _answers(f"http://{host}:{port}", timeout)
        if found is not None:
            return found
    return None


async def _verdict(desktop: FoundDesktop, token: str, timeout: float) -> FoundDesktop:  # noqa: ASYNC109
    """Ask ``desktop`` for its accounts with ``token``: the cheapest authenticated request."""
    client = _client(desktop.url, timeout, token)
    try:
        await client.list_accounts()
    except AuthenticationError:
        verdict = TokenVerdict.REFUSED
    except BeeperError as exc:
        log.info("token probe at %s failed: %s", desktop.url, exc)
        verdict = TokenVerdict.UNTESTED
    else:
        verdict = TokenVerdict.ACCEPTED
    finally:
        await client.aclose()
    return FoundDesktop(desktop.url, desktop.version, verdict)


async def _scan(
    hosts: Sequence[str],
    ports: Sequence[int],
    at_once: int,
    timeout: float,  # noqa: ASYNC109
) -> list[FoundDesktop]:
    gate = asyncio.Semaphore(at_once)

    async def one(port: int) -> FoundDesktop | None:
        async with gate:
            return await _on_port(port, hosts, timeout)

    found = await asyncio.gather(*(one(port) for port in ports))
    return [desktop for desktop in found if desktop is not None]


async def discover(
    hosts: Sequence[str] = DESKTOP_HOSTS,
    ports: Sequence[int] = DESKTOP_PORTS,
    *,
    token: str | None = None,
    at_once: int = _AT_ONCE,
    timeout: float = _TIMEOUT,  # noqa: ASYNC109
    rebind_waits: Sequence[float] = REBIND_WAITS,
) -> Discovery:
    """Every Beeper Desktop that answers; with ``token``, which of several accept it."""
    found = await _scan(hosts, ports, at_once, timeout)
    for wait in rebind_waits:
        if found:
            break
        log.info("no Beeper Desktop answered yet; scanning again in %.1f s", wait)
        await asyncio.sleep(wait)
        found = await _scan(hosts, ports, at_once, timeout)
    if not found:
        log.info("no Beeper Desktop answered on %s, ports %s", ", ".join(hosts), _span(ports))
        return Discovery(())
    if token is not None and len(found) > 1:
        found = list(await asyncio.gather(*(_verdict(d, token, timeout) for d in found)))
    discovery = Discovery(tuple(found))
    log.info("found Beeper Desktop: %s", discovery.listing())
    return discovery


def _span(ports: Sequence[int]) -> str:
    return f"{ports[0]}-{ports[-1]}" if ports else "none"
