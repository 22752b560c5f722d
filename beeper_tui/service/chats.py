"""Chats with a person: their one-to-one chats and the groups they share, newest first.

There is no "chats of user ID" endpoint. For each identity of the person the
chats of that identity's account are searched by the person's name
(``scope=participants``), and only chats whose participants include that
identity's user ID are kept.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final

from beeper_tui.api.errors import BeeperError

from .names import IdentifierKind, best_name, clean, identifier_kind, is_participant
from .networks import network_name
from .phones import format_phone

if TYPE_CHECKING:
    from beeper_tui.api.client import BeeperClient
    from beeper_tui.api.models import Account, Chat

    from .person import Contact
    from .users import UserFields

__all__ = ["PersonChat", "PersonChats", "chats_with", "parse_time", "relative_time"]

log = logging.getLogger("beeper_tui.service")

DEFAULT_MAX_PAGES: Final = 2
DEFAULT_PAGE_SIZE: Final = 50


@dataclass(frozen=True, slots=True)
class PersonChat:
    """One chat with the person, and which of their identities is in it."""

    chat: Chat
    identity: Contact
    network: str
    """The network's human name (the chat's own ``network``, else the account's)."""
    last_activity: datetime | None

    @property
    def id(self) -> str:
        """The chat ID to pass to ``POST /v1/focus``."""
        return self.chat.id

    @property
    def title(self) -> str:
        """The chat's title, or the person's name for an untitled one-to-one chat."""
        title = clean(self.chat.title)
        if title is None:
            return best_name(self.identity.user)
        # iMessage titles a phone-only chat with the bare E.164 number.
        return format_phone(title) if identifier_kind(title) == IdentifierKind.PHONE else title

    @property
    def is_group(self) -> bool:
        """Whether this is a group chat (rather than one-to-one)."""
        return self.chat.type == "group"


@dataclass(frozen=True, slots=True)
class PersonChats:
    """The chats found, and the identities whose search failed (the rest still count)."""

    chats: list[PersonChat] = field(default_factory=list)
    failed: list[tuple[Contact, BeeperError]] = field(default_factory=list)

    @property
    def most_recent(self) -> PersonChat | None:
        """The chat with the latest activity, if any."""
        return self.chats[0] if self.chats else None


def parse_time(iso: str | None) -> datetime | None:
    """An aware datetime from the wire's ISO 8601 text; None when absent or unreadable."""
    if not iso:
        return None
    text = iso.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def relative_time(iso: str | datetime | None, now: datetime) -> str:
    """How long ago: ``just now``, ``12 min ago``, ``3 h ago``, ``yesterday``, ``5 d ago``, a date.

    ``now`` must be timezone-aware. Times a little in the future (clock skew)
    read as ``just now``; an unreadable time is an empty string.
    """
    when = iso if isinstance(iso, datetime) else parse_time(iso)
    if when is None:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = (now - when).total_seconds()
    if seconds < 60:
        return "just now"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min ago"
    hours = minutes // 60
    if hours < 24:
        return f"{hours} h ago"
    days = hours // 24
    if days < 2:
        return "yesterday"
    if days < 30:
        return f"{days} d ago"
    local = when.astimezone(now.tzinfo)
    if local.year == now.year:
        return f"{local.day} {local:%b}"
    return f"{local.day} {local:%b %Y}"


def _includes(chat: Chat, user: UserFields) -> bool:
    return any(is_participant(p, user) for p in chat.participants.items)


def _sort_key(item: PersonChat) -> tuple[int, float, str, str]:
    stamp = item.last_activity.timestamp() if item.last_activity else 0.0
    return (0 if item.last_activity else 1, -stamp, item.title.casefold(), item.id)


async def chats_with(
    client: BeeperClient,
    contact: Contact,
    account_of: Callable[[str], Account | None] = lambda _id: None,
    *,
    max_pages: int = DEFAULT_MAX_PAGES,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> PersonChats:
    """Every chat with ``contact`` on each of their identities, most recent first.

    One identity at a time (one request in flight), at most ``max_pages``
    pages each. A search that fails on one account is recorded in
    :attr:`PersonChats.failed` and the other identities still count.
    ``account_of`` names networks for chats that do not carry ``network``.
    """
    found: dict[str, PersonChat] = {}
    failed: list[tuple[Contact, BeeperError]] = []
    for identity in contact.identities:
        try:
            chats = await _search_identity(client, identity, max_pages, page_size)
        except BeeperError as exc:
            log.debug("chat search for %s failed: %s", identity.account_id, exc)
            failed.append((identity, exc))
            continue
        account = account_of(identity.account_id)
        for chat in chats:
            if chat.id in found or not _includes(chat, identity.user):
                continue
            if chat.merge is not None:
                # Chats merged in Beeper: the merged one holds no messages of its own;
                # its members, one per network, are the person's chats listed here.
                continue
            network = clean(chat.network) or (
                network_name(account) if account else identity.account_id
            )
            found[chat.id] = PersonChat(chat, identity, network, parse_time(chat.last_activity))
    return PersonChats(sorted(found.values(), key=_sort_key), failed)


async def _search_identity(
    client: BeeperClient, identity: Contact, max_pages: int, page_size: int
) -> list[Chat]:
    user = identity.user
    # Participant search matches names: the name the person carries on that network.
    query = clean(user.full_name) or clean(user.username) or clean(user.phone_number)
    chats: list[Chat] = []
    cursor: str | None = None
    seen_cursors: set[str] = set()
    for _ in range(max(1, max_pages)):
        page = await client.search_chats(
            query,
            scope="participants",
            type="any",
            account_ids=[identity.account_id],
            cursor=cursor,
            limit=page_size,
        )
        chats.extend(page.items)
        cursor = page.oldest_cursor
        if not page.has_more or not cursor or cursor in seen_cursors:
            break
        seen_cursors.add(cursor)
    return chats
