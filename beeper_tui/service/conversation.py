"""A person's recent conversation: their last messages across every network they are on.

The messages come from ``GET /v1/messages/search`` over the person's one-to-one
chats (found by :func:`~beeper_tui.service.chats.chats_with`, one per identity
and network), both directions, newest first. A person the user shares only
groups with (a big Slack channel) still has a conversation: what *they* wrote
in those groups (``sender`` = their user ID), each line naming its group: a handful at first
(:data:`DEFAULT_LIMIT`), more on demand (:meth:`ConversationLoader.more`).
Each message is read into a :class:`ConversationLine`: who wrote it ("you" or
their name), when, on which network, and a one-line preview whose text is
cleaned of escapes, controls and bidi characters (``text_hygiene``) and whose
attachments are named in words ("photo", "voice note"). The UI cuts the
preview by terminal cells; nothing here knows about cells.

:class:`ConversationLoader` keeps one request in flight: a new ``load`` (the
cursor moved to another person) cancels the one before, and ``cancel`` stops
it outright. A live ``message.upserted`` is merged in with
:meth:`Conversation.with_messages`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Final, TypeVar

from beeper_tui.api.client import MAX_MESSAGE_LIMIT, BeeperClient
from beeper_tui.api.models import Attachment, Message

from .chats import PersonChat, PersonChats, parse_time, relative_time
from .names import best_name
from .person import Contact
from .text_hygiene import clean_text

__all__ = [
    "DEFAULT_LIMIT",
    "Conversation",
    "ConversationLine",
    "ConversationLoader",
    "LastTalked",
    "attachment_kind",
    "attachment_words",
    "load_conversation",
    "message_preview",
]

log = logging.getLogger("beeper_tui.service")

DEFAULT_LIMIT: Final = 5
"""How many messages a person's conversation shows before "more"."""

T = TypeVar("T")


def attachment_kind(attachment: Attachment) -> str:
    """An attachment in words: ``photo``, ``GIF``, ``sticker``, ``video``, ``voice note``…"""
    kind = (attachment.type or "").lower()
    mime = (attachment.mime_type or "").lower()
    if attachment.is_voice_note:
        return "voice note"
    if attachment.is_sticker:
        return "sticker"
    if attachment.is_gif or mime == "image/gif":
        return "GIF"
    if kind in ("img", "image") or mime.startswith("image/"):
        return "photo"
    if kind == "video" or mime.startswith("video/"):
        return "video"
    if kind == "audio" or mime.startswith("audio/"):
        return "audio"
    return "file"


_PLURALS: Final = {"photo": "photos", "GIF": "GIFs", "sticker": "stickers", "video": "videos"}


def attachment_words(attachments: Iterable[Attachment]) -> str:
    """The attachments in words: ``photo``, ``3 photos``, ``photo, voice note``."""
    counts: dict[str, int] = {}
    for attachment in attachments:
        kind = attachment_kind(attachment)
        counts[kind] = counts.get(kind, 0) + 1
    parts = []
    for kind, count in counts.items():
        if count == 1:
            parts.append(kind)
        else:
            parts.append(f"{count} {_PLURALS.get(kind, kind + 's')}")
    return ", ".join(parts)


_TYPE_WORDS: Final = {"LOCATION": "location", "STICKER": "sticker", "VOICE": "voice note"}


def message_preview(message: Message) -> str:
    """One line for ``message``: its cleaned text, its attachments named first.

    ``photo: Look at this!``, ``voice note``, ``Are we still on for Friday?``.
    Text is user text: escapes, controls and bidi characters are gone and line
    breaks are spaces. A message with neither text nor attachments says what
    type it is (``location``) or nothing.
    """
    text = clean_text(message.text, newlines=False) or ""
    words = attachment_words(message.attachments)
    if not words and not text:
        words = _TYPE_WORDS.get((message.type or "").upper(), "")
    if words and text:
        return f"{words}: {text}"
    return words or text


