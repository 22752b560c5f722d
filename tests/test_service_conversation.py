"""A person's recent conversation and their chat reminders, over real HTTP against the demo."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from starlette.applications import Starlette

from beeper_tui.api.client import BeeperClient
from beeper_tui.api.models import Attachment, Message, User
from beeper_tui.demo import DEMO_TOKEN, Dataset, DemoState
from beeper_tui.demo.chats import account_chats
from beeper_tui.service.chats import chats_with
from beeper_tui.service.conversation import (
    DEFAULT_LIMIT,
    Conversation,
    ConversationLoader,
    attachment_kind,
    attachment_words,
    load_conversation,
    message_preview,
)
from beeper_tui.service.person import Contact
from beeper_tui.service.reminders import (
    ChatReminder,
    Preset,
    ReminderService,
    describe_reminder,
    remind_at,
)


@pytest.fixture
async def client(demo_server: str) -> AsyncIterator[BeeperClient]:
    async with BeeperClient(demo_server, DEMO_TOKEN, max_retries=0) as client:
        yield client


def _person(dataset: Dataset, account_id: str = "telegram") -> Contact:
    """Someone with a one-to-one chat on ``account_id``."""
    account = dataset.account(account_id)
    assert account is not None
    chat = next(c for c in account_chats(account, dataset.seed) if c.wire["type"] == "single")
    (position,) = chat.members
    return Contact(User.model_validate(account.contacts[position]), account_id)


async def test_recent_messages_newest_first_then_more(
    client: BeeperClient, demo_dataset: Dataset
) -> None:
    person = _person(demo_dataset)
    chats = await chats_with(client, person)
    first = await load_conversation(client, person, chats, limit=3)
    assert len(first.lines) == 3
    times = [line.when for line in first.lines]
    stamps = [when.timestamp() for when in times if when is not None]
    assert len(stamps) == 3
    assert stamps == sorted(stamps, reverse=True)
    assert {line.chat_id for line in first.lines} <= set(first.chat_ids)
    assert all(line.network == "Telegram" for line in first.lines)
    for line in first.lines:
        assert line.sender == "you" if line.from_me else line.sender
        assert "\n" not in line.preview
    assert first.has_more
    more = await load_conversation(client, person, chats, limit=3, before=first)
    assert len(more.lines) > 3
    assert more.lines[:3] == first.lines
    assert len({line.id for line in more.lines}) == len(more.lines)
    talked = more.last_talked
    assert talked is not None
    assert talked.network == "Telegram"
    now = talked.when + timedelta(days=3, hours=1)
    assert talked.describe(now) == "Last talked 3 d ago on Telegram"


async def test_a_sent_message_and_hostile_text(client: BeeperClient, demo_dataset: Dataset) -> None:
    person = _person(demo_dataset)
    loader = ConversationLoader(client, lambda c: chats_with(client, c))
    before = await loader.load(person)
    assert len(before.lines) == DEFAULT_LIMIT
    chat_id = before.chat_ids[0]
    hostile = "\x1b]52;c;ZXZpbA==\x07pay\u202enwod\u202c me\r\nback \x1b[31mnow[/red]"
    sent = await client.send_message(chat_id, hostile)
    after = await loader.refresh(before)
    newest = after.lines[0]
    assert newest.id == sent.pending_message_id
    assert newest.sender == "you"
    assert newest.preview == "paynwod me back now[/red]"
    assert after.last_talked is not None
    assert after.last_talked.when == newest.when


async def test_a_live_message_merges_into_the_conversation(
    client: BeeperClient, demo_dataset: Dataset, demo_app: Starlette
) -> None:
    person = _person(demo_dataset)
    conversation = await load_conversation(client, person, await chats_with(client, person))
    chat_id = conversation.chat_ids[0]
    state: DemoState = demo_app.state.demo
    received = state.messages.receive(chat_id, "Tu es là ?")
    assert received is not None
    message = Message.model_validate(received)
    assert conversation.covers(chat_id)
    merged = conversation.with_messages([message])
    assert merged.lines[0].id == message.id
    assert not merged.lines[0].from_me
    assert merged.lines[0].sender == received["senderName"]
    assert merged.lines[0].preview == "Tu es là ?"
    assert merged.with_messages([message]).lines == merged.lines  # the same message twice
    other = message.model_copy(update={"chat_id": "!elsewhere:beeper.com"})
    assert conversation.with_messages([other]) is conversation
    assert merged.without([message.id]).lines == conversation.lines


async def test_one_load_in_flight_the_previous_cancelled(
    client: BeeperClient, demo_dataset: Dataset
) -> None:
    first_person = _person(demo_dataset, "telegram")
    second_person = _person(demo_dataset, "matrix")
    loader = ConversationLoader(client, lambda c: chats_with(client, c))
    slow = asyncio.create_task(loader.load(first_person))
    await asyncio.sleep(0)  # the first load has started
    assert loader.busy
    second = await loader.load(second_person)
    with pytest.raises(asyncio.CancelledError):
        await slow
    assert second.contact is second_person
    assert not loader.busy


async def test_nobody_to_talk_to() -> None:
    person = Contact(User(id="@nobody:beeper.com"), "telegram")
    async with BeeperClient("http://127.0.0.1:9", DEMO_TOKEN, max_retries=0) as client:
        # No chats: no request at all (port 9 would refuse it).
        empty = await load_conversation(client, person, [])
    assert empty == Conversation(person, ())
    assert empty.last_talked is None


def test_attachments_in_words() -> None:
    photo = Attachment(type="img", mime_type="image/jpeg")
    voice = Attachment(type="audio", is_voice_note=True)
    assert attachment_kind(photo) == "photo"
    assert attachment_kind(voice) == "voice note"
    assert attachment_kind(Attachment(type="img", is_gif=True)) == "GIF"
    assert attachment_kind(Attachment(type="img", is_sticker=True)) == "sticker"
    assert attachment_kind(Attachment(type="video")) == "video"
    assert attachment_kind(Attachment(type="unknown", mime_type="application/pdf")) == "file"
    assert attachment_words([photo, photo, voice]) == "2 photos, voice note"
    message = Message(id="m", chat_id="c", text="Look\u200b!", attachments=[photo])
    assert message_preview(message) == "photo: Look!"
    assert message_preview(Message(id="m", chat_id="c", type="LOCATION")) == "location"


# -- reminders ---------------------------------------------------------------

PARIS = timezone(timedelta(hours=2))
TUESDAY_MORNING = datetime(2026, 5, 19, 10, 15, tzinfo=PARIS)


def test_presets_from_the_clock() -> None:
    now = TUESDAY_MORNING
    assert remind_at(Preset.IN_1_HOUR, now) == datetime(2026, 5, 19, 11, 15, tzinfo=PARIS)
    assert remind_at(Preset.TONIGHT, now) == datetime(2026, 5, 19, 20, 0, tzinfo=PARIS)
    assert remind_at(Preset.TOMORROW_MORNING, now) == datetime(2026, 5, 20, 9, 0, tzinfo=PARIS)
    assert remind_at(Preset.NEXT_WEEK, now) == datetime(2026, 5, 25, 9, 0, tzinfo=PARIS)
    late = datetime(2026, 5, 19, 19, 30, tzinfo=PARIS)
    assert remind_at(Preset.TONIGHT, late) == datetime(2026, 5, 19, 20, 30, tzinfo=PARIS)
    monday = datetime(2026, 5, 25, 8, 0, tzinfo=PARIS)
    assert remind_at(Preset.NEXT_WEEK, monday) == datetime(2026, 6, 1, 9, 0, tzinfo=PARIS)


def test_reminders_in_words() -> None:
    now = TUESDAY_MORNING
    tonight = ChatReminder("c", datetime(2026, 5, 19, 18, 0, tzinfo=UTC))
    assert describe_reminder(tonight, now) == "Reminder today 20:00"
    soon = ChatReminder("c", datetime(2026, 5, 20, 9, 0, tzinfo=PARIS), dismiss_on_incoming=True)
    assert describe_reminder(soon, now) == "Reminder tomorrow 09:00 (until they write)"
    later = ChatReminder("c", datetime(2026, 5, 25, 9, 0, tzinfo=PARIS))
    assert describe_reminder(later, now) == "Reminder Mon 25 May 09:00"


async def test_a_reminder_set_and_removed(client: BeeperClient, demo_dataset: Dataset) -> None:
    person = _person(demo_dataset)
    reminders = ReminderService(client, clock=lambda: TUESDAY_MORNING)
    chat = (await chats_with(client, person)).chats[0]
    assert chat.chat.reminder is None
    set_ = await reminders.set(chat.id, Preset.TOMORROW_MORNING, dismiss_on_incoming=True)
    assert set_.when == datetime(2026, 5, 20, 9, 0, tzinfo=PARIS)
    reported = (await chats_with(client, person)).chats[0]
    assert ChatReminder.of(reported.id, reported.chat.reminder) == set_
    await reminders.remove(chat.id)
    assert (await chats_with(client, person)).chats[0].chat.reminder is None


async def test_dismissed_when_they_write(
    client: BeeperClient, demo_dataset: Dataset, demo_app: Starlette
) -> None:
    person = _person(demo_dataset)
    reminders = ReminderService(client, clock=lambda: TUESDAY_MORNING)
    chat = (await chats_with(client, person)).chats[0]
    await reminders.set(chat.id, Preset.IN_1_HOUR, dismiss_on_incoming=True)
    state: DemoState = demo_app.state.demo
    state.messages.receive(chat.id, "hi!")
    assert (await chats_with(client, person)).chats[0].chat.reminder is None


def test_a_person_met_only_in_groups_has_what_they_wrote_there() -> None:
    from beeper_tui.api.models import Chat
    from beeper_tui.service.chats import PersonChat
    from beeper_tui.service.conversation import Conversation, conversation_chats

    them = Contact(User(id="@ines:x", full_name="Ines"), "slack")
    group = Chat.model_validate(
        {"id": "!g:x", "accountID": "slack", "title": "#general", "type": "group"}
    )
    chats = (PersonChat(group, them, "Slack", None),)
    assert conversation_chats(chats) == chats
    conversation = Conversation(them, conversation_chats(chats))
    assert conversation.sender == "@ines:x"

    def message(mid: str, sender: str) -> Message:
        return Message.model_validate(
            {
                "id": mid,
                "chatID": "!g:x",
                "accountID": "slack",
                "senderID": sender,
                "senderName": sender,
                "timestamp": "2026-05-20T10:00:00Z",
                "text": f"from {sender}",
            }
        )

    merged = conversation.with_messages([message("1", "@ines:x"), message("2", "@bob:x")])
    assert [line.id for line in merged.lines] == ["1"]
    assert merged.lines[0].group == "#general"
