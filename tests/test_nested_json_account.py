"""Deeply nested JSON from one account stays that account's failure (issue 14, item 8)."""

from __future__ import annotations

from collections.abc import Callable

from beeper_tui.demo import DemoState, FaultRule
from beeper_tui.service.all_accounts import AllAccountsPager
from beeper_tui.service.scope import ALL_ACCOUNTS
from beeper_tui.ui.app import BeeperApp
from beeper_tui.ui.contact_list import ContactList
from tests.ui_helpers import settle, toasts

# Far deeper than Python's recursion limit: json.loads raises RecursionError.
NESTED = b'{"items": ' + b"[" * 200_000 + b"]" * 200_000 + b', "hasMore": false}'


async def test_nested_json_in_one_account_leaves_the_others_rows(
    make_app: Callable[..., BeeperApp], demo_state: DemoState
) -> None:
    demo_state.faults.add(FaultRule(path=r"^/v1/accounts/linkedin/contacts/list$", raw=NESTED))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.pane.account_id == ALL_ACCOUNTS
        pager = app.pane.pager
        assert isinstance(pager, AllAccountsPager)
        assert set(pager.failures) == {"linkedin"}
        assert "nested too deeply" in pager.failures["linkedin"].message
        rows = app.query_one("#contacts", ContactList).items
        accounts = {i.account_id for c in rows for i in c.identities}
        # Every other account answered and its rows are on screen.
        others = {p.account_id for p in pager.pagers} - {"linkedin"}
        assert len(others) >= 5
        assert accounts == others
        count = str(app.query_one("#count").render())
        assert "failed: LinkedIn" in count
        assert "nested too deeply" in count
        # Nothing escaped as an unexpected error.
        assert app.return_code is None
        assert not [t for t in toasts(app) if t.title == "Unexpected error"]
