"""What the result list is scoped to: one account, or every account at once."""

from __future__ import annotations

from enum import Enum
from typing import Final, Literal, TypeAlias

__all__ = ["ALL_ACCOUNTS", "AllAccounts", "Scope"]


class AllAccounts(Enum):
    """The scope that searches every account at once (one member: :data:`ALL_ACCOUNTS`)."""

    ALL = "all-accounts"

    def __repr__(self) -> str:
        return "ALL_ACCOUNTS"


ALL_ACCOUNTS: Final = AllAccounts.ALL

Scope: TypeAlias = str | Literal[AllAccounts.ALL]
"""An account ID, or :data:`ALL_ACCOUNTS`."""
