"""Deterministic chats for the demo's contacts, and ``GET /v1/chats/search``.

Every account gets one-to-one chats with many of its contacts and a few group
chats among several of them (Slack also gets a workspace-wide channel). All of
it derives from the dataset seed: titles, members, unread counts, flags and
``lastActivity`` times, which count back from a fixed reference time rather
than from the wall clock, so two runs answer byte for byte the same. Chats a
client starts (``/v1/chats/start`` or ``POST /v1/chats``) join the same book.

Search follows the SDK's ``ChatSearchParams``: every word of ``query`` must
match (case- and accent-folded); ``scope=titles`` looks at title and network,
``scope=participants`` at one participant's name, handle, email or phone
(the account owner excluded); no scope means either. Results are newest first;
cursors name a chat's place in that order, so they stay valid whatever the
filters.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
import threading
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from random import Random
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from beeper_tui.demo.dataset import Dataset, DemoAccount, JSONDict
from beeper_tui.demo.people_cases import DESKTOP_MERGED, chat_partners
from beeper_tui.demo.responses import (
    MAX_PAGE_SIZE,
    enum_issue,
    error_response,
    issue,
    json_body,
    parse_time,
    validation_error,
)
from beeper_tui.demo.search import normalize

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from beeper_tui.demo.generations import Generation

REFERENCE_TIME = datetime(2026, 5, 20, 9, 30, tzinfo=UTC)
"""The demo world's "now": every ``lastActivity`` is at or before it."""

DEFAULT_LIMIT = 50
PARTICIPANT_ITEMS = 20
"""How many participants a chat lists before ``hasMore``."""

_MAX_SINGLES = 240
_SINGLE_RATE = 0.45
_GROUP_TITLES = (
    "Family 🏡", "Weekend climbing", "Book club 📚", "Flat 3B", "Project Falcon",
    "Board games night 🎲", "Running crew", "Wedding planning 💍", "Neighbours",
    "Dinner on Friday", "Football ⚽", "Study group", "Road trip 2026", "Choir altos",
)  # fmt: skip
_COLLEAGUES = frozenset({"Ines Becker"})
"""Slack people who also get a direct chat, whoever the random draw picked."""
_CHANNELS = ("#random", "#design", "#eng-backend", "#offsite-planning", "#coffee")
_INBOXES = ("primary", "low-priority", "archive")
_TYPES = ("single", "group", "any")


@dataclass(frozen=True, slots=True)
class DemoChat:
    """One chat: its wire JSON (participants already truncated) and all members."""

    wire: JSONDict
    members: tuple[int, ...]
    """Positions in the account's contact list of everyone in the chat."""
    sort_key: tuple[float, str]

    @property
    def account_id(self) -> str:
        return str(self.wire["accountID"])


def single_chat_id(account: DemoAccount, user_id: str) -> str:
    """The ID of the one-to-one chat with ``user_id`` on ``account``."""
    digest = hashlib.sha256(f"{account.account_id}|{user_id}".encode()).hexdigest()[:18]
    return f"!{digest}:{account.spec.server}"


def _iso(moment: datetime) -> str:
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def _label(user: JSONDict) -> str:
    for key in ("fullName", "username", "phoneNumber", "email"):
        value = user.get(key)
        if isinstance(value, str) and value:
            return value
    return str(user["id"])


IMESSAGE_PARTICIPANT_PREFIX = "imsg##participant:"
"""How real installs name an iMessage participant known only by a phone number."""


def participant_wire(account: DemoAccount, contact: JSONDict) -> JSONDict:
    """A chat participant as Desktop sends it.

    iMessage (``platform-sdk``) participants known only by a phone number come
    back as real installs send them: ``imsg##participant:<hash>``, the E.164
    number as their only name, no ``phoneNumber``.
    """
    phone = contact.get("phoneNumber")
    if account.spec.provider != "platform-sdk" or contact.get("fullName") or not phone:
        return dict(contact)
    digest = hashlib.sha256(str(contact["id"]).encode()).hexdigest()[:32]
    return {"id": f"{IMESSAGE_PARTICIPANT_PREFIX}{digest}", "fullName": phone}


def _participants(account: DemoAccount, members: Sequence[int]) -> JSONDict:
    contacts = account.contacts
    owner = account.owner
    items: list[JSONDict] = [dict(owner)]
    for position in members:
        if len(items) >= PARTICIPANT_ITEMS:
            break
        contact = contacts[position]
        if contact.get("id") != owner["id"]:
            items.append(participant_wire(account, contact))
    total = 1 + sum(1 for p in members if contacts[p].get("id") != owner["id"])
    return {"items": items, "hasMore": total > len(items), "total": total}


