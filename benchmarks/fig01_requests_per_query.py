"""Figure 1: contacts requests the demo receives for a 10-letter query typed at 40 ms/key.

The app's debounce (200 ms) should make it exactly one; the same app with
debounce 0 is run too, for comparison (one search per key).
"""

from __future__ import annotations

import asyncio

from beeper_tui.demo import Dataset, build_dataset
from benchmarks import app_access
from benchmarks.driving import (
    CONTACTS_PATH,
    DEBOUNCE_MS,
    SIZE,
    big_account,
    make_app,
    recording_demo,
    settle,
    showing,
    type_text,
    wait_until,
)
from benchmarks.figure import Result, print_results
from benchmarks.queries import ten_char_query
from tests.ui_helpers import show_big_account


async def requests_for_typed_query(
    dataset: Dataset, query: str, debounce_ms: int
) -> tuple[int, int]:
    """Contacts requests the demo received while ``query`` was typed: (all, searches).

    A search is a first-page request (no cursor); the others are next pages
    the list prefetched for the results of a query typed so far.
    """
    demo = recording_demo(dataset)
    state = demo.state.demo
    app = make_app(demo, debounce_ms=debounce_ms)
    async with app.run_test(size=SIZE) as pilot:
        await show_big_account(app, pilot)
        app_access.focus_search(app)
        await pilot.pause()
        state.clear_requests()
        await type_text(app, query, 0.040)
        await wait_until(showing(app, query), 5.0)
        await asyncio.sleep(debounce_ms / 1000 + 0.3)
        await settle(app, pilot)
        if not showing(app, query)():
            raise RuntimeError(f"the results for {query!r} never showed")
        requests = state.requests_to(CONTACTS_PATH)
        return len(requests), sum("cursor" not in r.params for r in requests)


class RequestsPerQuery:
    """Figure 1: one request per typed query, thanks to the debounce."""

    number = 1
    name = "Requests per typed query"
    target = "exactly 1"
    unit = "requests"

    def run(self) -> list[Result]:
        """Type the query with the app's debounce, then with none."""
        dataset = build_dataset()
        query = ten_char_query(big_account(dataset))
        debounced, _ = asyncio.run(requests_for_typed_query(dataset, query, DEBOUNCE_MS))
        undebounced, searches = asyncio.run(requests_for_typed_query(dataset, query, 0))
        return [
            Result.of(
                self,
                debounced,
                f"{debounced} (no debounce: {searches})",
                debounced == 1,
                (
                    f'"{query}" typed at 40 ms/key, debounce {DEBOUNCE_MS} ms: every contacts '
                    f"request the demo received; the same app with debounce 0 sent {searches} "
                    f"searches, one per key (plus {undebounced - searches} next-page "
                    "prefetches for the broad early prefixes)",
                ),
            )
        ]


FIGURE = RequestsPerQuery()

if __name__ == "__main__":
    print_results(FIGURE)
