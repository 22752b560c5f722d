"""The person view on the demo: face, plain words, chats, IDs under ``i``, o/m/c actions."""

from __future__ import annotations

import dataclasses
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, OptionList
from textual_image.widget import HalfcellImage

from beeper_tui.demo import DemoState
from beeper_tui.service.avatars import initials
from beeper_tui.service.networks import own_account_words
from beeper_tui.service.person import Contact
from beeper_tui.ui.app import BeeperApp
from beeper_tui.ui.avatar_view import inside_multiplexer
from beeper_tui.ui.chats_picker import ChatsPicker
from beeper_tui.ui.contact_list import ContactList
from beeper_tui.ui.copy_menu import CopyMenu
from beeper_tui.ui.network_menu import NetworkMenu
from beeper_tui.wiring import default_avatar_cache
from tests.ui_helpers import InFlight, app_on_demo, settle, wait_for_screen

SIZE = (120, 40)


def rows(app: BeeperApp) -> ContactList:
    return app.query_one("#contacts", ContactList)


async def highlight(app: BeeperApp, pilot: Any, pick: Callable[[Contact], bool]) -> Contact:
    """Move the cursor to the first contact ``pick`` accepts; wait for its view to load."""
    await settle(pilot)
    lst = rows(app)
    lst.focus()
    lst.cursor = next(i for i, c in enumerate(lst.items) if pick(c))
    await settle(pilot)
    contact = lst.items[lst.cursor]
    assert app.detail.subject == contact
    return contact


def has_mxc_avatar(contact: Contact) -> bool:
    return (contact.user.img_url or "").startswith("mxc://") and not contact.others


