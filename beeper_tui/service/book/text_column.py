"""Many strings kept as one UTF-8 buffer and their end offsets: two objects, not 100,000.

The index keeps every identity's stored JSON (about 400 bytes each) to build
the rows on screen. As 100,000 separate strings they would be scattered over
the small-object heap among the sync's short-lived rows, and pin its arenas
long after those rows are gone; two flat arrays take one allocation each,
given back whole when the index is dropped, and go into the index snapshot
like its other ``array`` columns.
"""

from __future__ import annotations

from array import array
from typing import Final

from beeper_tui.service.lazy_rows import LazyRows

__all__ = ["END_TYPE", "TextColumn"]

END_TYPE: Final = "Q"
"""The ``array`` type of the end offsets (the buffer may pass 4 GB: 64 bits)."""


class TextColumn(LazyRows[str]):
    """A read-only sequence of strings packed end to end in ``blob`` (UTF-8), each
    ending at its offset in ``ends``; each decoded when read."""

    def __init__(self, blob: array[int], ends: array[int]) -> None:
        self._blob = blob
        self._ends = ends

    def __len__(self) -> int:
        return len(self._ends)

    def _row(self, i: int) -> str:
        start = self._ends[i - 1] if i else 0
        return self._blob[start : self._ends[i]].tobytes().decode()
