"""Which networks can look a person up by phone number, email address or @handle.

Newer Desktop builds say so per bridge (``GET /v1/bridges/{bridgeID}/capabilities``
→ ``resolve_identifier``). Only the networks that support a lookup are asked
for it; the others are named ("Discord can't look up phone numbers"). What a
bridge said is kept for the session. A build without the route (404), a
bridge it does not know, or a key it leaves out all mean "unknown": that
network is asked, as before the route existed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from beeper_tui.api.errors import APIStatusError, BeeperError

from .desktop import is_missing_route
from .names import IdentifierKind, identifier_kind
from .networks import network_name

if TYPE_CHECKING:
    from beeper_tui.api.client import BeeperClient
    from beeper_tui.api.models import Account, ResolveIdentifier

__all__ = ["LookupGap", "NetworkLookups", "gaps_line", "not_offered"]

log = logging.getLogger("beeper_tui.service")

_WHAT: Final = {
    IdentifierKind.PHONE: "phone numbers",
    IdentifierKind.EMAIL: "email addresses",
    IdentifierKind.USERNAME: "usernames",
}


@dataclass(frozen=True, slots=True)
class LookupGap:
    """One network that cannot look up what the query is: ``network`` can't look up ``what``."""

    network: str
    what: str
    """``phone numbers``, ``email addresses`` or ``usernames``."""

    def __str__(self) -> str:
        return f"{self.network} can't look up {self.what}"


def not_offered(error: object) -> bool:
    """Whether a lookup's ``error`` says the network does not offer it: not a failure.

    A 400/404 (as the official CLI does, such an account is skipped quietly),
    or the ``IDENTIFIER_NOT_SUPPORTED`` answer ("Instagram does not support
    looking up people by phone number").
    """
    if not isinstance(error, APIStatusError):
        return False
    return error.status_code in (400, 404) or error.code == "IDENTIFIER_NOT_SUPPORTED"


def gaps_line(gaps: Sequence[LookupGap]) -> str | None:
    """``Discord, Signal can't look up phone numbers`` (a query has one kind), or None."""
    if not gaps:
        return None
    whats = dict.fromkeys(g.what for g in gaps)
    return "; ".join(
        f"{', '.join(g.network for g in gaps if g.what == what)} can't look up {what}"
        for what in whats
    )


def _supports(support: ResolveIdentifier, kind: str) -> bool | None:
    if kind == IdentifierKind.PHONE:
        return support.lookup_phone
    if kind == IdentifierKind.EMAIL:
        return support.lookup_email
    return support.lookup_username


def _bridge_id(account: Account) -> str | None:
    return account.bridge.id if account.bridge is not None and account.bridge.id else None


class NetworkLookups:
    """What each bridge can look up, asked once per bridge and kept for the session."""

    def __init__(self, client: BeeperClient) -> None:
        self.client = client
        self._known: dict[str, ResolveIdentifier | None] = {}
        """Bridge ID → what it said, or None when it could not say (ask it anyway)."""
        self.route_missing = False
        """Whether this build has no capabilities route (404): every network is asked."""

    async def learn(self, accounts: Iterable[Account]) -> None:
        """Ask every bridge of ``accounts`` not asked yet; failures leave it unknown."""
        wanted = list(
            dict.fromkeys(b for a in accounts if (b := _bridge_id(a)) and b not in self._known)
        )
        if self.route_missing or not wanted:
            return
        answers = await asyncio.gather(
            *(self.client.bridge_capabilities(b) for b in wanted), return_exceptions=True
        )
        missing = 0
        for bridge_id, answer in zip(wanted, answers, strict=True):
            if isinstance(answer, BeeperError):
                log.info("capabilities of %s unknown: %s", bridge_id, answer)
                self._known[bridge_id] = None
                missing += is_missing_route(answer)
            elif isinstance(answer, BaseException):
                raise answer
            else:
                self._known[bridge_id] = answer.resolve_identifier
        # A 404 from every bridge, none ever answering: the route itself is missing.
        heard = any(v is not None for v in self._known.values())
        self.route_missing = missing == len(wanted) and not heard

    def can_look_up(self, account: Account | None, query: str) -> bool:
        """Whether ``account``'s network should be asked to look ``query`` up exactly.

        True unless its bridge said it cannot (unknown networks are asked).
        """
        kind = identifier_kind(query)
        if kind is None or account is None:
            return True
        bridge_id = _bridge_id(account)
        support = self._known.get(bridge_id) if bridge_id else None
        return support is None or _supports(support, kind) is not False

    def gaps(self, accounts: Sequence[Account], query: str) -> tuple[LookupGap, ...]:
        """The networks of ``accounts`` that cannot look ``query`` up, each named once."""
        kind = identifier_kind(query)
        if kind is None:
            return ()
        names = dict.fromkeys(network_name(a) for a in accounts if not self.can_look_up(a, query))
        return tuple(LookupGap(name, _WHAT[kind]) for name in names)
