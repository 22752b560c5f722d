"""Figure 17: exporting 25,000 people from the book to a vCard file.

The export writes what the list shows, one card per person with every
identity. vobject took about ten seconds for this many cards; the writer in
``service/export/formats.py`` builds the lines itself.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from beeper_tui.service.export.people import export_people_to_file
from beeper_tui.service.person import Contact, PersonIndex
from beeper_tui.service.users import UserInfo
from benchmarks.figure import Result, print_results

PEOPLE = 25_000
TARGET_S = 2.0


def people(count: int = PEOPLE) -> list[Contact]:
    """``count`` people; every fifth is on a second network (same phone), some names escape."""
    contacts: list[Contact] = []
    for n in range(count):
        phone = f"+4477{n:08d}"
        name = f"Person {n}, the {n % 7}th; Ünïcode ✓" if n % 11 == 0 else f"Person Number{n}"
        contacts.append(
            Contact(
                UserInfo(
                    id=f"@whatsapp_{n}:beeper.local",
                    full_name=name,
                    phone_number=phone,
                    email=f"person{n}@example.com" if n % 3 == 0 else None,
                    username=f"person_{n}",
                ),
                "whatsapp",
            )
        )
        if n % 5 == 0:
            contacts.append(
                Contact(UserInfo(id=f"{n}", full_name=name, phone_number=phone), "telegram")
            )
    index = PersonIndex()
    index.extend(contacts)
    return [index[i] for i in range(len(index))]


def export_seconds(everyone: list[Contact]) -> float:
    """Time to write ``everyone`` to a vCard file (atomic rename included)."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "people.vcf"
        started = time.perf_counter()
        result = asyncio.run(export_people_to_file(everyone, lambda a: a.title(), target, "vcf"))
        elapsed = time.perf_counter() - started
        assert result.written == len(everyone)
    return elapsed


class ExportVCard:
    """Figure 17: the book's people to vCard at book speed."""

    number = 17
    name = f"Export of {PEOPLE:,} contacts from the book to vCard"
    target = f"<= {TARGET_S:.0f} s"
    unit = "s"

    def run(self) -> list[Result]:
        """Write them all once."""
        everyone = people()
        seconds = export_seconds(everyone)
        return [
            Result.of(
                self,
                seconds,
                f"{seconds:.2f} s",
                seconds <= TARGET_S,
                (f"{len(everyone):,} cards", f"{seconds / len(everyone) * 1e6:.0f} µs a card"),
            )
        ]


FIGURE = ExportVCard()

if __name__ == "__main__":
    print_results(FIGURE)
