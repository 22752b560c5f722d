"""Exporting what the screen shows: the address book's people for a scope and query.

The TUI's ``e`` and ``beeper-tui export`` both end here once the book is
ready for the accounts exported, so the file holds the people on screen (one
vCard per person, every identity kept; left-out accounts left out), not what
a server pager happens to return.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

from beeper_tui.service.person import Contact

from .formats import ContactWriter
from .run import ExportProgress, ExportResult, write_into

__all__ = ["BOOK_LABEL", "export_people_to_file", "write_people"]

BOOK_LABEL: Final = "address book"
"""What the progress callback names as the source of a book export."""
_SLICE: Final = 500


async def write_people(
    people: Sequence[Contact],
    writer: ContactWriter,
    network_of: Callable[[str], str],
    *,
    progress: Callable[[ExportProgress], None] | None = None,
) -> ExportResult:
    """Write each person through ``writer`` (header, people, close), yielding between slices."""
    result = ExportResult()
    writer.write_header()
    for start in range(0, len(people), _SLICE):
        if start:
            await asyncio.sleep(0)
        for person in people[start : start + _SLICE]:
            writer.write_person(person, network_of)
            result.written += 1
        writer.stream.flush()
        if progress is not None:
            progress(ExportProgress("", BOOK_LABEL, 1, 1, result.written, result.written))
    writer.close()
    result.records = writer.written
    return result


async def export_people_to_file(
    people: Sequence[Contact],
    network_of: Callable[[str], str],
    target: Path,
    fmt: str,
    *,
    progress: Callable[[ExportProgress], None] | None = None,
) -> ExportResult:
    """:func:`write_people` into ``target`` through :func:`~.run.write_into`, as the pagers do."""
    return await write_into(
        target, fmt, lambda writer: write_people(people, writer, network_of, progress=progress)
    )
