"""One connection to Beeper Desktop (or the in-process demo) and what hangs off it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from beeper_tui.api.client import BeeperClient
from beeper_tui.api.errors import BeeperError, ProtocolError
from beeper_tui.api.models import AccountStatus, Info

from .accounts import AccountDirectory
from .all_accounts import AllAccountsPager
from .contacts import DEFAULT_PAGE_SIZE, ContactPager
from .person import Contact

if TYPE_CHECKING:
    from starlette.types import ASGIApp

__all__ = ["DEMO_BASE_URL", "Backend", "CannotMessageError", "open_backend"]


class CannotMessageError(BeeperError):
    """Beeper cannot start a chat with this person (blocked, no DM path)."""

    def __init__(self, contact: Contact) -> None:
        self.contact = contact
        super().__init__("Beeper can't start a message to this person on any of their networks")


DEMO_BASE_URL = "http://demo.beeper-tui.invalid"
"""Base URL of the in-process demo: never resolved, requests go through ASGI."""


class Backend:
    """The client, the account directory and a pager factory, configured once."""

    def __init__(
        self, client: BeeperClient, *, page_size: int = DEFAULT_PAGE_SIZE, is_demo: bool = False
    ) -> None:
        self.client = client
        self.accounts = AccountDirectory(client)
        self.page_size = page_size
        self.is_demo = is_demo

    @property
    def base_url(self) -> str:
        """Where requests go (for messages; the in-process demo has a placeholder)."""
        return self.client.base_url

    def pager(self, account_id: str, query: str = "") -> ContactPager:
        """A fresh pager over ``account_id``'s contacts matching ``query``."""
        return ContactPager(self.client, account_id, query, page_size=self.page_size)

    def all_pager(self, query: str = "") -> AllAccountsPager:
        """A source over every account at once, for ``query``.

        Accounts the user disabled in Beeper are left out; every other state
        (even disconnected) may still answer from what Beeper has stored.
        """
        return AllAccountsPager(
            [
                self.pager(a.account_id, query)
                for a in self.accounts.accounts
                if a.status is not AccountStatus.DISABLED
            ]
        )

    async def open_chat(self, contact: Contact) -> str:
        """Start (or find) the one-to-one chat with ``contact`` and focus it in Beeper Desktop.

        Uses the first of the person's identities Beeper can message. Returns the
        chat ID; raises :class:`CannotMessageError` when no identity can be messaged.
        """
        identity = next((c for c in contact.identities if not c.user.cannot_message), None)
        if identity is None:
            raise CannotMessageError(contact)
        user = identity.user
        wire = {"id": user.id}
        for key, value in (
            ("phoneNumber", user.phone_number),
            ("email", user.email),
            ("username", user.username),
            ("fullName", user.full_name),
        ):
            if value:
                wire[key] = value
        result = await self.client.start_chat(identity.account_id, wire)
        chat_id = result.resolved_chat_id
        if not chat_id:
            raise ProtocolError("POST /v1/chats/start", "the answer has no chat ID")
        await self.client.focus(chat_id)
        return chat_id

    async def info(self) -> Info:
        """Server discovery (``/v1/info``)."""
        return await self.client.info()

    async def aclose(self) -> None:
        """Release the connection pool."""
        await self.client.aclose()


def open_backend(
    *,
    base_url: str,
    access_token: str | None,
    page_size: int = DEFAULT_PAGE_SIZE,
    demo: bool = False,
    demo_app: ASGIApp | None = None,
    max_retries: int = 2,
) -> Backend:
    """Connect to a real Beeper Desktop, or with ``demo`` to the embedded stand-in.

    The demo runs in-process over httpx's ASGI transport: no socket, no port.
    ``demo_app`` lets tests pass an app with latency or faults configured.
    """
    if demo or demo_app is not None:
        from beeper_tui.demo import DEMO_TOKEN, create_demo_app

        if demo_app is None:
            # The embedded demo takes its own token: a real one configured for
            # Beeper Desktop must neither be rejected by it nor be sent to it.
            app: ASGIApp = create_demo_app()
            token = DEMO_TOKEN
        else:
            app, token = demo_app, access_token or DEMO_TOKEN
        client = BeeperClient(
            DEMO_BASE_URL,
            token,
            transport=httpx.ASGITransport(app=app),
            max_retries=max_retries,
        )
        return Backend(client, page_size=page_size, is_demo=True)
    client = BeeperClient(base_url, access_token, max_retries=max_retries)
    return Backend(client, page_size=page_size)
