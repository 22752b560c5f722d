"""One connection to Beeper Desktop (or the in-process demo) and what hangs off it."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

from beeper_tui.api.client import BeeperClient
from beeper_tui.api.errors import BeeperError, NotFoundError, ProtocolError
from beeper_tui.api.models import Account, Info

from .accounts import AccountDirectory, AccountMatchError, match_account, searched_accounts
from .all_accounts import AllAccountsPager
from .contacts import DEFAULT_PAGE_SIZE, ContactPager, ContactSource
from .desktop import HIDES_PLATFORM_SDK_ACCOUNTS, DesktopBuild
from .export.run import ExportPlan, ExportProgress, ExportResult, export_to_file
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
        self, client: BeeperClient, *, page_size: int = DEFAULT_PAGE_SIZE, is_demo: bool = False
    ) -> None:
        self.client = client
        self.accounts = AccountDirectory(client)
        self.page_size = page_size
        self.is_demo = is_demo
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

    async def open_chat(self, contact: Contact) -> str:
        """Start (or find) the one-to-one chat with ``contact`` and focus it in Beeper Desktop.

        Uses the first of the person's identities Beeper can message. Returns the
        chat ID; raises :class:`CannotMessageError` when no identity can be messaged.
        """
        identity = next(iter(messageable_identities(contact)), None)
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

    async def resolve_accounts(self, account_id: str | None) -> list[Account]:
        """Every account in display order (``None``), or the one ``account_id`` names.

        ``account_id`` is an ID, a network name or a unique prefix
        (:func:`~beeper_tui.service.accounts.match_account`); raises
        :class:`~beeper_tui.service.accounts.AccountMatchError` listing the choices.
        """
        with contextlib.suppress(BeeperError):  # only to learn the build; the list decides
            await self.info()
        accounts = await self.accounts.refresh()
        if account_id is None:
            return list(accounts)
        try:
            account = match_account(accounts, account_id)
        except AccountMatchError as exc:
            if exc.ambiguous:
                raise
            try:  # an account the list leaves out may still answer by its ID
                return [await self.accounts.detail(account_id)]
            except NotFoundError:
                raise exc from None
        return [await self.accounts.detail(account.account_id)]

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
        """Release the connection pool."""
        await self.client.aclose()
