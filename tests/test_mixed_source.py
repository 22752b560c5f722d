"""MixedSource: the book's people first, then the rows of the accounts not in the book yet."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, cast

import pytest

from beeper_tui.api.errors import BeeperError
from beeper_tui.api.models import User
from beeper_tui.service.all_accounts import AllAccountsPager
from beeper_tui.service.book_source import BookSource
from beeper_tui.service.mixed_source import MixedSource
from beeper_tui.service.person import Contact


def _contact(account: str, n: int) -> Contact:
    return Contact(User.model_validate({"id": f"u{n}", "fullName": f"P {n}"}), account)


class _Book:
    """Stands in for a BookSource: a fixed ranked result once searched."""

    def __init__(self, rows: list[Contact]) -> None:
        self.query = "p"
        self._rows = rows
        self.started = False
        self.loading = False
        self.lookup_error = None
        self.people: list[Any] = []

    @property
    def items(self) -> Sequence[Contact]:
        return self._rows if self.started else []

    async def load_next(self) -> list[Contact]:
        self.started = True
        return []

    def position(self, key: tuple[str, str]) -> int | None:
        return next((i for i, c in enumerate(self.items) if c.key == key), None)


class _Server:
    """Stands in for an AllAccountsPager over one account: pages of two rows."""

    def __init__(self, rows: list[Contact]) -> None:
        self._all = rows
        self.items: list[Contact] = []
        self.pagers = [type("P", (), {"account_id": "slack"})()]
        self.on_update = None
        self.on_failure = None
        self.started = False

    @property
    def has_more(self) -> bool:
        return len(self.items) < len(self._all)

    async def load_next(self) -> list[Contact]:
        page = self._all[len(self.items) : len(self.items) + 2]
        self.items.extend(page)
        self.started = True
        return page


def test_rows_are_the_books_then_the_servers_as_both_grow() -> None:
    book_rows = [_contact("wa", i) for i in range(3)]
    server_rows = [_contact("slack", 10 + i) for i in range(3)]
    source = MixedSource(
        cast(BookSource, _Book(book_rows)), cast(AllAccountsPager, _Server(server_rows))
    )
    rows = source.items  # the list keeps this one object while pages arrive
    assert len(rows) == 0
    assert asyncio.run(source.load_next()) == server_rows[:2]
    assert list(rows) == book_rows + server_rows[:2]
    assert source.has_more
    asyncio.run(source.load_next())
    assert len(rows) == 6
    assert rows[-1] is server_rows[2]
    assert rows[2:4] == [book_rows[2], server_rows[0]]
    assert source.server_accounts == ["slack"]
    assert source.position(book_rows[1].key) == 1
    assert source.position(server_rows[1].key) == 4
    assert source.position(("nowhere", "x")) is None
    assert not source.has_more
    with pytest.raises(IndexError):
        rows[-7]
    with pytest.raises(IndexError):
        rows[6]


def test_an_error_shows_only_when_the_book_has_no_row() -> None:
    class _Failing(_Server):
        error = BeeperError("every account failed")

    server = cast(AllAccountsPager, _Failing([]))
    with_rows = MixedSource(cast(BookSource, _Book([_contact("wa", 1)])), server)
    asyncio.run(with_rows.load_next())
    assert with_rows.error is None  # the book's rows show; the failure is in the count line
    without = MixedSource(cast(BookSource, _Book([])), server)
    asyncio.run(without.load_next())
    assert without.error is not None
