"""Pilot tests of the person-view widgets in a tiny app: avatar, chats picker, network menu."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

from PIL import Image
from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widgets import Input, OptionList
from textual_image.widget import HalfcellImage

from beeper_tui.api.models import Account, Chat, User
from beeper_tui.service.avatars import avatar_colour, decode_avatar
from beeper_tui.service.chats import PersonChat
from beeper_tui.service.identity_choice import rank_identities
from beeper_tui.service.person import Contact
from beeper_tui.ui.avatar_view import AvatarView
from beeper_tui.ui.chats_picker import ChatsPicker, chat_prompt
from beeper_tui.ui.network_menu import NetworkChoice, NetworkMenu

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


class Harness(App[None]):
    """An empty screen with an avatar; modal screens are pushed onto it."""

    def __init__(self, mode: Any = "halfblock") -> None:
        super().__init__()
        self.mode = mode
        self.results: list[Any] = []

    def compose(self) -> ComposeResult:
        yield AvatarView(self.mode, id="avatar")

    def ask(self, screen: Any) -> None:
        self.push_screen(screen, self.results.append)


def red_square() -> Image.Image:
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (220, 20, 40)).save(buf, "PNG")
    return decode_avatar(buf.getvalue())


def segments(widget: Any) -> list[Segment]:
    strips = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return [seg for strip in strips for seg in strip]


async def test_avatar_draws_half_blocks_for_a_real_png() -> None:
    app = Harness("halfblock")
    async with app.run_test(size=(40, 12)) as pilot:
        view = app.query_one(AvatarView)
        view.show_image(red_square(), name="Noor Haddad", user_id="@noor")
        await pilot.pause()
        image = app.query_one(HalfcellImage)
        assert image.display
        assert view.showing_image
        drawn = segments(image)
        cells = [s for s in drawn if s.text == "▀"]
        assert len(cells) == 12 * 6
        assert all(s.style is not None and s.style.color is not None for s in cells)
        colour = cells[0].style.color.get_truecolor()  # type: ignore[union-attr]
        assert (colour.red, colour.green, colour.blue) == (220, 20, 40)


async def test_avatar_falls_back_to_initials_on_the_users_colour() -> None:
    app = Harness("halfblock")
    async with app.run_test(size=(40, 12)) as pilot:
        view = app.query_one(AvatarView)
        view.show_image(red_square(), name="Noor Haddad", user_id="@noor")
        await pilot.pause()
        view.show_initials("Noor Haddad", "@noor")
        await pilot.pause()
        assert not view.showing_image
        assert view.initials_text == "NH"
        assert not app.query_one(HalfcellImage).display
        tile = view.query_one("#avatar-initials")
        assert tile.styles.background.hex.lower() == avatar_colour("@noor")
        text = "".join(s.text for s in segments(tile))
        assert "NH" in text


async def test_images_off_shows_initials_even_with_an_image() -> None:
    app = Harness("off")
    async with app.run_test(size=(40, 12)) as pilot:
        view = app.query_one(AvatarView)
        view.show_image(red_square(), name="[bold]Mallory", user_id="@m")
        await pilot.pause()
        assert not view.showing_image
        assert view.initials_text == "BM"
        assert not app.query(HalfcellImage)


def person_chat(
    chat_id: str, title: str, network: str, ago: timedelta | None, unread: int = 0
) -> PersonChat:
    identity = Contact(User(id="@noor", fullName="Noor"), "acc-" + network)
    chat = Chat.model_validate(
        {
            "id": chat_id,
            "accountID": identity.account_id,
            "title": title,
            "type": "single",
            "unreadCount": unread,
        }
    )
    return PersonChat(chat, identity, network, NOW - ago if ago is not None else None)


CHATS = [
    person_chat("c-tg", "Noor H", "Telegram", timedelta(hours=3), unread=2),
    person_chat("c-wa", "Noor Haddad", "WhatsApp", timedelta(days=1, hours=2)),
    person_chat("c-grp", "[red]Family[/red] ❤️ " + "x" * 80, "Signal", timedelta(days=5)),
]


def test_chat_prompt_shows_columns_in_plain_text_cut_by_cells() -> None:
    first = chat_prompt(CHATS[0], NOW)
    assert first.plain.startswith("Telegram     Noor H")
    assert "3 h ago" in first.plain
    assert first.plain.rstrip().endswith("2")
    third = chat_prompt(CHATS[2], NOW)
    assert "[red]Family[/red]" in third.plain
    assert "\ufe0f" not in third.plain
    assert "…" in third.plain
    assert third.cell_len == first.cell_len - len(" 2 ") - 1


async def test_picker_enter_returns_the_highlighted_chat() -> None:
    app = Harness()
    async with app.run_test(size=(90, 24)) as pilot:
        app.ask(ChatsPicker(CHATS, person="Noor", now=NOW))
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
    assert app.results == ["c-wa"]


async def test_picker_enter_right_away_opens_the_most_recent() -> None:
    app = Harness()
    async with app.run_test(size=(90, 24)) as pilot:
        app.ask(ChatsPicker(CHATS, person="Noor", now=NOW))
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == ["c-tg"]


async def test_picker_escape_closes_without_a_chat() -> None:
    app = Harness()
    async with app.run_test(size=(90, 24)) as pilot:
        app.ask(ChatsPicker([], person="Noor", now=NOW))
        await pilot.pause()
        await pilot.press("enter", "escape")
        await pilot.pause()
        assert not isinstance(app.screen, ChatsPicker)
    assert app.results == [None]


def account(account_id: str, network: str, owner: str, status: str = "connected") -> Account:
    return Account.model_validate(
        {
            "accountID": account_id,
            "network": network,
            "status": status,
            "user": {"id": "@me", "fullName": owner},
        }
    )


def merged_person() -> tuple[Contact, dict[str, Account]]:
    wa = Contact(User(id="@noor-wa", fullName="Noor", phoneNumber="+14155552671"), "wa")
    tg = Contact(User(id="@noor-tg", fullName="Noor", username="noorh"), "tg")
    sg = Contact(User(id="@noor-sg", fullName="Noor", cannotMessage=True), "sg")
    accounts = {
        "wa": account("wa", "WhatsApp", "Noor's phone", status="disconnected"),
        "tg": account("tg", "Telegram", "Me"),
        "sg": account("sg", "Signal", "Me"),
    }
    return wa.merged_with(tg).merged_with(sg), accounts


async def test_network_menu_preselects_the_likely_one_and_enter_keeps_it() -> None:
    person, accounts = merged_person()
    options = rank_identities(person, accounts)
    assert [o.identity.account_id for o in options] == ["tg", "wa", "sg"]
    app = Harness()
    async with app.run_test(size=(100, 30)) as pilot:
        app.ask(NetworkMenu(options, person="Noor", now=NOW))
        await pilot.pause()
        menu = app.screen
        listed = menu.query_one("#network-options", OptionList)
        assert listed.highlighted == 0
        shown = [str(listed.get_option_at_index(i).prompt) for i in range(3)]
        assert "Telegram · Me" in shown[0]
        assert "can be messaged" in shown[0]
        assert "WhatsApp · Noor's phone" in shown[1]
        assert "disconnected" in shown[1]
        assert "can't be messaged on this network" in shown[2]
        await pilot.press("enter")
        await pilot.pause()
    (choice,) = app.results
    assert isinstance(choice, NetworkChoice)
    assert choice.identity.account_id == "tg"
    assert choice.draft is None
    assert choice.warning is None


async def test_network_menu_carries_a_draft_and_a_warning() -> None:
    person, accounts = merged_person()
    app = Harness()
    async with app.run_test(size=(100, 30)) as pilot:
        app.ask(NetworkMenu(rank_identities(person, accounts), person="Noor", now=NOW))
        await pilot.pause()
        await pilot.press("down")
        await pilot.press("tab")
        assert isinstance(app.focused, Input)
        await pilot.press(*"see you at 8")
        await pilot.press("enter")
        await pilot.pause()
    (choice,) = app.results
    assert choice.identity.account_id == "wa"
    assert choice.draft == "see you at 8"
    assert choice.warning == "the account is disconnected"


async def test_network_menu_will_not_pick_an_identity_that_cannot_be_messaged() -> None:
    person, accounts = merged_person()
    app = Harness()
    async with app.run_test(size=(100, 30)) as pilot:
        app.ask(NetworkMenu(rank_identities(person, accounts), person="Noor", now=NOW))
        await pilot.pause()
        await pilot.press("down", "down", "down")
        listed = app.screen.query_one("#network-options", OptionList)
        # The Signal identity is disabled: the cursor stops on the last usable one.
        assert listed.highlighted == 1
        assert listed.get_option_at_index(2).disabled
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


async def test_copy_menu_purpose_has_no_draft_and_allows_any_identity() -> None:
    person, accounts = merged_person()
    options = rank_identities(person, accounts, purpose="copy")
    app = Harness()
    async with app.run_test(size=(100, 30)) as pilot:
        app.ask(NetworkMenu(options, purpose="copy", person="Noor", now=NOW))
        await pilot.pause()
        assert not app.screen.query(Input)
        await pilot.press("down", "down", "enter")
        await pilot.pause()
    (choice,) = app.results
    assert choice.identity.account_id == options[2].identity.account_id
    assert choice.draft is None


def test_an_identity_outside_the_account_list_is_named_by_its_network() -> None:
    from beeper_tui.ui.person_fields import identity_label

    user = User.model_validate({"id": "@noor:beeper.local", "fullName": "Noor"})
    listed = Account.model_validate(
        {"accountID": "telegram", "network": "Telegram", "user": {"id": "me", "fullName": "Sam"}}
    )
    accounts = {"telegram": listed}
    # Listed: network and owner. Not listed (offline, or before Desktop answers):
    # the network the ID names, else the ID itself, never "Unknown account".
    assert identity_label(Contact(user, "telegram"), accounts.get) == "Telegram (you: Sam)"
    assert identity_label(Contact(user, "local-whatsapp_ba_x1"), accounts.get) == "WhatsApp"
    assert identity_label(Contact(user, "zz-new-network"), accounts.get) == "zz-new-network"
