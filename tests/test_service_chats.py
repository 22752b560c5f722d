"""Chats with a person (search per identity, filter, dedupe, order) and choosing an identity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from beeper_tui.api.client import BeeperClient
from beeper_tui.api.models import Account, AccountStatus, User
from beeper_tui.service.chats import PersonChat, chats_with, parse_time, relative_time
from beeper_tui.service.identity_choice import rank_identities
from beeper_tui.service.person import Contact

TOKEN = "tok"
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def iso(delta: timedelta) -> str:
    return (NOW - delta).isoformat().replace("+00:00", "Z")


def participant(user_id: str, name: str = "") -> dict[str, Any]:
    return {"id": user_id, "fullName": name or user_id}


def chat(
    chat_id: str, account: str, people: list[str], ago: timedelta | None, kind: str = "single"
) -> dict[str, Any]:
    return {
        "id": chat_id,
        "accountID": account,
        "network": {"wa": "WhatsApp", "tg": "Telegram"}.get(account, "Signal"),
        "title": f"title of {chat_id}",
        "type": kind,
        "participants": {
            "items": [participant("@me"), *(participant(p) for p in people)],
            "hasMore": False,
            "total": len(people) + 1,
        },
        "unreadCount": 1,
        "lastActivity": iso(ago) if ago is not None else None,
    }


class FakeDesktop:
    """``/v1/chats/search`` over fixed chats per account, two per page."""

    def __init__(self, chats: dict[str, list[dict[str, Any]]], failing: set[str] = set()) -> None:  # noqa: B006
        self.chats = chats
        self.failing = failing
        self.requests: list[httpx.QueryParams] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v1/chats/search"
        params = request.url.params
        self.requests.append(params)
        (account,) = params.get_list("accountIDs")
        if account in self.failing:
            return httpx.Response(500, json={"code": "INTERNAL", "message": "bridge down"})
        items = self.chats.get(account, [])
        start = int(params.get("cursor") or 0)
        page = items[start : start + 2]
        more = start + 2 < len(items)
        return httpx.Response(
            200,
            json={
                "items": page,
                "hasMore": more,
                "oldestCursor": str(start + 2) if more else None,
                "newestCursor": str(start),
            },
        )

    def client(self) -> BeeperClient:
        transport = httpx.MockTransport(self.handler)
        return BeeperClient("http://127.0.0.1:23373", TOKEN, transport=transport, max_retries=0)


def noor() -> Contact:
    wa = Contact(User(id="@noor-wa", fullName="Noor Haddad", phoneNumber="+14155552671"), "wa")
    tg = Contact(User(id="@noor-tg", fullName="Noor H", username="noorh"), "tg")
    return wa.merged_with(tg)


def account(account_id: str, network: str, owner: str, status: str = "connected") -> Account:
    return Account.model_validate(
        {
            "accountID": account_id,
            "network": network,
            "status": status,
            "user": {"id": "@me", "fullName": owner},
        }
    )


async def test_chats_with_keeps_the_persons_chats_newest_first() -> None:
    desktop = FakeDesktop(
        {
            "wa": [
                chat("dm-wa", "wa", ["@noor-wa"], timedelta(hours=3)),
                chat("other-noor", "wa", ["@someone-else"], timedelta(minutes=1)),
                chat("family", "wa", ["@noor-wa", "@sam"], timedelta(days=5), "group"),
                chat("quiet", "wa", ["@noor-wa", "@sam"], None, "group"),
            ],
            "tg": [
                chat("dm-tg", "tg", ["@noor-tg"], timedelta(minutes=10)),
                # The same chat again on a later page must not be listed twice.
                chat("dm-tg", "tg", ["@noor-tg"], timedelta(minutes=10)),
            ],
        }
    )
    async with desktop.client() as client:
        found = await chats_with(client, noor())
    assert [c.id for c in found.chats] == ["dm-tg", "dm-wa", "family", "quiet"]
    assert found.failed == []
    assert found.most_recent is not None
    assert found.most_recent.network == "Telegram"
    assert found.chats[0].identity.key == ("tg", "@noor-tg")
    assert found.chats[2].is_group
    first = desktop.requests[0]
    assert first["query"] == "Noor Haddad"
    assert first["scope"] == "participants"
    assert first["type"] == "any"
    assert first.get_list("accountIDs") == ["wa"]
    assert [r.get_list("accountIDs")[0] for r in desktop.requests] == ["wa", "wa", "tg"]
    assert desktop.requests[1]["cursor"] == "2"
    assert desktop.requests[2]["query"] == "Noor H"


async def test_chats_with_reads_a_bounded_number_of_pages() -> None:
    many = [chat(f"g{i}", "wa", ["@noor-wa"], timedelta(hours=i), "group") for i in range(20)]
    desktop = FakeDesktop({"wa": many})
    solo = Contact(User(id="@noor-wa", fullName="Noor Haddad"), "wa")
    async with desktop.client() as client:
        found = await chats_with(client, solo, max_pages=3)
    assert len(desktop.requests) == 3
    assert [c.id for c in found.chats] == [f"g{i}" for i in range(6)]


async def test_one_failing_account_does_not_hide_the_others() -> None:
    desktop = FakeDesktop(
        {"tg": [chat("dm-tg", "tg", ["@noor-tg"], timedelta(hours=1))]}, failing={"wa"}
    )
    async with desktop.client() as client:
        found = await chats_with(client, noor())
    assert [c.id for c in found.chats] == ["dm-tg"]
    assert [(identity.account_id, "bridge down" in str(err)) for identity, err in found.failed] == [
        ("wa", True)
    ]


async def test_network_falls_back_to_the_account() -> None:
    raw = chat("dm", "sg", ["@x"], timedelta(hours=1))
    raw["network"] = None
    desktop = FakeDesktop({"sg": [raw]})
    person = Contact(User(id="@x", fullName="X"), "sg")
    accounts = {"sg": account("sg", "Signal", "Me")}
    async with desktop.client() as client:
        found = await chats_with(client, person, accounts.get)
        unnamed = await chats_with(client, person)
    assert found.chats[0].network == "Signal"
    assert unnamed.chats[0].network == "sg"


@pytest.mark.parametrize(
    ("ago", "expected"),
    [
        (timedelta(seconds=-30), "just now"),
        (timedelta(seconds=20), "just now"),
        (timedelta(minutes=12), "12 min ago"),
        (timedelta(hours=3, minutes=40), "3 h ago"),
        (timedelta(hours=30), "yesterday"),
        (timedelta(days=5), "5 d ago"),
        (timedelta(days=40), "29 Jan"),
        (timedelta(days=400), "3 Feb 2025"),
    ],
)
def test_relative_time(ago: timedelta, expected: str) -> None:
    assert relative_time(iso(ago), NOW) == expected


def test_relative_time_of_nothing_or_nonsense() -> None:
    assert relative_time(None, NOW) == ""
    assert relative_time("last tuesday", NOW) == ""
    assert parse_time("2026-03-10T11:00:00") == datetime(2026, 3, 10, 11, 0, tzinfo=UTC)
    assert parse_time("2026-03-10T11:00:00.123+02:00") is not None


# -- choosing an identity ----------------------------------------------------


def person_chat(identity: Contact, ago: timedelta) -> PersonChat:
    from beeper_tui.api.models import Chat

    raw = chat("c-" + identity.account_id, identity.account_id, [identity.id], ago)
    return PersonChat(Chat.model_validate(raw), identity, "net", NOW - ago)


def test_rank_prefers_connected_then_recent() -> None:
    person = noor()
    _, tg = person.identities
    accounts = {
        "wa": account("wa", "WhatsApp", "Noor's phone"),
        "tg": account("tg", "Telegram", "Me"),
    }
    ranked = rank_identities(person, accounts, [person_chat(tg, timedelta(hours=1))])
    assert [o.identity.account_id for o in ranked] == ["tg", "wa"]
    assert ranked[1].label == "WhatsApp · Noor's phone"
    assert ranked[0].last_activity == NOW - timedelta(hours=1)
    # No chats at all: the person's own order.
    assert [o.identity.account_id for o in rank_identities(person, accounts)] == ["wa", "tg"]


def test_rank_puts_a_disconnected_account_after_a_connected_one_and_warns() -> None:
    person = noor()
    wa, _ = person.identities
    accounts = {
        "wa": account("wa", "WhatsApp", "Me", status="disconnected"),
        "tg": account("tg", "Telegram", "Me"),
    }
    ranked = rank_identities(person, accounts, [person_chat(wa, timedelta(minutes=1))])
    assert [o.identity.account_id for o in ranked] == ["tg", "wa"]
    assert ranked[1].warning == "the account is disconnected"
    assert ranked[1].usable
    assert ranked[1].badge.label == "disconnected"


def test_rank_says_why_an_identity_cannot_be_messaged() -> None:
    wa = Contact(User(id="@n", fullName="N", cannotMessage=True), "wa")
    person = wa.merged_with(Contact(User(id="@n2", fullName="N"), "gone"))
    accounts = {"wa": account("wa", "WhatsApp", "Me")}
    ranked = rank_identities(person, accounts)
    assert [(o.identity.account_id, o.problem) for o in ranked] == [
        ("wa", "can't be messaged on this network"),
        ("gone", "this account is no longer in Beeper"),
    ]
    assert not any(o.usable for o in ranked)
    copy = rank_identities(person, accounts, purpose="copy")
    assert all(o.usable for o in copy)
    assert copy[0].messageable is False


def test_unknown_status_of_older_builds_is_not_a_warning() -> None:
    person = Contact(User(id="@n", fullName="N"), "wa")
    old = Account.model_validate({"accountID": "wa", "user": {"id": "@me"}})
    (option,) = rank_identities(person, {"wa": old})
    assert old.status is AccountStatus.UNKNOWN
    assert option.warning is None
    assert option.usable
