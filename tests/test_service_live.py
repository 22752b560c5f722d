"""The live feed over a real WebSocket against the demo server on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import datetime

import pytest
from starlette.applications import Starlette

from beeper_tui.api.client import BeeperClient
from beeper_tui.demo import DEMO_TOKEN, Dataset, DemoState, create_demo_app
from beeper_tui.demo.server import DemoServer
from beeper_tui.service.live import (
    ChatsChanged,
    LiveConnected,
    LiveDown,
    LiveEvent,
    LiveFeed,
    LiveUnavailable,
    MessagesUpserted,
    RefreshDue,
    parse_ts,
    read_event,
)

WAIT = 10.0


@pytest.fixture
def server(demo_app: Starlette) -> Iterator[DemoServer]:
    with DemoServer(demo_app) as running:
        yield running


def _state(app: Starlette) -> DemoState:
    state: DemoState = app.state.demo
    return state


def _chat_id(dataset: Dataset) -> str:
    telegram = dataset.account("telegram")
    assert telegram is not None
    from beeper_tui.demo.chats import account_chats

    return str(
        next(c for c in account_chats(telegram, dataset.seed) if c.wire["type"] == "single").wire[
            "id"
        ]
    )


class Events:
    """A feed iterated in a task; events are read in order, waiting on each."""

    def __init__(self, feed: LiveFeed) -> None:
        self.feed = feed
        self.queue: asyncio.Queue[LiveEvent] = asyncio.Queue()
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        async for event in self.feed.events():
            await self.queue.put(event)

    async def next(self, kind: type[LiveEvent]) -> LiveEvent:
        """The next event of ``kind`` (others before it are skipped)."""
        async with asyncio.timeout(WAIT):
            while True:
                event = await self.queue.get()
                if isinstance(event, kind):
                    return event

    async def first(self) -> LiveEvent:
        async with asyncio.timeout(WAIT):
            return await self.queue.get()


@asynccontextmanager
async def feed_on(
    base_url: str, **options: float | bool
) -> AsyncIterator[tuple[Events, BeeperClient]]:
    client = BeeperClient(base_url, DEMO_TOKEN, max_retries=0)
    feed = LiveFeed(client, first_backoff=0.05, longest_backoff=0.2, **options)  # type: ignore[arg-type]
    events = Events(feed)
    try:
        yield events, client
    finally:
        events.task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await events.task
        await feed.aclose()
        await client.aclose()


async def test_subscribes_and_delivers_a_sent_message(
    server: DemoServer, demo_app: Starlette, demo_dataset: Dataset
) -> None:
    chat_id = _chat_id(demo_dataset)
    async with feed_on(server.base_url) as (events, client):
        assert await events.next(LiveConnected) == LiveConnected(reconnected=False)
        assert _state(demo_app).live.subscribed() == 1
        sent = await client.send_message(chat_id, "Ça marche 👍")
        upserted = await events.next(MessagesUpserted)
        assert isinstance(upserted, MessagesUpserted)
        assert upserted.chat_id == chat_id
        assert upserted.seq == 1
        assert isinstance(upserted.ts, datetime)
        (message,) = upserted.messages
        assert message.id == sent.pending_message_id
        assert message.text == "Ça marche 👍"
        assert message.is_sender is True
        changed = await events.next(ChatsChanged)
        assert changed == ChatsChanged(chat_id, (chat_id,), False, 2, changed.ts)  # type: ignore[attr-defined]


async def test_ts_as_text_and_unknown_types_are_read_or_ignored(
    server: DemoServer, demo_app: Starlette, demo_dataset: Dataset
) -> None:
    hub = _state(demo_app).live
    hub.ts_as_string = True
    chat_id = _chat_id(demo_dataset)
    async with feed_on(server.base_url) as (events, client):
        await events.next(LiveConnected)
        hub.publish({"type": "account.upserted", "chatID": chat_id, "ids": ["x"]})
        hub.publish({"type": "contact.upserted", "ids": []})
        await client.send_message(chat_id, "hello")
        event = await events.first()
        # The unknown types came first and were skipped: this is the message.
        assert isinstance(event, MessagesUpserted)
        assert isinstance(event.ts, datetime)
        assert event.seq == 3


async def test_reconnects_and_asks_for_a_requery(server: DemoServer, demo_app: Starlette) -> None:
    hub = _state(demo_app).live
    async with feed_on(server.base_url) as (events, _client):
        await events.next(LiveConnected)
        hub.disconnect_all()
        down = await events.next(LiveDown)
        assert isinstance(down, LiveDown)
        assert down.retry_in == pytest.approx(0.05)
        again = await events.next(LiveConnected)
        assert again == LiveConnected(reconnected=True)
        assert hub.connects == 2


async def test_a_closed_socket_falls_back_to_the_timer_then_comes_back(
    server: DemoServer, demo_app: Starlette
) -> None:
    async with feed_on(server.base_url, refresh_interval=0.05) as (events, _client):
        await events.next(LiveConnected)
        server.stop()  # Desktop quit: nothing answers on the port
        await events.next(LiveDown)
        await events.next(RefreshDue)
        await events.next(RefreshDue)
        assert events.feed.state == "down"
        server.start()
        assert await events.next(LiveConnected) == LiveConnected(reconnected=True)
        assert events.feed.state == "live"


async def test_a_build_that_refuses_the_socket_is_refreshed_on_a_timer(
    server: DemoServer, demo_app: Starlette
) -> None:
    _state(demo_app).live.refuse = True
    async with feed_on(server.base_url, refresh_interval=0.05) as (events, _client):
        unavailable = await events.first()
        assert isinstance(unavailable, LiveUnavailable)
        assert "404" in unavailable.reason
        assert isinstance(await events.first(), RefreshDue)
        assert events.feed.state == "polling"


async def test_a_bad_token_is_refused_not_retried(server: DemoServer) -> None:
    client = BeeperClient(server.base_url, "wrong-token", max_retries=0)
    feed = LiveFeed(client, refresh_interval=0.05)
    events = Events(feed)
    try:
        unavailable = await events.first()
        assert isinstance(unavailable, LiveUnavailable)
        assert "401" in unavailable.reason
    finally:
        events.task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await events.task
        await client.aclose()


async def test_an_old_build_without_the_socket(demo_dataset: Dataset) -> None:
    app = create_demo_app(demo_dataset, desktop_version="4.1.294")
    with DemoServer(app) as server:
        async with feed_on(server.base_url, refresh_interval=0.05) as (events, _client):
            unavailable = await events.first()
            assert isinstance(unavailable, LiveUnavailable)
            assert "too old" in unavailable.reason
            assert isinstance(await events.first(), RefreshDue)


async def test_without_sockets_the_timer_alone(server: DemoServer) -> None:
    async with feed_on(server.base_url, sockets=False, refresh_interval=0.05) as (events, _c):
        assert isinstance(await events.first(), LiveUnavailable)
        assert isinstance(await events.first(), RefreshDue)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1747733400, 1747733400.0),
        (1747733400000, 1747733400.0),
        ("1747733400000", 1747733400.0),
        ("1747733400.5", 1747733400.5),
        ("2025-05-20T09:30:00Z", 1747733400.0),
    ],
)
def test_ts_as_number_or_text(value: object, expected: float) -> None:
    parsed = parse_ts(value)
    assert parsed is not None
    assert parsed.timestamp() == pytest.approx(expected)


@pytest.mark.parametrize("value", [None, True, "soon", float("nan"), 1e300, [], {}])
def test_unreadable_ts_is_none(value: object) -> None:
    assert parse_ts(value) is None


def test_frames_that_are_not_events() -> None:
    assert read_event("not json") is None
    assert read_event("[1, 2]") is None
    assert read_event('{"type": "message.upserted"}') is None  # no chatID
    assert read_event('{"type": "presence.updated", "chatID": "c"}') is None
    event = read_event(
        '{"type": "message.upserted", "chatID": "c", "ids": ["m1", "m2"], "seq": "7",'
        ' "entries": [{"id": "m1", "chatID": "c"}, {"nonsense": true}]}'
    )
    assert isinstance(event, MessagesUpserted)
    assert event.seq == 7
    assert [m.id for m in event.messages] == ["m1"]
