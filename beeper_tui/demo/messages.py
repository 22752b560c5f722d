"""Deterministic messages for the demo's chats, and the routes that read and write them.

Every chat gets a short conversation derived from the dataset seed and the
chat's ID: its language (English most often, then French, German, Spanish,
Portuguese, Japanese, Arabic, Polish), who wrote each line, attachments now
and then (photos, voice notes, videos, files, stickers, GIFs), and times that
count back from the chat's ``lastActivity``. Two runs answer byte for byte the
same. Messages a client sends (``POST /v1/chats/{chatID}/messages``) and those
the demo delivers itself (:meth:`MessageBook.deliver_incoming`, ``demo-server
--activity``) join the chat, move its ``lastActivity`` and are announced on the
live socket (``demo/live.py``) through :attr:`MessageBook.listeners`.

``GET /v1/messages/search`` follows the SDK's ``MessageSearchParams``: every
filter (``accountIDs``, ``chatIDs``, ``chatType``, ``sender``, ``dateAfter``,
``dateBefore``, ``query``, ``mediaTypes``, ``includeMuted``,
``excludeLowPriority``), ``limit`` at most 20, cursors and ``direction``.
Results are newest first; a cursor names a message's place in that order.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from random import Random
from typing import Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from beeper_tui.demo.chats import REFERENCE_TIME, ChatBook, DemoChat
from beeper_tui.demo.dataset import DemoAccount, JSONDict
from beeper_tui.demo.responses import (
    INVALID_JSON,
    enum_issue,
    error_response,
    issue,
    json_body,
    parse_time,
    validation_error,
)
from beeper_tui.demo.search import normalize

__all__ = [
    "CHAT_PAGE_SIZE",
    "MAX_SEARCH_LIMIT",
    "MessageBook",
    "MessageRoutes",
    "chat_messages",
]

MAX_SEARCH_LIMIT: Final = 20
"""The largest ``limit`` of ``GET /v1/messages/search``; the real schema rejects more."""
DEFAULT_SEARCH_LIMIT: Final = 20
CHAT_PAGE_SIZE: Final = 25
"""Messages in one page of ``GET /v1/chats/{chatID}/messages``."""

_LANGUAGES: Final[dict[str, tuple[str, ...]]] = {
    "en": (
        "Are we still on for Friday?", "Running 10 minutes late, sorry!",
        "Did you see the game last night?", "Can you send me the address?",
        "Thanks so much, that was lovely 🙏", "Let me check and get back to you",
        "Happy birthday!! 🎉", "I'll bring the wine", "Just landed ✈️",
        "Call me when you have a minute", "Haha yes exactly", "See you at 7 then",
        "Do you still have my charger?", "The kids loved it", "On my way",
        "How did the interview go?", "Sounds good to me 👍", "What time works for you?",
    ),
    "fr": (
        "On se voit ce soir ?", "Je suis en retard, désolée !", "Merci pour hier soir 😊",
        "Tu as reçu mon message ?", "À demain alors", "C'est noté, bisous",
        "Tu peux m'envoyer l'adresse ?", "Bon anniversaire ! 🎂", "J'arrive dans 5 minutes",
    ),
    "de": (
        "Sehen wir uns am Samstag?", "Bin gleich da!", "Danke dir, bis später",
        "Hast du kurz Zeit zum Telefonieren?", "Alles Gute zum Geburtstag! 🎈",
        "Ich bringe den Kuchen mit", "Schöne Grüße an deine Eltern",
    ),
    "es": (
        "¿Quedamos mañana para comer?", "¡Llego en diez minutos!", "Muchas gracias 😘",
        "¿Me pasas la dirección?", "Feliz cumpleaños 🎉", "Vale, hablamos luego",
    ),
    "pt": (
        "Tudo bem? Vamos jantar sábado?", "Cheguei! Onde vocês estão?", "Obrigada pela ajuda",
        "Manda a foto depois", "Boa viagem! ✈️", "Combinado, até amanhã",
    ),
    "ja": (
        "今日はありがとう！", "少し遅れます🙇", "明日の会議は何時からですか？",
        "写真送ります", "お誕生日おめでとう🎂", "了解です",
    ),
    "ar": (
        "مرحبا، كيف حالك؟", "أنا في الطريق", "شكرا جزيلا", "نلتقي غدا إن شاء الله",
        "عيد ميلاد سعيد 🎉",
    ),
    "pl": (
        "Widzimy się w piątek?", "Dzięki, do zobaczenia!", "Spóźnię się kwadrans",
        "Wszystkiego najlepszego! 🎂", "Zadzwoń jak będziesz mógł",
    ),
}  # fmt: skip
_LANGUAGE_WEIGHTS: Final = {"en": 10, "fr": 3, "de": 2, "es": 2, "pt": 2, "ja": 1, "ar": 1, "pl": 1}
_CAPTIONS: Final = ("", "", "Look at this!", "📸", "Voilà", "From yesterday")
_MEDIA_TYPES: Final = ("any", "video", "image", "link", "file")


def _iso(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _sort_key(moment: datetime, serial: int) -> str:
    # Sortable as text: milliseconds since the epoch, then a serial for equal times.
    return f"{int(moment.timestamp() * 1000):015d}{serial:04d}"


def _message_id(chat_id: str, serial: int, salt: str = "") -> str:
    digest = hashlib.sha256(f"{chat_id}|{serial}|{salt}".encode()).hexdigest()[:24]
    return f"${digest}"


def _attachment(rng: Random, serial: int) -> tuple[str, JSONDict]:
    """A message type and one attachment, as ``types/shared/attachment.py`` describes it."""
    roll = rng.random()
    mxc = f"mxc://beeper.com/demo-media-{serial:04d}-{rng.randrange(10**6):06d}"
    if roll < 0.45:
        return "IMAGE", {
            "type": "img", "id": mxc, "fileName": f"IMG_{rng.randrange(1000, 9999)}.jpg",
            "mimeType": "image/jpeg", "fileSize": rng.randrange(80_000, 3_000_000),
            "size": {"width": 1536, "height": 2048},
        }  # fmt: skip
    if roll < 0.65:
        return "VOICE", {
            "type": "audio", "id": mxc, "mimeType": "audio/ogg", "isVoiceNote": True,
            "duration": rng.randrange(3, 95), "fileName": "voice-note.ogg",
        }  # fmt: skip
    if roll < 0.75:
        return "VIDEO", {
            "type": "video", "id": mxc, "mimeType": "video/mp4", "duration": rng.randrange(5, 60),
            "fileName": f"VID_{rng.randrange(1000, 9999)}.mp4",
        }  # fmt: skip
    if roll < 0.85:
        return "FILE", {
            "type": "unknown", "id": mxc, "mimeType": "application/pdf",
            "fileName": rng.choice(("tickets.pdf", "Rechnung_März.pdf", "plan.pdf")),
            "fileSize": rng.randrange(20_000, 900_000),
        }  # fmt: skip
    if roll < 0.93:
        return "STICKER", {"type": "img", "id": mxc, "mimeType": "image/webp", "isSticker": True}
    return "IMAGE", {"type": "img", "id": mxc, "mimeType": "image/gif", "isGif": True}


def _sender(account: DemoAccount, position: int | None) -> JSONDict:
    if position is None:
        return account.owner
    return account.contacts[position]


def _label(user: JSONDict) -> str:
    for key in ("fullName", "username", "phoneNumber", "email"):
        value = user.get(key)
        if isinstance(value, str) and value:
            return value
    return str(user["id"])


def message_wire(
    account: DemoAccount,
    chat_id: str,
    *,
    serial: int,
    moment: datetime,
    sender: JSONDict,
    text: str | None,
    kind: str = "TEXT",
    attachments: Sequence[JSONDict] = (),
    unread: bool = False,
    message_id: str | None = None,
) -> JSONDict:
    """A Message object as ``types/shared/message.py`` of the SDK describes it."""
    is_sender = sender.get("id") == account.owner.get("id")
    wire: JSONDict = {
        "id": message_id or _message_id(chat_id, serial),
        "chatID": chat_id,
        "accountID": account.account_id,
        "senderID": sender["id"],
        "senderName": _label(sender),
        "sortKey": _sort_key(moment, serial),
        "timestamp": _iso(moment),
        "type": kind,
        "isSender": is_sender,
        "isUnread": unread and not is_sender,
    }
    if text:
        wire["text"] = text
    if attachments:
        wire["attachments"] = [dict(a) for a in attachments]
    return wire


def chat_messages(account: DemoAccount, chat: DemoChat, seed: int) -> list[JSONDict]:
    """The deterministic messages of ``chat``, oldest first, the last at its ``lastActivity``."""
    chat_id = str(chat.wire["id"])
    rng = Random(f"{seed}:{chat_id}:messages")
    languages = list(_LANGUAGE_WEIGHTS)
    language = rng.choices(languages, weights=list(_LANGUAGE_WEIGHTS.values()))[0]
    lines = _LANGUAGES[language]
    members = [p for p in chat.members if account.contacts[p].get("id") != account.owner["id"]]
    count = rng.randint(4, 18)
    unread = int(chat.wire.get("unreadCount") or 0)
    last = datetime.fromisoformat(str(chat.wire["lastActivity"]).replace("Z", "+00:00"))
    moments = [last]
    for _ in range(count - 1):
        moments.append(moments[-1] - timedelta(seconds=int(rng.expovariate(1 / 7200)) + 30))
    moments.reverse()
    out: list[JSONDict] = []
    for serial, moment in enumerate(moments):
        from_me = not members or rng.random() < 0.45
        # The unread ones are the newest, and nobody's own.
        if unread and serial >= count - unread:
            from_me = False
        position = None if from_me else rng.choice(members) if members else None
        kind, attachments, text = "TEXT", [], rng.choice(lines)
        if rng.random() < 0.18:
            kind, attachment = _attachment(rng, serial)
            attachments = [attachment]
            text = rng.choice(_CAPTIONS) if kind == "IMAGE" else ""
        out.append(
            message_wire(
                account,
                chat_id,
                serial=serial,
                moment=moment,
                sender=_sender(account, position),
                text=text,
                kind=kind,
                attachments=attachments,
                unread=bool(unread) and serial >= count - unread,
            )
        )
    return out


Listener = Callable[[str, JSONDict], None]
"""Told ``(event type, event)`` for every change: ``message.upserted``, ``chat.upserted``."""


@dataclass(frozen=True, slots=True)
class _Entry:
    account: DemoAccount
    chat: DemoChat


class MessageBook:
    """The messages of one demo app: generated on first use, plus those sent or delivered.

    Safe across threads (``demo-server --activity`` delivers from its own):
    one lock guards the added messages and the chats' changed state.
    """

    def __init__(self, chats: ChatBook, clock: Callable[[], float] = time.monotonic) -> None:
        self.chats = chats
        self.listeners: list[Listener] = []
        self._clock = clock
        self._started = clock()
        self._lock = threading.RLock()
        self._generated: dict[str, list[JSONDict]] = {}
        self._added: dict[str, list[JSONDict]] = {}
        self._index: dict[str, _Entry] | None = None
        self._serial = 10_000
        self._activity = Random(f"{chats.dataset.seed}:activity")

    # -- reading -------------------------------------------------------------

    def now(self) -> datetime:
        """The demo world's clock: its fixed "now", moving on as real time passes."""
        return REFERENCE_TIME + timedelta(seconds=self._clock() - self._started)

    def _chat_index(self) -> dict[str, _Entry]:
        with self._lock:
            if self._index is None:
                self._index = {
                    str(chat.wire["id"]): _Entry(account, chat)
                    for account in self.chats.dataset.accounts
                    for chat in self.chats.chats(account)
                }
            for chat in self.chats.started.values():
                if chat.wire["id"] not in self._index:
                    account = self.chats.dataset.account(chat.account_id)
                    if account is not None:
                        self._index[str(chat.wire["id"])] = _Entry(account, chat)
            return self._index

    async def prepare(self) -> None:
        """Build every account's chats (not the contact search indexes) off the event loop."""
        await self.chats.prepare(self.chats.dataset.accounts, indexed=False)

    def entry(self, chat_id: str) -> tuple[DemoAccount, DemoChat] | None:
        """The account and chat ``chat_id`` names (or its local chat ID), if any."""
        index = self._chat_index()
        found = index.get(chat_id)
        if found is None:
            found = next(
                (e for e in index.values() if e.chat.wire.get("localChatID") == chat_id), None
            )
        return None if found is None else (found.account, found.chat)

    def messages(self, chat_id: str) -> list[JSONDict]:
        """The chat's messages, oldest first (empty for an unknown chat)."""
        entry = self.entry(chat_id)
        if entry is None:
            return []
        account, chat = entry
        if "merge" in chat.wire:
            return []  # a merged chat holds no messages: its members do
        chat_id = str(chat.wire["id"])
        with self._lock:
            generated = self._generated.get(chat_id)
            if generated is None:
                generated = chat_messages(account, chat, self.chats.dataset.seed)
                self._generated[chat_id] = generated
            return generated + self._added.get(chat_id, [])

    def all_entries(self, account_ids: Iterable[str] = ()) -> list[_Entry]:
        """Every chat of ``account_ids`` (every account when empty)."""
        wanted = set(account_ids)
        return [
            e for e in self._chat_index().values() if not wanted or e.account.account_id in wanted
        ]

    # -- writing -------------------------------------------------------------

    def _add(self, account: DemoAccount, chat: DemoChat, message: JSONDict) -> None:
        chat_id = str(chat.wire["id"])
        with self._lock:
            self._added.setdefault(chat_id, []).append(message)
            changes: JSONDict = {"lastActivity": message["timestamp"]}
            if message["isSender"]:
                changes["unreadCount"] = 0
            else:
                unread = self.chats.wire(chat).get("unreadCount") or 0
                changes["unreadCount"] = int(unread) + 1
                reminder = self.chats.wire(chat).get("reminder")
                if isinstance(reminder, dict) and reminder.get("dismissOnIncomingMessage"):
                    changes["reminder"] = None
            self.chats.change(chat_id, changes)
        self.announce("message.upserted", chat_id, [str(message["id"])], [message])
        self.announce("chat.upserted", chat_id, [chat_id])

    def announce(
        self, kind: str, chat_id: str, ids: list[str], entries: list[JSONDict] | None = None
    ) -> None:
        event: JSONDict = {"type": kind, "chatID": chat_id, "ids": ids}
        if entries is not None:
            event["entries"] = entries
        for listener in list(self.listeners):
            listener(kind, event)

    def _next_serial(self) -> int:
        with self._lock:
            self._serial += 1
            return self._serial

    def _moment(self, chat_id: str) -> datetime:
        # Strictly after the chat's newest message, so sort keys stay in order.
        moment = self.now()
        existing = self.messages(chat_id)
        if existing:
            newest = datetime.fromisoformat(str(existing[-1]["timestamp"]).replace("Z", "+00:00"))
            moment = max(moment, newest + timedelta(milliseconds=1))
        return moment

    def send(self, chat_id: str, text: str, reply_to: str | None = None) -> JSONDict | None:
        """Add a message from the account owner; None for an unknown chat."""
        entry = self.entry(chat_id)
        if entry is None:
            return None
        account, chat = entry
        real_id = str(chat.wire["id"])
        serial = self._next_serial()
        message = message_wire(
            account,
            real_id,
            serial=serial,
            moment=self._moment(real_id),
            sender=account.owner,
            text=text,
            message_id=_message_id(real_id, serial, "sent"),
        )
        if reply_to:
            message["linkedMessageID"] = reply_to
        self._add(account, chat, message)
        return message

    def receive(self, chat_id: str, text: str, sender_id: str | None = None) -> JSONDict | None:
        """Add a message from someone in the chat (the first other member unless ``sender_id``)."""
        entry = self.entry(chat_id)
        if entry is None:
            return None
        account, chat = entry
        members = [account.contacts[p] for p in chat.members]
        others = [m for m in members if m.get("id") != account.owner["id"]]
        sender = next((m for m in others if m.get("id") == sender_id), None)
        if sender is None:
            if not others:
                return None
            sender = others[0]
        real_id = str(chat.wire["id"])
        serial = self._next_serial()
        message = message_wire(
            account,
            real_id,
            serial=serial,
            moment=self._moment(real_id),
            sender=sender,
            text=text,
            unread=True,
            message_id=_message_id(real_id, serial, "received"),
        )
        self._add(account, chat, message)
        return message

    def deliver_incoming(self) -> JSONDict | None:
        """The next message of the demo's deterministic activity: a contact writes in a chat.

        The chat is one of the most recent one-to-one chats of a connected
        account; the text comes from the chat's own language.
        """
        entries = [
            e for e in self.all_entries() if e.chat.wire.get("type") == "single" and e.chat.members
        ]
        if not entries:
            return None
        entries.sort(key=lambda e: e.chat.sort_key)
        with self._lock:
            entry = entries[self._activity.randrange(min(12, len(entries)))]
            language = self._activity.choice(list(_LANGUAGES))
            text = self._activity.choice(_LANGUAGES[language])
        return self.receive(str(entry.chat.wire["id"]), text)


