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

from .limits import DEFAULT_BASE_URL, MAX_LIMIT
from .models import (
    Account,
    AssetDownloadResult,
    BridgeCapabilities,
    ChatPage,
    ChatStartResult,
    ContactPage,
    ContactSearchResult,
    FocusResult,
    Info,
    MessagePage,
    MessageSendResult,
    SetupState,
    User,
)
from .transport import (
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
    "MAX_MESSAGE_LIMIT",
    "MAX_RETRY_WAIT",
    "BearerAuth",
    "BeeperClient",
]

_ACCOUNTS: Final = TypeAdapter(list[Account])


MAX_MESSAGE_LIMIT: Final = 20
"""The largest ``limit`` of ``GET /v1/messages/search``."""


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

    async def bridge_capabilities(self, bridge_id: str) -> BridgeCapabilities:
        """``GET /v1/bridges/{bridgeID}/capabilities``: what the network can look up.

        Builds without the route answer 404 (:class:`NotFoundError`).
        """
        return await self._get_model(
            f"/v1/bridges/{_seg(bridge_id)}/capabilities",
            BridgeCapabilities,
            read_timeout=READ_TIMEOUT_QUICK,
        )

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

    # -- messages, reminders and the live socket ----------------------------

    async def search_messages(
        self,
        *,
        query: str | None = None,
        sender: str | None = None,
        chat_ids: Sequence[str] = (),
        account_ids: Sequence[str] = (),
        chat_type: str | None = None,
        media_types: Sequence[str] = (),
        date_after: str | None = None,
        date_before: str | None = None,
        include_muted: bool | None = None,
        exclude_low_priority: bool | None = None,
        cursor: str | None = None,
        direction: str | None = None,
        limit: int | None = None,
    ) -> MessagePage:
        """``GET /v1/messages/search``: one page of messages, newest first.

        ``sender`` is ``me``, ``others`` or a user ID; ``chat_type`` ``single``
        or ``group``; dates are ISO 8601 (strictly after / before). Lists repeat
        their key, as the official SDK sends them; ``limit`` is at most 20.
        """
        pairs: list[tuple[str, str]] = []
        if query:
            pairs.append(("query", query))
        if sender is not None:
            pairs.append(("sender", sender))
        pairs.extend(("chatIDs", chat_id) for chat_id in chat_ids)
        pairs.extend(("accountIDs", account_id) for account_id in account_ids)
        if chat_type is not None:
            pairs.append(("chatType", chat_type))
        pairs.extend(("mediaTypes", kind) for kind in media_types)
        if date_after is not None:
            pairs.append(("dateAfter", date_after))
        if date_before is not None:
            pairs.append(("dateBefore", date_before))
        if include_muted is not None:
            pairs.append(("includeMuted", "true" if include_muted else "false"))
        if exclude_low_priority is not None:
            pairs.append(("excludeLowPriority", "true" if exclude_low_priority else "false"))
        if cursor is not None:
            pairs.append(("cursor", cursor))
        if direction is not None:
            pairs.append(("direction", direction))
        if limit is not None:
            pairs.append(("limit", str(max(1, min(limit, MAX_MESSAGE_LIMIT)))))
        return await self._get_model(
            "/v1/messages/search", MessagePage, params=httpx.QueryParams(tuple(pairs))
        )

    async def list_chat_messages(
        self, chat_id: str, *, cursor: str | None = None, direction: str | None = None
    ) -> MessagePage:
        """``GET /v1/chats/{chatID}/messages``: one cursor page of one chat, newest first."""
        params: dict[str, str] = {}
        if cursor is not None:
            params["cursor"] = cursor
        if direction is not None:
            params["direction"] = direction
        return await self._get_model(
            f"/v1/chats/{_seg(chat_id)}/messages", MessagePage, params=params
        )

    async def send_message(
        self, chat_id: str, text: str, *, reply_to_message_id: str | None = None
    ) -> MessageSendResult:
        """``POST /v1/chats/{chatID}/messages``: send ``text`` (no retry: it could send twice)."""
        body: dict[str, Any] = {"text": text}
        if reply_to_message_id is not None:
            body["replyToMessageID"] = reply_to_message_id
        path = f"/v1/chats/{_seg(chat_id)}/messages"
        data = await self._request("POST", path, json=body, retry=False)
        return self._validate(f"POST {path}", MessageSendResult, data)

    async def set_reminder(
        self, chat_id: str, remind_at: str, *, dismiss_on_incoming_message: bool | None = None
    ) -> None:
        """``POST /v1/chats/{chatID}/reminders``: remind at ``remind_at`` (ISO 8601).

        The answer's body is not read: builds differ (empty, or a small object).
        """
        reminder: dict[str, Any] = {"remindAt": remind_at}
        if dismiss_on_incoming_message is not None:
            reminder["dismissOnIncomingMessage"] = dismiss_on_incoming_message
        await self._request(
            "POST",
            f"/v1/chats/{_seg(chat_id)}/reminders",
            json={"reminder": reminder},
            raw=True,
            accept="*/*",
        )

    async def clear_reminder(self, chat_id: str) -> None:
        """``DELETE /v1/chats/{chatID}/reminders``: remove the chat's reminder."""
        await self._request(
            "DELETE", f"/v1/chats/{_seg(chat_id)}/reminders", raw=True, accept="*/*"
        )

    async def events_url(self) -> str:
        """The live socket's URL: ``/v1/info``'s ``endpoints.ws_events``, else ``…/v1/ws``.

        Raises what :meth:`info` raises when Desktop cannot be asked at all.
        """
        info = await self.info()
        url = info.endpoints.ws_events
        if url:
            return url
        base = self.base_url
        scheme, sep, rest = base.partition("://")
        ws_scheme = "wss" if scheme == "https" else "ws"
        return f"{ws_scheme}{sep}{rest}/v1/ws" if sep else f"ws://{base}/v1/ws"


def _seg(value: str) -> str:
    """Quote one path segment (account IDs may hold any character)."""
    return quote(wire_text(value), safe="")
