"""The contact search index."""

from __future__ import annotations

import random
from typing import Any

import pytest

from beeper_tui.demo import Dataset
from beeper_tui.demo.search import ContactIndex, normalize, phone_digits

CONTACTS: list[dict[str, Any]] = [
    {"id": "1", "fullName": "Zoë Lindqvist", "phoneNumber": "+46705550123"},
    {"id": "2", "fullName": "ZOE Brown", "email": "zoe@example.org"},
    {"id": "3", "fullName": "Łukasz Wróbel", "username": "@lukasz"},
    {"id": "4", "fullName": "Straße Weiß 🎸"},
    {"id": "5", "phoneNumber": "+1 (415) 555-2671"},
    {"id": "6", "fullName": None, "email": None},
    {"id": "7", "fullName": "山田 太郎", "username": "@taro"},
    {"id": "8", "fullName": "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǫ̗͎̍"},
    # Only the name spells these people, in letters NFKD does not decompose.
    {"id": "9", "fullName": "Søren Đorđević"},
    {"id": "10", "fullName": "Paweł Hæstad"},
]


@pytest.fixture
def index() -> ContactIndex:
    return ContactIndex(CONTACTS)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("zoe", [0, 1]),
        ("ZOË", [0, 1]),
        ("  zoe  ", [0, 1]),
        ("lindq", [0]),
        ("lukasz", [2]),
        ("strasse", [3]),
        ("🎸", [3]),
        ("example.org", [1]),
        ("@taro", [6]),
        ("山田", [6]),
        ("zalo", [7]),
        ("415", [4]),
        ("+1 415-555", [4]),
        ("(70) 555-01", [0]),
        ("nobody", []),
        ("soren", [8]),
        ("dordevic", [8]),
        ("pawel", [9]),
        ("haestad", [9]),
        ("SØREN", [8]),
    ],
)
def test_match(index: ContactIndex, query: str, expected: list[int]) -> None:
    assert list(index.match(query)) == expected


def test_blank_query_matches_everything(index: ContactIndex) -> None:
    assert list(index.match("")) == list(range(len(CONTACTS)))
    assert list(index.match("   ")) == list(range(len(CONTACTS)))


def test_normalize_and_phone_digits() -> None:
    assert normalize("Zoë  ÅSA") == "zoe asa"
    assert phone_digits("+1 (415) 555-2671") == "14155552671"
    assert phone_digits("alice 415") is None


def test_window_agrees_with_match(demo_dataset: Dataset) -> None:
    account = demo_dataset.accounts[3]
    index = account.index
    rng = random.Random(5)
    queries = ["a", "an", "ali", "nor", "gmail", "+1 4", "55", "zzzz", "", "ø"]
    for query in queries:
        everything = list(index.match(query))
        for _ in range(5):
            anchor = rng.randrange(len(account.contacts))
            limit = rng.choice([1, 7, 200])
            after = [p for p in everything if p > anchor][:limit]
            before = [p for p in everything if p < anchor][-limit:]
            assert index.window(query, after=anchor, limit=limit) == after
            assert index.window(query, before=anchor, limit=limit) == before
        assert index.window(query, limit=50) == everything[:50]


def test_match_finds_the_same_as_a_naive_scan(demo_dataset: Dataset) -> None:
    account = demo_dataset.account("telegram")
    assert account is not None
    for query in ("ana", "é", "son", "@a", "gmail.com"):
        needle = normalize(query)
        naive = [
            i
            for i, c in enumerate(account.contacts)
            if any(
                isinstance(c.get(k), str) and needle in normalize(c[k])
                for k in ("fullName", "username", "email")
            )
        ]
        assert list(account.index.match(query)) == naive
