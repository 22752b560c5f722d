"""The official SDK against the demo over loopback HTTP: messages, send, reminders, every filter."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from beeper_desktop_api import BadRequestError, BeeperDesktop, NotFoundError
from beeper_desktop_api.types import Chat, MessageSendResponse
from beeper_desktop_api.types.shared import Message

from beeper_tui.demo import DEMO_TOKEN, Dataset
from beeper_tui.demo.chats import account_chats


@pytest.fixture
def sdk(demo_server: str) -> Iterator[BeeperDesktop]:
    with BeeperDesktop(access_token=DEMO_TOKEN, base_url=demo_server, max_retries=0) as client:
        yield client


def _single_chat(dataset: Dataset, account_id: str = "telegram") -> str:
    account = dataset.account(account_id)
    assert account is not None
    chat = next(c for c in account_chats(account, dataset.seed) if c.wire["type"] == "single")
    return str(chat.wire["id"])


def _valid(message: Message) -> None:
    Message.model_validate(message.model_dump(by_alias=True))


def test_search_pages_newest_first(sdk: BeeperDesktop) -> None:
    found = []
    for message in sdk.messages.search(account_ids=["telegram"], limit=20):
        found.append(message)
        if len(found) >= 45:
            break
    assert len(found) == 45
    assert len({m.id for m in found}) == 45
    assert all(m.account_id == "telegram" for m in found)
    stamps = [m.timestamp for m in found]
    assert stamps == sorted(stamps, reverse=True)
    for message in found:
        _valid(message)
    assert any(m.attachments for m in found)


def test_search_filters(sdk: BeeperDesktop, demo_dataset: Dataset) -> None:
    chat_id = _single_chat(demo_dataset)
    chat_only = sdk.messages.search(chat_ids=[chat_id], limit=20).items
    assert chat_only
    assert {m.chat_id for m in chat_only} == {chat_id}
    mine = sdk.messages.search(chat_ids=[chat_id], sender="me").items
    theirs = sdk.messages.search(chat_ids=[chat_id], sender="others").items
    assert all(m.is_sender for m in mine)
    assert not any(m.is_sender for m in theirs)
    assert len(mine) + len(theirs) == len(chat_only)
    if theirs:
        by_id = sdk.messages.search(chat_ids=[chat_id], sender=theirs[0].sender_id).items
        assert {m.sender_id for m in by_id} == {theirs[0].sender_id}
    middle = chat_only[len(chat_only) // 2].timestamp
    after = sdk.messages.search(chat_ids=[chat_id], date_after=middle).items
    before = sdk.messages.search(chat_ids=[chat_id], date_before=middle).items
    assert all(m.timestamp > middle for m in after)
    assert all(m.timestamp < middle for m in before)
    assert len(after) + len(before) == len(chat_only) - 1
    groups = sdk.messages.search(account_ids=["telegram"], chat_type="group", limit=5).items
    assert groups
    images = sdk.messages.search(media_types=["image"], limit=10).items
    assert images
    assert all(any(a.type == "img" for a in m.attachments or ()) for m in images)
    words = sdk.messages.search(query="merci", limit=5).items
    assert all("merci" in (m.text or "").lower() for m in words)
    future = datetime(2100, 1, 1, tzinfo=UTC)
    assert sdk.messages.search(date_after=future).items == []


def test_search_rejects_what_desktop_rejects(sdk: BeeperDesktop) -> None:
    with pytest.raises(BadRequestError):
        sdk.messages.search(limit=21)
    with pytest.raises(BadRequestError):
        sdk.messages.search(cursor="not-a-cursor")


def test_chat_messages_pages(sdk: BeeperDesktop, demo_dataset: Dataset) -> None:
    chat_id = _single_chat(demo_dataset)
    messages = list(sdk.messages.list(chat_id))
    assert messages
    assert all(m.chat_id == chat_id for m in messages)
    assert [m.sort_key for m in messages] == sorted((m.sort_key for m in messages), reverse=True)
    with pytest.raises(NotFoundError):
        sdk.messages.list("!nope:beeper.com").items  # noqa: B018


def test_send_then_read_it_back(sdk: BeeperDesktop, demo_dataset: Dataset) -> None:
    chat_id = _single_chat(demo_dataset)
    sent = sdk.messages.send(chat_id, text="Bis gleich! 🚲")
    MessageSendResponse.model_validate(sent.model_dump(by_alias=True))
    assert sent.chat_id == chat_id
    newest = sdk.messages.list(chat_id).items[0]
    assert newest.id == sent.pending_message_id
    assert newest.text == "Bis gleich! 🚲"
    assert newest.is_sender is True
    with pytest.raises(NotFoundError):
        sdk.messages.send("!nope:beeper.com", text="hello")
    with pytest.raises(BadRequestError):
        sdk.messages.send(chat_id)


def test_reminders_set_reported_and_removed(sdk: BeeperDesktop, demo_dataset: Dataset) -> None:
    chat_id = _single_chat(demo_dataset)
    remind = datetime(2026, 5, 21, 7, 0, tzinfo=UTC)
    sdk.chats.reminders.create(
        chat_id, reminder={"remind_at": remind, "dismiss_on_incoming_message": True}
    )
    chat = next(c for c in sdk.chats.search(account_ids=["telegram"]) if c.id == chat_id)
    Chat.model_validate(chat.model_dump(by_alias=True))
    assert chat.reminder is not None
    assert chat.reminder.remind_at == remind
    assert chat.reminder.dismiss_on_incoming_message is True
    sdk.chats.reminders.delete(chat_id)
    chat = next(c for c in sdk.chats.search(account_ids=["telegram"]) if c.id == chat_id)
    assert chat.reminder is None
    with pytest.raises(NotFoundError):
        sdk.chats.reminders.delete("!nope:beeper.com")


def test_info_lists_the_socket(sdk: BeeperDesktop, demo_server: str) -> None:
    ws = sdk.info.retrieve().endpoints.ws_events
    assert ws == demo_server.replace("http://", "ws://") + "/v1/ws"
