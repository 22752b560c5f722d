"""What the screen asks for: accounts, contact pagers, people. Plain async Python."""

from .accounts import AccountDirectory, display_order
from .backend import Backend, open_backend
from .contacts import DEFAULT_PAGE_SIZE, ContactPager, ContactSource
from .people import (
    Contact,
    StatusBadge,
    account_label,
    account_owner,
    best_name,
    format_phone,
    identifier_kind,
    network_name,
    secondary_text,
    status_badge,
)

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "AccountDirectory",
    "Backend",
    "Contact",
    "ContactPager",
    "ContactSource",
    "StatusBadge",
    "account_label",
    "account_owner",
    "best_name",
    "display_order",
    "format_phone",
    "identifier_kind",
    "network_name",
    "open_backend",
    "secondary_text",
    "status_badge",
]