# -- search ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MessageQuery:
    """Validated ``GET /v1/messages/search`` parameters."""

    words: tuple[str, ...]
    sender: str | None
    chat_ids: tuple[str, ...]
    account_ids: tuple[str, ...]
    chat_type: str | None
    media_types: tuple[str, ...]
    after: datetime | None
    before: datetime | None
    include_muted: bool
    exclude_low_priority: bool
    limit: int
    cursor: tuple[str, str] | None
    direction: str


def encode_cursor(message: JSONDict) -> str:
    raw = json.dumps({"v": 1, "k": "messages", "s": message["sortKey"], "i": message["id"]})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str] | None:
    if len(cursor) > 400:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("v") != 1 or data.get("k") != "messages":
        return None
    sort_key, message_id = data.get("s"), data.get("i")
    if not isinstance(sort_key, str) or not isinstance(message_id, str):
        return None
    return (sort_key, message_id)


def _order(message: JSONDict) -> tuple[str, str]:
    return (str(message["sortKey"]), str(message["id"]))


def _listed(request: Request, name: str) -> tuple[str, ...]:
    # The SDK repeats the key; other clients send ``name[]``.
    params = request.query_params
    return tuple(params.getlist(name) + params.getlist(f"{name}[]"))


def parse_message_query(request: Request) -> MessageQuery | Response:
    """The search parameters of ``request``, or a 400 with validation details."""
    params = request.query_params
    issues: list[JSONDict] = []
    chat_type = params.get("chatType")
    if chat_type is not None and chat_type not in ("single", "group"):
        issues.append(enum_issue("chatType", ("group", "single"), chat_type))
    direction = params.get("direction", "before")
    if direction not in ("before", "after"):
        issues.append(enum_issue("direction", ("after", "before"), direction))
    media_types = _listed(request, "mediaTypes")
    issues.extend(
        enum_issue("mediaTypes", _MEDIA_TYPES, kind)
        for kind in media_types
        if kind not in _MEDIA_TYPES
    )
    flags = {"includeMuted": True, "excludeLowPriority": True}
    for name in flags:
        raw = params.get(name)
        if raw is None:
            continue
        value = {"true": True, "false": False}.get(raw.strip().lower())
        if value is None:
            issues.append(issue("invalid_type", "Expected boolean, received string", name))
        else:
            flags[name] = value
    times: dict[str, datetime | None] = {}
    for name in ("dateAfter", "dateBefore"):
        raw = params.get(name)
        times[name] = None if raw is None else parse_time(raw)
        if raw is not None and times[name] is None:
            issues.append(issue("invalid_string", "Invalid datetime", name))
    limit = DEFAULT_SEARCH_LIMIT
    raw_limit = params.get("limit")
    if raw_limit is not None:
        text = raw_limit.strip()
        if not text.lstrip("+-").isdigit() or len(text) > 9:
            issues.append(issue("invalid_type", "Expected integer, received string", "limit"))
        elif (limit := int(text)) < 1:
            issues.append(issue("too_small", "Number must be greater than or equal to 1", "limit"))
        elif limit > MAX_SEARCH_LIMIT:
            issues.append(
                issue(
                    "too_big", f"Number must be less than or equal to {MAX_SEARCH_LIMIT}", "limit"
                )
            )
    query = params.get("query")
    if query is not None and not query.strip():
        issues.append(issue("too_small", "String must contain at least 1 character(s)", "query"))
    sender = params.get("sender")
    if sender is not None and not sender.strip():
        issues.append(issue("too_small", "String must contain at least 1 character(s)", "sender"))
    cursor: tuple[str, str] | None = None
    raw_cursor = params.get("cursor")
    if raw_cursor is not None:
        cursor = decode_cursor(raw_cursor)
        if cursor is None:
            issues.append(issue("custom", "Invalid cursor", "cursor"))
    if issues:
        return validation_error(issues)
    return MessageQuery(
        words=tuple(normalize(query or "").split()),
        sender=sender,
        chat_ids=_listed(request, "chatIDs"),
        account_ids=_listed(request, "accountIDs"),
        chat_type=chat_type,
        media_types=media_types,
        after=times["dateAfter"],
        before=times["dateBefore"],
        include_muted=flags["includeMuted"],
        exclude_low_priority=flags["excludeLowPriority"],
        limit=limit,
        cursor=cursor,
        direction=direction,
    )


