"""Pydantic models of the Beeper Desktop API wire format.

Python names are snake_case; aliases are exactly the wire keys (``accountID``,
``fullName``, ``imgURL``). Every model is tolerant the way real installs require:
unknown keys are ignored, every optional key may be missing or ``null``, and a
status value we do not know becomes :attr:`AccountStatus.UNKNOWN` instead of a
validation error.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

__all__ = [
    "Account",
    "AccountStatus",
    "AssetDownloadResult",
    "Attachment",
    "Bridge",
    "BridgeCapabilities",
    "Chat",
    "ChatPage",
    "ChatParticipants",
    "ChatStartResult",
    "ContactPage",
    "ContactSearchResult",
    "ErrorBody",
    "FocusResult",
    "Info",
    "InfoApp",
    "InfoEndpoints",
    "InfoPlatform",
    "InfoServer",
    "Message",
    "MessagePage",
    "MessageSendResult",
    "Reminder",
    "ResolveIdentifier",
    "SetupState",
    "User",
    "ValidationIssue",
]


class WireModel(BaseModel):
    """Base for every wire model: alias-aware, tolerant of extra keys, immutable."""

    model_config = ConfigDict(
        populate_by_name=True,
        extra="ignore",
        frozen=True,
        serialize_by_alias=True,
    )


class AccountStatus(StrEnum):
    """Connection state of an account, plus ``UNKNOWN`` for anything else."""

    CONNECTED = "connected"
    CONNECTING = "connecting"
    BACKFILLING = "backfilling"
    CONNECTION_REQUIRED = "connection_required"
    RECONNECT_REQUIRED = "reconnect_required"
    ATTENTION_REQUIRED = "attention_required"
    DISCONNECTED = "disconnected"
    DISABLED = "disabled"
    UNKNOWN = "unknown"

    @classmethod
    def parse(cls, value: object) -> AccountStatus:
        """Map any wire value (including missing, null or new values) to a status."""
        if isinstance(value, AccountStatus):
            return value
        if isinstance(value, str):
            try:
                return cls(value)
            except ValueError:
                return cls.UNKNOWN
        return cls.UNKNOWN


def _optional_str(value: object) -> object:
    # Some builds send numbers where strings are documented (e.g. numeric
    # usernames); keep them as text rather than rejecting the whole object.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


OptStr = Annotated[str | None, BeforeValidator(_optional_str)]


class User(WireModel):
    """A person: an account owner or a contact."""

    id: str
    full_name: OptStr = Field(default=None, alias="fullName")
    username: OptStr = None
    phone_number: OptStr = Field(default=None, alias="phoneNumber")
    email: OptStr = None
    img_url: OptStr = Field(default=None, alias="imgURL")
    is_self: bool | None = Field(default=None, alias="isSelf")
    cannot_message: bool | None = Field(default=None, alias="cannotMessage")


class Bridge(WireModel):
    """Bridge metadata of an account (Beeper Desktop v4.2.785+)."""

    id: OptStr = None
    provider: OptStr = None
    type: OptStr = None


class Account(WireModel):
    """A chat account connected to Beeper.

    Older Desktop builds send only ``accountID`` and ``user``; ``status`` then
    reads as :attr:`AccountStatus.UNKNOWN` and ``bridge``/``network`` are None.
    """

    account_id: str = Field(alias="accountID")
    user: User
    status: Annotated[AccountStatus, BeforeValidator(AccountStatus.parse)] = AccountStatus.UNKNOWN
    bridge: Bridge | None = None
    network: OptStr = None
    status_text: OptStr = Field(default=None, alias="statusText")
    login_id: OptStr = Field(default=None, alias="loginID")
    capabilities: dict[str, Any] | None = None


class ContactSearchResult(WireModel):
    """Answer of ``GET /v1/accounts/{id}/contacts?query=``."""

    items: list[User] = Field(default_factory=list)


class ContactPage(WireModel):
    """One cursor page of ``GET /v1/accounts/{id}/contacts/list``."""

    items: list[User] = Field(default_factory=list)
    has_more: bool | None = Field(default=None, alias="hasMore")
    oldest_cursor: str | None = Field(default=None, alias="oldestCursor")
    newest_cursor: str | None = Field(default=None, alias="newestCursor")


class ValidationIssue(WireModel):
    """One entry of ``details.issues`` in a 400 answer."""

    code: str | None = None
    message: str | None = None
    path: list[str | int | float] = Field(default_factory=list)


class ErrorBody(WireModel):
    """The body of every non-2xx answer."""

    code: str | None = None
    message: str | None = None
    error: str | None = None
    """What older builds (and OAuth endpoints) send instead of ``message``."""
    error_description: str | None = None
    details: dict[str, Any] | None = None

    @property
    def text(self) -> str | None:
        """The server's words, whichever key this build put them under."""
        return self.message or self.error_description or self.error

    @property
    def issues(self) -> list[ValidationIssue]:
        """Validation issues carried in ``details.issues``, if any."""
        raw = (self.details or {}).get("issues")
        if not isinstance(raw, list):
            return []
        out: list[ValidationIssue] = []
        for item in raw:
            if isinstance(item, dict):
                out.append(ValidationIssue.model_validate(item))
        return out


