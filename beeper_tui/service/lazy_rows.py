"""Rows built only when read: the one indexing of the lazy sequences the list shows."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator, Sequence
from typing import TypeVar, overload

__all__ = ["LazyRows"]

T = TypeVar("T")


class LazyRows(Sequence[T]):
    """A ``Sequence`` whose row ``i`` is made by :meth:`_row` when asked for.

    A list draws a screenful of a result of 100,000 people: rows are built as
    they are read. Subclasses give :meth:`__len__` and :meth:`_row`; indexing
    (negative, out of range, slices) and iteration are done once, here.
    """

    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def _row(self, i: int) -> T:
        """Row ``i``, with ``0 <= i < len(self)``."""

    @overload
    def __getitem__(self, i: int) -> T: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[T]: ...

    def __getitem__(self, i: int | slice) -> T | Sequence[T]:
        if isinstance(i, slice):
            return [self._row(j) for j in range(*i.indices(len(self)))]
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(i)
        return self._row(i)

    def __iter__(self) -> Iterator[T]:
        return (self._row(i) for i in range(len(self)))
