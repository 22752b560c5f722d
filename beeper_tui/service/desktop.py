"""Which Beeper Desktop build is on the other end, and what each build can do."""

from __future__ import annotations

import re
from typing import Final

__all__ = ["HIDES_PLATFORM_SDK_ACCOUNTS", "DesktopBuild", "parse_version"]

Version = tuple[int, int, int]

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


class DesktopBuild:
    """What the app knows of the Desktop build: its version, when ``/v1/info`` said."""

    def __init__(self, version: str | None = None) -> None:
        self.version_text = version
        self.version = parse_version(version)

    def at_least(self, build: Version) -> bool:
        """Whether this build is ``build`` or newer (unknown builds are not)."""
        return self.version is not None and self.version >= build

    def __repr__(self) -> str:
        return f"DesktopBuild({self.version_text!r})"