class InfoApp(WireModel):
    """``app`` part of ``/v1/info``."""

    bundle_id: str | None = None
    name: str | None = None
    version: str | None = None


class InfoPlatform(WireModel):
    """``platform`` part of ``/v1/info``."""

    os: str | None = None
    arch: str | None = None
    release: str | None = None


class InfoServer(WireModel):
    """``server`` part of ``/v1/info``."""

    base_url: str | None = None
    hostname: str | None = None
    port: int | None = None
    status: str | None = None
    mcp_enabled: bool | None = None
    remote_access: bool | None = None


class InfoEndpoints(WireModel):
    """``endpoints`` part of ``/v1/info``."""

    spec: str | None = None
    mcp: str | None = None
    ws_events: str | None = None
    oauth: dict[str, Any] | None = None


class Info(WireModel):
    """Server discovery from ``GET /v1/info`` (snake_case on the wire)."""

    app: InfoApp = Field(default_factory=InfoApp)
    platform: InfoPlatform = Field(default_factory=InfoPlatform)
    server: InfoServer = Field(default_factory=InfoServer)
    endpoints: InfoEndpoints = Field(default_factory=InfoEndpoints)


class SetupState(WireModel):
    """``GET /v1/app/setup``: ``state`` is ``needs-login``, ``initializing``, …, ``ready``."""

    state: str | None = None


class ResolveIdentifier(WireModel):
    """Which identifier lookups a network supports (snake_case on the wire).

    A key the build leaves out reads as None: unknown, not "unsupported".
    """

    lookup_phone: bool | None = None
    lookup_email: bool | None = None
    lookup_username: bool | None = None
    any_phone: bool | None = None
    search: bool | None = None
    contact_list: bool | None = None
    create_dm: bool | None = None


class BridgeCapabilities(WireModel):
    """``GET /v1/bridges/{bridgeID}/capabilities`` (``ProvisioningCapabilities`` in the SDK)."""

    resolve_identifier: ResolveIdentifier = Field(default_factory=ResolveIdentifier)


class ChatStartResult(WireModel):
    """Answer of ``POST /v1/chats/start``: a Chat; older builds send ``chatID``."""

    id: str | None = None
    chat_id: str | None = Field(default=None, alias="chatID")
    status: str | None = None
    title: str | None = None

    @property
    def resolved_chat_id(self) -> str | None:
        """The chat to focus: ``id`` on current builds, ``chatID`` on older ones."""
        return self.id or self.chat_id


class FocusResult(WireModel):
    """Answer of ``POST /v1/focus``."""

    success: bool = False


def _empty_if_null(value: object) -> object:
    # A ``null`` list or object on the wire reads as "none of them", never a failure.
    return {} if value is None else value


def _list_if_null(value: object) -> object:
    return [] if value is None else value


def _zero_if_null(value: object) -> object:
    return 0 if value is None else value


class ChatParticipants(WireModel):
    """``participants`` of a Chat: possibly a subset (``hasMore``) of ``total`` people."""

    items: Annotated[list[User], BeforeValidator(_list_if_null)] = Field(default_factory=list)
    has_more: bool | None = Field(default=None, alias="hasMore")
    total: int | None = None


class Reminder(WireModel):
    """A chat's reminder (``reminder`` of a Chat): when, and whether an incoming message ends it.

    ``remind_at`` stays the wire's ISO 8601 text, as ``Chat.last_activity`` does.
    """

    remind_at: OptStr = Field(default=None, alias="remindAt")
    dismiss_on_incoming_message: bool | None = Field(default=None, alias="dismissOnIncomingMessage")


class ChatMerge(WireModel):
    """``merge`` of a Chat: the member chats the user merged into this one (one person)."""

    chat_ids: Annotated[list[str], BeforeValidator(_list_if_null)] = Field(
        default_factory=list, alias="chatIDs"
    )
    default_chat_id: OptStr = Field(default=None, alias="defaultChatID")