def _chat_kept(chat: JSONDict, query: MessageQuery) -> bool:
    if query.chat_type is not None and chat.get("type") != query.chat_type:
        return False
    if not query.include_muted and chat.get("isMuted"):
        return False
    return not (query.exclude_low_priority and chat.get("isLowPriority"))


def _media_kinds(message: JSONDict) -> set[str]:
    kinds: set[str] = set()
    for attachment in message.get("attachments") or ():
        mime = str(attachment.get("mimeType") or "")
        if attachment.get("type") == "img" or mime.startswith("image/"):
            kinds.add("image")
        elif attachment.get("type") == "video":
            kinds.add("video")
        else:
            kinds.add("file")
    if "http://" in str(message.get("text") or "") or "https://" in str(message.get("text") or ""):
        kinds.add("link")
    return kinds


def _message_kept(message: JSONDict, owner_id: str, query: MessageQuery) -> bool:
    sender = query.sender
    if sender == "me" and message["senderID"] != owner_id:
        return False
    if sender == "others" and message["senderID"] == owner_id:
        return False
    if sender not in (None, "me", "others") and message["senderID"] != sender:
        return False
    if query.after is not None or query.before is not None:
        moment = parse_time(str(message["timestamp"]))
        assert moment is not None
        if query.after is not None and moment <= query.after:
            return False
        if query.before is not None and moment >= query.before:
            return False
    if query.media_types:
        kinds = _media_kinds(message)
        if "any" in query.media_types:
            if not kinds:
                return False
        elif not kinds & set(query.media_types):
            return False
    if query.words:
        haystack = normalize(str(message.get("text") or ""))
        return all(word in haystack for word in query.words)
    return True