@dataclass(frozen=True, slots=True)
class ConversationLine:
    """One message as the person view shows it."""

    message: Message
    network: str
    """The network's human name (``Signal``), from the chat the message is in."""
    sender: str
    """``you`` for the account owner's messages, else the sender's cleaned name."""
    from_me: bool
    when: datetime | None
    preview: str
    """One line of cleaned text (see :func:`message_preview`); the UI cuts it by cells."""
    group: str | None = None
    """The group's cleaned title when the message was written in a group chat."""

    @property
    def id(self) -> str:
        """The message's ID."""
        return self.message.id

    @property
    def chat_id(self) -> str:
        """The chat the message is in."""
        return self.message.chat_id

    def ago(self, now: datetime) -> str:
        """``2 h ago``; the full date is :attr:`when`."""
        return relative_time(self.when, now)


@dataclass(frozen=True, slots=True)
class LastTalked:
    """When the person and the user last exchanged a message, and on which network."""

    when: datetime
    network: str

    def describe(self, now: datetime) -> str:
        """``Last talked 3 d ago on Signal``."""
        return f"Last talked {relative_time(self.when, now)} on {self.network}"


def _order(line: ConversationLine) -> tuple[float, str, str]:
    stamp = line.when.timestamp() if line.when else 0.0
    return (stamp, line.message.sort_key or "", line.id)


@dataclass(frozen=True, slots=True)
class Conversation:
    """A person's recent messages, newest first, and how to ask for older ones."""

    contact: Contact
    chats: tuple[PersonChat, ...]
    """The chats the messages come from: the person's one-to-one chats, or, with none,
    the groups of one of their identities (then only what they wrote there counts)."""
    lines: tuple[ConversationLine, ...] = ()
    has_more: bool = False
    cursor: str | None = field(default=None, repr=False)
    """Where older messages start (opaque)."""

    @property
    def sender(self) -> str | None:
        """The ``sender`` filter its search needs: their user ID when it reads groups."""
        groups = [c for c in self.chats if c.is_group]
        return groups[0].identity.user.id if groups else None

    @property
    def chat_ids(self) -> tuple[str, ...]:
        """The IDs of :attr:`chats`."""
        return tuple(c.id for c in self.chats)

    def covers(self, chat_id: str) -> bool:
        """Whether a message in ``chat_id`` belongs to this conversation (a live update)."""
        return any(c.id == chat_id or c.chat.local_chat_id == chat_id for c in self.chats)

    @property
    def last_talked(self) -> LastTalked | None:
        """The newest message's time and network; None with no messages."""
        newest = next((line for line in self.lines if line.when is not None), None)
        if newest is None or newest.when is None:
            return None
        return LastTalked(newest.when, newest.network)

    def with_messages(self, messages: Iterable[Message]) -> Conversation:
        """This conversation with ``messages`` added or replaced (by ID), still newest first.

        Messages in chats it does not cover are ignored; so are hidden or
        deleted ones (a deletion removes the line).
        """
        by_id = {line.id: line for line in self.lines}
        changed = False
        for message in messages:
            chat = self._chat(message.chat_id)
            if chat is None or not _theirs_or_mine(message, chat):
                continue
            changed = True
            if message.is_deleted or message.is_hidden:
                by_id.pop(message.id, None)
                continue
            by_id[message.id] = read_line(message, chat, self.contact)
        if not changed:
            return self
        lines = tuple(sorted(by_id.values(), key=_order, reverse=True))
        return replace(self, lines=lines)

    def without(self, message_ids: Iterable[str]) -> Conversation:
        """This conversation less the messages ``message_ids`` (a ``message.deleted``)."""
        gone = set(message_ids)
        if not gone & {line.id for line in self.lines}:
            return self
        return replace(self, lines=tuple(line for line in self.lines if line.id not in gone))

    def _chat(self, chat_id: str) -> PersonChat | None:
        return next(
            (c for c in self.chats if c.id == chat_id or c.chat.local_chat_id == chat_id), None
        )


def _theirs_or_mine(message: Message, chat: PersonChat) -> bool:
    """In a group, only the person's own messages belong to their conversation."""
    return not chat.is_group or message.sender_id == chat.identity.user.id