class Chat(WireModel):
    """A conversation on one account (``types/chat.py`` of the official SDK).

    ``last_activity`` stays the wire's ISO 8601 text; the service layer reads it,
    so a build that sends an odd timestamp costs one "last activity" and not the chat.
    """

    id: str
    account_id: str = Field(alias="accountID")
    network: OptStr = None
    title: OptStr = None
    type: OptStr = None
    participants: Annotated[ChatParticipants, BeforeValidator(_empty_if_null)] = Field(
        default_factory=ChatParticipants
    )
    unread_count: Annotated[int, BeforeValidator(_zero_if_null)] = Field(
        default=0, alias="unreadCount"
    )
    last_activity: OptStr = Field(default=None, alias="lastActivity")
    img_url: OptStr = Field(default=None, alias="imgURL")
    description: OptStr = None
    is_archived: bool | None = Field(default=None, alias="isArchived")
    is_muted: bool | None = Field(default=None, alias="isMuted")
    is_pinned: bool | None = Field(default=None, alias="isPinned")
    is_read_only: bool | None = Field(default=None, alias="isReadOnly")
    local_chat_id: OptStr = Field(default=None, alias="localChatID")
    merged_into_chat_id: OptStr = Field(default=None, alias="mergedIntoChatID")
    merge: ChatMerge | None = None
    """Present on a merged chat (it holds no messages; its members carry ``mergedIntoChatID``)."""
    unread_mentions_count: int | None = Field(default=None, alias="unreadMentionsCount")
    reminder: Reminder | None = None
    """The chat's reminder; None when none is set."""


class ChatPage(WireModel):
    """One cursor page of ``GET /v1/chats/search``."""

    items: Annotated[list[Chat], BeforeValidator(_list_if_null)] = Field(default_factory=list)
    has_more: bool | None = Field(default=None, alias="hasMore")
    oldest_cursor: str | None = Field(default=None, alias="oldestCursor")
    newest_cursor: str | None = Field(default=None, alias="newestCursor")


class AssetDownloadResult(WireModel):
    """Answer of ``POST /v1/assets/download``: a ``file://`` URL on this machine, or an error."""

    src_url: OptStr = Field(default=None, alias="srcURL")
    error: OptStr = None


def _float_or_none(value: object) -> object:
    # Sizes and durations: a number, or nothing; text a build sent is not worth a failure.
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


OptFloat = Annotated[float | None, BeforeValidator(_float_or_none)]


class Attachment(WireModel):
    """One attachment of a message (``types/shared/attachment.py``).

    ``type`` is ``img``, ``video``, ``audio`` or ``unknown`` on current builds;
    any other text is kept as it came, and the flags say what kind of image or
    audio it is (GIF, sticker, voice note).
    """

    type: OptStr = None
    id: OptStr = None
    file_name: OptStr = Field(default=None, alias="fileName")
    mime_type: OptStr = Field(default=None, alias="mimeType")
    duration: OptFloat = None
    file_size: OptFloat = Field(default=None, alias="fileSize")
    is_gif: bool | None = Field(default=None, alias="isGif")
    is_sticker: bool | None = Field(default=None, alias="isSticker")
    is_voice_note: bool | None = Field(default=None, alias="isVoiceNote")
    src_url: OptStr = Field(default=None, alias="srcURL")


class Message(WireModel):
    """A message (``types/shared/message.py``): who sent it, when, its text and attachments.

    ``timestamp`` stays the wire's ISO 8601 text (the service reads it); ``type``
    is ``TEXT``, ``IMAGE``, ``VOICE``, ``REACTION``… or anything a newer build sends.
    """

    id: str
    chat_id: str = Field(alias="chatID")
    account_id: OptStr = Field(default=None, alias="accountID")
    sender_id: OptStr = Field(default=None, alias="senderID")
    sender_name: OptStr = Field(default=None, alias="senderName")
    sort_key: OptStr = Field(default=None, alias="sortKey")
    timestamp: OptStr = None
    text: OptStr = None
    type: OptStr = None
    is_sender: bool | None = Field(default=None, alias="isSender")
    is_unread: bool | None = Field(default=None, alias="isUnread")
    is_deleted: bool | None = Field(default=None, alias="isDeleted")
    is_hidden: bool | None = Field(default=None, alias="isHidden")
    linked_message_id: OptStr = Field(default=None, alias="linkedMessageID")
    attachments: Annotated[list[Attachment], BeforeValidator(_list_if_null)] = Field(
        default_factory=list
    )


class MessagePage(WireModel):
    """One cursor page of ``GET /v1/messages/search`` or ``GET /v1/chats/{id}/messages``."""

    items: Annotated[list[Message], BeforeValidator(_list_if_null)] = Field(default_factory=list)
    has_more: bool | None = Field(default=None, alias="hasMore")
    oldest_cursor: str | None = Field(default=None, alias="oldestCursor")
    newest_cursor: str | None = Field(default=None, alias="newestCursor")


class MessageSendResult(WireModel):
    """Answer of ``POST /v1/chats/{id}/messages``: the chat used and the pending message's ID."""

    chat_id: OptStr = Field(default=None, alias="chatID")
    pending_message_id: OptStr = Field(default=None, alias="pendingMessageID")
