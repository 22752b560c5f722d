"""What the service tells the screen, as Textual messages, and the one adapter that posts them.

The :class:`~beeper_tui.service.session.Session` and the address book are plain
Python: they report through callbacks. :class:`ServicePoster` turns each report
into one of the messages below and posts it to the main screen, which handles
it (``@on``) and hands the state down to its panes by reactives. Tests watch
the same messages with ``run_test(message_hook=…)``.

The screen is their one home: the App has no handler for them (one that
bubbles on reaches it unhandled).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message
from textual.message_pump import MessagePump

from beeper_tui.api.errors import BeeperError
from beeper_tui.service import session_events as events
from beeper_tui.service.session_events import Health, SessionEvent

if TYPE_CHECKING:
    from beeper_tui.api.models import Account
    from beeper_tui.api.models import Message as ChatMessage
    from beeper_tui.service.backend import Backend
    from beeper_tui.service.live import LiveEvent

__all__ = [
    "HEALTH_WORDS",
    "AccountsFailed",
    "AccountsLoaded",
    "BackendSwitched",
    "BookChanged",
    "BookStatus",
    "DesktopBuild",
    "HealthChanged",
    "LiveChatChanged",
    "LiveMessages",
    "LiveRefresh",
    "LiveStatus",
    "Reconnected",
    "ServicePoster",
    "SuggestionCount",
    "Toast",
    "UnexpectedError",
]


HEALTH_WORDS: dict[Health, str] = {Health.STALE: "stale", Health.OFFLINE: "offline"}
"""What a pane says under its border about the connection (nothing when all is well)."""


@dataclass
class HealthChanged(Message):
    """The connection's health changed (``Session.health`` is its one source)."""

    health: Health


@dataclass
class DesktopBuild(Message):
    """The Desktop build the session talks to (``Beeper Desktop 4.3.20``), or None: unknown."""

    line: str | None


@dataclass
class AccountsLoaded(Message):
    """A fresh account list arrived."""

    accounts: Sequence[Account]


@dataclass
class AccountsFailed(Message):
    """Loading the account list failed (other than unreachable or refused)."""

    error: BeeperError
    quiet: bool
    """A background refresh: say nothing while an older list is still shown."""


class Reconnected(Message):
    """Beeper Desktop is back, or a new token was accepted: retry what failed."""


@dataclass
class Toast(Message):
    """Something worth a toast: where Desktop was found, that the book could not open."""

    title: str
    text: str
    """Plain text (never markup); the handler makes it inert."""
    warning: bool = False
    timeout: float | None = None
    """Seconds on screen (None: the App's default)."""


@dataclass
class BookStatus(Message):
    """What the address book is doing now ("Syncing Slack 4,200 / 20,000"), or None."""

    status: str | None

    def can_replace(self, message: Message) -> bool:
        # Only the newest status matters: a burst of sync progress paints once.
        return isinstance(message, BookStatus)


class BookChanged(Message):
    """The address book's contents changed (a sync wrote, a new index is up)."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, BookChanged)


@dataclass
class SuggestionCount(Message):
    """How many "maybe the same person" suggestions are open (after a sync or a decision)."""

    count: int

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SuggestionCount)


@dataclass
class BackendSwitched(Message):
    """The user switched to the embedded demo: the session's backend is now ``backend``."""

    backend: Backend


@dataclass
class LiveMessages(Message):
    """Messages new, changed (``deleted`` False) or deleted (True) in chat ``chat_id``."""

    chat_id: str
    ids: tuple[str, ...]
    messages: tuple[ChatMessage, ...]
    """The whole messages an upsert carried (none for a deletion)."""
    deleted: bool = False


@dataclass
class LiveChatChanged(Message):
    """Chat ``chat_id`` changed (unread count, reminder, title) or went away."""

    chat_id: str


class LiveRefresh(Message):
    """Read again what is shown: the socket came back (nothing is replayed), or the
    refresh timer ticked while there is no socket."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, LiveRefresh)


@dataclass
class LiveStatus(Message):
    """What the status line says about live updates: why they failed, or None (all well,
    or a build without a socket, which is refreshed on a timer and is not a failure)."""

    status: str | None


@dataclass
class UnexpectedError(Message):
    """An error nobody expected (a worker crashed): the App logs it and says so."""

    error: BaseException | None


class ServicePoster:
    """The one adapter from the service's callbacks to messages on the main screen."""

    def __init__(self, target: Callable[[], MessagePump]) -> None:
        self._target = target

    @property
    def target(self) -> MessagePump:
        """Where the messages go: the main screen (they wait in its queue until it runs)."""
        return self._target()

    def session_event(self, event: SessionEvent) -> None:
        """The :class:`~beeper_tui.service.session.Session`'s ``on_event``."""
        message: Message
        match event:
            case events.HealthChanged(health):
                message = HealthChanged(health)
            case events.AccountsLoaded(accounts):
                message = AccountsLoaded(accounts)
            case events.AccountsFailed(error, quiet):
                message = AccountsFailed(error, quiet)
            case events.Reconnected():
                message = Reconnected()
            case events.Notice(title, text, warning):
                message = Toast(title, text, warning=warning, timeout=10 if warning else 5)
            case events.BuildKnown(line):
                message = DesktopBuild(line)
        self.target.post_message(message)

    def book_status(self, status: str | None) -> None:
        """The book's status line may have changed."""
        self.target.post_message(BookStatus(status))

    def book_changed(self) -> None:
        """The book's contents changed."""
        self.target.post_message(BookChanged())

    def suggestion_count(self, count: int) -> None:
        """The book counted its open suggestions anew."""
        self.target.post_message(SuggestionCount(count))

    def toast(self, title: str, text: str, *, warning: bool = False) -> None:
        """Something the user should read."""
        self.target.post_message(Toast(title, text, warning=warning))

    def live_event(self, event: LiveEvent) -> None:
        """One event of the session's :class:`~beeper_tui.service.live.LiveFeed`."""
        from beeper_tui.service import live

        target = self.target
        match event:
            case live.MessagesUpserted(chat_id, ids, messages):
                target.post_message(LiveMessages(chat_id, ids, messages))
            case live.MessagesDeleted(chat_id, ids):
                target.post_message(LiveMessages(chat_id, ids, (), deleted=True))
            case live.ChatsChanged(chat_id):
                target.post_message(LiveChatChanged(chat_id))
            case live.LiveConnected(reconnected):
                target.post_message(LiveStatus(None))
                if reconnected:
                    target.post_message(LiveRefresh())
            case live.LiveDown(reason, retry_in):
                target.post_message(
                    LiveStatus(f"live updates off: {reason}; retrying in {retry_in:.0f} s")
                )
            case live.LiveUnavailable():
                target.post_message(LiveStatus(None))
            case live.RefreshDue():
                target.post_message(LiveRefresh())

    def backend_switched(self, backend: Backend) -> None:
        """The session's backend is now the demo's."""
        self.target.post_message(BackendSwitched(backend))
