"""Which Beeper Desktop build is on the other end, and what each build can do."""

from __future__ import annotations

import re
from typing import Final

from beeper_tui.api.errors import APIStatusError, DesktopTooOldError

__all__ = [
    "CHATS_START",
    "HIDES_PLATFORM_SDK_ACCOUNTS",
    "INFO_AND_CONTACTS_LIST",
    "DesktopBuild",
    "is_missing_route",
    "parse_version",
]

Version = tuple[int, int, int]

INFO_AND_CONTACTS_LIST: Final[Version] = (4, 2, 557)
"""``/v1/info``, ``contacts/list`` and starting chats (``POST /v1/chats`` with ``mode: start``)."""
CHATS_START: Final[Version] = (4, 2, 808)
"""``POST /v1/chats/start``."""

HIDES_PLATFORM_SDK_ACCOUNTS: Final[Version] = (4, 3, 0)
"""From this build on, iMessage (``platform-sdk``) accounts can be missing from /v1/accounts."""

_VERSION: Final = re.compile(r"v?(\d+)\.(\d+)(?:\.(\d+))?")


def parse_version(text: str | None) -> Version | None:
    """``4.2.808`` (also ``v4.3``, ``4.2.808-beta.2``) as a comparable tuple, or None."""
    match = _VERSION.match((text or "").strip())
    if match is None:
        return None
    major, minor, patch = match.groups()
    return (int(major), int(minor), int(patch or 0))


def is_missing_route(error: BaseException) -> bool:
    """Whether ``error`` is a 404/405: the route may not exist on this build."""
    return isinstance(error, APIStatusError) and error.status_code in (404, 405)


def _dotted(version: Version) -> str:
    return ".".join(str(part) for part in version)


class DesktopBuild:
    """What the app knows of the Desktop build: its version, when ``/v1/info`` said.

    ``without_info`` means ``/v1/info`` itself answered 404/405: a build older
    than 4.2.557, which has it.
    """

    def __init__(self, version: str | None = None, *, without_info: bool = False) -> None:
        self.version_text = version
        self.version = parse_version(version)
        self.without_info = without_info and self.version is None

    def at_least(self, build: Version) -> bool:
        """Whether this build is ``build`` or newer (unknown builds are not)."""
        return self.version is not None and self.version >= build

    def lacks(self, build: Version) -> bool:
        """Whether this build is known to be older than ``build``."""
        if self.version is not None:
            return self.version < build
        return self.without_info and build <= INFO_AND_CONTACTS_LIST

    @property
    def has_contacts_list(self) -> bool:
        """Whether ``contacts/list`` exists (unknown builds are given the benefit of the doubt)."""
        return not self.lacks(INFO_AND_CONTACTS_LIST)

    @property
    def described(self) -> str:
        """The build as the person reads it: ``4.2.700``, or what we know of it."""
        if self.version_text:
            return self.version_text
        if self.without_info:
            return f"a build older than {_dotted(INFO_AND_CONTACTS_LIST)}"
        return "a build that did not say its version"

    def too_old(
        self,
        feature: str,
        needs: Version,
        endpoint: str,
        *,
        hint: str | None = None,
        action: str | None = None,
    ) -> DesktopTooOldError:
        """The error for ``feature``, which needs ``needs`` and is missing here (``action``:
        what the user asked to do, as in "Update Beeper Desktop to export: needs 4.2.557")."""
        return DesktopTooOldError(
            feature, _dotted(needs), self.described, endpoint, hint=hint, action=action
        )

    def cannot_export(self) -> DesktopTooOldError | None:
        """Why this build cannot export (it has no ``contacts/list`` to page), or None."""
        if self.has_contacts_list:
            return None
        return self.too_old(
            "export", INFO_AND_CONTACTS_LIST, "GET /v1/accounts/{id}/contacts/list", action="export"
        )

    def __repr__(self) -> str:
        return f"DesktopBuild({self.version_text!r})"