def read_line(message: Message, chat: PersonChat, contact: Contact) -> ConversationLine:
    """``message`` as the person view shows it."""
    from_me = bool(message.is_sender)
    if from_me:
        sender = "you"
    else:
        sender = clean_text(message.sender_name, newlines=False) or best_name(chat.identity.user)
    return ConversationLine(
        message=message,
        network=chat.network,
        sender=sender,
        from_me=from_me,
        when=parse_time(message.timestamp),
        preview=message_preview(message),
        group=(clean_text(chat.title, newlines=False) or "group") if chat.is_group else None,
    )


def conversation_chats(chats: PersonChats | Sequence[PersonChat]) -> tuple[PersonChat, ...]:
    """The chats a person's conversation reads: their one-to-one chats, most recent first.

    With none, the groups shared with the identity of the most recent group
    (a search filters one sender): what the person wrote there.
    """
    items = chats.chats if isinstance(chats, PersonChats) else chats
    single = tuple(c for c in items if not c.is_group)
    if single or not items:
        return single
    user_id = items[0].identity.user.id
    return tuple(c for c in items if c.identity.user.id == user_id)


async def load_conversation(
    client: BeeperClient,
    contact: Contact,
    chats: PersonChats | Sequence[PersonChat],
    *,
    limit: int = DEFAULT_LIMIT,
    before: Conversation | None = None,
) -> Conversation:
    """The newest ``limit`` messages of ``contact``'s one-to-one ``chats`` (one request).

    With ``before``, the next ``limit`` older messages are added to it.
    """
    if before is not None:
        base, cursor = before, before.cursor
        if cursor is None or not before.has_more:
            return before
    else:
        base, cursor = Conversation(contact, conversation_chats(chats)), None
    if not base.chats:
        return base
    page = await client.search_messages(
        chat_ids=base.chat_ids,
        sender=base.sender,
        cursor=cursor,
        direction="before" if cursor is not None else None,
        limit=min(max(1, limit), MAX_MESSAGE_LIMIT),
        # A muted or low-priority chat with this person still counts.
        include_muted=True,
        exclude_low_priority=False,
    )
    merged = base.with_messages(page.items)
    return replace(
        merged,
        has_more=bool(page.has_more and page.oldest_cursor),
        cursor=page.oldest_cursor,
    )


class ConversationLoader:
    """Loads the conversation of the person under the cursor: one request in flight.

    ``load`` cancels a load still running (the cursor moved on), so at most one
    request is ever in flight; ``cancel`` stops it outright (the view closed).
    A cancelled call raises :class:`asyncio.CancelledError` in its caller.
    """

    def __init__(
        self,
        client: BeeperClient,
        chats_of: Callable[[Contact], Awaitable[PersonChats]],
    ) -> None:
        self._client = client
        self._chats_of = chats_of
        self._task: asyncio.Task[object] | None = None

    @property
    def busy(self) -> bool:
        """Whether a load is in flight."""
        return self._task is not None and not self._task.done()

    async def load(
        self,
        contact: Contact,
        chats: PersonChats | Sequence[PersonChat] | None = None,
        *,
        limit: int = DEFAULT_LIMIT,
    ) -> Conversation:
        """``contact``'s newest ``limit`` messages; their chats are searched unless given."""

        async def run() -> Conversation:
            found = chats if chats is not None else await self._chats_of(contact)
            return await load_conversation(self._client, contact, found, limit=limit)

        return await self._only(run())

    async def more(self, conversation: Conversation, *, limit: int = DEFAULT_LIMIT) -> Conversation:
        """``conversation`` with ``limit`` older messages added (unchanged when there are none)."""
        return await self._only(
            load_conversation(
                self._client, conversation.contact, conversation.chats, limit=limit,
                before=conversation,
            )
        )  # fmt: skip

    async def refresh(self, conversation: Conversation) -> Conversation:
        """``conversation`` read again (after a reconnect, or on the fallback timer).

        As many messages as it shows now (at least the default), newest first.
        """
        limit = max(DEFAULT_LIMIT, len(conversation.lines))
        return await self._only(
            load_conversation(self._client, conversation.contact, conversation.chats, limit=limit)
        )

    def cancel(self) -> None:
        """Cancel the load in flight, if any."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = None

    async def _only(self, work: Awaitable[T]) -> T:
        self.cancel()
        task: asyncio.Task[T] = asyncio.ensure_future(work)
        self._task = task
        try:
            return await task
        finally:
            if self._task is task:
                self._task = None
