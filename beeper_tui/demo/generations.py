"""Which Beeper Desktop build the demo plays, and what that build serves.

The Desktop API changed shape across builds (see ``beeper-api.md``, "Builds"):
routes appeared, account keys came and went, and 4.3 stopped listing
``platform-sdk`` accounts such as iMessage. A :class:`Generation` answers every
such question for one version, so the routes and handlers never compare
version numbers themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "ACCOUNT_BRIDGE",
    "BRIDGE_CAPABILITIES",
    "CHATS_START",
    "HIDES_PLATFORM_SDK",
    "INFO_AND_CONTACTS_LIST",
    "LATEST_VERSION",
    "MERGED_CHATS",
    "REPRESENTATIVE_VERSIONS",
    "SENSITIVE_ACTIONS_TOGGLE",
    "VERSION_HEADER",
    "DesktopVersion",
    "Generation",
]

_VERSION = re.compile(r"v?(\d+)\.(\d+)\.(\d+)(?:[-+.][0-9A-Za-z.-]*)?")


@dataclass(frozen=True, order=True, slots=True)
class DesktopVersion:
    """A Beeper Desktop version such as ``4.2.700``, ordered numerically."""

    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str) -> DesktopVersion:
        """Parse ``4.2.700`` (a leading ``v`` and a build suffix are allowed)."""
        match = _VERSION.fullmatch(text.strip())
        if match is None:
            raise ValueError(f"not a Beeper Desktop version: {text!r} (expected e.g. 4.2.700)")
        major, minor, patch = (int(part) for part in match.groups())
        return cls(major, minor, patch)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


VERSION_HEADER = DesktopVersion(4, 1, 239)
"""Authenticated answers carry ``X-Beeper-Desktop-Version``."""
INFO_AND_CONTACTS_LIST = DesktopVersion(4, 2, 557)
"""``/v1/info``, ``contacts/list`` and ``POST /v1/chats`` with ``mode: "start"``;
``network`` dropped from accounts."""
ACCOUNT_BRIDGE = DesktopVersion(4, 2, 785)
"""``bridge`` on accounts."""
CHATS_START = DesktopVersion(4, 2, 808)
"""``POST /v1/chats/start``; ``network`` back on accounts, optional."""
HIDES_PLATFORM_SDK = DesktopVersion(4, 3, 0)
"""``platform-sdk`` accounts (iMessage) leave ``/v1/accounts`` but keep their chats."""
BRIDGE_CAPABILITIES = DesktopVersion(4, 3, 0)
"""``GET /v1/bridges/{bridgeID}/capabilities`` (which build added it is not documented;
the demo ties it to the newest generation)."""
SENSITIVE_ACTIONS_TOGGLE = DesktopVersion(4, 3, 0)
"""Settings → Integrations with its "Allow sensitive actions" toggle, which gates starting
chats and sending (a 403 without it)."""

MERGED_CHATS = DesktopVersion(4, 3, 0)
"""Chats the user merged in Beeper: the merged chat carries ``merge: {chatIDs[],
defaultChatID?}``, each member chat ``mergedIntoChatID`` (SDK 6.0.0 ``types/chat.py``;
which build added them is not documented: the demo ties them to the newest generation)."""

LATEST_VERSION = "4.3.20"
"""The newest generation the demo models; the default."""

REPRESENTATIVE_VERSIONS = ("4.1.294", "4.2.700", "4.2.790", "4.2.808", LATEST_VERSION)
"""One version inside each generation, oldest first: handy as a test parameter."""

StartRoute = Literal["chats", "chats/start"]


@dataclass(frozen=True, slots=True)
class Generation:
    """The feature gates of one Desktop version."""

    version: DesktopVersion

    @classmethod
    def of(cls, version: str | DesktopVersion) -> Generation:
        """The generation of ``version`` (a string is parsed)."""
        if isinstance(version, str):
            version = DesktopVersion.parse(version)
        return cls(version)

    @property
    def has_info(self) -> bool:
        """``GET /v1/info`` exists (and with it the OAuth discovery it lists)."""
        return self.version >= INFO_AND_CONTACTS_LIST

    @property
    def has_oauth(self) -> bool:
        """The OAuth server exists; the demo ties it to ``/v1/info``, which lists it."""
        return self.has_info

    @property
    def has_contacts_list(self) -> bool:
        """``GET /v1/accounts/{id}/contacts/list`` exists."""
        return self.version >= INFO_AND_CONTACTS_LIST

    @property
    def start_via(self) -> StartRoute | None:
        """Where a direct chat is started, or None when this build cannot start one.

        ``"chats"`` means ``POST /v1/chats`` with ``mode: "start"`` (answers
        ``{chatID, status}``); ``"chats/start"`` means ``POST /v1/chats/start``
        (answers a Chat).
        """
        if self.version >= CHATS_START:
            return "chats/start"
        if self.version >= INFO_AND_CONTACTS_LIST:
            return "chats"
        return None

    @property
    def has_live_events(self) -> bool:
        """The experimental live socket ``/v1/ws`` (listed in ``/v1/info`` as ``ws_events``)."""
        return self.version >= INFO_AND_CONTACTS_LIST

    @property
    def sends_version_header(self) -> bool:
        """Authenticated answers carry ``X-Beeper-Desktop-Version``."""
        return self.version >= VERSION_HEADER

    @property
    def has_bridge_capabilities(self) -> bool:
        """``GET /v1/bridges/{bridgeID}/capabilities`` exists."""
        return self.version >= BRIDGE_CAPABILITIES

    @property
    def gates_sensitive_actions(self) -> bool:
        """Starting chats and sending need the "Allow sensitive actions" toggle."""
        return self.version >= SENSITIVE_ACTIONS_TOGGLE

    @property
    def has_merged_chats(self) -> bool:
        """Chats carry ``merge`` and ``mergedIntoChatID`` where the user merged them."""
        return self.version >= MERGED_CHATS

    @property
    def account_has_bridge(self) -> bool:
        """Accounts carry ``bridge``."""
        return self.version >= ACCOUNT_BRIDGE

    @property
    def account_has_network(self) -> bool:
        """Accounts carry ``network`` (where known): before 4.2.557 and from 4.2.808."""
        return self.version < INFO_AND_CONTACTS_LIST or self.version >= CHATS_START

    @property
    def hides_platform_sdk(self) -> bool:
        """``platform-sdk`` accounts are missing from ``/v1/accounts`` (404 on retrieve)."""
        return self.version >= HIDES_PLATFORM_SDK

    def serves(self, path: str) -> bool:
        """Whether a route (by its path template) exists on this build."""
        if path == "/v1/info":
            return self.has_info
        if path == "/v1/accounts/{account_id}/contacts/list":
            return self.has_contacts_list
        if path == "/v1/ws":
            return self.has_live_events
        if path == "/v1/bridges/{bridge_id}/capabilities":
            return self.has_bridge_capabilities
        if path == "/v1/chats/start":
            return self.start_via == "chats/start"
        if path.startswith(("/oauth/", "/.well-known/oauth")):
            return self.has_oauth
        return True

    def lists_account(self, wire: dict[str, Any]) -> bool:
        """Whether ``GET /v1/accounts`` (and retrieve) shows this account."""
        bridge = wire.get("bridge")
        platform_sdk = isinstance(bridge, dict) and bridge.get("provider") == "platform-sdk"
        return not (platform_sdk and self.hides_platform_sdk)

    def account_wire(self, wire: dict[str, Any]) -> dict[str, Any]:
        """The account JSON as this build sends it (keys it lacks removed)."""
        shaped = dict(wire)
        if not self.account_has_bridge:
            shaped.pop("bridge", None)
        if not self.account_has_network or shaped.get("network") is None:
            # Optional where present at all: "omitted when the network is unknown".
            shaped.pop("network", None)
        return shaped

    def __str__(self) -> str:
        return str(self.version)
