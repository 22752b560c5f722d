"""Wire models and the async client for the Beeper Desktop API (no Textual here)."""

from .client import DEFAULT_BASE_URL, BeeperClient
from .errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    BeeperError,
    CannotConnectError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ProtocolError,
    RateLimitedError,
    ServerError,
)
from .models import (
    Account,
    AccountStatus,
    Bridge,
    ChatStartResult,
    ContactPage,
    ErrorBody,
    Info,
    User,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "APIStatusError",
    "Account",
    "AccountStatus",
    "AuthenticationError",
    "BadRequestError",
    "BeeperClient",
    "BeeperError",
    "Bridge",
    "CannotConnectError",
    "ChatStartResult",
    "ConflictError",
    "ContactPage",
    "ErrorBody",
    "Info",
    "NotFoundError",
    "PermissionDeniedError",
    "ProtocolError",
    "RateLimitedError",
    "ServerError",
    "User",
]
