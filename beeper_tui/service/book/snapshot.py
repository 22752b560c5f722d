"""The built index as bytes, so opening a book reads it back instead of rebuilding it.

Rebuilding the index of 100,000 contacts costs a second or two of CPU; the
snapshot, saved next to the contacts once the book has stopped changing after
a rebuild (or when it closes), loads in a tenth of that, which is what lets
the cached list paint at once when the app starts.
It holds only flat values (strings, numbers, tuples, dicts and the index's
``array`` columns) written with :mod:`marshal`, as a list of parts of a few
thousand items each (a header first), stored one part per row: no single
call copies the whole snapshot or holds the GIL long enough to stall the
event loop while a worker thread saves or loads it.

A field can be read back alone (:func:`unpack_lazily`): a one-shot
``beeper-tui search`` decodes the vocabularies its query looks up and the
JSON of its hits, not every contact's.

A snapshot is a cache of a cache: any doubt (another format, another set of
fields, a part whose length or CRC-32 differs from what the header recorded,
bytes that do not decode) raises :class:`SnapshotError` and the caller
rebuilds from the contacts. The header itself is checked by its own CRC-32
(the last four bytes of part 0).
"""

from __future__ import annotations

import marshal
import sys
import zlib
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import chain, islice
from typing import Any, Final, overload

from beeper_tui import __version__

__all__ = [
    "SNAPSHOT_FORMAT",
    "LazyBlob",
    "LazyTuple",
    "SnapshotError",
    "pack",
    "unpack",
    "unpack_lazily",
]

SNAPSHOT_FORMAT: Final = 3
"""Bump when the meaning of an index field changes (a changed set of fields is caught anyway).

2: the header holds each part's length and CRC-32, checked before anything is read.
3: long tuples in parts of :data:`_TUPLE_CHUNK` items, each readable alone (:class:`LazyTuple`)."""

_MADE_BY: Final = (__version__, sys.version_info[:2], sys.byteorder)
"""Who wrote a snapshot: another app version, Python or byte order rebuilds instead of reading
(a version that built its index otherwise and forgot to bump the format is caught too)."""

_CHUNK: Final = 8_192
_TUPLE_CHUNK: Final = 1_024
"""Items per part of a long tuple: a lazy read of one item decodes this many."""
_ARRAY_PART: Final = _CHUNK * 8
"""Items per part of an ``array`` column (64 KB of a byte buffer)."""
_ARRAY, _TUPLE, _DICT, _VALUE = "a", "t", "d", "v"


class SnapshotError(ValueError):
    """The bytes are not a snapshot this version can read."""


def _chunks(items: Any, size: int = _CHUNK) -> list[bytes]:
    iterator = iter(items)
    parts: list[bytes] = []
    while chunk := tuple(islice(iterator, size)):
        parts.append(marshal.dumps(chunk))
    return parts


def pack(fields: Mapping[str, Any]) -> list[bytes]:
    """``fields`` (name → flat value: str, int, tuple, dict, ``array``...) as snapshot parts."""
    layout: list[tuple[str, str, str, int]] = []
    blobs: list[bytes] = []
    for name, value in fields.items():
        if isinstance(value, array):
            step = _ARRAY_PART
            parts = [value[i : i + step].tobytes() for i in range(0, len(value), step)]
            layout.append((name, _ARRAY, value.typecode, len(parts)))
        elif isinstance(value, (tuple, LazyTuple)) and len(value) > _TUPLE_CHUNK:
            parts = _chunks(value, _TUPLE_CHUNK)
            layout.append((name, _TUPLE, "", len(parts)))
        elif isinstance(value, dict) and len(value) > _CHUNK:
            keys = _chunks(value)  # keys, then values: faster to read back than pairs
            parts = keys + _chunks(value.values())
            layout.append((name, _DICT, "", len(keys)))
        else:
            parts = [marshal.dumps(value)]
            layout.append((name, _VALUE, "", 1))
        blobs.extend(parts)
    sums = tuple((len(b), zlib.crc32(b)) for b in blobs)
    header = marshal.dumps((SNAPSHOT_FORMAT, _MADE_BY, tuple(layout), sums))
    return [header + zlib.crc32(header).to_bytes(4, "big"), *blobs]


