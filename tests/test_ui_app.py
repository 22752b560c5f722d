"""Behaviour of the three-pane app, driven with Pilot against the in-process demo."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from textual import events

from beeper_tui.demo import Dataset, DemoState, FaultRule
from beeper_tui.demo.search import normalize
from beeper_tui.service.names import best_name
from beeper_tui.service.networks import account_label, network_name
from beeper_tui.service.person import Contact
from beeper_tui.service.phones import format_phone
from beeper_tui.service.scope import ALL_ACCOUNTS
from beeper_tui.ui.accounts_sidebar import AccountsSidebar
from beeper_tui.ui.app import BeeperApp
from beeper_tui.ui.contact_list import ContactList
from beeper_tui.ui.help_screen import HelpScreen
from beeper_tui.ui.search_pane import SearchBox
from tests.ui_helpers import settle

SIZE = (120, 40)
LIST_PATH = r"/contacts/list$"


async def use_account(app: BeeperApp, pilot: Any, account_id: str) -> None:
    """Scope the results to one account, as picking it in the sidebar does."""
    await settle(pilot)
    app.main_screen.switch_account(account_id)
    await settle(pilot)


def contacts(app: BeeperApp) -> ContactList:
    return app.query_one("#contacts", ContactList)


def list_queries(state: DemoState) -> list[str]:
    return [r.params.get("query", "") for r in state.requests_to(LIST_PATH)]


async def test_startup_shows_all_accounts_with_badges(
    make_app: Callable[..., BeeperApp], demo_dataset: Dataset
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        sidebar = app.query_one("#accounts", AccountsSidebar)
        assert sidebar.option_count == len(demo_dataset.accounts) + 1
        prompts = [str(sidebar.get_option_at_index(i).prompt) for i in range(sidebar.option_count)]
        assert prompts[0].startswith("✱ All accounts")
        assert any(p.startswith("● ") for p in prompts)  # connected
        assert any(p.startswith("▲ ") for p in prompts)  # needs action
        assert any(p.startswith("? ") for p in prompts)  # older build: unknown
        assert any("reconnect required" in p for p in prompts)
        # "All accounts" is the default: rows come from many networks, each with a badge.
        assert sidebar.highlighted_scope == ALL_ACCOUNTS
        rows = contacts(app).items
        assert len({c.account_id for c in rows}) > 5
        first_line = contacts(app).render_line(0).text
        assert first_line.split()[0] in {
            "WA",
            "TG",
            "SG",
            "SL",
            "DC",
            "iM",
            "IG",
            "IN",
            "BP",
            "X",
            "FB",
            "GM",
        }


async def test_quick_typing_sends_one_request_for_the_final_query(
    make_app: Callable[..., BeeperApp], demo_state: DemoState
) -> None:
    app = make_app(debounce_ms=200)
    async with app.run_test(size=SIZE) as pilot:
        await use_account(app, pilot, "telegram")
        demo_state.clear_requests()
        await pilot.press("slash")
        for key in "alice":
            await pilot.press(key)
            await asyncio.sleep(0.03)
        await settle(pilot, extra=0.4)
        assert list_queries(demo_state) == ["alice"]
        assert app.query_one("#search", SearchBox).value == "alice"
        assert app.pane.pager is not None
        assert app.pane.pager.query == "alice"


async def test_slow_answer_for_an_old_query_never_shows(
    make_app: Callable[..., BeeperApp], demo_state: DemoState
) -> None:
    demo_state.faults.add(FaultRule(path=LIST_PATH, params={"query": "ma"}, delay_ms=600))
    app = make_app(debounce_ms=50)
    async with app.run_test(size=SIZE) as pilot:
        await use_account(app, pilot, "facebookgo")
        await pilot.press("slash", "m", "a")
        await asyncio.sleep(0.2)  # the "ma" request is out and slow
        await pilot.press("r", "i")
        await settle(pilot, extra=1.0)  # well past the slow answer
        assert "ma" in list_queries(demo_state)
        assert app.pane.pager is not None
        assert app.pane.pager.query == "mari"
        assert contacts(app).items
        for contact in contacts(app).items:
            assert "mari" in normalize(str(contact.user.wire()))


async def test_switching_account_replaces_the_results(
    make_app: Callable[..., BeeperApp],
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first, second = app.backend.accounts.accounts[:2]
        app.sidebar.focus()
        await pilot.press("down", "down")
        await settle(pilot)
        rows = contacts(app).items
        assert rows
        assert {c.account_id for c in rows} == {second.account_id}
        assert app.pane.account_id == second.account_id
        assert app.detail.subject == second
        assert network_name(second) in app.detail.text
        await pilot.press("up")
        await settle(pilot)
        assert {c.account_id for c in contacts(app).items} == {first.account_id}


async def test_account_details_are_shown_when_moving_in_the_sidebar(
    make_app: Callable[..., BeeperApp],
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.sidebar.focus()
        await pilot.press("down", "down")
        await settle(pilot)
        account = app.backend.accounts.accounts[1]
        text = app.detail.text
        assert account.account_id in text
        assert "Status" in text
        if account.bridge is not None and account.bridge.provider:
            assert account.bridge.provider in text


async def test_reaching_the_end_loads_pages_until_the_account_is_exhausted(
    make_app: Callable[..., BeeperApp], demo_dataset: Dataset, demo_state: DemoState
) -> None:
    app = make_app(page_size=50)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        target = next(a for a in demo_dataset.accounts if 200 <= len(a.contacts) <= 400)
        demo_state.clear_requests()
        await use_account(app, pilot, target.account_id)
        contacts(app).focus()
        for _ in range(40):
            await pilot.press("end")
            await settle(pilot)
            if "end of list" in contacts(app).status_text:
                break
        ids = [c.id for c in contacts(app).items]
        assert len(ids) == len(set(ids)) == len(target.contacts)
        assert set(ids) == {c["id"] for c in target.contacts}
        pages = [r for r in demo_state.requests_to(LIST_PATH) if target.account_id in r.path]
        assert len(pages) == -(-len(target.contacts) // 50)


async def test_holding_pagedown_walks_a_large_account(
    make_app: Callable[..., BeeperApp],
) -> None:
    app = make_app(page_size=100)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        big = max(app.backend.accounts.accounts, key=lambda a: a.account_id.startswith("slack"))
        app.main_screen.switch_account(big.account_id)
        await settle(pilot)
        contacts(app).focus()
        for _ in range(30):
            await pilot.press("pagedown")
        await settle(pilot)
        lst = contacts(app)
        assert lst.cursor > 30 * 25
        # Prefetch keeps about two screens loaded beyond the cursor.
        assert len(lst.items) - lst.cursor >= lst.scrollable_content_region.height


async def test_arrowing_through_results_updates_the_detail_panel(
    make_app: Callable[..., BeeperApp],
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        contacts(app).focus()
        await pilot.press("down", "down")
        await pilot.pause()
        third: Contact = contacts(app).items[2]
        assert app.detail.subject == third
        assert best_name(third.user) in app.detail.text
        await pilot.press("enter")
        await pilot.pause()
        assert app.focused is app.detail
        assert "None" not in app.detail.text


async def test_detail_panel_lists_every_known_field(
    make_app: Callable[..., BeeperApp],
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rows = contacts(app).items
        index, rich = max(
            enumerate(rows),
            key=lambda ic: sum(
                bool(v)
                for v in (ic[1].user.full_name, ic[1].user.username, ic[1].user.phone_number)
            ),
        )
        contacts(app).cursor = index
        await pilot.pause()
        text = app.detail.text
        user = rich.user
        for value in (user.username, user.email):
            if value:
                assert value in text
        if user.phone_number:
            assert format_phone(user.phone_number) in text
        account = app.backend.accounts.get(rich.account_id)
        assert account is not None
        assert account_label(account) in text
        # Raw IDs wait in the folded "IDs" section.
        assert user.id not in text
        await pilot.press("ctrl+t")
        assert user.id in app.detail.text
        assert rich.account_id in app.detail.text


async def test_empty_results_say_so(make_app: Callable[..., BeeperApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"zqxzqx")
        await settle(pilot)
        assert contacts(app).status_text == 'No results for "zqxzqx".'
        assert list(contacts(app).items) == []


async def test_escape_clears_the_search_and_focuses_the_results(
    make_app: Callable[..., BeeperApp], demo_state: DemoState
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"mar")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.query_one("#search", SearchBox).value == ""
        assert app.focused is contacts(app)
        assert app.pane.pager is not None
        assert app.pane.pager.query == ""


async def test_down_in_the_search_box_moves_into_the_results(
    make_app: Callable[..., BeeperApp],
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+f")
        assert app.focused is app.query_one("#search")
        await pilot.press("down")
        assert app.focused is contacts(app)
        await pilot.press("down", "down", "up")
        assert contacts(app).cursor == 1


async def test_tab_moves_between_panes(make_app: Callable[..., BeeperApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        seen = []
        for _ in range(4):
            await pilot.press("tab")
            seen.append(app.focused.id if app.focused else None)
        assert {"accounts", "search", "contacts", "detail"} <= set(seen)


async def test_busy_indicator_only_for_slow_answers(
    make_app: Callable[..., BeeperApp], demo_state: DemoState
) -> None:
    demo_state.faults.add(FaultRule(path=LIST_PATH, params={"query": "slow"}, delay_ms=900))
    app = make_app(debounce_ms=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        count = app.query_one("#count")
        await pilot.press("slash", *"slow")
        await asyncio.sleep(0.1)
        await pilot.pause()
        assert "Searching" not in str(count.render())
        await asyncio.sleep(0.4)
        await pilot.pause()
        assert 'Searching for "slow"' in str(count.render())
        await settle(pilot, extra=0.6)
        assert "Searching" not in str(count.render())


async def test_clicking_a_row_highlights_it(make_app: Callable[..., BeeperApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.click("#contacts", offset=(5, 4))
        await pilot.pause()
        assert contacts(app).cursor == 4
        assert app.detail.subject == contacts(app).items[4]


async def test_mouse_wheel_scrolling_loads_more(make_app: Callable[..., BeeperApp]) -> None:
    app = make_app(page_size=50)
    async with app.run_test(size=SIZE) as pilot:
        await use_account(app, pilot, "telegram")
        before = len(contacts(app).items)
        # Pilot has no public wheel helper; this routes real wheel events through
        # the app's hit-testing exactly as a terminal's would.
        for _ in range(60):
            await pilot._post_mouse_events([events.MouseScrollDown], "#contacts", offset=(5, 5))
        await settle(pilot)
        assert contacts(app).scroll_y > 0
        assert len(contacts(app).items) > before


async def test_help_screen_lists_the_real_bindings(make_app: Callable[..., BeeperApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.text
        for line in ("^q  Quit", "/ ^f  Search", "^r  Refresh", "⏎  Details", "^o  Message"):
            assert line in text
        assert text.splitlines()[-1].strip() == "something wrong?  run beeper-tui doctor"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_command_palette_switches_account(make_app: Callable[..., BeeperApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        target = app.backend.accounts.accounts[-1]
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*f"switch account {network_name(target)}")
        await asyncio.sleep(0.3)
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert app.pane.account_id == target.account_id
        assert app.sidebar.highlighted_scope == target.account_id


async def test_r_refreshes_accounts(
    make_app: Callable[..., BeeperApp], demo_state: DemoState
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        demo_state.clear_requests()
        contacts(app).focus()
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert len(demo_state.requests_to(r"^/v1/accounts$")) == 1


async def test_ctrl_q_quits(make_app: Callable[..., BeeperApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running


async def test_rows_show_markers_for_self_and_cannot_message(
    make_app: Callable[..., BeeperApp],
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await use_account(app, pilot, "matrix")
        lst = contacts(app)
        me = next(i for i, c in enumerate(lst.items) if c.user.is_self)
        lst.cursor = me
        await pilot.pause()
        line = lst.render_line(me - int(lst.scroll_offset.y)).text
        assert "★ you" in line
        assert best_name(lst.items[me].user)[:5] in line


async def test_the_end_of_the_list_is_visible_as_such(
    make_app: Callable[..., BeeperApp],
) -> None:
    app = make_app(page_size=200)
    async with app.run_test(size=SIZE) as pilot:
        await use_account(app, pilot, "linkedin")
        lst = contacts(app)
        lst.focus()
        for _ in range(5):
            await pilot.press("end")
            await settle(pilot)
        assert "end of list" in lst.status_text
        height = lst.scrollable_content_region.height
        visible = [lst.render_line(y).text for y in range(height)]
        assert any("end of list" in line for line in visible)


async def test_typing_on_the_list_only_searches(
    make_app: Callable[..., BeeperApp], demo_state: DemoState
) -> None:
    """Issue 24: every letter typed on the list filters; none acts on anyone or quits."""
    app = make_app(debounce_ms=50)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        contacts(app).focus()
        await pilot.pause()
        typed = "mia qoceijklrhgG0123"
        await pilot.press(*typed)
        await settle(pilot)
        assert app.is_running
        assert app.query_one("#search", SearchBox).value == typed
        sent = [r for r in demo_state.requests_to(r"/chats|/focus|/messages") if r.method != "GET"]
        assert not sent  # no chat opened, nothing focused in Desktop
        assert not isinstance(app.screen, HelpScreen)
        assert app.screen is app.main_screen
