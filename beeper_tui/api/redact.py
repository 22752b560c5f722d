"""Keeping the access token out of anything a person or a log file sees.

One rule, used by the client (server text in errors), the debug log and the
command line: a secret is replaced only where it stands as a whole token, and
a value too short to be a real access token is never used as a pattern (with
the token ``t``, masking every ``t`` would make messages unreadable and show
which letters the token holds).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

__all__ = ["MASK", "MIN_SECRET_LENGTH", "mask_secrets"]

MASK: Final = "***"
MIN_SECRET_LENGTH: Final = 8
"""Shorter values are not masked: Beeper Desktop never issues tokens this short."""

# Characters that continue a token: a secret inside a longer run of them is a
# different word, not the secret.
_WORD: Final = "A-Za-z0-9_\\-"


def mask_secrets(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every whole-token occurrence of each secret replaced by ``***``."""
    usable = sorted(
        {s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True
    )
    for secret in usable:
        pattern = f"(?<![{_WORD}]){re.escape(secret)}(?![{_WORD}])"
        text = re.sub(pattern, MASK, text)
    return text