def _header(parts: Sequence[bytes]) -> tuple[Any, Any]:
    """The header's layout and part sums, once its own CRC-32, format and maker match."""
    if not parts:
        raise SnapshotError("an empty snapshot")
    head = parts[0]
    if len(head) < 5 or zlib.crc32(head[:-4]).to_bytes(4, "big") != head[-4:]:
        raise SnapshotError("the snapshot's header is damaged")
    version, made_by, layout, sums = marshal.loads(head[:-4])
    if version != SNAPSHOT_FORMAT:
        raise SnapshotError(f"snapshot format {version!r}, this app reads {SNAPSHOT_FORMAT}")
    if len(sums) != len(parts) - 1:
        raise SnapshotError("the snapshot has parts missing or left over")
    if tuple(made_by) != _MADE_BY:
        raise SnapshotError(f"written by {made_by!r}, this is {_MADE_BY!r}")
    return layout, sums


def _parts(parts: Sequence[bytes], sums: Sequence[Any], first: int, size: int) -> list[bytes]:
    """Parts ``first`` to ``first + size - 1`` (1: the first after the header), in one read.

    Each is checked against its length and CRC-32 from the header.
    """
    try:
        blobs = list(parts[first : first + size])
    except Exception as exc:  # read from the file when asked for: gone, unreadable
        raise SnapshotError(f"parts {first}+{size} of the snapshot cannot be read: {exc}") from exc
    if len(blobs) != size:
        raise SnapshotError("the snapshot is cut short")
    for number, blob in enumerate(blobs, first):
        length, crc = sums[number - 1]
        if len(blob) != length or zlib.crc32(blob) != crc:
            raise SnapshotError(f"part {number} of the snapshot is damaged")
    return blobs


def _decoder(
    kind: str, typecode: str, count: int, parts: Sequence[bytes], sums: Sequence[Any], first: int
) -> Callable[[], Any]:
    """Reads one field back from its parts (``first`` on), each checked against its sum."""

    if kind == _TUPLE:
        return lambda: LazyTuple(parts, sums, first, count)
    if kind == _ARRAY and typecode == "B":
        return lambda: LazyBlob(parts, sums, first, count)

    def decode() -> Any:
        size = 2 * count if kind == _DICT else count
        chunk = _parts(parts, sums, first, size)
        try:
            if kind == _ARRAY:
                column = array(typecode)
                for part in chunk:
                    column.frombytes(part)
                return column
            if kind == _DICT:
                keys = chain.from_iterable(map(marshal.loads, chunk[:count]))
                values = chain.from_iterable(map(marshal.loads, chunk[count:]))
                return dict(zip(keys, values, strict=True))
            return marshal.loads(chunk[0])
        except Exception as exc:  # whatever the bytes are, they are not a snapshot
            raise SnapshotError(f"not a readable snapshot: {exc}") from exc

    return decode


def unpack_lazily(parts: Sequence[bytes]) -> dict[str, Callable[[], Any]]:
    """Each field :func:`pack` wrote → a function that reads it back when called.

    Only the header is read here; a field's parts are checked (length,
    CRC-32) and decoded when its function is called, which raises
    :class:`SnapshotError` for a damaged one. A one-shot ``beeper-tui search``
    decodes only what its query reads: not the JSON of every contact.
    """
    try:
        layout, sums = _header(parts)
        fields: dict[str, Callable[[], Any]] = {}
        at = 1
        for name, kind, typecode, count in layout:
            if kind not in (_ARRAY, _TUPLE, _DICT) and (kind, count) != (_VALUE, 1):
                raise SnapshotError(f"unknown field kind {kind!r}")
            size = 2 * count if kind == _DICT else count
            if at + size > len(parts):
                raise SnapshotError("the snapshot is cut short")
            fields[name] = _decoder(kind, typecode, count, parts, sums, at)
            at += size
        if at != len(parts):
            raise SnapshotError("the snapshot has parts left over")
    except SnapshotError:
        raise
    except Exception as exc:  # whatever the bytes are, they are not a snapshot
        raise SnapshotError(f"not a readable snapshot: {exc}") from exc
    return fields


def unpack(parts: Sequence[bytes]) -> dict[str, Any]:
    """The fields :func:`pack` wrote; :class:`SnapshotError` for anything else."""
    fields = {name: decode() for name, decode in unpack_lazily(parts).items()}
    for name, value in fields.items():
        if isinstance(value, (LazyTuple, LazyBlob)):
            fields[name] = value.whole()
    return fields


