"""One connection to Beeper Desktop (or the in-process demo) and what hangs off it."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from beeper_tui.api.client import BeeperClient
from beeper_tui.api.errors import BeeperError, ProtocolError
from beeper_tui.api.models import Account, Info

from .accounts import AccountDirectory, searched_accounts
from .all_accounts import AllAccountsPager
from .avatars import AvatarLoader
from .chats import PersonChat, PersonChats, chats_with
from .contacts import DEFAULT_PAGE_SIZE, ContactPager, ContactSource
from .desktop import HIDES_PLATFORM_SDK_ACCOUNTS, DesktopBuild
from .export.run import ExportPlan, ExportProgress, ExportResult, export_to_file
from .identity_choice import IdentityOption, Purpose, rank_identities
from .networks import account_label, network_name
from .person import Contact, messageable_identities
from .scope import ALL_ACCOUNTS, Scope

__all__ = ["EXPORT_PAGE_SIZE", "Backend", "CannotMessageError"]

EXPORT_PAGE_SIZE: Final = 200
"""Export pages with the largest page the API allows (``limit`` is at most 200)."""


class CannotMessageError(BeeperError):
    """Beeper cannot start a chat with this person (blocked, no DM path)."""

    def __init__(self, contact: Contact) -> None:
        self.contact = contact
        super().__init__("Beeper can't start a message to this person on any of their networks")


class Backend:
    """The client, the account directory and a pager factory, configured once."""

    def __init__(
        self,
        client: BeeperClient,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        is_demo: bool = False,
        avatars: AvatarLoader | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.client = client
        self.accounts = AccountDirectory(client)
        self.page_size = page_size
        self.is_demo = is_demo
        self.avatars = avatars if avatars is not None else AvatarLoader(client, None)
        """Avatars of the people shown: only the latest request is in flight."""
        self._clock = clock or (lambda: datetime.now(UTC))
        self.build = DesktopBuild()
        """The Desktop build, once ``/v1/info`` answered (unknown before, and on old builds)."""

    @property
    def base_url(self) -> str:
        """Where requests go (for messages; the in-process demo has a placeholder)."""
        return self.client.base_url

    @property
    def has_token(self) -> bool:
        """Whether an access token is configured (its value is never exposed)."""
        return self.client.has_token

    def set_access_token(self, token: str | None) -> None:
        """Use a new token for every following request."""
        self.client.set_access_token(token)

    def pager(self, account_id: str, query: str = "") -> ContactPager:
        """A fresh pager over ``account_id``'s contacts matching ``query``."""
        return ContactPager(
            self.client, account_id, query, page_size=self.page_size, auto_retry=True
        )

    def all_pager(self, query: str = "") -> AllAccountsPager:
        """A source over every account at once, for ``query``.

        Accounts the user disabled in Beeper are left out; every other state
        (even disconnected) may still answer from what Beeper has stored.
        """
        return AllAccountsPager(
            [
                ContactPager(self.client, a.account_id, query, page_size=self.page_size)
                for a in searched_accounts(self.accounts.accounts)
            ]
        )

    def source(self, scope: Scope, query: str = "") -> ContactSource:
        """The contacts of ``scope`` (one account, or every account) matching ``query``."""
        return self.all_pager(query) if scope is ALL_ACCOUNTS else self.pager(str(scope), query)

    def now(self) -> datetime:
        """The time "3 h ago" counts from (the demo world has a fixed one)."""
        return self._clock()

    async def chats_with(self, contact: Contact) -> PersonChats:
        """The chats with ``contact`` on each of their networks, most recent first."""
        return await chats_with(self.client, contact, self.accounts.get)

    def identity_options(
        self, contact: Contact, chats: Iterable[PersonChat] = (), *, purpose: Purpose = "message"
    ) -> list[IdentityOption]:
        """The person's identities for ``purpose``, the most likely one first."""
        accounts = {a.account_id: a for a in self.accounts.accounts}
        return rank_identities(contact, accounts, chats, purpose=purpose)

    async def focus_chat(self, chat_id: str, draft: str | None = None) -> None:
        """Bring Beeper Desktop to the front on ``chat_id``, with ``draft`` typed in."""
        await self.client.focus(chat_id, draft_text=draft)

    async def open_chat(
        self, contact: Contact, *, identity: Contact | None = None, draft: str | None = None
    ) -> str:
        """Start (or find) the one-to-one chat with ``contact`` and focus it in Beeper Desktop.

        Uses ``identity`` (one of the person's), else the first identity Beeper
        can message; ``draft`` is typed into the chat, not sent. Returns the
        chat ID; raises :class:`CannotMessageError` when the identity cannot be messaged.
        """
        if identity is None:
            identity = next(iter(messageable_identities(contact)), None)
        if identity is None or identity.user.cannot_message:
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
        await self.focus_chat(chat_id, draft)
        return chat_id

    async def resolve_accounts(self, account_id: str | None) -> list[Account]:
        """Every account in display order (``None``), or the one with ``account_id``.

        Raises :class:`~beeper_tui.api.errors.NotFoundError` for an unknown ID.
        """
        with contextlib.suppress(BeeperError):  # only to learn the build; the list decides
            await self.info()
        accounts = await self.accounts.refresh()
        if account_id is None:
            return list(accounts)
        return [await self.accounts.detail(account_id)]

    def export_plan(self, scope: Scope) -> ExportPlan | None:
        """What exporting ``scope`` covers; None when its account is not known (yet)."""
        if scope is ALL_ACCOUNTS:
            return ExportPlan(searched_accounts(self.accounts.accounts), "all accounts", "all")
        account = self.accounts.get(scope)
        if account is None:
            return None
        return ExportPlan([account], account_label(account), network_name(account))

    async def export_to_file(
        self,
        accounts: Sequence[Account],
        target: Path,
        fmt: str,
        *,
        query: str = "",
        progress: Callable[[ExportProgress], None] | None = None,
    ) -> ExportResult:
        """Export ``accounts``' contacts matching ``query`` to ``target``, all or nothing."""
        return await export_to_file(
            self.client,
            accounts,
            target,
            fmt,
            query=query,
            page_size=EXPORT_PAGE_SIZE,
            progress=progress,
        )

    async def info(self) -> Info:
        """Server discovery (``/v1/info``); what it says of the build is kept in :attr:`build`."""
        info = await self.client.info()
        self.build = DesktopBuild(info.app.version)
        self.accounts.find_hidden = self.build.at_least(HIDES_PLATFORM_SDK_ACCOUNTS)
        return info

    async def aclose(self) -> None:
        """Cancel the avatar in flight and release the connection pools."""
        try:
            await self.avatars.aclose()
        finally:
            await self.client.aclose()