def _sort_key(moment: datetime, chat_id: str) -> tuple[float, str]:
    # Newest first; the ID breaks ties so the order is total.
    return (-moment.timestamp(), chat_id)


def chat_wire(
    account: DemoAccount,
    *,
    chat_id: str,
    title: str,
    kind: str,
    members: Sequence[int],
    last_activity: datetime,
    unread: int = 0,
    archived: bool = False,
    muted: bool = False,
    pinned: bool = False,
    low_priority: bool = False,
) -> JSONDict:
    """A Chat object as ``types/chat.py`` of the SDK describes it."""
    return {
        "id": chat_id,
        "localChatID": str(int(hashlib.sha256(chat_id.encode()).hexdigest()[:8], 16)),
        "accountID": account.account_id,
        "network": account.spec.display_network,
        "title": title,
        "type": kind,
        "participants": _participants(account, members),
        "lastActivity": _iso(last_activity),
        "unreadCount": unread,
        "unreadMentionsCount": 0 if kind == "single" or not unread else unread // 4,
        "isArchived": archived,
        "isMuted": muted,
        "isPinned": pinned,
        "isLowPriority": low_priority,
        "isReadOnly": False,
        "isMarkedUnread": False,
    }


class _Generator:
    """Builds one account's chats; used once per account."""

    def __init__(self, account: DemoAccount, seed: int) -> None:
        self.account = account
        self.rng = Random(f"{seed}:{account.spec.key}:chats")

    def _moment(self) -> datetime:
        # Mostly recent, with a long tail: the mean age is three days.
        seconds = int(self.rng.expovariate(1 / (3 * 86_400)))
        return REFERENCE_TIME - timedelta(seconds=min(seconds, 400 * 86_400))

    def _flags(self) -> JSONDict:
        rng = self.rng
        unread = rng.randint(1, 12) if rng.random() < 0.22 else 0
        archived = rng.random() < 0.08
        return {
            "unread": unread,
            "archived": archived,
            "muted": rng.random() < 0.1,
            "pinned": not archived and rng.random() < 0.03,
            "low_priority": not archived and rng.random() < 0.05,
        }

    def build(self) -> list[DemoChat]:
        account, rng = self.account, self.rng
        owner_id = account.owner["id"]
        others = [i for i, c in enumerate(account.contacts) if c.get("id") != owner_id]
        chats: list[DemoChat] = []
        singles = min(_MAX_SINGLES, round(len(others) * _SINGLE_RATE))
        for position in sorted(rng.sample(others, singles)):
            user = account.contacts[position]
            chat_id = single_chat_id(account, str(user["id"]))
            chats.append(self._chat(chat_id, _label(user), "single", (position,)))
        titles = list(_CHANNELS if account.spec.key == "slackgo" else _GROUP_TITLES)
        groups = min(len(titles), max(2, len(others) // 60))
        for title in rng.sample(titles, groups):
            size = min(len(others), rng.randint(3, 9))
            members = tuple(sorted(rng.sample(others, size)))
            chat_id = self._group_id(title)
            chats.append(self._chat(chat_id, title, "group", members))
        if account.spec.key == "slackgo":
            chats.append(self._chat(self._group_id("#general"), "#general", "group", others))
            chats += self._colleague_chats(others, {c.members[0] for c in chats[:singles]})
        chats += self._case_chats({c.members[0] for c in chats[:singles]})
        return chats

    def _case_chats(self, have_single: set[int]) -> list[DemoChat]:
        """Direct chats with the "who is who" cases (see ``people_cases``), always there."""
        chats: list[DemoChat] = []
        for user_id in chat_partners(self.account.spec.key):
            position = self.account.positions_by_id.get(user_id)
            if position is not None and position not in have_single:
                user = self.account.contacts[position]
                chat_id = single_chat_id(self.account, user_id)
                chats.append(self._chat(chat_id, _label(user), "single", (position,)))
        return chats

    def _colleague_chats(self, others: Sequence[int], have_single: set[int]) -> list[DemoChat]:
        """Direct messages with the colleagues people try the demo with (``messages ines``)."""
        chats: list[DemoChat] = []
        for position in others:
            user = self.account.contacts[position]
            if user.get("fullName") in _COLLEAGUES and position not in have_single:
                chat_id = single_chat_id(self.account, str(user["id"]))
                chats.append(self._chat(chat_id, _label(user), "single", (position,)))
        return chats

    def _group_id(self, title: str) -> str:
        account = self.account
        digest = hashlib.sha256(f"{account.account_id}|group|{title}".encode()).hexdigest()[:18]
        return f"!{digest}:{account.spec.server}"

    def _chat(self, chat_id: str, title: str, kind: str, members: Sequence[int]) -> DemoChat:
        moment = self._moment()
        wire = chat_wire(
            self.account,
            chat_id=chat_id,
            title=title,
            kind=kind,
            members=members,
            last_activity=moment,
            **self._flags(),
        )
        return DemoChat(wire, tuple(members), _sort_key(moment, chat_id))


_CACHE: weakref.WeakKeyDictionary[DemoAccount, list[DemoChat]] = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


def account_chats(account: DemoAccount, seed: int) -> list[DemoChat]:
    """The deterministic chats of ``account``, built once per account object."""
    with _CACHE_LOCK:
        cached = _CACHE.get(account)
    if cached is not None:
        return cached
    built = _Generator(account, seed).build()
    with _CACHE_LOCK:
        return _CACHE.setdefault(account, built)


class ChatBook:
    """All chats of one demo app: the dataset's, plus those a client started."""

    def __init__(self, dataset: Dataset, *, merges: bool = True) -> None:
        self.dataset = dataset
        self.merges = merges
        """Whether chats carry ``merge``/``mergedIntoChatID`` (the build has merged chats)."""
        self._merged_cache: tuple[dict[str, list[DemoChat]], dict[str, str]] | None = None
        self.started: dict[str, DemoChat] = {}
        self.changes: dict[str, JSONDict] = {}
        """What messages and reminders changed on a chat (``lastActivity``, ``reminder``…)."""
        self._lock = asyncio.Lock()
        self._changes_lock = threading.Lock()

    def wire(self, chat: DemoChat) -> JSONDict:
        """The chat's JSON as it stands now: the generated one with its changes applied."""
        with self._changes_lock:
            changes = self.changes.get(str(chat.wire["id"]))
            wire = {**chat.wire, **changes} if changes else dict(chat.wire)
        merged_into = self._merged()[1].get(str(wire["id"])) if self.merges else None
        if merged_into is not None:
            wire["mergedIntoChatID"] = merged_into
        return wire

    def _merged(self) -> tuple[dict[str, list[DemoChat]], dict[str, str]]:
        """The chats the user merged in Beeper: account ID → merged chats, member → merged ID.

        A merged chat is listed on its default member's account, shaped like
        that member (title, participants) plus ``merge``; it holds no messages.
        """
        if self._merged_cache is not None:
            return self._merged_cache
        by_account: dict[str, list[DemoChat]] = {}
        members: dict[str, str] = {}
        accounts = {a.spec.key: a for a in self.dataset.accounts}
        for group in DESKTOP_MERGED:
            found: list[DemoChat] = []
            for key, user_id in group:
                account = accounts.get(key)
                if account is None:
                    continue
                chat_id = single_chat_id(account, user_id)
                found.extend(c for c in self._built(account) if c.wire["id"] == chat_id)
            if len(found) < 2:
                continue
            default = found[0]
            ids = [str(c.wire["id"]) for c in found]
            digest = hashlib.sha256("|".join(ids).encode()).hexdigest()[:18]
            merged_id = f"!{digest}:beeper.com"
            newest = min(c.sort_key for c in found)
            wire = {
                **default.wire,
                "id": merged_id,
                "localChatID": str(int(digest[:8], 16)),
                "unreadCount": sum(int(c.wire["unreadCount"]) for c in found),
                "merge": {"chatIDs": ids, "defaultChatID": ids[0]},
            }
            merged = DemoChat(wire, default.members, (newest[0], merged_id))
            by_account.setdefault(default.account_id, []).append(merged)
            members.update(dict.fromkeys(ids, merged_id))
        self._merged_cache = (by_account, members)
        return self._merged_cache

    def change(self, chat_id: str, values: JSONDict) -> None:
        """Record new values for a chat's keys (the generated chat is shared: never edited)."""
        with self._changes_lock:
            self.changes[chat_id] = {**self.changes.get(chat_id, {}), **values}

    def _built(self, account: DemoAccount) -> list[DemoChat]:
        return account_chats(account, self.dataset.seed)

    async def prepare(self, accounts: Iterable[DemoAccount], *, indexed: bool = True) -> None:
        """Build the accounts' chats (and search index) off the event loop."""
        missing = [a for a in accounts if a not in _CACHE or (indexed and "index" not in vars(a))]
        if not missing:
            return
        async with self._lock:

            def build() -> None:
                for account in missing:
                    if indexed:
                        _ = account.index
                    self._built(account)

            await asyncio.to_thread(build)

    def chats(self, account: DemoAccount) -> list[DemoChat]:
        started = [c for c in self.started.values() if c.account_id == account.account_id]
        merged = self._merged()[0].get(account.account_id, []) if self.merges else []
        return started + merged + self._built(account)

    def single_chat(self, account: DemoAccount, user: JSONDict) -> tuple[JSONDict, str]:
        """The one-to-one chat with ``user`` and ``existing`` or ``created``."""
        chat_id = single_chat_id(account, str(user["id"]))
        for chat in self.chats(account):
            if chat.wire["id"] == chat_id:
                return self.wire(chat), "existing"
        position = account.positions_by_id.get(str(user["id"]))
        members: tuple[int, ...] = () if position is None else (position,)
        wire = chat_wire(
            account,
            chat_id=chat_id,
            title=_label(user),
            kind="single",
            members=members,
            last_activity=REFERENCE_TIME,
        )
        if position is None:
            # Found on the network by identifier, not yet a contact.
            wire["participants"] = {
                "items": [dict(account.owner), dict(user)],
                "hasMore": False,
                "total": 2,
            }
        self.started[chat_id] = DemoChat(wire, members, _sort_key(REFERENCE_TIME, chat_id))
        return dict(wire), "created"

    def group_chat(self, account: DemoAccount, members: Sequence[int], title: str) -> JSONDict:
        """A new group chat (``POST /v1/chats`` with ``type: group``)."""
        basis = "|".join(str(account.contacts[p]["id"]) for p in members)
        digest = hashlib.sha256(f"{account.account_id}|new-group|{title}|{basis}".encode())
        chat_id = f"!{digest.hexdigest()[:18]}:{account.spec.server}"
        if chat_id not in self.started:
            wire = chat_wire(
                account,
                chat_id=chat_id,
                title=title or ", ".join(_label(account.contacts[p]) for p in members),
                kind="group",
                members=members,
                last_activity=REFERENCE_TIME,
            )
            sort_key = _sort_key(REFERENCE_TIME, chat_id)
            self.started[chat_id] = DemoChat(wire, tuple(members), sort_key)
        return dict(self.started[chat_id].wire)


# -- search ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChatQuery:
    """Validated search parameters."""

    words: tuple[str, ...]
    scope: str | None
    kind: str
    account_ids: tuple[str, ...]
    inbox: str | None
    unread_only: bool
    include_muted: bool
    after: datetime | None
    before: datetime | None
    limit: int
    cursor: tuple[float, str] | None
    direction: str


def encode_cursor(sort_key: tuple[float, str]) -> str:
    raw = json.dumps({"v": 1, "k": "chats", "t": sort_key[0], "c": sort_key[1]})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[float, str] | None:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error):
        return None
    if not isinstance(data, dict) or data.get("v") != 1 or data.get("k") != "chats":
        return None
    moment, chat_id = data.get("t"), data.get("c")
    if isinstance(moment, bool) or not isinstance(moment, int | float):
        return None
    if not isinstance(chat_id, str):
        return None
    return (float(moment), chat_id)


def _parse_bool(raw: str) -> bool | None:
    return {"true": True, "false": False}.get(raw.strip().lower())


def parse_limit(raw: str | None, issues: list[JSONDict], default: int = DEFAULT_LIMIT) -> int:
    """A ``limit`` of 1 to 200, or an issue appended: the real schema rejects more."""
    if raw is None:
        return default
    text = raw.strip()
    if not text.lstrip("+-").isdigit():
        issues.append(issue("invalid_type", "Expected integer, received string", "limit"))
        return default
    limit = int(text)
    if limit < 1:
        issues.append(issue("too_small", "Number must be greater than or equal to 1", "limit"))
    elif limit > MAX_PAGE_SIZE:
        issues.append(
            issue("too_big", f"Number must be less than or equal to {MAX_PAGE_SIZE}", "limit")
        )
    return limit


def parse_query(request: Request) -> ChatQuery | Response:
    """The search parameters of ``request``, or a 400 with validation details."""
    params = request.query_params
    issues: list[JSONDict] = []
    scope = params.get("scope")
    if scope is not None and scope not in ("titles", "participants"):
        issues.append(enum_issue("scope", ("titles", "participants"), scope))
    kind = params.get("type", "any")
    if kind not in _TYPES:
        issues.append(enum_issue("type", _TYPES, kind))
    inbox = params.get("inbox")
    if inbox is not None and inbox not in _INBOXES:
        issues.append(enum_issue("inbox", _INBOXES, inbox))
    direction = params.get("direction", "before")
    if direction not in ("before", "after"):
        issues.append(enum_issue("direction", ("after", "before"), direction))
    flags: dict[str, bool] = {"unreadOnly": False, "includeMuted": True}
    for name in flags:
        raw = params.get(name)
        if raw is None:
            continue
        value = _parse_bool(raw)
        if value is None:
            issues.append(issue("invalid_type", "Expected boolean, received string", name))
        else:
            flags[name] = value
    times: dict[str, datetime | None] = {}
    for name in ("lastActivityAfter", "lastActivityBefore"):
        raw = params.get(name)
        times[name] = None if raw is None else parse_time(raw)
        if raw is not None and times[name] is None:
            issues.append(issue("invalid_string", "Invalid datetime", name))
    limit = parse_limit(params.get("limit"), issues)
    query = params.get("query")
    if query is not None and not query.strip():
        issues.append(issue("too_small", "String must contain at least 1 character(s)", "query"))
    cursor: tuple[float, str] | None = None
    raw_cursor = params.get("cursor")
    if raw_cursor is not None:
        cursor = decode_cursor(raw_cursor)
        if cursor is None:
            issues.append(issue("custom", "Invalid cursor", "cursor"))
    if issues:
        return validation_error(issues)
    account_ids = tuple(params.getlist("accountIDs") + params.getlist("accountIDs[]"))
    return ChatQuery(
        words=tuple(normalize(query or "").split()),
        scope=scope,
        kind=kind,
        account_ids=account_ids,
        inbox=inbox,
        unread_only=flags["unreadOnly"],
        include_muted=flags["includeMuted"],
        after=times["lastActivityAfter"],
        before=times["lastActivityBefore"],
        limit=limit,
        cursor=cursor,
        direction=direction,
    )


def _participant_hits(account: DemoAccount, words: Sequence[str]) -> set[int]:
    """Contacts of ``account`` (not its owner) whose own fields hold every word."""
    hits: set[int] | None = None
    for word in words:
        found = set(account.index.match(word))
        hits = found if hits is None else hits & found
        if not hits:
            return set()
    owner = account.positions_by_id.get(str(account.owner["id"]))
    return (hits or set()) - {owner}


def _keeps(chat: DemoChat, query: ChatQuery) -> bool:
    wire = chat.wire
    if query.kind != "any" and wire["type"] != query.kind:
        return False
    if query.unread_only and not wire["unreadCount"]:
        return False
    if not query.include_muted and wire.get("isMuted"):
        return False
    archived, low = bool(wire.get("isArchived")), bool(wire.get("isLowPriority"))
    if query.inbox == "primary" and (archived or low):
        return False
    if query.inbox == "low-priority" and (archived or not low):
        return False
    if query.inbox == "archive" and not archived:
        return False
    moment = -chat.sort_key[0]
    if query.after is not None and moment <= query.after.timestamp():
        return False
    return not (query.before is not None and moment >= query.before.timestamp())


def _title_matches(chat: DemoChat, words: Sequence[str]) -> bool:
    haystack = normalize(f"{chat.wire['title']} {chat.wire['network']}")
    return all(word in haystack for word in words)


def search(book: ChatBook, query: ChatQuery) -> JSONDict:
    """One page of chats matching ``query``, newest first."""
    wanted = set(query.account_ids)
    accounts = [a for a in book.dataset.accounts if not wanted or a.account_id in wanted]
    found: list[DemoChat] = []
    for account in accounts:
        hits = (
            _participant_hits(account, query.words)
            if query.words and query.scope != "titles"
            else set()
        )
        for chat in book.chats(account):
            if not _keeps(chat, query):
                continue
            if query.words:
                by_title = query.scope != "participants" and _title_matches(chat, query.words)
                by_member = query.scope != "titles" and not hits.isdisjoint(chat.members)
                if not (by_title or by_member):
                    continue
            found.append(chat)
    found.sort(key=lambda c: c.sort_key)
    limit = query.limit
    anchor = query.cursor
    if anchor is not None and query.direction == "after":
        newer = [c for c in found if c.sort_key < anchor]
        page = newer[-limit:]
        has_more = len(newer) > limit
    else:
        older = found if anchor is None else [c for c in found if c.sort_key > anchor]
        page = older[:limit]
        has_more = len(older) > limit
    return {
        "items": [book.wire(c) for c in page],
        "hasMore": has_more,
        "oldestCursor": encode_cursor(page[-1].sort_key) if page else None,
        "newestCursor": encode_cursor(page[0].sort_key) if page else None,
    }


# -- endpoints ---------------------------------------------------------------


class ChatRoutes:
    """``GET /v1/chats/search`` and ``POST /v1/chats`` over one chat book.

    ``generation`` decides whether ``POST /v1/chats`` may start a chat
    (``mode: "start"``); ``start`` is the ``/v1/chats/start`` handler that
    such a request is answered by.
    """

    def __init__(
        self,
        book: ChatBook,
        generation: Generation,
        start: Callable[[Request], Awaitable[Response]],
    ) -> None:
        self.book = book
        self.generation = generation
        self._start = start

    def routes(self) -> list[Route]:
        return [
            Route("/v1/chats/search", self.search, methods=["GET"]),
            Route("/v1/chats", self.create, methods=["POST"]),
        ]

    async def search(self, request: Request) -> Response:
        query = parse_query(request)
        if isinstance(query, Response):
            return query
        book = self.book
        wanted = set(query.account_ids)
        await book.prepare(
            (a for a in book.dataset.accounts if not wanted or a.account_id in wanted),
            indexed=bool(query.words),
        )
        return JSONResponse(search(book, query))

    async def create(self, request: Request) -> Response:
        body = await json_body(request)
        if not isinstance(body, dict):
            return validation_error([issue("invalid_type", "Expected object", "body")])
        mode = body.get("mode")
        if mode == "start":
            if self.generation.start_via != "chats":
                return validation_error(
                    [enum_issue("mode", ("create",), "start")]
                    if self.generation.start_via is None
                    else [
                        issue(
                            "unrecognized_keys",
                            "Unrecognized key(s) in object: 'mode', 'user'; "
                            "start chats with POST /v1/chats/start",
                            "mode",
                        )
                    ]
                )
            return await self._legacy_start(request)
        if mode is not None and mode != "create":
            return validation_error([enum_issue("mode", ("create", "start"), str(mode))])
        return await self._create(body)

    async def _legacy_start(self, request: Request) -> Response:
        # Same body and checks as /v1/chats/start; this build answers only
        # the chat's ID and whether it already existed.
        response = await self._start(request)
        if response.status_code != 200:
            return response
        chat = json.loads(bytes(response.body))
        return JSONResponse({"chatID": chat["id"], "status": chat["status"]})

    async def _create(self, body: JSONDict) -> Response:
        issues: list[JSONDict] = []
        account_id = body.get("accountID")
        if not isinstance(account_id, str) or not account_id:
            issues.append(issue("invalid_type", "Required", "accountID"))
        ids = body.get("participantIDs")
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            issues.append(issue("invalid_type", "Expected array of strings", "participantIDs"))
            ids = []
        kind = body.get("type")
        if kind not in ("single", "group"):
            issues.append(enum_issue("type", ("single", "group"), str(kind)))
        elif kind == "single" and len(ids) != 1:
            issues.append(
                issue("custom", "'single' requires exactly one participantID", "participantIDs")
            )
        elif kind == "group" and not ids:
            issues.append(issue("too_small", "Array must contain at least 1 element(s)", "ids"))
        title = body.get("title", "")
        if not isinstance(title, str):
            issues.append(issue("invalid_type", "Expected string", "title"))
        if issues or not isinstance(account_id, str) or not isinstance(title, str):
            return validation_error(issues)
        account = self.book.dataset.account(account_id)
        if account is None:
            return error_response(404, "Account not found")
        await self.book.prepare([account])
        positions = [account.positions_by_id.get(i) for i in ids]
        if any(p is None for p in positions):
            return error_response(404, f"User not found on {account.spec.display_network}")
        members = tuple(sorted({p for p in positions if p is not None}))
        if kind == "single":
            chat, status = self.book.single_chat(account, account.contacts[members[0]])
            return JSONResponse({**chat, "chatID": chat["id"], "status": status})
        chat = self.book.group_chat(account, members, title)
        return JSONResponse({**chat, "chatID": chat["id"]})
