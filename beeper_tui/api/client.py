"""Async client for the Beeper Desktop API: one typed method per endpoint.

The plumbing (the shared httpx client, byte caps, deadlines, retries) is in
:mod:`beeper_tui.api.transport`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final
from urllib.parse import quote

import httpx
from pydantic import TypeAdapter

from .models import (
    Account,
    AssetDownloadResult,
    ChatPage,
    ChatStartResult,
    ContactPage,
    ContactSearchResult,
    FocusResult,
    Info,
    SetupState,
    User,
)
from .transport import (
    DEFAULT_BASE_URL,
    DEFAULT_DEADLINE,
    DEFAULT_MAX_RESPONSE_BYTES,
    READ_TIMEOUT_QUICK,
    READ_TIMEOUT_SLOW,
    BearerAuth,
    Transport,
)
from .wire import MAX_RETRY_WAIT, wire_text

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "MAX_LIMIT",
    "MAX_RETRY_WAIT",
    "BearerAuth",
    "BeeperClient",
]

_ACCOUNTS: Final = TypeAdapter(list[Account])

MAX_LIMIT: Final = 200
"""The largest ``limit`` any list endpoint accepts; larger asks are a 400 on real builds."""


def _limit(limit: int) -> str:
    return str(max(1, min(limit, MAX_LIMIT)))


class BeeperClient(Transport):
    """Typed access to one Beeper Desktop (or the embedded demo).

    ``transport`` lets the app talk in-process to the demo ASGI app; by default
    requests go over the network to ``base_url``.
    """

    # -- endpoints ---------------------------------------------------------

    async def info(self) -> Info:
        """``GET /v1/info``: is Beeper Desktop there, and which version (no auth)."""
        return await self._get_model(
            "/v1/info", Info, authenticated=False, read_timeout=READ_TIMEOUT_QUICK
        )

    async def list_accounts(self) -> list[Account]:
        """``GET /v1/accounts``: every connected chat account."""
        data = await self._request("GET", "/v1/accounts", read_timeout=READ_TIMEOUT_QUICK)
        return self._validate("GET /v1/accounts", _ACCOUNTS, data)

    async def get_account(self, account_id: str) -> Account:
        """``GET /v1/accounts/{id}``; raises :class:`NotFoundError` when unknown."""
        return await self._get_model(
            f"/v1/accounts/{_seg(account_id)}", Account, read_timeout=READ_TIMEOUT_QUICK
        )

    async def search_contacts(self, account_id: str, query: str) -> list[User]:
        """``GET /v1/accounts/{id}/contacts?query=``: merged search plus exact lookup."""
        result = await self._get_model(
            f"/v1/accounts/{_seg(account_id)}/contacts",
            ContactSearchResult,
            params={"query": query},
        )
        return result.items

    async def list_contacts(
        self,
        account_id: str,
        *,
        cursor: str | None = None,
        direction: str | None = None,
        limit: int | None = None,
        query: str | None = None,
    ) -> ContactPage:
        """``GET /v1/accounts/{id}/contacts/list``: one cursor page."""
        params: dict[str, str] = {}
        if cursor is not None:
            params["cursor"] = cursor
        if direction is not None:
            params["direction"] = direction
        if limit is not None:
            params["limit"] = _limit(limit)
        if query:
            params["query"] = query
        return await self._get_model(
            f"/v1/accounts/{_seg(account_id)}/contacts/list", ContactPage, params=params
        )

    async def start_chat(
        self,
        account_id: str,
        user: Mapping[str, str],
        *,
        allow_invite: bool | None = None,
        message_text: str | None = None,
    ) -> ChatStartResult:
        """``POST /v1/chats/start``: open (or create) the one-to-one chat with ``user``.

        ``user`` holds wire keys: ``id``, ``email``, ``phoneNumber``, ``username``, ``fullName``.
        """
        body: dict[str, Any] = {"accountID": account_id, "user": dict(user)}
        if allow_invite is not None:
            body["allowInvite"] = allow_invite
        if message_text is not None:
            body["messageText"] = message_text
        data = await self._request("POST", "/v1/chats/start", json=body, retry=False)
        return self._validate("POST /v1/chats/start", ChatStartResult, data)

    async def start_chat_legacy(self, account_id: str, user: Mapping[str, str]) -> ChatStartResult:
        """``POST /v1/chats`` with ``mode: "start"``: how 4.2.557 to 4.2.807 start a chat.

        Answers ``{chatID, status}``.
        """
        body: dict[str, Any] = {"accountID": account_id, "user": dict(user), "mode": "start"}
        data = await self._request("POST", "/v1/chats", json=body, retry=False)
        return self._validate("POST /v1/chats", ChatStartResult, data)

    async def app_setup(self) -> SetupState:
        """``GET /v1/app/setup``: whether Desktop is signed in, syncing or ready."""
        return await self._get_model("/v1/app/setup", SetupState, read_timeout=READ_TIMEOUT_QUICK)

    async def focus(self, chat_id: str | None = None, draft_text: str | None = None) -> bool:
        """``POST /v1/focus``: bring Beeper Desktop to the front on ``chat_id``."""
        body: dict[str, Any] = {}
        if chat_id is not None:
            body["chatID"] = chat_id
        if draft_text is not None:
            body["draftText"] = draft_text
        data = await self._request("POST", "/v1/focus", json=body, retry=False)
        return self._validate("POST /v1/focus", FocusResult, data).success

    # -- chats with a person and their avatars ------------------------------

    async def search_chats(
        self,
        query: str | None = None,
        *,
        scope: str | None = None,
        type: str | None = None,
        account_ids: Sequence[str] | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> ChatPage:
        """``GET /v1/chats/search``: one cursor page of chats.

        ``scope="participants"`` matches ``query`` against participant names;
        ``type`` is ``single``, ``group`` or ``any``. Account IDs repeat the
        ``accountIDs`` key, as the official SDK sends them.
        """
        pairs: list[tuple[str, str]] = []
        if query:
            pairs.append(("query", query))
        if scope is not None:
            pairs.append(("scope", scope))
        if type is not None:
            pairs.append(("type", type))
        pairs.extend(("accountIDs", account_id) for account_id in account_ids or ())
        if cursor is not None:
            pairs.append(("cursor", cursor))
        if limit is not None:
            pairs.append(("limit", _limit(limit)))
        return await self._get_model(
            "/v1/chats/search", ChatPage, params=httpx.QueryParams(tuple(pairs))
        )

    async def download_asset(self, url: str) -> AssetDownloadResult:
        """``POST /v1/assets/download``: fetch an ``mxc://`` file to this machine.

        The answer carries a ``file://`` URL (``src_url``) or the server's ``error``.
        """
        data = await self._request(
            "POST", "/v1/assets/download", json={"url": url}, read_timeout=READ_TIMEOUT_SLOW
        )
        return self._validate("POST /v1/assets/download", AssetDownloadResult, data)

    async def serve_asset(self, url: str, *, max_bytes: int) -> bytes:
        """``GET /v1/assets/serve?url=``: the file's bytes, streamed with the token.

        Reading stops as soon as the file proves larger than ``max_bytes``
        (announced or actual), raising :class:`ProtocolError`: a hostile or
        mistaken multi-gigabyte answer never reaches memory.
        """
        body = await self._request(
            "GET", "/v1/assets/serve", params={"url": url}, raw=True, max_bytes=max_bytes
        )
        assert isinstance(body, bytes)
        return body


def _seg(value: str) -> str:
    """Quote one path segment (account IDs may hold any character)."""
    return quote(wire_text(value), safe="")
