"""What today's Desktop builds changed, through the service over the demo (issue 21).

The build from ``X-Beeper-Desktop-Version``, the "Allow sensitive actions" 403,
which networks are asked for an exact lookup, the hidden iMessage account read
as a network, and iMessage participants that come back as a hash.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from beeper_tui.api.client import BeeperClient
from beeper_tui.api.errors import API_SETTINGS, PermissionDeniedError
from beeper_tui.api.models import User
from beeper_tui.demo import DEMO_TOKEN, Dataset, DemoState, create_demo_app
from beeper_tui.demo.faults import FaultRule
from beeper_tui.demo.generations import LATEST_VERSION
from beeper_tui.service.accounts import searched_accounts
from beeper_tui.service.backend import Backend
from beeper_tui.service.book import AddressBook
from beeper_tui.service.book_source import BookSource
from beeper_tui.service.contacts import ContactPager, ContactSource
from beeper_tui.service.lookups import LookupGap
from beeper_tui.service.names import best_name, is_participant, participant_user
from beeper_tui.service.networks import account_label, network_name
from beeper_tui.service.person import Contact
from beeper_tui.service.scope import ALL_ACCOUNTS


def _backend(dataset: Dataset, version: str, **options: bool) -> tuple[Backend, DemoState]:
    app = create_demo_app(dataset, desktop_version=version, record=True, **options)
    client = BeeperClient(
        "http://demo.invalid", DEMO_TOKEN, transport=httpx.ASGITransport(app=app), max_retries=0
    )
    return Backend(client), app.state.demo


async def test_a_build_without_info_is_known_from_the_header(demo_dataset: Dataset) -> None:
    backend, _ = _backend(demo_dataset, "4.1.294")
    try:
        await backend.resolve_accounts(None)
        assert backend.build.version == (4, 1, 294)
        assert backend.build.described == "4.1.294"
        assert backend.build_line == "Beeper Desktop 4.1.294"
        assert not backend.build.has_contacts_list
    finally:
        await backend.aclose()


async def test_sensitive_actions_off_is_explained_and_browsing_goes_on(
    demo_dataset: Dataset,
) -> None:
    backend, _ = _backend(demo_dataset, LATEST_VERSION, sensitive_actions=False)
    try:
        await backend.resolve_accounts(None)
        signal = next(a for a in demo_dataset.accounts if a.spec.key == "signal")
        source = backend.source(signal.account_id)
        await source.load_next()
        assert source.items
        with pytest.raises(PermissionDeniedError) as caught:
            await backend.open_chat(source.items[0])
        assert caught.value.sensitive_action
        assert "'Allow sensitive actions'" in caught.value.message
        assert "Settings → Integrations" in caught.value.message
        source = backend.source(signal.account_id, "a")
        await source.load_next()
        assert source.items
    finally:
        await backend.aclose()


def test_the_settings_page_names_both_builds() -> None:
    assert "Settings → Integrations" in API_SETTINGS
    assert "Settings → Developers on older builds" in API_SETTINGS


async def test_only_networks_that_can_look_a_phone_up_are_asked(demo_dataset: Dataset) -> None:
    backend, state = _backend(demo_dataset, LATEST_VERSION)
    try:
        await backend.resolve_accounts(None)
        await backend.learn_lookups()
        state.clear_requests()
        source = backend.all_pager("+14155550123")
        await source.load_next()
        asked = {r.path.split("/")[3] for r in state.requests_to(r"/contacts$")}
        discord = next(a.account_id for a in demo_dataset.accounts if a.spec.key == "discordgo")
        whatsapp = next(a.account_id for a in demo_dataset.accounts if a.spec.key == "whatsapp")
        assert discord not in asked
        assert whatsapp in asked
        assert LookupGap("Discord", "phone numbers") in source.lookup_gaps
        assert "Discord can't look up phone numbers" in {str(g) for g in source.lookup_gaps}
        assert "WhatsApp" not in {g.network for g in source.lookup_gaps}
        # Kept for the session: nobody asks for capabilities again.
        state.clear_requests()
        await backend.learn_lookups()
        assert state.requests_to(r"/capabilities$") == []
        assert backend.all_pager("ada").lookup_gaps == ()
    finally:
        await backend.aclose()


async def test_a_build_without_capabilities_asks_every_network(demo_dataset: Dataset) -> None:
    backend, state = _backend(demo_dataset, "4.2.808")
    try:
        await backend.resolve_accounts(None)
        await backend.learn_lookups()
        assert backend.lookups.route_missing
        state.clear_requests()
        source = backend.source(ALL_ACCOUNTS, "+14155550123")
        await source.load_next()
        asked = {r.path.split("/")[3] for r in state.requests_to(r"/contacts$")}
        discord = next(a.account_id for a in demo_dataset.accounts if a.spec.key == "discordgo")
        assert discord in asked
        assert source.lookup_gaps == ()
    finally:
        await backend.aclose()


@pytest.mark.parametrize("status", [400, 404])
async def test_a_lookup_refused_with_400_or_404_is_skipped_quietly(
    demo_dataset: Dataset, status: int
) -> None:
    backend, state = _backend(demo_dataset, "4.2.808")
    try:
        signal = next(a.account_id for a in demo_dataset.accounts if a.spec.key == "signal")
        state.faults.add(FaultRule(path=rf"/{signal}/contacts$", status=status))
        pager = ContactPager(backend.client, signal, "+14155550123")
        await pager.load_next()
        assert pager.lookup_error is None
        assert pager.error is None
    finally:
        await backend.aclose()


async def test_the_hidden_imessage_account_reads_as_a_network_and_its_owner(
    demo_dataset: Dataset,
) -> None:
    backend, _ = _backend(demo_dataset, LATEST_VERSION)
    imessage = next(a for a in demo_dataset.accounts if a.spec.key == "imessagecloud")
    try:
        accounts = await backend.resolve_accounts(None)
        found = next(a for a in accounts if a.account_id == imessage.account_id)
        assert imessage.account_id in backend.accounts.found_through_chats
        assert network_name(found) == "iMessage"
        assert found.user.id == imessage.owner["id"]
        owner = str(imessage.owner.get("fullName") or "")
        assert owner
        assert account_label(found) == f"iMessage · {owner}" or owner in account_label(found)
        assert imessage.account_id not in account_label(found)
    finally:
        await backend.aclose()


def test_an_imessage_participant_hash_reads_as_the_formatted_phone() -> None:
    hashed = User(id="imsg##participant:0a1b2c3d", fullName="+14155552671")
    shown = participant_user(hashed)
    assert best_name(shown) == "+1 415-555-2671"
    assert "imsg##" not in best_name(shown)
    assert shown.phone_number == "+14155552671"
    person = User(id="@imessagecloud_14155552671:beeper.local", phoneNumber="+14155552671")
    assert is_participant(hashed, person)
    assert not is_participant(hashed, User(id="x", phoneNumber="+14155550000"))
    named = User(id="imsg##participant:ff", fullName="Ada Lovelace")
    assert participant_user(named) is named


async def test_chats_with_a_phone_only_imessage_contact_are_found(demo_dataset: Dataset) -> None:
    backend, _ = _backend(demo_dataset, LATEST_VERSION)
    imessage = next(a for a in demo_dataset.accounts if a.spec.key == "imessagecloud")
    try:
        await backend.resolve_accounts(None)
        chats = backend.client.search_chats(account_ids=[imessage.account_id], limit=200)
        page = await chats
        hashed = next(
            p
            for c in page.items
            for p in c.participants.items
            if p.id.startswith("imsg##participant:")
        )
        contact = next(
            c
            for c in imessage.contacts
            if c.get("phoneNumber") == hashed.full_name and not c.get("fullName")
        )
        person = Contact(User.model_validate(contact), imessage.account_id)
        found = await backend.chats_with(person)
        assert found.chats
        assert all("imsg##" not in chat.title for chat in found.chats)
    finally:
        await backend.aclose()


def _network_of(backend: Backend) -> Callable[[str], str]:
    def name(account_id: str) -> str:
        account = backend.accounts.get(account_id)
        return network_name(account) if account is not None else account_id

    return name


def _line(source: ContactSource, backend: Backend) -> str:
    return "".join(part.text for part in source.summary(_network_of(backend)))


async def test_the_count_line_names_the_networks_that_cannot_look_up(
    demo_dataset: Dataset,
) -> None:
    backend, _ = _backend(demo_dataset, LATEST_VERSION)
    try:
        await backend.resolve_accounts(None)
        await backend.learn_lookups()
        source = backend.source(ALL_ACCOUNTS, "+14155550123")
        await source.load_next()
        line = _line(source, backend)
        assert "Discord, Instagram, LinkedIn, Slack, X can't look up phone numbers" in line
        assert "WhatsApp" not in line
        assert "failed" not in line
        gap = next(p for p in source.summary(_network_of(backend)) if "can't" in p.text)
        assert gap.role == "note"
        plain = backend.source(ALL_ACCOUNTS, "ada")
        await plain.load_next()
        assert "can't look up" not in _line(plain, backend)
    finally:
        await backend.aclose()


async def test_the_book_asks_only_networks_that_can_and_names_the_others(
    demo_dataset: Dataset,
) -> None:
    backend, state = _backend(demo_dataset, LATEST_VERSION)
    try:
        accounts = searched_accounts(await backend.resolve_accounts(None))
        await backend.learn_lookups()
        backend.book = await AddressBook.open(None)
        await backend.book.syncer(backend.client).run(accounts)
        discord = next(a.account_id for a in demo_dataset.accounts if a.spec.key == "discordgo")
        whatsapp = next(a.account_id for a in demo_dataset.accounts if a.spec.key == "whatsapp")
        # A network that cannot look numbers up is never asked, so never "fails".
        state.faults.add(FaultRule(path=rf"/{discord}/contacts$", status=400))
        state.clear_requests()
        source = backend.source(ALL_ACCOUNTS, "+14155550123")
        assert isinstance(source, BookSource)
        await source.load_next()
        asked = {r.path.split("/")[3] for r in state.requests_to(r"/contacts$")}
        assert discord not in asked
        assert whatsapp in asked
        line = _line(source, backend)
        assert "Discord, Instagram, LinkedIn, Slack, X can't look up phone numbers" in line
        assert "failed" not in line
    finally:
        if backend.book is not None:
            await backend.book.close()
        await backend.aclose()


@pytest.mark.parametrize("status", [400, 404, 422])
async def test_a_book_lookup_the_network_does_not_offer_is_not_a_failure(
    demo_dataset: Dataset, status: int
) -> None:
    # On a build without capabilities every network is asked; one says it cannot.
    backend, state = _backend(demo_dataset, "4.2.808")
    try:
        accounts = searched_accounts(await backend.resolve_accounts(None))
        backend.book = await AddressBook.open(None)
        await backend.book.syncer(backend.client).run(accounts)
        signal = next(a.account_id for a in demo_dataset.accounts if a.spec.key == "signal")
        code = "IDENTIFIER_NOT_SUPPORTED" if status == 422 else None
        state.faults.add(FaultRule(path=rf"/{signal}/contacts$", status=status, code=code))
        source = backend.source(ALL_ACCOUNTS, "+14155550123")
        assert isinstance(source, BookSource)
        await source.load_next()
        assert source.lookup_error is None
        assert "failed" not in _line(source, backend)
        # Any other failure still is one.
        state.faults.clear()
        state.faults.add(FaultRule(path=rf"/{signal}/contacts$", status=500))
        again = backend.source(ALL_ACCOUNTS, "+14155550124")
        await again.load_next()
        assert again.lookup_error is not None
    finally:
        if backend.book is not None:
            await backend.book.close()
        await backend.aclose()
