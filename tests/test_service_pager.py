"""ContactPager and AccountDirectory against a scripted in-memory client."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from typing import Any

import pytest

from beeper_tui.api.errors import (
    BadRequestError,
    BeeperError,
    CannotConnectError,
    NotFoundError,
    ServerError,
)
from beeper_tui.api.models import Account, AccountStatus, Bridge, ContactPage, ErrorBody, User
from beeper_tui.service.accounts import AccountDirectory, display_order
from beeper_tui.service.contacts import ContactPager

ACCOUNT = "slackgo.T1-U2"

Outcome = ContactPage | BaseException | list[Any]


def page(ids: Sequence[str], cursor: str | None, *, has_more: bool | None = True) -> ContactPage:
    return ContactPage(
        items=[User(id=i, full_name=f"Name {i}") for i in ids],
        has_more=has_more,
        oldest_cursor=cursor,
        newest_cursor=None,
    )


def users(*ids: str) -> list[User]:
    return [User(id=i) for i in ids]


def server_error() -> ServerError:
    return ServerError("GET /v1/accounts/x/contacts/list", 500, ErrorBody(message="boom"))


class FakeClient:
    """Answers ``list_contacts`` by cursor and ``search_contacts`` from a script.

    An outcome that is a list is consumed one entry per call (for "fails once,
    then works"). ``gate``, when set, holds every call until it is opened.
    """

    def __init__(
        self,
        pages: dict[str | None, Outcome],
        search: Outcome | list[User] | None = None,
    ) -> None:
        self.pages = pages
        self.search = search
        self.list_calls: list[dict[str, Any]] = []
        self.search_calls: list[tuple[str, str]] = []
        self.gate: asyncio.Event | None = None
        self.entered = asyncio.Event()

    async def _wait_gate(self) -> None:
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()

    @staticmethod
    def _resolve(outcome: Any) -> Any:
        if isinstance(outcome, list) and outcome and not isinstance(outcome[0], User):
            outcome = outcome.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    async def list_contacts(
        self,
        account_id: str,
        *,
        cursor: str | None = None,
        direction: str | None = None,
        limit: int | None = None,
        query: str | None = None,
    ) -> ContactPage:
        self.list_calls.append(
            {
                "account_id": account_id,
                "cursor": cursor,
                "direction": direction,
                "limit": limit,
                "query": query,
            }
        )
        await self._wait_gate()
        return self._resolve(self.pages[cursor])

    async def search_contacts(self, account_id: str, query: str) -> list[User]:
        self.search_calls.append((account_id, query))
        await self._wait_gate()
        if self.search is None:
            raise AssertionError("search_contacts was not expected")
        return self._resolve(self.search)

    @property
    def cursors(self) -> list[str | None]:
        return [c["cursor"] for c in self.list_calls]


def make_pager(client: FakeClient, query: str = "", page_size: int = 3) -> ContactPager:
    return ContactPager(client, ACCOUNT, query, page_size=page_size)  # type: ignore[arg-type]


def ids(pager: ContactPager) -> list[str]:
    return [c.id for c in pager.items]


async def load_all(pager: ContactPager, limit: int = 50) -> None:
    for _ in range(limit):
        if not pager.has_more:
            return
        await pager.load_next()
    raise AssertionError("pager did not stop")


# -- stopping ------------------------------------------------------------------


async def test_stops_when_has_more_is_false() -> None:
    client = FakeClient(
        {
            None: page(["a", "b", "c"], "c1"),
            "c1": page(["d", "e"], "c2", has_more=False),
            "c2": page(["never"], None),
        }
    )
    pager = make_pager(client)
    assert not pager.started
    assert await pager.load_next() == pager.items[:3]
    assert pager.started
    assert pager.has_more
    added = await pager.load_next()
    assert [c.id for c in added] == ["d", "e"]
    assert not pager.has_more
    assert await pager.load_next() == []
    assert ids(pager) == ["a", "b", "c", "d", "e"]
    assert client.cursors == [None, "c1"]
    assert pager.pages_loaded == 2


async def test_stops_on_null_oldest_cursor() -> None:
    client = FakeClient({None: page(["a"], "c1"), "c1": page(["b"], None, has_more=True)})
    pager = make_pager(client)
    await load_all(pager)
    assert ids(pager) == ["a", "b"]
    assert client.cursors == [None, "c1"]
    assert await pager.load_next() == []
    assert len(client.list_calls) == 2


async def test_absent_has_more_with_cursor_keeps_paging() -> None:
    client = FakeClient(
        {None: page(["a"], "c1", has_more=None), "c1": page(["b"], "c2", has_more=False)}
    )
    pager = make_pager(client)
    await load_all(pager)
    assert ids(pager) == ["a", "b"]


async def test_stops_on_repeated_cursor() -> None:
    client = FakeClient(
        {
            None: page(["a"], "c1"),
            "c1": page(["b"], "c2"),
            "c2": page(["c"], "c1"),
        }
    )
    pager = make_pager(client)
    await load_all(pager)
    assert ids(pager) == ["a", "b", "c"]
    assert client.cursors == [None, "c1", "c2"]
    assert not pager.has_more


async def test_stops_on_a_cursor_that_repeats_itself() -> None:
    client = FakeClient({None: page(["a"], "c1"), "c1": page(["b"], "c1")})
    pager = make_pager(client)
    await load_all(pager)
    assert ids(pager) == ["a", "b"]
    assert client.cursors == [None, "c1"]


async def test_stops_after_a_run_of_empty_pages() -> None:
    pages: dict[str | None, Outcome] = {None: page([], "e0")}
    for n in range(20):
        pages[f"e{n}"] = page([], f"e{n + 1}")
    client = FakeClient(pages)
    pager = make_pager(client)
    await load_all(pager)
    assert ids(pager) == []
    assert len(client.list_calls) < 20


# -- duplicates, parameters ----------------------------------------------------


async def test_stops_when_fresh_cursors_bring_nobody_new() -> None:
    client = FakeClient(
        {
            None: page(["a", "b"], "c1"),
            "c1": page(["a", "b"], "c2"),
            "c2": page(["a", "b"], "c3"),
            "c3": page(["b", "a"], "c4"),
            "c4": page(["a"], "c5"),
        }
    )
    pager = make_pager(client)
    await load_all(pager)
    assert ids(pager) == ["a", "b"]
    assert client.cursors == [None, "c1", "c2", "c3"]


async def test_drops_duplicate_ids_across_pages() -> None:
    client = FakeClient(
        {
            None: page(["a", "b", "c"], "c1"),
            "c1": page(["c", "d", "a"], "c2"),
            "c2": page(["d", "e", "e"], None, has_more=False),
        }
    )
    pager = make_pager(client)
    first = await pager.load_next()
    second = await pager.load_next()
    third = await pager.load_next()
    assert [c.id for c in first] == ["a", "b", "c"]
    assert [c.id for c in second] == ["d"]
    assert [c.id for c in third] == ["e"]
    assert ids(pager) == ["a", "b", "c", "d", "e"]
    assert all(c.account_id == ACCOUNT for c in pager.items)


async def test_streaming_pager_returns_pages_but_keeps_only_ids() -> None:
    client = FakeClient(
        {
            None: page(["a", "b", "c"], "c1"),
            "c1": page(["c", "d"], None, has_more=False),
        },
    )
    pager = ContactPager(
        client,  # type: ignore[arg-type]
        ACCOUNT,
        "+14155552671",
        page_size=3,
        keep_items=False,
        identifier_lookup=False,
    )
    first = await pager.load_next()
    second = await pager.load_next()
    assert [c.id for c in first] == ["a", "b", "c"]
    assert [c.id for c in second] == ["d"]
    assert pager.items == []
    assert not pager.has_more
    assert client.search_calls == []  # a phone query, but lookups were turned off


async def test_sends_page_size_query_and_account() -> None:
    client = FakeClient({None: page(["a"], None, has_more=False)})
    pager = make_pager(client, query="  zoë  ", page_size=500)
    await pager.load_next()
    assert client.list_calls == [
        {"account_id": ACCOUNT, "cursor": None, "direction": None, "limit": 500, "query": "zoë"}
    ]


async def test_empty_query_sends_no_query() -> None:
    client = FakeClient({None: page(["a"], None, has_more=False)})
    pager = make_pager(client, query="   ")
    await pager.load_next()
    assert client.list_calls[0]["query"] is None


# -- failures ------------------------------------------------------------------


async def test_failed_page_keeps_items_and_retries_same_cursor() -> None:
    failure = server_error()
    client = FakeClient(
        {
            None: page(["a", "b"], "c1"),
            "c1": [failure, page(["c", "d"], "c2")],
            "c2": page(["e"], None, has_more=False),
        }
    )
    pager = make_pager(client)
    await pager.load_next()

    with pytest.raises(ServerError) as info:
        await pager.load_next()
    assert info.value is failure
    assert pager.error is failure
    assert ids(pager) == ["a", "b"]
    assert pager.has_more
    assert not pager.loading
    assert pager.pages_loaded == 1

    added = await pager.load_next()
    assert [c.id for c in added] == ["c", "d"]
    assert pager.error is None
    await load_all(pager)
    assert ids(pager) == ["a", "b", "c", "d", "e"]
    assert client.cursors == [None, "c1", "c1", "c2"]


async def test_failed_first_page_can_be_retried() -> None:
    failure = CannotConnectError("http://localhost:23373", "connection refused")
    client = FakeClient({None: [failure, page(["a"], None, has_more=False)]})
    pager = make_pager(client)
    with pytest.raises(CannotConnectError):
        await pager.load_next()
    assert not pager.started
    assert pager.error is failure
    assert [c.id for c in await pager.load_next()] == ["a"]
    assert pager.error is None
    assert client.cursors == [None, None]


async def test_concurrent_load_next_returns_nothing_and_sends_nothing() -> None:
    client = FakeClient({None: page(["a", "b"], "c1"), "c1": page(["c"], None, has_more=False)})
    client.gate = asyncio.Event()
    pager = make_pager(client)
    first = asyncio.create_task(pager.load_next())
    await client.entered.wait()
    assert pager.loading
    assert await pager.load_next() == []
    assert len(client.list_calls) == 1
    client.gate.set()
    assert [c.id for c in await first] == ["a", "b"]
    assert not pager.loading
    assert [c.id for c in await pager.load_next()] == ["c"]
    assert client.cursors == [None, "c1"]


async def test_cancelled_load_next_can_load_the_same_page_again() -> None:
    client = FakeClient({None: page(["a", "b"], "c1"), "c1": page(["c"], None, has_more=False)})
    pager = make_pager(client)
    await pager.load_next()

    client.gate = asyncio.Event()
    client.entered.clear()
    task = asyncio.create_task(pager.load_next())
    await client.entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not pager.loading
    assert pager.error is None
    assert pager.has_more
    assert ids(pager) == ["a", "b"]

    client.gate = None
    assert [c.id for c in await pager.load_next()] == ["c"]
    assert client.cursors == [None, "c1", "c1"]
    assert ids(pager) == ["a", "b", "c"]


# -- identifier queries --------------------------------------------------------


@pytest.mark.parametrize("query", ["+1 (415) 555-2671", "someone@example.com", "@alice"])
async def test_identifier_query_puts_search_hits_first(query: str) -> None:
    client = FakeClient(
        {
            None: page(["b", "hit2", "c"], "c1"),
            "c1": page(["hit1", "d"], None, has_more=False),
        },
        search=users("hit1", "hit2"),
    )
    pager = make_pager(client, query=query)
    first = await pager.load_next()
    assert [c.id for c in first] == ["hit1", "hit2", "b", "c"]
    second = await pager.load_next()
    assert [c.id for c in second] == ["d"]
    assert ids(pager) == ["hit1", "hit2", "b", "c", "d"]
    assert client.search_calls == [(ACCOUNT, query)]
    assert [c["query"] for c in client.list_calls] == [query, query]
    assert pager.lookup_error is None


@pytest.mark.parametrize("query", ["alice", "Zoë Lind", "12"])
async def test_plain_query_does_not_search(query: str) -> None:
    client = FakeClient({None: page(["a"], None, has_more=False)}, search=None)
    pager = make_pager(client, query=query)
    await pager.load_next()
    assert client.search_calls == []
    assert ids(pager) == ["a"]


async def test_failing_identifier_lookup_sets_lookup_error_but_list_loads() -> None:
    failure = server_error()
    client = FakeClient({None: page(["a", "b"], None, has_more=False)}, search=failure)
    pager = make_pager(client, query="+14155552671")
    added = await pager.load_next()
    assert [c.id for c in added] == ["a", "b"]
    assert pager.lookup_error is failure
    assert pager.error is None
    assert len(client.search_calls) == 1


async def test_a_lookup_the_network_does_not_offer_is_no_failure() -> None:
    refusal = BadRequestError(
        "GET /v1/accounts/x/contacts",
        422,
        ErrorBody(code="IDENTIFIER_NOT_SUPPORTED", message="Instagram does not support phone"),
    )
    client = FakeClient({None: page(["a", "b"], None, has_more=False)}, search=refusal)
    pager = make_pager(client, query="+14155552671")
    added = await pager.load_next()
    assert [c.id for c in added] == ["a", "b"]
    assert pager.lookup_error is None
    assert pager.error is None


async def test_failing_list_page_on_identifier_query_retries_search_too() -> None:
    failure = server_error()
    client = FakeClient({None: [failure, page(["a"], None, has_more=False)]}, search=users("hit"))
    pager = make_pager(client, query="@alice")
    with pytest.raises(ServerError):
        await pager.load_next()
    assert ids(pager) == []
    assert [c.id for c in await pager.load_next()] == ["hit", "a"]
    assert len(client.search_calls) == 2


async def test_cancelled_identifier_first_page_loads_again() -> None:
    client = FakeClient({None: page(["a"], None, has_more=False)}, search=users("hit"))
    client.gate = asyncio.Event()
    pager = make_pager(client, query="a@b.co")
    task = asyncio.create_task(pager.load_next())
    await client.entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not pager.loading
    assert ids(pager) == []
    client.gate = None
    assert [c.id for c in await pager.load_next()] == ["hit", "a"]


# -- AccountDirectory ----------------------------------------------------------


def acct(
    account_id: str,
    network: str | None,
    owner: str,
    status: AccountStatus = AccountStatus.CONNECTED,
) -> Account:
    return Account(
        account_id=account_id,
        user=User(id=f"@{account_id}-owner:x", full_name=owner),
        network=network,
        bridge=Bridge(type=account_id.split(".")[0]) if network else None,
        status=status,
    )


ACCOUNTS = [
    acct("whatsapp", "WhatsApp", "Robin"),
    acct("telegram", "Telegram", "Robin"),
    acct("slackgo.T1-U2", "Slack", "Robin"),
    acct("slackgo.T9-U9", "Slack", "Ada"),
    acct("discordgo", "Discord", "Robin"),
    acct("local-gmessages_ba_x", None, "Robin"),
    acct("matrix", "Beeper", "robin"),
]


class FakeAccountsClient:
    def __init__(self) -> None:
        self.list_outcomes: list[list[Account] | BeeperError] = []
        self.detail: dict[str, Account | BeeperError] = {}
        self.detail_calls: list[str] = []

    async def list_accounts(self) -> list[Account]:
        outcome = self.list_outcomes.pop(0)
        if isinstance(outcome, BeeperError):
            raise outcome
        return list(outcome)

    async def get_account(self, account_id: str) -> Account:
        self.detail_calls.append(account_id)
        outcome = self.detail.get(account_id) or NotFoundError(
            f"GET /v1/accounts/{account_id}", 404, ErrorBody(message="Not found")
        )
        if isinstance(outcome, BeeperError):
            raise outcome
        return outcome


def make_directory(client: FakeAccountsClient) -> AccountDirectory:
    return AccountDirectory(client)  # type: ignore[arg-type]


async def test_display_order_is_stable_across_refreshes() -> None:
    client = FakeAccountsClient()
    shuffled = list(ACCOUNTS)
    random.Random(3).shuffle(shuffled)
    client.list_outcomes = [list(ACCOUNTS), shuffled, list(reversed(ACCOUNTS))]
    directory = make_directory(client)
    orders = []
    for _ in range(3):
        await directory.refresh()
        orders.append([a.account_id for a in directory.accounts])
    assert orders[0] == orders[1] == orders[2]
    assert orders[0] == [a.account_id for a in display_order(ACCOUNTS)]
    # By network name, then owner, then ID.
    assert orders[0] == [
        "matrix",
        "discordgo",
        "local-gmessages_ba_x",
        "slackgo.T9-U9",
        "slackgo.T1-U2",
        "telegram",
        "whatsapp",
    ]


async def test_refresh_failure_keeps_old_list_and_marks_stale() -> None:
    client = FakeAccountsClient()
    failure = CannotConnectError("http://localhost:23373", "connection refused")
    client.list_outcomes = [list(ACCOUNTS), failure, ACCOUNTS[:2]]
    directory = make_directory(client)
    await directory.refresh()
    before = list(directory.accounts)
    assert directory.loaded
    assert not directory.stale

    with pytest.raises(CannotConnectError) as raised:
        await directory.refresh()
    assert raised.value is failure
    assert list(directory.accounts) == before
    assert directory.stale
    assert directory.get("telegram") is not None

    await directory.refresh()
    assert not directory.stale
    assert {a.account_id for a in directory.accounts} == {"whatsapp", "telegram"}
    assert directory.get("matrix") is None


async def test_failure_before_first_load_is_not_stale() -> None:
    client = FakeAccountsClient()
    client.list_outcomes = [server_error()]
    directory = make_directory(client)
    with pytest.raises(ServerError):
        await directory.refresh()
    assert not directory.loaded
    assert not directory.stale
    assert directory.accounts == []


async def test_detail_uses_the_server_answer_when_there_is_one() -> None:
    client = FakeAccountsClient()
    client.list_outcomes = [list(ACCOUNTS)]
    richer = acct("telegram", "Telegram", "Robin", AccountStatus.BACKFILLING)
    client.detail["telegram"] = richer
    directory = make_directory(client)
    await directory.refresh()
    assert await directory.detail("telegram") is richer


async def test_detail_falls_back_to_list_entry_on_404() -> None:
    client = FakeAccountsClient()
    client.list_outcomes = [list(ACCOUNTS)]
    directory = make_directory(client)
    await directory.refresh()
    entry = directory.get("local-gmessages_ba_x")
    assert entry is not None
    assert await directory.detail("local-gmessages_ba_x") is entry
    assert client.detail_calls == ["local-gmessages_ba_x"]


async def test_detail_reraises_404_for_unlisted_account() -> None:
    client = FakeAccountsClient()
    client.list_outcomes = [list(ACCOUNTS)]
    directory = make_directory(client)
    await directory.refresh()
    with pytest.raises(NotFoundError):
        await directory.detail("ghost")


async def test_detail_does_not_hide_other_errors() -> None:
    client = FakeAccountsClient()
    client.list_outcomes = [list(ACCOUNTS)]
    client.detail["telegram"] = server_error()
    directory = make_directory(client)
    await directory.refresh()
    with pytest.raises(ServerError):
        await directory.detail("telegram")
