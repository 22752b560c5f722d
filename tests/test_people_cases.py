"""The demo's "who is who" cases, served as the wire says and read by the book's sync.

The demo places a few people on fixed accounts (``demo/people_cases.py``):
split across networks by name only, a shared family phone, a shared team
inbox, twelve Maria Garcias, and two chats the user merged in Beeper (served
as ``merge``/``mergedIntoChatID`` on the builds that have them).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from beeper_desktop_api import BeeperDesktop
from beeper_desktop_api.types import Chat as SdkChat

from beeper_tui.api.client import BeeperClient
from beeper_tui.demo import DEMO_TOKEN, Dataset, build_dataset, create_demo_app, serve_in_thread
from beeper_tui.demo.generations import LATEST_VERSION
from beeper_tui.service.book import AddressBook
from beeper_tui.service.book.decisions import Decision
from beeper_tui.service.book.sync import directory_of
from tests.demo_fixtures import BASELINE_VERSION

SOFI_TG = ("telegram", "@telegram_7001000102:beeper.com")
SOFI_IG = ("instagramgo", "@instagramgo_4400000102:beeper.com")


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return build_dataset(big_account_size=400)


def _serve(dataset: Dataset, version: str) -> Iterator[str]:
    with serve_in_thread(create_demo_app(dataset, desktop_version=version)) as base_url:
        yield base_url


@pytest.fixture
def latest(dataset: Dataset) -> Iterator[str]:
    yield from _serve(dataset, LATEST_VERSION)


@pytest.fixture
def baseline(dataset: Dataset) -> Iterator[str]:
    yield from _serve(dataset, BASELINE_VERSION)


def _all_chats(base_url: str) -> list[SdkChat]:
    with BeeperDesktop(access_token=DEMO_TOKEN, base_url=base_url, max_retries=0) as sdk:
        return list(sdk.chats.search(type="single", limit=100))


def test_the_newest_build_serves_merged_chats_as_the_sdk_reads_them(latest: str) -> None:
    chats = _all_chats(latest)
    merged = [c for c in chats if c.merge is not None]
    assert len(merged) == 1
    (chat,) = merged
    assert chat.merge is not None
    members = [c for c in chats if c.merged_into_chat_id == chat.id]
    assert sorted(c.id for c in members) == sorted(chat.merge.chat_ids)
    assert chat.merge.default_chat_id == chat.merge.chat_ids[0]
    assert {c.account_id for c in members} == {"telegram", "instagramgo"}


def test_older_builds_have_no_merged_chats(baseline: str) -> None:
    chats = _all_chats(baseline)
    assert all(c.merge is None and c.merged_into_chat_id is None for c in chats)
    # The cases' own chats are there all the same.
    titles = {c.title for c in chats}
    assert {"Sofi 🌻", "Sofía M.", "Priya Raman", "Helen Park"} <= titles


@pytest.fixture
async def synced(latest: str, tmp_path: Path) -> AsyncIterator[AddressBook]:
    book = await AddressBook.open(tmp_path / "book.sqlite3", people=tmp_path / "people.toml")
    try:
        async with BeeperClient(latest, DEMO_TOKEN, max_retries=0) as client:
            accounts = await client.list_accounts()
            await book.remember_accounts(directory_of(accounts))
            await book.syncer(client).run(accounts)
        yield book
    finally:
        await book.close()


def _identities(book: AddressBook, key: tuple[str, str]) -> set[tuple[str, str]]:
    person = book.index.person_of(*key)
    assert person is not None
    found = book.search("").people
    return next(
        {c.key for c in p.contact.identities}
        for p in found
        if book.index.person_of(*p.key) == person
    )


def _named(book: AddressBook, name: str) -> list[set[tuple[str, str]]]:
    return [
        {c.key for c in p.contact.identities}
        for p in book.search(name).people
        if any(c.user.full_name == name for c in p.contact.identities)
    ]


async def test_the_book_joins_desktop_merged_chats_and_the_user_can_split_them(
    synced: AddressBook,
) -> None:
    assert _identities(synced, SOFI_TG) == {SOFI_TG, SOFI_IG}
    await synced.decide(Decision("split", SOFI_IG))
    assert _identities(synced, SOFI_TG) == {SOFI_TG}
    await synced.undo(Decision("split", SOFI_IG))
    assert _identities(synced, SOFI_TG) == {SOFI_TG, SOFI_IG}


async def test_the_merges_last_across_a_reopen(synced: AddressBook, tmp_path: Path) -> None:
    # A second opening of the same file, as the next start (or `search`) reads it.
    again = await AddressBook.open(tmp_path / "book.sqlite3", people=tmp_path / "people.toml")
    try:
        assert _identities(again, SOFI_TG) == {SOFI_TG, SOFI_IG}
    finally:
        await again.close()


async def test_a_shared_phone_and_a_shared_inbox_merge_and_can_be_split(
    synced: AddressBook,
) -> None:
    (parks,) = _named(synced, "Helen Park")
    assert len(parks) == 2  # Helen's and David's home phone
    (studio,) = _named(synced, "Lena Vogel")
    assert len(studio) == 2  # the studio's one address
    david = next(k for k in parks if k[0] != "local-gmessages" and "signal" in k[0])
    await synced.decide(Decision("split", david))
    assert _named(synced, "Helen Park") == [parks - {david}]


async def test_name_only_pairs_are_suggested_and_maria_garcia_never(
    synced: AddressBook,
) -> None:
    found = await synced.suggestions()
    by_name = {s.names: s.reason for s in found}
    assert by_name[("Priya Raman", "Priya Raman")].startswith("same name on ")
    assert {"Slack", "WhatsApp"} <= set(by_name[("Priya Raman", "Priya Raman")].split())
    assert by_name[("Tomás Ferreira", "Tomás Ferreira")] in (
        "same name and username on Telegram and Discord",
        "same name and username on Discord and Telegram",
    )
    assert not [s for s in found if "Maria Garcia" in s.names]
    marias = _named(synced, "Maria Garcia")
    assert len(marias) >= 12
    assert all(sum(1 for key in person if key in _maria_keys(synced)) == 1 for person in marias)


def _maria_keys(book: AddressBook) -> set[tuple[str, str]]:
    keys: set[tuple[str, str]] = set()
    for person in book.search("Maria Garcia").people:
        keys |= {c.key for c in person.contact.identities if c.user.full_name == "Maria Garcia"}
    return keys


def test_the_cases_are_in_the_dataset_whatever_the_size() -> None:
    small = build_dataset(big_account_size=50)
    names: dict[str, int] = {}
    for account in small.accounts:
        for user in account.contacts:
            name: Any = user.get("fullName")
            if isinstance(name, str):
                names[name] = names.get(name, 0) + 1
    assert names["Maria Garcia"] == 12
    assert len(small.accounts[3].contacts) == 50  # the cases replaced generated people


async def test_the_person_view_says_why_identities_are_joined(synced: AddressBook) -> None:
    def why(key: tuple[str, str]) -> list[str]:
        people = synced.search("").people
        person = next(p for p in people if key in {c.key for c in p.contact.identities})
        return synced.why_joined(person.contact)

    assert why(SOFI_TG) == ["joined: Desktop merged these chats (Instagram and Telegram)"]
    (parks,) = _named(synced, "Helen Park")
    assert [line.split(" (")[0] for line in why(next(iter(parks)))] == ["joined: same phone"]
    (studio,) = _named(synced, "Lena Vogel")
    assert [line.split(" (")[0] for line in why(next(iter(studio)))] == ["joined: same email"]
    priya = next(s for s in await synced.suggestions() if s.names[0] == "Priya Raman")
    await synced.decide(Decision("link", priya.a, priya.b))
    assert why(priya.a) == [f"joined: you linked them ({_networks(synced, priya.a, priya.b)})"]


def _networks(book: AddressBook, *keys: tuple[str, str]) -> str:
    names = book.network_names()
    return " and ".join(sorted(names[a] for a, _ in keys))


async def test_the_chats_with_a_merged_person_are_their_members(
    synced: AddressBook, latest: str
) -> None:
    from beeper_tui.service.chats import chats_with

    person = next(
        p for p in synced.search("Sofi").people if SOFI_TG in {c.key for c in p.contact.identities}
    )
    async with BeeperClient(latest, DEMO_TOKEN, max_retries=0) as client:
        found = await chats_with(client, person.contact, lambda _id: None)
    assert {c.chat.account_id for c in found.chats} == {"telegram", "instagramgo"}
    assert all(c.chat.merge is None and c.chat.merged_into_chat_id for c in found.chats)
