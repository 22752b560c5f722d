"""Reminders on a chat: "remind me about this person", with presets computed from a clock.

The presets: in 1 hour; tonight (20:00, or in 1 hour when that is sooner than
an hour away); tomorrow morning (09:00 tomorrow); next week (Monday 09:00).
Times are computed in the time zone of the ``now`` the caller's clock gives,
so tests inject a fixed clock. "Dismiss when they write"
(``dismissOnIncomingMessage``) is a flag of its own.

The reminder goes on one chat: :func:`reminder_chats` orders the candidates
(the person's chats, most recent first) so the UI offers the first and lets
the user choose when there are several.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import Enum
from typing import Final

from beeper_tui.api.client import BeeperClient
from beeper_tui.api.models import Reminder

from .chats import PersonChat, PersonChats, parse_time

__all__ = [
    "ChatReminder",
    "Preset",
    "ReminderService",
    "describe_reminder",
    "remind_at",
    "reminder_chats",
    "to_wire_time",
]

EVENING: Final = time(20, 0)
MORNING: Final = time(9, 0)


class Preset(Enum):
    """When a reminder goes off, as the user picks it."""

    IN_1_HOUR = "in 1 hour"
    TONIGHT = "tonight"
    TOMORROW_MORNING = "tomorrow morning"
    NEXT_WEEK = "next week"

    @property
    def label(self) -> str:
        """What the menu says: ``in 1 hour``, ``tonight``…"""
        return self.value


def _at(day: datetime, clock_time: time) -> datetime:
    return day.replace(hour=clock_time.hour, minute=clock_time.minute, second=0, microsecond=0)


def remind_at(preset: Preset, now: datetime) -> datetime:
    """When ``preset`` goes off, counted from ``now`` (aware; its time zone is the user's)."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    if preset is Preset.IN_1_HOUR:
        return now.replace(microsecond=0) + timedelta(hours=1)
    if preset is Preset.TONIGHT:
        tonight = _at(now, EVENING)
        # Past 19:00 "tonight" at 20:00 is too soon to be worth it: an hour from now.
        return tonight if tonight - now >= timedelta(hours=1) else remind_at(Preset.IN_1_HOUR, now)
    if preset is Preset.TOMORROW_MORNING:
        return _at(now + timedelta(days=1), MORNING)
    days = 7 - now.weekday()  # next Monday, a whole week on when today is Monday
    return _at(now + timedelta(days=days), MORNING)


def to_wire_time(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds and ``Z``, as Desktop writes times."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass(frozen=True, slots=True)
class ChatReminder:
    """A reminder set on a chat: when, and whether a message from them dismisses it."""

    chat_id: str
    when: datetime
    dismiss_on_incoming: bool = False

    @classmethod
    def of(cls, chat_id: str, reminder: Reminder | None) -> ChatReminder | None:
        """The reminder a chat carries; None when it has none (or an unreadable time)."""
        if reminder is None:
            return None
        when = parse_time(reminder.remind_at)
        if when is None:
            return None
        return cls(chat_id, when, bool(reminder.dismiss_on_incoming_message))


def describe_reminder(reminder: ChatReminder, now: datetime) -> str:
    """``Reminder today 20:00``, ``Reminder tomorrow 09:00``, ``Reminder Mon 25 May 09:00``.

    In ``now``'s time zone; ``(until they write)`` when a message dismisses it.
    """
    local = reminder.when.astimezone(now.tzinfo or UTC)
    today = now.astimezone(now.tzinfo or UTC).date()
    if local.date() == today:
        day = "today"
    elif local.date() == today + timedelta(days=1):
        day = "tomorrow"
    else:
        day = f"{local:%a} {local.day} {local:%b}"
    text = f"Reminder {day} {local:%H:%M}"
    if reminder.when <= now:
        text += " (due)"
    if reminder.dismiss_on_incoming:
        text += " (until they write)"
    return text


def reminder_chats(chats: PersonChats | Sequence[PersonChat]) -> list[PersonChat]:
    """The chats a reminder about this person may go on: one-to-one first, most recent first."""
    items = chats.chats if isinstance(chats, PersonChats) else list(chats)
    return sorted(items, key=lambda c: c.is_group)  # stable: recency order kept within each


def _local_now() -> datetime:
    return datetime.now().astimezone()


class ReminderService:
    """Sets and removes chat reminders; ``clock`` gives the (aware) time presets count from."""

    def __init__(
        self,
        client: BeeperClient,
        clock: Callable[[], datetime] = lambda: datetime.now().astimezone(),
    ) -> None:
        self._client = client
        self._clock = clock if clock is not None else _local_now

    def now(self) -> datetime:
        """The clock's time (aware)."""
        return self._clock()

    def when(self, preset: Preset) -> datetime:
        """When ``preset`` would go off if set now."""
        return remind_at(preset, self._clock())

    async def set(
        self, chat_id: str, when: Preset | datetime, *, dismiss_on_incoming: bool = False
    ) -> ChatReminder:
        """Set the reminder of ``chat_id`` (replacing one already there)."""
        moment = self.when(when) if isinstance(when, Preset) else when
        await self._client.set_reminder(
            chat_id, to_wire_time(moment), dismiss_on_incoming_message=dismiss_on_incoming
        )
        return ChatReminder(chat_id, moment, dismiss_on_incoming)

    async def remove(self, chat_id: str) -> None:
        """Remove the reminder of ``chat_id``."""
        await self._client.clear_reminder(chat_id)