class LazyBlob:
    """A byte buffer (an ``array("B")`` column) read back lazily: a slice reads only the parts
    it spans, each checked when read. The JSON of a query's hits is a few hundred bytes of a
    buffer of megabytes."""

    __slots__ = ("_count", "_first", "_loaded", "_parts", "_sums")

    def __init__(self, parts: Sequence[bytes], sums: Sequence[Any], first: int, count: int) -> None:
        self._parts, self._sums, self._first, self._count = parts, sums, first, count
        self._loaded: dict[int, bytes] = {}

    def __len__(self) -> int:
        # The header knows each part's length: nothing is read to know the whole.
        return sum(self._sums[self._first - 1 + k][0] for k in range(self._count))

    def _part(self, k: int) -> bytes:
        blob = self._loaded.get(k)
        if blob is None:
            (blob,) = _parts(self._parts, self._sums, self._first + k, 1)
            if k < self._count - 1 and len(blob) != _ARRAY_PART:
                raise SnapshotError(f"part {self._first + k} of the snapshot has another shape")
            self._loaded[k] = blob
        return blob

    def __getitem__(self, span: slice) -> array[int]:
        """The bytes ``span`` covers (a plain slice: start and stop, no step)."""
        start, stop, step = span.indices(len(self))
        if step != 1:
            raise ValueError("a lazy buffer is sliced without a step")
        found = array("B")
        while start < stop:
            k, at = divmod(start, _ARRAY_PART)
            piece = self._part(k)[at : at + stop - start]
            if not piece:
                break
            found.frombytes(piece)
            start += len(piece)
        return found

    def whole(self) -> array[int]:
        """Every byte, as the ``array`` that was saved (in one read)."""
        column = array("B")
        for blob in _parts(self._parts, self._sums, self._first, self._count):
            column.frombytes(blob)
        return column


class LazyTuple(Sequence[Any]):
    """A long tuple read back lazily: each part is checked and decoded when an item in it is read.

    Looking a word up by ``bisect`` in a vocabulary of 50,000 reads a few
    parts; the JSON of a query's hits, the parts they are in. A damaged part
    raises :class:`SnapshotError` from the read that needs it.
    """

    __slots__ = ("_first", "_length", "_loaded", "_parts", "_sums")

    def __init__(self, parts: Sequence[bytes], sums: Sequence[Any], first: int, count: int) -> None:
        self._parts, self._sums, self._first = parts, sums, first
        self._loaded: list[tuple[Any, ...] | None] = [None] * count
        self._length: int | None = None

    def _part(self, k: int) -> tuple[Any, ...]:
        part = self._loaded[k]
        if part is None:
            number = self._first + k
            (blob,) = _parts(self._parts, self._sums, number, 1)
            self._decode(k, blob)
            part = self._loaded[k]
            assert part is not None
        return part

    def _decode(self, k: int, blob: bytes) -> None:
        number = self._first + k
        try:
            part = marshal.loads(blob)
        except Exception as exc:  # whatever the bytes are, they are not a snapshot
            raise SnapshotError(f"not a readable snapshot: {exc}") from exc
        last = k == len(self._loaded) - 1
        if not isinstance(part, tuple) or not (last or len(part) == _TUPLE_CHUNK):
            raise SnapshotError(f"part {number} of the snapshot has another shape")
        self._loaded[k] = part

    def __len__(self) -> int:
        if self._length is None:
            parts = len(self._loaded)
            self._length = (parts - 1) * _TUPLE_CHUNK + len(self._part(parts - 1)) if parts else 0
        return self._length

    @overload
    def __getitem__(self, i: int) -> Any: ...
    @overload
    def __getitem__(self, i: slice) -> tuple[Any, ...]: ...
    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return self.whole()[i]
        size = len(self)
        if i < 0:
            i += size
        if not 0 <= i < size:
            raise IndexError("LazyTuple index out of range")
        k, j = divmod(i, _TUPLE_CHUNK)
        return self._part(k)[j]

    def __iter__(self) -> Iterator[Any]:
        return chain.from_iterable(map(self._part, range(len(self._loaded))))

    def whole(self) -> tuple[Any, ...]:
        """Every item, as the tuple that was saved (the parts not read yet, in one read)."""
        if None in self._loaded:
            blobs = _parts(self._parts, self._sums, self._first, len(self._loaded))
            for k, blob in enumerate(blobs):
                if self._loaded[k] is None:
                    self._decode(k, blob)
        return tuple(self)
