"""The merge figures' subject: 16,000 identities over two accounts sharing one phone.

Issue 14, item 10: :class:`PersonIndex` merges them into one person (the All
accounts list does exactly this as pages arrive). Shared by figures 11 and 12.
"""

from __future__ import annotations

from beeper_tui.service.person import Contact
from beeper_tui.service.users import UserInfo

__all__ = ["IDENTITIES", "PHONE", "shared_phone_identities"]

PHONE = "+14155550100"
IDENTITIES = 16_000


def shared_phone_identities(count: int) -> list[Contact]:
    """``count`` contacts over two accounts, alternating, all with the same phone."""
    accounts = ("whatsapp", "signal")
    return [
        Contact(
            UserInfo(id=f"@u{n}:{accounts[n % 2]}", full_name=f"Person {n}", phone_number=PHONE),
            accounts[n % 2],
        )
        for n in range(count)
    ]
