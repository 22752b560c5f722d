"""All accounts at once, one person across networks, and the actions on a contact."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import vobject
from textual.widgets import Input, OptionList

from beeper_tui.api.models import AccountStatus
from beeper_tui.demo import Dataset, DemoState, FaultRule, create_demo_app
from beeper_tui.demo.generations import LATEST_VERSION
from beeper_tui.service.all_accounts import AllAccountsPager
from beeper_tui.service.networks import account_label
from beeper_tui.service.scope import ALL_ACCOUNTS
from beeper_tui.ui.app import BeeperApp
from beeper_tui.ui.contact_list import ContactList
from beeper_tui.ui.copy_menu import CopyMenu
from beeper_tui.ui.export_dialog import ExportDialog
from beeper_tui.ui.help_screen import HelpScreen
from tests.ui_helpers import app_on_demo, settle, toasts, wait_for

SIZE = (120, 40)


def rows(app: BeeperApp) -> ContactList:
    return app.query_one("#contacts", ContactList)


def shared_phone(dataset: Dataset) -> tuple[str, set[str]]:
    """A phone number found on two or more accounts, and those accounts."""
    where: dict[str, set[str]] = defaultdict(set)
    for account in dataset.accounts:
        if account.wire.get("status") == "disabled":
            continue  # "All accounts" leaves disabled accounts out
        for user in account.contacts:
            phone = user.get("phoneNumber")
            if phone and not user.get("isSelf"):
                where[str(phone)].add(account.account_id)
    phone, accounts = next((p, a) for p, a in sorted(where.items()) if len(a) >= 2)
    return phone, accounts


async def search(app: BeeperApp, pilot: Any, text: str) -> None:
    await pilot.press("slash")
    app.query_one("#search", Input).value = text
    await settle(pilot)


async def test_all_accounts_finds_a_name_across_networks(
    make_app: Callable[..., BeeperApp], demo_state: DemoState
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.pane.account_id == ALL_ACCOUNTS
        demo_state.clear_requests()
        await search(app, pilot, "anna")
        found = rows(app).items
        accounts = {i.account_id for c in found for i in c.identities}
        assert len(accounts) >= 3
        # One request per account for the final query, all sent at once;
        # accounts the user disabled in Beeper are left out.
        requests = demo_state.requests_to(r"/contacts/list$")
        assert [r.params.get("query") for r in requests] == ["anna"] * len(requests)
        enabled = [
            a for a in app.backend.accounts.accounts if a.status is not AccountStatus.DISABLED
        ]
        assert len(enabled) < len(app.backend.accounts.accounts)
        assert {r.path.split("/")[3] for r in requests} == {a.account_id for a in enabled}


async def test_a_person_on_two_networks_is_one_row_with_both_badges(
    make_app: Callable[..., BeeperApp], demo_dataset: Dataset
) -> None:
    phone, accounts = shared_phone(demo_dataset)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await search(app, pilot, phone)
        matches = [
            c for c in rows(app).items if any(i.user.phone_number == phone for i in c.identities)
        ]
        assert len(matches) == 1
        person = matches[0]
        assert {i.account_id for i in person.identities} >= accounts
        index = list(rows(app).items).index(person)
        line = rows(app).render_line(index - int(rows(app).scroll_offset.y)).text
        badges = line.split()[0:2]
        assert len(accounts) > 2  # the badge folds all but the first network into "+N"
        assert badges[1] == f"+{len({i.account_id for i in person.identities}) - 1}"
        rows(app).focus()
        rows(app).cursor = index
        await pilot.pause()
        text = app.detail.text
        for identity in person.identities:
            account = app.backend.accounts.get(identity.account_id)
            assert account is not None
            assert account_label(account) in text
            assert identity.user.id not in text
        await pilot.press("ctrl+t")
        text = app.detail.text
        for account_id in accounts:
            assert account_id in text
        for identity in person.identities:
            assert identity.user.id in text


async def test_a_slow_account_does_not_hold_up_the_others(
    make_app: Callable[..., BeeperApp], demo_state: DemoState
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        demo_state.faults.add(FaultRule(path=r"^/v1/accounts/telegram/", delay_ms=1500))
        await pilot.press("slash")
        app.query_one("#search", Input).value = "an"
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.pane.pager, AllAccountsPager)
                and app.pane.pager.query == "an"
                and bool(rows(app).items)
            ),
        )
        pager = app.pane.pager
        assert isinstance(pager, AllAccountsPager)
        assert pager.loading  # telegram still answering
        assert "telegram" not in {c.account_id for c in rows(app).items}
        await settle(pilot, extra=1.6)
        assert "telegram" in {i.account_id for c in rows(app).items for i in c.identities}


async def test_a_failing_account_is_noted_and_retried_without_breaking_the_rest(
    make_app: Callable[..., BeeperApp], demo_state: DemoState
) -> None:
    rule = FaultRule(path=r"^/v1/accounts/linkedin/", status=500, message="LinkedIn is down")
    demo_state.faults.add(rule)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        count = str(app.query_one("#count").render())
        assert "failed: LinkedIn" in count
        assert "LinkedIn is down" in count
        assert rows(app).items
        assert "linkedin" not in {c.account_id for c in rows(app).items}
        demo_state.faults.clear()
        rows(app).focus()
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "failed" not in str(app.query_one("#count").render())
        assert "linkedin" in {i.account_id for c in rows(app).items for i in c.identities}


async def test_browsing_all_accounts_pages_on(make_app: Callable[..., BeeperApp]) -> None:
    app = make_app(page_size=50)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = len(rows(app).items)
        rows(app).focus()
        await pilot.press("end")
        await settle(pilot)
        assert len(rows(app).items) > first


async def test_c_copies_a_phone_number(make_app: Callable[..., BeeperApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lst = rows(app)
        index = next(i for i, c in enumerate(lst.items) if c.user.phone_number and not c.others)
        phone = lst.items[index].user.phone_number
        lst.focus()
        lst.cursor = index
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert isinstance(app.screen, CopyMenu)
        options = app.screen.query_one(OptionList)
        labels = [label for label, _ in app.screen.choices]
        options.highlighted = labels.index("Phone")
        await pilot.press("enter")
        await pilot.pause()
        assert app.clipboard == phone
        assert any(n.message.startswith("Copied phone") for n in toasts(app))


async def test_m_starts_and_focuses_the_chat(
    make_app: Callable[..., BeeperApp], demo_state: DemoState
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lst = rows(app)
        index = next(
            i
            for i, c in enumerate(lst.items)
            if not c.user.cannot_message and not c.user.is_self and not c.others
        )
        contact = lst.items[index]
        lst.focus()
        lst.cursor = index
        await pilot.press("ctrl+o")
        await settle(pilot)
        (start,) = demo_state.requests_to(r"^/v1/chats/start$")
        assert start.json["accountID"] == contact.account_id
        assert start.json["user"]["id"] == contact.id
        (focus,) = demo_state.requests_to(r"^/v1/focus$")
        assert focus.json["chatID"]
        assert any("Opened the chat" in n.message for n in toasts(app))


async def test_m_on_a_cannot_message_contact_says_why_and_sends_nothing(
    make_app: Callable[..., BeeperApp], demo_state: DemoState
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.main_screen.switch_account("discordgo")
        await settle(pilot)
        lst = rows(app)
        index = next(i for i, c in enumerate(lst.items) if c.user.cannot_message)
        lst.focus()
        lst.cursor = index
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert demo_state.requests_to(r"^/v1/chats/start$") == []
        assert any("Can't message" in n.message for n in toasts(app))


async def test_m_errors_are_shown(
    make_app: Callable[..., BeeperApp], demo_state: DemoState
) -> None:
    demo_state.faults.add(FaultRule(path=r"^/v1/chats/start$", status=500, message="[b]no[/b]"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lst = rows(app)
        lst.focus()
        lst.cursor = next(
            i for i, c in enumerate(lst.items) if not c.user.cannot_message and not c.others
        )
        await pilot.press("ctrl+o")
        await settle(pilot)
        errors = [n for n in toasts(app) if n.severity == "error"]
        assert errors
        assert "[b]no[/b]" in errors[-1].message
        assert not errors[-1].markup


async def test_e_exports_the_whole_result_set(
    make_app: Callable[..., BeeperApp], demo_dataset: Dataset, tmp_path: Path
) -> None:
    account = next(a for a in demo_dataset.accounts if a.account_id == "linkedin")
    app = make_app(page_size=50)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.main_screen.switch_account(account.account_id)
        await settle(pilot)
        rows(app).focus()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)
        target = tmp_path / "linkedin.vcf"
        app.screen.query_one("#export-path", Input).value = str(target)
        await pilot.click("#export-start")
        await wait_for(pilot, target.exists)
        await settle(pilot)
        assert not isinstance(app.screen, ExportDialog)
    cards = list(vobject.readComponents(target.read_text(encoding="utf-8")))
    assert len(cards) == len(account.contacts)
    assert any("Exported" in n.message for n in toasts(app))


async def test_export_failure_writes_nothing_and_says_so(
    make_app: Callable[..., BeeperApp], demo_state: DemoState, tmp_path: Path
) -> None:
    app = make_app(page_size=50)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.main_screen.switch_account("telegram")
        await settle(pilot)
        demo_state.faults.add(FaultRule(path=r"/contacts/list$", status=500))
        rows(app).focus()
        await pilot.press("ctrl+s")
        await pilot.pause()
        target = tmp_path / "out.vcf"
        app.screen.query_one("#export-path", Input).value = str(target)
        await pilot.click("#export-start")
        await settle(pilot)
        assert isinstance(app.screen, ExportDialog)
        assert "Export failed" in str(app.screen.query_one("#export-progress").render())
        assert not target.exists()
        assert list(tmp_path.iterdir()) == []


async def test_actions_are_in_the_help_and_the_palette(
    make_app: Callable[..., BeeperApp],
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rows(app).focus()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        for line in ("^y  Copy", "^o  Message", "^s  Export"):
            assert line in app.screen.text
        await pilot.press("escape")
        app.main_screen.switch_account(app.backend.accounts.accounts[0].account_id)
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"switch account all accounts")
        await asyncio.sleep(0.3)
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert app.pane.account_id == ALL_ACCOUNTS


async def test_r_retries_when_every_account_failed(
    make_app: Callable[..., BeeperApp], demo_state: DemoState
) -> None:
    demo_state.faults.add(FaultRule(path=r"/contacts/list$", status=500))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert list(rows(app).items) == []
        assert "press ctrl+r to retry" in rows(app).status_text
        demo_state.faults.clear()
        rows(app).focus()
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert rows(app).items
        assert "retry" not in rows(app).status_text


async def test_a_rate_limited_account_waits_then_continues(
    make_app: Callable[..., BeeperApp], demo_state: DemoState
) -> None:
    demo_state.faults.add(
        FaultRule(path=r"^/v1/accounts/telegram/", status=429, retry_after=0.3, times=1)
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot,
            lambda: "telegram" in {i.account_id for c in rows(app).items for i in c.identities},
            limit=30,  # a cold start builds the 20,000-member workspace first
        )
        assert "failed" not in str(app.query_one("#count").render())
        telegram = demo_state.requests_to(r"^/v1/accounts/telegram/contacts/list$")
        assert len(telegram) >= 2  # refused once, asked again after Retry-After


async def test_the_count_line_names_networks_that_cannot_look_a_phone_up(
    demo_dataset: Dataset,
) -> None:
    # Today's builds say per network what it can look up (the baseline cannot).
    latest = create_demo_app(demo_dataset, desktop_version=LATEST_VERSION)
    app = app_on_demo(latest, debounce_ms=50)
    phone = "+14155550123"
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        backend = app.session.backend
        # What each network can look up is learnt once the accounts are in.
        await wait_for(pilot, lambda: bool(backend.lookups.gaps(backend.accounts.accounts, phone)))
        app.query_one("#search", Input).value = phone
        await wait_for(pilot, lambda: "can't look up" in str(app.query_one("#count").render()))
        count = str(app.query_one("#count").render())
        assert "Discord" in count
        assert "can't look up phone numbers" in count
        assert "failed" not in count
