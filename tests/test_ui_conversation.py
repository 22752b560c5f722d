"""The person view's recent conversation, live updates, the unread mark and ``R`` reminders."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from textual.widgets import Checkbox, OptionList

from beeper_tui.config import Settings
from beeper_tui.demo import DEMO_TOKEN, DemoState, serve_in_thread
from beeper_tui.service.person import Contact
from beeper_tui.ui.app import BeeperApp
from beeper_tui.ui.contact_list import ContactList
from beeper_tui.ui.contact_row import UNREAD_MARK
from beeper_tui.ui.reminder_menu import ReminderMenu
from beeper_tui.wiring import open_backend
from tests.ui_helpers import app_on_demo, settle, wait_for, wait_for_screen

SIZE = (120, 40)


def rows(app: BeeperApp) -> ContactList:
    return app.query_one("#contacts", ContactList)


async def rest_on(app: BeeperApp, pilot: Any, pick: Callable[[Contact], bool]) -> Contact:
    """Put the cursor on the first contact ``pick`` accepts; wait until their view loaded."""
    await settle(pilot)
    lst = rows(app)
    lst.focus()
    lst.cursor = next(i for i, c in enumerate(lst.items) if pick(c))
    await settle(pilot)
    contact = lst.items[lst.cursor]
    assert app.detail.subject == contact
    return contact


async def rest_on_someone_with_messages(app: BeeperApp, pilot: Any) -> Contact:
    """The first person (not yourself) whose recent conversation has messages."""
    await settle(pilot)
    for index, candidate in enumerate(rows(app).items):
        if candidate.user.is_self or index > 40:
            continue
        found = await app.backend.chats_with(candidate)
        if any(not c.is_group for c in found.chats):
            contact = await rest_on(app, pilot, lambda c, want=candidate: c is want)
            if app.detail.conversation is not None and app.detail.conversation.lines:
                return contact
    raise AssertionError("no demo person with a one-to-one conversation near the top")


class Busy:
    """Counts the person view's requests in flight (chats and messages), and the most at once."""

    PATHS = ("/v1/chats/search", "/v1/messages/search")

    def __init__(self, app: Any) -> None:
        self.app = app
        self.now = 0
        self.peak = 0
        self.seen: set[str] = set()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = str(scope.get("path", ""))
        counted = path in self.PATHS
        if counted:
            self.seen.add(path)
            self.now += 1
            self.peak = max(self.peak, self.now)
        try:
            await self.app(scope, receive, send)
        finally:
            if counted:
                self.now -= 1


async def test_resting_on_a_person_shows_their_recent_messages_and_last_talked(
    demo_app: Starlette,
) -> None:
    busy = Busy(demo_app)
    app = app_on_demo(busy, debounce_ms=50)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lst = rows(app)
        lst.focus()
        for _ in range(10):  # a held key: nobody's conversation is fetched on the way
            await pilot.press("down")
        await settle(pilot)
        assert busy.peak <= 1
        assert "/v1/messages/search" in busy.seen
        await rest_on_someone_with_messages(app, pilot)
        conversation = app.detail.conversation
        assert conversation is not None
        text = app.detail.text
        assert "Recent messages" in text
        newest = conversation.lines[0]
        assert newest.preview[:20] in text
        talked = conversation.last_talked
        assert talked is not None
        assert talked.describe(app.backend.now()) in text
        assert text.index("Last talked") < text.index("Recent messages")
        assert busy.peak <= 1


async def test_a_message_in_their_chat_appears_on_the_timer_without_a_key(
    demo_app: Starlette, demo_state: DemoState
) -> None:
    # The in-process demo has no socket: the view is refreshed on the fallback timer.
    app = app_on_demo(demo_app, debounce_ms=50)
    app.main_screen.live_refresh_interval = 0.2
    async with app.run_test(size=SIZE) as pilot:
        await rest_on_someone_with_messages(app, pilot)
        conversation = app.detail.conversation
        assert conversation is not None
        chat_id = conversation.chats[0].id
        assert demo_state.messages.receive(chat_id, "Timer says hello") is not None
        await wait_for(pilot, lambda: "Timer says hello" in app.detail.text)
        assert app.main_screen.live_status is None  # no socket here is not a failure


@pytest.fixture
def served(demo_app: Starlette) -> Iterator[str]:
    with serve_in_thread(demo_app) as base_url:
        yield base_url


def app_on_server(base_url: str) -> BeeperApp:
    """The app on the demo served over loopback: the live socket is real."""
    settings = Settings(
        base_url=base_url,
        access_token=DEMO_TOKEN,
        refresh_seconds=0,
        theme="textual-dark",
        images="halfblock",
        debounce_ms=50,
        config_path=None,
    )
    backend = open_backend(base_url=base_url, access_token=DEMO_TOKEN, max_retries=0)
    return BeeperApp(settings, backend=backend)


