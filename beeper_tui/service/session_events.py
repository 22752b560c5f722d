"""What the session tells the App and asks it: events, health, the one error classification.

The App imports these to observe a :class:`~beeper_tui.service.session.Session`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Literal, Protocol

from beeper_tui.api.errors import (
    AuthenticationError,
    BeeperError,
    CannotConnectError,
    RateLimitedError,
)

if TYPE_CHECKING:
    from beeper_tui.api.models import Account

    from .backend import Backend
    from .discovery import FoundDesktop

__all__ = [
    "EXPIRED_MESSAGE",
    "AccountsFailed",
    "AccountsLoaded",
    "BuildKnown",
    "ErrorKind",
    "Health",
    "HealthChanged",
    "Notice",
    "Reconnected",
    "SessionEvent",
    "SessionPrompts",
    "TokenAnswer",
    "classify",
    "rejected_message",
]


class ErrorKind(Enum):
    """What an error means for the session."""

    UNREACHABLE = "unreachable"
    """Beeper Desktop cannot be reached: reconnect with backoff."""
    AUTH = "auth"
    """The token was refused: ask for another."""
    RATE_LIMITED = "rate-limited"
    """Too many requests: wait as the server asked."""
    OTHER = "other"
    """Anything else: reported where it happened."""


def classify(error: BaseException) -> ErrorKind:
    """The one place that decides what an error means for the connection."""
    if isinstance(error, CannotConnectError):
        return ErrorKind.UNREACHABLE
    if isinstance(error, AuthenticationError):
        return ErrorKind.AUTH
    if isinstance(error, RateLimitedError):
        return ErrorKind.RATE_LIMITED
    return ErrorKind.OTHER


EXPIRED_MESSAGE = (
    "Beeper Desktop rejected the token: it is no longer active (expired, revoked or "
    "unknown). Sign in with Beeper Desktop again (or paste a new token)."
)


def rejected_message(error: AuthenticationError) -> str:
    """What the token screen says when Beeper Desktop refused the token."""
    said = f"Beeper Desktop rejected the token: {error.body.text or 'unauthorized'}"
    if error.expired:
        return f"{said}. Sign in with Beeper Desktop again (or paste a new token)."
    return said


class Health(Enum):
    """How the connection stands, as the screen shows it."""

    CONNECTING = "connecting"
    ONLINE = "online"
    STALE = "stale"
    """Connected, but the last account refresh failed: the list shown is the last good one."""
    OFFLINE = "offline"
    """Lost: reconnecting with backoff."""


@dataclass(frozen=True, slots=True)
class HealthChanged:
    """The connection's health changed."""

    health: Health


@dataclass(frozen=True, slots=True)
class AccountsLoaded:
    """A fresh account list arrived."""

    accounts: Sequence[Account]


@dataclass(frozen=True, slots=True)
class BuildKnown:
    """The Desktop build became known or changed (``Backend.build_line``; None: unknown)."""

    line: str | None


@dataclass(frozen=True, slots=True)
class AccountsFailed:
    """Loading the account list failed (other than unreachable or refused)."""

    error: BeeperError
    quiet: bool
    """A background refresh: say nothing while an older list is still shown."""


@dataclass(frozen=True, slots=True)
class Reconnected:
    """Beeper Desktop is back, or a new token was accepted: retry what failed."""


@dataclass(frozen=True, slots=True)
class Notice:
    """Something worth a toast: where Desktop was found, or that it is not ready."""

    title: str
    text: str
    warning: bool = False


SessionEvent = HealthChanged | AccountsLoaded | AccountsFailed | Reconnected | Notice | BuildKnown

TokenAnswer = str | Literal["demo", "quit"]
"""A token to use, or the user's other choice."""


class SessionPrompts(Protocol):
    """What the session asks the user (the App shows a screen for each)."""

    async def cannot_connect(self, error: CannotConnectError) -> Literal["retry", "demo", "quit"]:
        """Desktop cannot be reached at start-up: retry, use the demo, or quit."""

    async def need_token(self, reason: str | None) -> TokenAnswer:
        """A token is missing (``reason`` None) or was refused."""

    async def choose_desktop(self, found: Sequence[FoundDesktop]) -> str | None:
        """Several Desktops answer and the token does not pick one: the URL to use, or None.

        None keeps the configured address.
        """

    def token_accepted(self, token: str) -> None:
        """Desktop accepted ``token`` from :meth:`need_token`: save it if the user asked.

        Never earlier: a token Desktop rejects is never saved.
        """

    async def use_demo(self) -> Backend:
        """Switch to the embedded demo; returns its backend."""

    def quit(self) -> None:
        """The user chose to quit."""