def search_messages(book: MessageBook, query: MessageQuery) -> JSONDict:
    """One page of messages matching ``query``, newest first."""
    if query.chat_ids:
        entries = []
        for chat_id in dict.fromkeys(query.chat_ids):
            found = book.entry(chat_id)
            if found is not None:
                entries.append(_Entry(*found))
        if query.account_ids:
            entries = [e for e in entries if e.account.account_id in query.account_ids]
    else:
        entries = book.all_entries(query.account_ids)
    found_messages: list[JSONDict] = []
    for entry in entries:
        if not _chat_kept(book.chats.wire(entry.chat), query):
            continue
        owner_id = str(entry.account.owner["id"])
        found_messages.extend(
            m
            for m in book.messages(str(entry.chat.wire["id"]))
            if _message_kept(m, owner_id, query)
        )
    found_messages.sort(key=_order, reverse=True)
    return _page(found_messages, query.cursor, query.direction, query.limit)


def _page(
    newest_first: list[JSONDict], anchor: tuple[str, str] | None, direction: str, limit: int
) -> JSONDict:
    if anchor is not None and direction == "after":
        newer = [m for m in newest_first if _order(m) > anchor]
        page = newer[-limit:]
        has_more = len(newer) > limit
    else:
        older = newest_first if anchor is None else [m for m in newest_first if _order(m) < anchor]
        page = older[:limit]
        has_more = len(older) > limit
    return {
        "items": page,
        "hasMore": has_more,
        "oldestCursor": encode_cursor(page[-1]) if page else None,
        "newestCursor": encode_cursor(page[0]) if page else None,
    }


