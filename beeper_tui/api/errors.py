"""Typed errors a person can act on.

Every message is written for the user of the app, names the place or endpoint
involved, and never contains the access token.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # The models (pydantic) load when a status error is built: code that only names
    # these classes (the address book's errors, ``search``) loads no pydantic.
    from .models import ErrorBody

__all__ = [
    "APIStatusError",
    "AuthenticationError",
    "BadRequestError",
    "BeeperError",
    "CannotConnectError",
    "ConflictError",
    "DesktopTooOldError",
    "NotFoundError",
    "PermissionDeniedError",
    "ProtocolError",
    "RateLimitedError",
    "ServerError",
    "describe_wait",
]


class BeeperError(Exception):
    """Base of every error the data layer raises."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class CannotConnectError(BeeperError):
    """Beeper Desktop could not be reached: refused, DNS failure or timeout."""

    def __init__(self, url: str, reason: str, *, timed_out: bool = False) -> None:
        self.url = url
        self.reason = reason
        self.timed_out = timed_out
        super().__init__(f"Cannot reach Beeper Desktop at {url}: {reason}")


class ProtocolError(BeeperError):
    """The server answered something that is not the documented wire format."""

    def __init__(self, endpoint: str, reason: str) -> None:
        self.endpoint = endpoint
        self.reason = reason
        super().__init__(f"Unexpected answer from {endpoint}: {reason}")


class APIStatusError(BeeperError):
    """A non-2xx answer; subclasses name the cases a person can act on."""

    default_hint = "The server refused the request"

    def __init__(
        self,
        endpoint: str,
        status_code: int,
        body: ErrorBody | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.status_code = status_code
        if body is None:
            from .models import ErrorBody

            body = ErrorBody()
        self.body = body
        server_says = self.body.text or self.default_hint
        advice = self.advice()
        if advice:
            server_says = f"{server_says}: {advice}"
        super().__init__(f"{server_says} (HTTP {status_code} from {endpoint})")

    def advice(self) -> str | None:
        """What the person can do about it, when this kind of error knows."""
        return None

    @property
    def code(self) -> str | None:
        """The machine-readable ``code`` from the error body, if any."""
        return self.body.code


class BadRequestError(APIStatusError):
    """400/422: the request was not valid."""

    default_hint = "The request was not accepted"


API_SETTINGS = "Settings → Integrations (Settings → Developers on older builds)"
"""Where Beeper Desktop turns its API on and makes tokens: every message names both pages."""

SENSITIVE_ACTIONS = "Allow sensitive actions"
"""The Integrations toggle that gates starting chats and sending on newer builds."""
_SENSITIVE_ENDPOINT = re.compile(r"^POST /v1/chats(/start|/[^/]+/messages)?$")

TOKEN_EXPIRED = "Token expired"
INSUFFICIENT_SCOPE = "does not have the required scope"


class AuthenticationError(APIStatusError):
    """401: the access token is missing, wrong or expired."""

    default_hint = "The access token was rejected"

    @property
    def expired(self) -> bool:
        """Whether the server said the token expired (rather than is unknown)."""
        return TOKEN_EXPIRED.lower() in (self.body.text or "").lower()

    def advice(self) -> str | None:
        if self.expired:
            return "sign in again (beeper-tui login)"
        return None


class PermissionDeniedError(APIStatusError):
    """403: the token is valid but lacks permission."""

    default_hint = "Permission denied"

    @property
    def read_only(self) -> bool:
        """Whether the token lacks a scope (a read-only token asked to write)."""
        return INSUFFICIENT_SCOPE in (self.body.text or "").lower()

    @property
    def sensitive_action(self) -> bool:
        """Whether starting a chat or sending was refused for want of "Allow sensitive actions".

        Newer builds gate those behind a toggle of their own; reading and browsing
        keep working with the same token.
        """
        return not self.read_only and bool(_SENSITIVE_ENDPOINT.match(self.endpoint))

    def advice(self) -> str | None:
        if self.read_only:
            return (
                "this access token is read-only; sign in again with beeper-tui login "
                "(it asks for read and write) or make a token that can write in Beeper "
                f"Desktop, {API_SETTINGS}"
            )
        if self.sensitive_action:
            return (
                f"starting chats and sending need '{SENSITIVE_ACTIONS}' turned on in Beeper "
                "Desktop, Settings → Integrations (browsing and search keep working without it)"
            )
        return None


class NotFoundError(APIStatusError):
    """404: no such account (or an endpoint this Desktop build lacks)."""

    default_hint = "Not found"


class DesktopTooOldError(BeeperError):
    """A route the client knows answered 404/405: this Beeper Desktop build predates it."""

    def __init__(
        self,
        feature: str,
        needs: str,
        have: str | None,
        endpoint: str,
        *,
        hint: str | None = None,
        action: str | None = None,
    ) -> None:
        self.feature = feature
        self.needs = needs
        self.have = have
        self.endpoint = endpoint
        you_have = have or f"an older build without {endpoint}"
        if action:  # what the user asked to do: "Update Beeper Desktop to export: needs …"
            text = (
                f"Update Beeper Desktop to {action}: needs {needs} or newer (you have {you_have})"
            )
        else:
            text = (
                f"Update Beeper Desktop to use {feature} "
                f"(needs {needs} or newer; you have {you_have})"
            )
        super().__init__(f"{text}. {hint}" if hint else text)


class ConflictError(APIStatusError):
    """409: the request conflicts with the current state."""

    default_hint = "Conflict"


AUTO_RETRY_LIMIT = 30.0
"""A rate limit lifting sooner than this (seconds) may be retried without asking."""


class RateLimitedError(APIStatusError):
    """429: too many requests; ``retry_after`` is in seconds when the server said.

    ``retry_soon`` says whether waiting ``retry_after`` and trying again by
    itself is reasonable; otherwise the person should be told "try again in
    N min" and offered a manual retry.
    """

    default_hint = "Rate limited by Beeper Desktop"

    def __init__(
        self,
        endpoint: str,
        status_code: int,
        body: ErrorBody | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(endpoint, status_code, body)
        if retry_after is not None:
            self.message += f"; try again in {describe_wait(retry_after)}"

    @property
    def retry_soon(self) -> bool:
        """Whether an automatic retry after ``retry_after`` (or a short pause) is sensible."""
        return self.retry_after is None or self.retry_after <= AUTO_RETRY_LIMIT


def describe_wait(seconds: float) -> str:
    """``seconds`` as a person reads it: ``3 s``, ``2 min``, ``5 h`` (rounded up)."""
    if seconds < 60:
        return f"{max(1, math.ceil(seconds))} s"
    if seconds < 3600:
        return f"{math.ceil(seconds / 60)} min"
    return f"{math.ceil(seconds / 3600)} h"


class ServerError(APIStatusError):
    """5xx: Beeper Desktop failed while answering."""

    default_hint = "Beeper Desktop had an internal error"
