"""Contacts on a Beeper Desktop without ``contacts/list`` (older than 4.2.557).

Those builds only have the search endpoint, which needs a non-empty query:
typing still finds people; browsing with an empty query says why it cannot.
"""

from __future__ import annotations

from beeper_tui.api.client import BeeperClient
from beeper_tui.api.models import ContactPage, User

from .contacts import DEFAULT_PAGE_SIZE, ContactPager
from .desktop import INFO_AND_CONTACTS_LIST, DesktopBuild

__all__ = ["BROWSE_HINT", "SearchOnlyPager"]

BROWSE_HINT = "Typing a name, number or email still searches."


class SearchOnlyPager(ContactPager):
    """A :class:`ContactPager` over ``GET /v1/accounts/{id}/contacts?query=`` only.

    One page per query (the endpoint has no paging); an empty query fails with
    :class:`~beeper_tui.api.errors.DesktopTooOldError` saying to update Desktop.
    """

    def __init__(
        self,
        client: BeeperClient,
        account_id: str,
        query: str,
        build: DesktopBuild,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        auto_retry: bool = False,
    ) -> None:
        super().__init__(
            client,
            account_id,
            query,
            page_size=page_size,
            identifier_lookup=False,
            auto_retry=auto_retry,
        )
        self.build = build

    async def _fetch(self) -> tuple[ContactPage, list[User]]:
        if not self.query:
            raise self.build.too_old(
                "the contact list",
                INFO_AND_CONTACTS_LIST,
                "GET /v1/accounts/{id}/contacts/list",
                hint=BROWSE_HINT,
            )
        users = await self.client.search_contacts(self.account_id, self.query)
        return ContactPage.model_validate({"items": users, "hasMore": False}), []
