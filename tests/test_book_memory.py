"""One copy of each contact: the book's index and rows hold what they need and no more."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from beeper_tui.service.book import AddressBook, search
from beeper_tui.service.book.people import BUILT_ROWS, BookPerson, LazyPeople
from beeper_tui.service.book.query import Term
from beeper_tui.service.book.search import BookIndex
from beeper_tui.service.book.snapshot import unpack
from beeper_tui.service.book.store import BookStore
from beeper_tui.service.book.sync import FetchedRows
from beeper_tui.service.book.text_column import TextColumn
from tests.book_helpers import rows

PEOPLE: dict[str, list[dict[str, Any]]] = {
    "telegram": [
        {"id": "t1", "fullName": "Zoë Morrison", "phoneNumber": "+14155550101"},
        {"id": "t2", "fullName": "Ana José 🌶️", "email": "ana@example.com"},
        {"id": "t3", "username": "nameless"},
    ],
    "whatsapp": [
        {"id": "w1", "fullName": "Zoe M", "phoneNumber": "+14155550101"},
        {"id": "w2", "fullName": "Björn Ålund"},
    ],
    "slack": [{"id": f"s{i}", "fullName": f"Colleague {i:03}"} for i in range(30)],
}


class CountingLookup:
    """A :class:`~beeper_tui.service.book.people.PeopleLookup` that counts the rows it builds."""

    def __init__(self, index: BookIndex) -> None:
        self.index = index
        self.built = 0

    def person(self, person: int, terms: Sequence[Term], scope: frozenset[int]) -> BookPerson:
        self.built += 1
        return self.index.person(person, terms, scope)

    def person_of(self, account_id: str, user_id: str) -> int | None:
        return self.index.person_of(account_id, user_id)


def test_a_list_paged_to_its_end_keeps_a_bounded_number_of_rows_built() -> None:
    index = BookIndex(rows({"slack": [{"id": f"u{i}", "fullName": f"P {i}"} for i in range(3000)]}))
    lookup = CountingLookup(index)
    people = LazyPeople(lookup, range(3000), (), index.scope(None))  # nobody merged: i is person i
    first = people[0]
    for _ in range(5):
        assert people[0] is first  # the row on screen, read at every frame, is built once
    assert lookup.built == 1
    for row in people:  # paged through to the end
        assert row.name
    built = lookup.built
    assert built == 3000
    again = people[0]  # long scrolled past: built anew, the same row
    assert lookup.built == built + 1
    assert again == first
    assert people[2999] is people[-1]  # among the last read: still built
    assert lookup.built == built + 1
    assert BUILT_ROWS < 3000


def test_an_index_streamed_in_order_is_the_index_built_from_rows() -> None:
    stored = rows(PEOPLE)
    built = BookIndex(stored)
    store = BookStore(None)
    try:
        for account, users in PEOPLE.items():
            store.replace_account(account, rows({account: users}))
        streamed = BookIndex.in_order(store.contacts_in_order())
    finally:
        store.close()
    assert streamed.account_ids == built.account_ids
    assert list(streamed.identity_jsons()) == list(built.identity_jsons())
    queries = ("", "zoe", "morrison zoe", "ana", "bjorn", "colleague 01", "nameless", "5550101")
    for query in queries:
        assert list(streamed.search(query).people) == list(built.search(query).people), query
    # Zoë's two identities share a phone: one person, either way.
    assert [len(p.contact.identities) for p in built.search("zoe").people] == [2]
    assert unpack(streamed.snapshot()) == unpack(built.snapshot())  # every field, by value


def test_the_stored_json_column_reads_back_every_string() -> None:
    index = BookIndex(rows(PEOPLE))
    jsons = index.identity_jsons()
    assert isinstance(jsons, TextColumn)
    assert len(jsons) == sum(len(users) for users in PEOPLE.values())
    texts = list(jsons)
    assert any("🌶" in t for t in texts)
    assert any("Björn" in t for t in texts)
    assert jsons[-1] == texts[-1]
    assert [jsons[i] for i in range(len(jsons))] == texts


def test_fetched_rows_keep_the_first_of_each_id_and_read_again_for_each_try() -> None:
    fetched = FetchedRows()
    page = rows({"slack": [{"id": "a", "fullName": "First A"}, {"id": "b", "fullName": "B"}]})
    fetched.add(page)
    assert "a" in fetched
    assert "c" not in fetched
    fetched.add(rows({"slack": [{"id": "c", "fullName": "C"}]}))
    assert len(fetched) == 3
    assert list(fetched) == [*page, *rows({"slack": [{"id": "c", "fullName": "C"}]})]
    assert list(fetched) == list(fetched)  # a busy file is written again from the start


def test_a_book_written_from_packed_rows_holds_them(tmp_path: Path) -> None:
    async def main() -> None:
        book = await AddressBook.open(tmp_path / "book.sqlite3")
        try:
            fetched = FetchedRows()
            fetched.add(rows({"telegram": PEOPLE["telegram"]}))
            await book.replace_account("telegram", fetched)
            assert book.count("telegram") == 3
            assert [p.name for p in book.search("zoe").people] == ["Zoë Morrison"]
        finally:
            await book.close()
        reopened = await AddressBook.open(tmp_path / "book.sqlite3")
        try:
            assert [p.name for p in reopened.search("ana").people] == ["Ana José 🌶️"]
        finally:
            await reopened.close()

    asyncio.run(main())


def test_identities_are_found_by_key_even_when_their_hashes_collide(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(search, "_key_hash", lambda account_id, user_id: 7)  # every key collides
    index = BookIndex(rows(PEOPLE))
    for account, users in PEOPLE.items():
        for user in users:
            number = index.identity_number(account, user["id"])
            assert number is not None
            assert index.identity_key(number) == (account, user["id"])
    assert index.identity_number("telegram", "w1") is None
    assert index.person_of("whatsapp", "w1") == index.person_of("telegram", "t1")  # one Zoë