async def test_a_message_over_the_socket_updates_conversation_chats_and_row_at_once(
    served: str, demo_state: DemoState
) -> None:
    app = app_on_server(served)
    app.main_screen.live_refresh_interval = 3600  # only the socket may bring it
    async with app.run_test(size=SIZE) as pilot:
        contact = await rest_on_someone_with_messages(app, pilot)
        await wait_for(pilot, lambda: demo_state.live.subscribed() >= 1)
        conversation = app.detail.conversation
        assert conversation is not None
        chat = conversation.chats[0]
        unread_before = chat.chat.unread_count
        sent = demo_state.messages.receive(chat.id, "Over the socket, hi!")
        assert sent is not None
        await wait_for(pilot, lambda: "Over the socket, hi!" in app.detail.text)
        text = app.detail.text
        now_shown = app.detail.conversation
        assert now_shown is not None
        assert now_shown.lines[0].preview == "Over the socket, hi!"
        talked = now_shown.last_talked
        assert talked is not None
        assert talked.when == now_shown.lines[0].when
        assert talked.describe(app.backend.now()) in text
        shown = app.detail.chats
        assert shown is not None
        assert shown.chats[0].id == chat.id
        assert shown.chats[0].chat.unread_count == unread_before + 1
        # Their row carries the unread mark.
        identity = (chat.identity.account_id, chat.identity.user.id)
        assert identity in app.main_screen.unread_people
        lst = rows(app)
        line = lst.render_line(lst.cursor - int(lst.scroll_offset.y))
        assert UNREAD_MARK.strip() in line.text
        assert app.detail.subject == contact
        # Your own message clears it: the chat is read.
        assert demo_state.messages.send(chat.id, "Answering now") is not None
        await wait_for(pilot, lambda: "Answering now" in app.detail.text)
        await wait_for(pilot, lambda: identity not in app.main_screen.unread_people)
        assert app.main_screen.live_status is None


async def test_a_socket_that_fails_says_so_in_the_status_line(
    served: str, demo_state: DemoState
) -> None:
    app = app_on_server(served)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await wait_for(pilot, lambda: demo_state.live.subscribed() >= 1)
        demo_state.live.disconnect_all()
        await wait_for(pilot, lambda: app.main_screen.live_status is not None)
        assert "live updates off" in str(app.pane.border_subtitle)
        await wait_for(pilot, lambda: app.main_screen.live_status is None, limit=10)


async def test_hostile_message_text_stays_plain_one_line_and_clean(
    demo_app: Starlette, demo_state: DemoState
) -> None:
    app = app_on_demo(demo_app, debounce_ms=50)
    app.main_screen.live_refresh_interval = 0.2
    async with app.run_test(size=SIZE) as pilot:
        await rest_on_someone_with_messages(app, pilot)
        conversation = app.detail.conversation
        assert conversation is not None
        hostile = (
            "[bold red]boom[/] \x1b[31mred\x1b[0m \u202eevil\u202c line\nbreak \x07" + "x" * 5000
        )
        assert demo_state.messages.receive(conversation.chats[0].id, hostile) is not None
        await wait_for(pilot, lambda: "[bold red]boom[/]" in app.detail.text)
        text = app.detail.text
        for invisible in ("\x1b", "\u202e", "\x07"):
            assert invisible not in text
        assert "line break" in text
        line = next(t for t in text.splitlines() if "boom" in t)
        assert len(line) < 600  # one line, cut before it is measured
        # On screen it is one line of the panel, cut by cells: the layout holds.
        static = app.detail.query_one("#person-conversation")
        shown = app.detail.conversation
        assert shown is not None
        assert shown.has_more
        assert static.size.height == 1 + len(shown.lines) + 1  # heading, lines, "+ older"


async def test_r_sets_a_reminder_that_desktop_reports_and_r_removes_it(
    make_app: Callable[..., BeeperApp], demo_state: DemoState
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await rest_on_someone_with_messages(app, pilot)
        chats = app.detail.chats
        assert chats is not None
        first = chats.chats[0]
        await pilot.press("ctrl+n")
        await wait_for_screen(pilot, ReminderMenu, "#reminder-when")
        menu = app.screen
        assert isinstance(menu, ReminderMenu)
        if len(menu.chats) > 1:
            await pilot.press("tab")  # the most recent chat stays chosen
        assert app.screen.focused is not None
        app.screen.query_one("#reminder-dismiss", Checkbox).value = True
        when = app.screen.query_one("#reminder-when", OptionList)
        when.focus()
        await pilot.press("down", "enter")  # "tonight"
        await settle(pilot)
        reminder = demo_state.chat_book.changes[first.id]["reminder"]
        assert reminder["dismissOnIncomingMessage"] is True
        assert reminder["remindAt"].endswith("Z")
        await wait_for(pilot, lambda: "Reminder " in app.detail.text)
        assert "(until they write)" in app.detail.text
        # Again: the menu now offers to remove it.
        await pilot.press("ctrl+n")
        await wait_for_screen(pilot, ReminderMenu, "#reminder-when")
        when = app.screen.query_one("#reminder-when", OptionList)
        when.focus()
        assert when.get_option_at_index(when.option_count - 1).id == "remove"
        when.highlighted = when.option_count - 1
        await pilot.press("enter")
        await settle(pilot)
        assert demo_state.chat_book.changes[first.id]["reminder"] is None
        await wait_for(pilot, lambda: "Reminder " not in app.detail.text)


async def test_the_focused_panel_shows_each_message_with_its_full_date(
    make_app: Callable[..., BeeperApp],
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await rest_on_someone_with_messages(app, pilot)
        conversation = app.detail.conversation
        assert conversation is not None
        newest = conversation.lines[0]
        assert newest.when is not None
        full = newest.when.astimezone().strftime("%Y-%m-%d %H:%M")
        assert full not in app.detail.text
        app.detail.focus()
        await wait_for(pilot, lambda: full in app.detail.text)
        rows(app).focus()
        await wait_for(pilot, lambda: full not in app.detail.text)