async def test_a_contact_with_an_avatar_shows_their_face_in_half_blocks(
    make_app: Callable[..., BeeperApp], demo_state: DemoState
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        contact = await highlight(app, pilot, has_mxc_avatar)
        view = app.detail.avatar
        assert view.showing_image
        image = view.query_one(HalfcellImage)
        assert image.display
        (download,) = demo_state.requests_to(r"^/v1/assets/download$")
        assert download.json == {"url": contact.user.img_url}
    # The scaled avatar is cached for the user only, under the (test's) user cache.
    cached = list(default_avatar_cache().iterdir())
    assert len(cached) == 1
    assert stat.S_IMODE(os.stat(cached[0]).st_mode) == 0o600
    assert str(default_avatar_cache()).startswith(os.environ["XDG_CACHE_HOME"])


async def test_a_contact_without_an_avatar_shows_initials(
    make_app: Callable[..., BeeperApp], demo_state: DemoState
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        demo_state.clear_requests()  # the first row, highlighted at start, may have a face
        contact = await highlight(
            app, pilot, lambda c: not c.user.img_url and bool(c.user.full_name) and not c.others
        )
        view = app.detail.avatar
        assert not view.showing_image
        assert view.initials_text == initials(contact.user.full_name)
        assert view.initials_text.isalpha()
        assert demo_state.requests_to(r"^/v1/assets/") == []


async def test_moving_on_cancels_the_previous_avatar_and_chats(
    demo_app: Any, tmp_path: Path
) -> None:
    counter = InFlight(demo_app)
    app = app_on_demo(counter, debounce_ms=50)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lst = rows(app)
        lst.focus()
        for _ in range(12):
            await pilot.press("down")
        await settle(pilot)
        contact = lst.items[lst.cursor]
        assert app.detail.subject == contact
        assert counter.peak.get("/v1/assets/download", 0) <= 1
        assert counter.peak.get("/v1/chats/search", 0) <= 1
        assert app.detail.chats is not None


async def test_chats_are_listed_most_recent_first_with_last_activity(
    make_app: Callable[..., BeeperApp], demo_state: DemoState
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lst = rows(app)
        for index, candidate in enumerate(lst.items):  # noqa: B007 - used after the loop
            found = await app.backend.chats_with(candidate)
            if len(found.chats) >= 2:
                break
        else:
            raise AssertionError("no demo person with two chats on the first page")
        demo_state.clear_requests()
        lst.focus()
        lst.cursor = index
        await settle(pilot)
        chats = app.detail.chats
        assert chats is not None
        assert [c.id for c in chats.chats] == [c.id for c in found.chats]
        times = [c.last_activity for c in chats.chats if c.last_activity]
        assert times == sorted(times, reverse=True)
        assert demo_state.requests_to(r"^/v1/chats/search$")
        text = app.detail.text
        positions = [text.index(c.title) for c in chats.chats[:2]]
        assert positions == sorted(positions)
        assert " ago" in text or "yesterday" in text

        # o, Enter: the most recent chat is focused in Beeper Desktop.
        await pilot.press("ctrl+g")
        await wait_for_screen(pilot, ChatsPicker, "#chats-options")
        await pilot.press("enter")
        await settle(pilot)
        assert demo_state.focus_requests[-1] == {"chatID": chats.chats[0].id}


async def test_raw_ids_and_urls_show_only_after_i(make_app: Callable[..., BeeperApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        contact = await highlight(app, pilot, has_mxc_avatar)
        hidden = [contact.user.id, contact.account_id, contact.user.img_url or ""]
        text = app.detail.text
        assert "IDs" in text
        for raw in hidden:
            assert raw not in text
        await pilot.press("ctrl+t")
        for raw in hidden:
            assert raw in app.detail.text
        # The choice stays while the cursor moves on, and i folds them again.
        await pilot.press("down")
        await settle(pilot)
        assert rows(app).items[rows(app).cursor].user.id in app.detail.text
        await pilot.press("ctrl+t")
        assert rows(app).items[rows(app).cursor].user.id not in app.detail.text


def merged(contact: Contact) -> bool:
    return len(contact.identities) >= 2 and all(
        not i.user.cannot_message for i in contact.identities
    )


async def test_m_on_a_merged_person_asks_which_network_and_enter_keeps_the_likely_one(
    make_app: Callable[..., BeeperApp], demo_state: DemoState
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        person = await highlight(app, pilot, merged)
        for identity in person.identities:
            account = app.backend.accounts.get(identity.account_id)
            assert account is not None
            assert own_account_words(account) in app.detail.text
        await pilot.press("ctrl+o")
        await wait_for_screen(pilot, NetworkMenu, "#network-options")
        menu = app.screen
        assert isinstance(menu, NetworkMenu)
        assert {o.identity.account_id for o in menu.options} == {
            i.account_id for i in person.identities
        }
        listed = menu.query_one("#network-options", OptionList)
        assert listed.highlighted == menu.preselected == 0
        likely = menu.options[0].identity
        await pilot.press("enter")
        await settle(pilot)
        (start,) = demo_state.requests_to(r"^/v1/chats/start$")
        assert start.json["accountID"] == likely.account_id
        assert start.json["user"]["id"] == likely.user.id
        assert "draftText" not in demo_state.focus_requests[-1]


async def test_a_draft_typed_in_the_network_menu_reaches_draft_text(
    make_app: Callable[..., BeeperApp], demo_state: DemoState
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await highlight(app, pilot, merged)
        await pilot.press("ctrl+o")
        await wait_for_screen(pilot, NetworkMenu, "#network-draft")
        await pilot.press("tab")
        assert isinstance(app.focused, Input)
        await pilot.press(*"see you at 8", "enter")
        await settle(pilot)
        focus = demo_state.focus_requests[-1]
        assert focus["draftText"] == "see you at 8"
        assert focus["chatID"]


async def test_c_on_a_merged_person_copies_from_the_chosen_network(
    make_app: Callable[..., BeeperApp],
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        person = await highlight(app, pilot, merged)
        await pilot.press("ctrl+y")
        await wait_for_screen(pilot, NetworkMenu, "#network-options")
        assert not app.screen.query("#network-draft")
        chosen = app.screen.options[0].identity  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for_screen(pilot, CopyMenu, "#copy-options")
        values = dict(app.screen.choices)  # type: ignore[attr-defined]
        assert values["User ID"] == chosen.user.id
        assert values["Account ID"] == chosen.account_id
        assert chosen in person.identities


async def test_one_identity_messages_without_a_menu(
    make_app: Callable[..., BeeperApp], demo_state: DemoState
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        contact = await highlight(
            app, pilot, lambda c: not c.others and not c.user.cannot_message and not c.user.is_self
        )
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert not isinstance(app.screen, NetworkMenu)
        (start,) = demo_state.requests_to(r"^/v1/chats/start$")
        assert start.json["accountID"] == contact.account_id


def test_tmux_and_screen_count_as_multiplexers() -> None:
    assert inside_multiplexer({"TMUX": "/tmp/tmux-1000/default,1,0", "TERM": "xterm"})
    assert inside_multiplexer({"TERM": "screen-256color"})
    assert inside_multiplexer({"TERM": "tmux-256color"})
    assert not inside_multiplexer({"TERM": "xterm-kitty"})


async def test_auto_images_are_half_blocks_inside_tmux(
    make_app: Callable[..., BeeperApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMUX", "/tmp/tmux-1000/default,1,0")
    app = make_app(images="auto")
    async with app.run_test(size=SIZE) as pilot:
        await highlight(app, pilot, has_mxc_avatar)
        assert app.detail.avatar.showing_image
        assert app.detail.avatar.query_one(HalfcellImage).display


async def test_the_same_person_shown_again_as_a_new_object_still_gets_chats_and_face(
    make_app: Callable[..., BeeperApp],
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = app.detail.subject
        contact = next(c for c in rows(app).items if has_mxc_avatar(c) and c != shown)
        twin = Contact(dataclasses.replace(contact.user), contact.account_id, contact.others)
        assert twin == contact
        assert twin is not contact
        app.detail.show_contact(contact)
        app.detail.show_contact(twin)  # a refreshed list hands over equal, new objects
        await settle(pilot)
        assert app.detail.chats is not None
        assert app.detail.avatar.showing_image
