"""The one indexing of the lazy row sequences: ints, negatives, slices, the ends."""

from __future__ import annotations

import pytest

from beeper_tui.service.lazy_rows import LazyRows


class Squares(LazyRows[int]):
    def __init__(self, n: int) -> None:
        self.n = n
        self.built: list[int] = []

    def __len__(self) -> int:
        return self.n

    def _row(self, i: int) -> int:
        self.built.append(i)
        return i * i


def test_rows_are_built_only_when_read() -> None:
    rows = Squares(100_000)
    assert rows[3] == 9
    assert rows.built == [3]


def test_negative_indexes_count_from_the_end() -> None:
    rows = Squares(5)
    assert rows[-1] == 16
    assert rows[-5] == 0


@pytest.mark.parametrize("index", [5, -6, 100])
def test_out_of_range_is_an_index_error(index: int) -> None:
    with pytest.raises(IndexError):
        Squares(5)[index]


def test_slices_iteration_and_the_sequence_methods() -> None:
    rows = Squares(5)
    assert rows[1:3] == [1, 4]
    assert rows[::-2] == [16, 4, 0]
    assert rows[3:99] == [9, 16]
    assert list(rows) == [0, 1, 4, 9, 16]
    assert 9 in rows
    assert rows.index(4) == 2
    assert list(reversed(rows)) == [16, 9, 4, 1, 0]
