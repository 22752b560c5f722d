"""Figure 14: who is who over a 100,000-contact book (issue 23).

Three rows: the "Maybe the same person" suggestions over the whole book
(≤ 1 s, on the book's thread); reading the saved index back with 1,000 user
decisions applied against none (within 5 %); the ranked query's p95 on the
decided index (≤ 15 ms).
"""

from __future__ import annotations

import random
import statistics
import time

from beeper_tui.api.models import User
from beeper_tui.service.book.decisions import Decision, PeopleDecisions
from beeper_tui.service.book.evidence import suggestions
from beeper_tui.service.book.rows import stored_contact
from beeper_tui.service.book.search import BookIndex
from benchmarks.figure import Result, percentile, print_results

CONTACTS = 100_000
DECISIONS = 1_000
SUGGEST_TARGET_S = 1.0
LOAD_SLACK = 0.05
QUERY_P95_MS = 15.0
_ACCOUNTS = ("slack", "whatsapp", "telegram", "signal", "discord")
_FIRST = ("Ana", "Ben", "Chloé", "Dmitri", "Eva", "Farid", "Greta", "Hugo", "Inès", "Jonas")
_LAST = ("Lima", "Novak", "Okafor", "Park", "Quist", "Rossi", "Sato", "Tran", "Ueda", "Vega")


def book_rows(seed: int = 23) -> list[tuple[str, str, str, str, str, str, str, str]]:
    """100,000 contacts over five accounts; some people on two networks by name only."""
    rng = random.Random(seed)
    rows = []
    for n in range(CONTACTS):
        account = _ACCOUNTS[n % len(_ACCOUNTS)]
        person = n // 2 if rng.random() < 0.04 else n  # a few share a name across networks
        name = f"{_FIRST[person % 10]} {_LAST[person // 10 % 10]} {person:06d}"
        user = User.model_validate(
            {"id": f"@{account}_{n}:beeper.com", "fullName": name, "username": f"u{n}"}
        )
        rows.append(stored_contact(account, user))
    return rows


def _decisions(index: BookIndex, rng: random.Random) -> list[Decision]:
    picks = rng.sample(range(len(index)), DECISIONS * 2)
    out: list[Decision] = []
    for k in range(DECISIONS):
        a, b = index.identity_key(picks[2 * k]), index.identity_key(picks[2 * k + 1])
        out.append(Decision("split", a) if k % 3 == 0 else Decision("link", a, b))
    return out


class People:
    """Figure 14: suggestions, decisions at load, and the query on the decided book."""

    number = 14
    name = "People: suggestions, 1,000 decisions, query"
    target = f"≤ {SUGGEST_TARGET_S:.0f} s; load +≤ {LOAD_SLACK:.0%}; p95 ≤ {QUERY_P95_MS:.0f} ms"
    unit = "ms"

    def run(self) -> list[Result]:
        """Build the book, then time each of the three."""
        rng = random.Random(5)
        index = BookIndex(book_rows())
        started = time.perf_counter()
        found = suggestions(index)
        suggest = time.perf_counter() - started

        parts = index.snapshot()
        people = PeopleDecisions(None, _decisions(index, rng))
        bare, decided = [], []
        for _ in range(5):
            started = time.perf_counter()
            BookIndex.from_snapshot(parts)
            bare.append(time.perf_counter() - started)
            started = time.perf_counter()
            applied = people.apply(BookIndex.from_snapshot(parts))
            decided.append(time.perf_counter() - started)
        extra = statistics.median(decided) / statistics.median(bare) - 1

        queries = ["ana", "novak", "chloe ros", "greta 0001", "jon", "farid sat", "eva tr"]
        times = []
        for _ in range(8):
            for q in queries:
                started = time.perf_counter()
                list(applied.search(q, limit=60).people)
                times.append((time.perf_counter() - started) * 1000)
        p95 = percentile(times, 95)
        return [
            Result.of(
                self,
                suggest * 1000,
                f"{suggest * 1000:.0f} ms",
                suggest <= SUGGEST_TARGET_S,
                (f"{len(found):,} suggestions over {CONTACTS:,} contacts",),
            ),
            Result.of(
                self,
                extra * 100,
                f"+{extra:.1%}",
                extra <= LOAD_SLACK,
                (
                    f"saved index read back: {statistics.median(bare) * 1000:.0f} ms, "
                    f"with {DECISIONS:,} decisions {statistics.median(decided) * 1000:.0f} ms",
                ),
            ),
            Result.of(self, p95, f"{p95:.1f} ms", p95 <= QUERY_P95_MS, ("ranked query p95",)),
        ]


FIGURE = People()

if __name__ == "__main__":
    print_results(FIGURE)
