"""The service layer end to end on the demo Beeper Desktop (in-process ASGI)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from beeper_tui.api.client import BeeperClient
from beeper_tui.api.errors import CannotConnectError, ServerError
from beeper_tui.api.models import AccountStatus
from beeper_tui.demo import DEMO_TOKEN, Dataset, DemoAccount, DemoState, FaultRule
from beeper_tui.service.accounts import AccountDirectory
from beeper_tui.service.contacts import ContactPager
from beeper_tui.wiring import DEMO_BASE_URL, open_backend
from tests.demo_fixtures import demo_app, demo_dataset, demo_server, demo_state  # noqa: F401

LIST_PATH = r"/contacts/list$"


@pytest.fixture
async def client(demo_app: Starlette) -> AsyncIterator[BeeperClient]:  # noqa: F811
    c = BeeperClient(
        "http://demo.test",
        DEMO_TOKEN,
        transport=httpx.ASGITransport(app=demo_app),
        max_retries=0,
    )
    yield c
    await c.aclose()


def slack_account(dataset: Dataset) -> DemoAccount:
    (slack,) = [a for a in dataset.accounts if a.wire.get("bridge", {}).get("type") == "slackgo"]
    assert len(slack.contacts) == 20_000
    return slack


def account_by_key(dataset: Dataset, key: str) -> DemoAccount:
    (account,) = [a for a in dataset.accounts if a.spec.key == key]
    return account


async def load_all(pager: ContactPager, max_pages: int = 1000) -> int:
    pages = 0
    while pager.has_more:
        pages += 1
        assert pages <= max_pages, "pager did not stop"
        await pager.load_next()
    return pages


async def test_pager_reads_the_whole_slack_workspace_once(
    client: BeeperClient,
    demo_dataset: Dataset,  # noqa: F811
    demo_state: DemoState,  # noqa: F811
) -> None:
    slack = slack_account(demo_dataset)
    pager = ContactPager(client, slack.account_id, page_size=200)
    await load_all(pager)
    got = [c.id for c in pager.items]
    assert got == [c["id"] for c in slack.contacts]
    assert len(set(got)) == len(got) == 20_000
    assert pager.error is None
    requests = demo_state.requests_to(LIST_PATH)
    assert len(requests) == pager.pages_loaded
    assert all(r.params["limit"] == "200" for r in requests)
    assert "cursor" not in requests[0].params
    assert all("cursor" in r.params for r in requests[1:])
    # No page was asked for twice.
    cursors = [r.params.get("cursor") for r in requests]
    assert len(set(cursors)) == len(cursors)


async def test_failed_page_midway_is_retried_without_loss(
    client: BeeperClient,
    demo_dataset: Dataset,  # noqa: F811
    demo_state: DemoState,  # noqa: F811
) -> None:
    slack = slack_account(demo_dataset)
    pager = ContactPager(client, slack.account_id, page_size=200)
    for _ in range(10):
        await pager.load_next()
    loaded_before = [c.id for c in pager.items]
    demo_state.faults.add(FaultRule(path=LIST_PATH, status=500, times=1))

    with pytest.raises(ServerError):
        await pager.load_next()
    assert pager.error is not None
    assert [c.id for c in pager.items] == loaded_before
    assert pager.has_more

    await load_all(pager)
    assert pager.error is None
    assert [c.id for c in pager.items] == [c["id"] for c in slack.contacts]
    requests = demo_state.requests_to(LIST_PATH)
    # The failed request and its retry asked for the same cursor.
    assert requests[10].params == requests[11].params


async def test_failed_page_is_retried_by_the_client(
    demo_app: Starlette,  # noqa: F811
    demo_dataset: Dataset,  # noqa: F811
    demo_state: DemoState,  # noqa: F811
) -> None:
    slack = slack_account(demo_dataset)
    demo_state.faults.add(
        FaultRule(path=LIST_PATH, status=503, retry_after=0, times=1, params={"limit": "200"})
    )
    backend = open_backend(
        base_url="http://unused.invalid", access_token=None, demo_app=demo_app, page_size=200
    )
    try:
        pager = backend.pager(slack.account_id)
        for _ in range(5):
            await pager.load_next()
    finally:
        await backend.aclose()
    assert [c.id for c in pager.items] == [c["id"] for c in slack.contacts[:1000]]
    assert len(demo_state.requests_to(LIST_PATH)) == 6


async def test_slow_page_with_a_timeout_keeps_what_was_loaded(
    demo_server: str,  # noqa: F811
    demo_dataset: Dataset,  # noqa: F811
    demo_state: DemoState,  # noqa: F811
) -> None:
    slack = slack_account(demo_dataset)
    async with BeeperClient(demo_server, DEMO_TOKEN, max_retries=0, read_timeout=0.2) as c:
        pager = ContactPager(c, slack.account_id, page_size=100)
        await pager.load_next()
        rule = demo_state.faults.add(FaultRule(path=LIST_PATH, delay_ms=600, times=1))
        with pytest.raises(CannotConnectError) as info:
            await pager.load_next()
        assert info.value.timed_out
        assert rule.hits == 1
        await pager.load_next()
    assert [c.id for c in pager.items] == [c["id"] for c in slack.contacts[:200]]


async def test_identifier_query_puts_search_hits_first(
    client: BeeperClient,
    demo_dataset: Dataset,  # noqa: F811
    demo_state: DemoState,  # noqa: F811
) -> None:
    slack = slack_account(demo_dataset)
    target = next(c for c in slack.contacts[5000:] if c.get("email"))
    pager = ContactPager(client, slack.account_id, target["email"], page_size=50)
    await load_all(pager)
    got = [c.id for c in pager.items]
    assert got[0] == target["id"]
    assert len(set(got)) == len(got)
    assert pager.lookup_error is None
    assert len(demo_state.requests_to(r"/contacts$")) == 1


async def test_identifier_query_finds_someone_not_yet_a_contact(
    client: BeeperClient,
    demo_dataset: Dataset,  # noqa: F811
) -> None:
    slack = slack_account(demo_dataset)
    email = "brand.new.person@example.org"
    assert all(c.get("email") != email for c in slack.contacts)
    pager = ContactPager(client, slack.account_id, email)
    await load_all(pager)
    assert len(pager.items) >= 1
    first = pager.items[0]
    assert first.user.email == email
    assert all(c.user.email != email for c in pager.items[1:])


async def test_rejected_identifier_lookup_still_lists(
    client: BeeperClient,
    demo_dataset: Dataset,  # noqa: F811
) -> None:
    instagram = account_by_key(demo_dataset, "instagramgo")
    pager = ContactPager(client, instagram.account_id, "+1 415 555 2671")
    await pager.load_next()
    # A lookup the network does not offer (IDENTIFIER_NOT_SUPPORTED) is no failure.
    assert pager.lookup_error is None
    assert pager.error is None
    assert pager.started


async def test_plain_query_filters_the_list(
    client: BeeperClient,
    demo_dataset: Dataset,  # noqa: F811
    demo_state: DemoState,  # noqa: F811
) -> None:
    telegram = account_by_key(demo_dataset, "telegram")
    pager = ContactPager(client, telegram.account_id, "zoe")
    await load_all(pager)
    names = [c.user.full_name or "" for c in pager.items]
    assert "Zoë Lindqvist" in names
    assert demo_state.requests_to(r"/contacts$") == []


async def test_account_directory_on_the_demo(
    client: BeeperClient,
    demo_dataset: Dataset,  # noqa: F811
    demo_state: DemoState,  # noqa: F811
) -> None:
    directory = AccountDirectory(client)
    await directory.refresh()
    assert {a.account_id for a in directory.accounts} == {
        a.account_id for a in demo_dataset.accounts
    }
    first_order = [a.account_id for a in directory.accounts]

    demo_state.faults.add(FaultRule(path=r"^/v1/accounts$", status=500, times=1))
    with pytest.raises(ServerError):
        await directory.refresh()
    assert directory.stale
    assert [a.account_id for a in directory.accounts] == first_order

    await directory.refresh()
    assert not directory.stale
    assert [a.account_id for a in directory.accounts] == first_order

    # An older Desktop build answers 404 for the retrieve endpoint.
    legacy = next(a for a in demo_dataset.accounts if "status" not in a.wire)
    demo_state.faults.add(FaultRule(path=r"^/v1/accounts/[^/]+$", status=404))
    detail = await directory.detail(legacy.account_id)
    assert detail is directory.get(legacy.account_id)
    assert detail.status is AccountStatus.UNKNOWN


async def test_open_backend_demo_end_to_end() -> None:
    backend = open_backend(base_url="http://localhost:23373", access_token=None, demo=True)
    try:
        assert backend.is_demo
        assert backend.base_url == DEMO_BASE_URL
        info = await backend.info()
        assert info.server.status == "running"
        accounts = await backend.accounts.refresh()
        assert len(accounts) >= 10
        assert any(a.status is AccountStatus.UNKNOWN for a in accounts)
        telegram = next(a for a in accounts if a.network == "Telegram")
        pager = backend.pager(telegram.account_id)
        first = await pager.load_next()
        assert len(first) == backend.page_size
        assert pager.has_more
        second = await pager.load_next()
        assert {c.id for c in first}.isdisjoint({c.id for c in second})
    finally:
        await backend.aclose()


async def test_open_backend_with_demo_app_uses_that_app(
    demo_app: Starlette,  # noqa: F811
    demo_state: DemoState,  # noqa: F811
) -> None:
    backend = open_backend(
        base_url="http://localhost:23373", access_token=None, demo_app=demo_app, page_size=7
    )
    try:
        accounts = await backend.accounts.refresh()
        pager = backend.pager(accounts[0].account_id, "  ")
        assert len(await pager.load_next()) == 7
    finally:
        await backend.aclose()
    (recorded,) = demo_state.requests_to(LIST_PATH)
    assert recorded.params == {"limit": "7"}
    assert recorded.authorized


async def test_open_backend_demo_with_a_wrong_token_is_refused(
    demo_app: Starlette,  # noqa: F811
) -> None:
    from beeper_tui.api.errors import AuthenticationError

    backend = open_backend(
        base_url="http://localhost:23373", access_token="not-the-token", demo_app=demo_app
    )
    try:
        with pytest.raises(AuthenticationError):
            await backend.accounts.refresh()
    finally:
        await backend.aclose()


async def test_open_backend_demo_works_with_a_real_token_configured() -> None:
    """``beeper-tui --demo`` with BEEPER_ACCESS_TOKEN set (or a saved token).

    The UI passes ``settings.token`` straight through; the embedded demo must
    still answer (and the real token has no business going to the demo).
    """
    backend = open_backend(
        base_url="http://localhost:23373", access_token="users-real-desktop-token", demo=True
    )
    try:
        accounts = await backend.accounts.refresh()
    finally:
        await backend.aclose()
    assert accounts