# -- endpoints ---------------------------------------------------------------


class MessageRoutes:
    """Messages search, a chat's message pages, sending, and a chat's reminder."""

    def __init__(self, book: MessageBook) -> None:
        self.book = book

    def routes(self) -> list[Route]:
        return [
            Route("/v1/messages/search", self.search, methods=["GET"]),
            Route("/v1/chats/{chat_id}/messages", self.list_chat, methods=["GET"]),
            Route("/v1/chats/{chat_id}/messages", self.send, methods=["POST"]),
            Route("/v1/chats/{chat_id}/reminders", self.set_reminder, methods=["POST"]),
            Route("/v1/chats/{chat_id}/reminders", self.clear_reminder, methods=["DELETE"]),
        ]

    def _chat_id(self, request: Request) -> str:
        return str(request.path_params["chat_id"]).replace("%2F", "/").replace("%25", "%")

    async def search(self, request: Request) -> Response:
        query = parse_message_query(request)
        if isinstance(query, Response):
            return query
        await self.book.prepare()
        return JSONResponse(search_messages(self.book, query))

    async def list_chat(self, request: Request) -> Response:
        params = request.query_params
        direction = params.get("direction", "before")
        if direction not in ("before", "after"):
            return validation_error([enum_issue("direction", ("after", "before"), direction)])
        anchor: tuple[str, str] | None = None
        raw_cursor = params.get("cursor")
        if raw_cursor is not None:
            anchor = decode_cursor(raw_cursor)
            if anchor is None:
                return validation_error([issue("custom", "Invalid cursor", "cursor")])
        await self.book.prepare()
        chat_id = self._chat_id(request)
        if self.book.entry(chat_id) is None:
            return error_response(404, "Chat not found")
        newest_first = sorted(self.book.messages(chat_id), key=_order, reverse=True)
        return JSONResponse(_page(newest_first, anchor, direction, CHAT_PAGE_SIZE))

    async def send(self, request: Request) -> Response:
        body = await json_body(request)
        if body is INVALID_JSON:
            return validation_error([issue("invalid_json", "Malformed JSON body")])
        if not isinstance(body, dict):
            return validation_error([issue("invalid_type", "Expected object", "body")])
        text = body.get("text")
        issues: list[JSONDict] = []
        if text is not None and not isinstance(text, str):
            issues.append(issue("invalid_type", "Expected string", "text"))
        reply_to = body.get("replyToMessageID")
        if reply_to is not None and not isinstance(reply_to, str):
            issues.append(issue("invalid_type", "Expected string", "replyToMessageID"))
        if "attachment" in body:
            issues.append(issue("custom", "The demo cannot send attachments", "attachment"))
        if not issues and not (isinstance(text, str) and text.strip()):
            issues.append(issue("custom", "Provide text or an attachment", "text"))
        if issues or not isinstance(text, str):
            return validation_error(issues)
        await self.book.prepare()
        message = self.book.send(
            self._chat_id(request), text, reply_to if isinstance(reply_to, str) else None
        )
        if message is None:
            return error_response(404, "Chat not found")
        return JSONResponse({"chatID": message["chatID"], "pendingMessageID": message["id"]})

    async def set_reminder(self, request: Request) -> Response:
        body = await json_body(request)
        if body is INVALID_JSON:
            return validation_error([issue("invalid_json", "Malformed JSON body")])
        reminder = body.get("reminder") if isinstance(body, dict) else None
        if not isinstance(reminder, dict):
            return validation_error([issue("invalid_type", "Required", "reminder")])
        remind_at = reminder.get("remindAt")
        issues: list[JSONDict] = []
        if not isinstance(remind_at, str) or parse_time(remind_at) is None:
            issues.append(issue("invalid_string", "Invalid datetime", "reminder", "remindAt"))
        dismiss = reminder.get("dismissOnIncomingMessage")
        if dismiss is not None and not isinstance(dismiss, bool):
            issues.append(
                issue("invalid_type", "Expected boolean", "reminder", "dismissOnIncomingMessage")
            )
        if issues:
            return validation_error(issues)
        return await self._change_reminder(
            request,
            {"remindAt": remind_at, "dismissOnIncomingMessage": bool(dismiss)},
        )

    async def clear_reminder(self, request: Request) -> Response:
        return await self._change_reminder(request, None)

    async def _change_reminder(self, request: Request, reminder: JSONDict | None) -> Response:
        await self.book.prepare()
        entry = self.book.entry(self._chat_id(request))
        if entry is None:
            return error_response(404, "Chat not found")
        chat_id = str(entry[1].wire["id"])
        self.book.chats.change(chat_id, {"reminder": reminder})
        self.book.announce("chat.upserted", chat_id, [chat_id])
        return JSONResponse({"success": True})
