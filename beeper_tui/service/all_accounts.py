"""Search or browse every account at once, merging one person across networks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from beeper_tui.api.errors import BeeperError

from .contacts import ContactPager
from .person import Contact, PersonIndex

__all__ = ["ALL_ACCOUNTS", "AllAccountsPager"]

ALL_ACCOUNTS = "beeper-tui:all-accounts"
"""The scope that searches every account at once (an ID no real account uses)."""

log = logging.getLogger("beeper_tui.service")


class AllAccountsPager:
    """One result list fed by a pager per account, all asked at once.

    Each page round asks every account that has more; results are added in
    the order the accounts answer (fastest first) and ``on_update`` runs after
    each answer, so the screen fills while slow accounts are still working.
    Contacts sharing a phone number or email become one row (a :class:`Contact`
    whose ``others`` lists the identities on other networks). An account that
    fails is noted in :attr:`failures` and left out of automatic paging until
    :meth:`retry_failed`; it never holds up or breaks the others.
    """

    def __init__(
        self,
        pagers: Sequence[ContactPager],
        *,
        on_update: Callable[[], None] | None = None,
        on_failure: Callable[[str, BeeperError], None] | None = None,
    ) -> None:
        self.pagers = list(pagers)
        self.query = pagers[0].query if pagers else ""
        self.on_update = on_update
        self.on_failure = on_failure
        """Called with (account ID, error) as each account fails."""
        self.failures: dict[str, BeeperError] = {}
        """Account ID → why its last page failed."""
        self._items = PersonIndex()
        self._loading = False
        self.rounds = 0

    @property
    def items(self) -> Sequence[Contact]:
        """Every row so far: one per person, in arrival order."""
        return self._items

    @property
    def has_more(self) -> bool:
        """Whether an account that has not failed may have more."""
        return any(p.has_more for p in self._active())

    @property
    def loading(self) -> bool:
        """Whether a page round is in flight."""
        return self._loading

    @property
    def error(self) -> BeeperError | None:
        """An error only when every account failed (otherwise see :attr:`failures`)."""
        if self.pagers and len(self.failures) == len(self.pagers):
            return next(iter(self.failures.values()))
        return None

    @property
    def started(self) -> bool:
        """Whether a page round has completed."""
        return self.rounds > 0

    @property
    def lookup_error(self) -> BeeperError | None:
        """Identifier lookups failing on some networks is expected: not reported here."""
        return None

    def _active(self) -> list[ContactPager]:
        return [p for p in self.pagers if p.account_id not in self.failures]

    async def load_next(self) -> list[Contact]:
        """Ask every account with more for its next page, at once."""
        return await self._round(self._active())

    async def retry_failed(self) -> list[Contact]:
        """Ask the accounts that failed again (their loaded rows stay)."""
        if self._loading:
            return []  # the failures stay noted until a round can retry them
        failed = [p for p in self.pagers if p.account_id in self.failures]
        for pager in failed:
            self.failures.pop(pager.account_id, None)
        return await self._round(failed)

    async def _round(self, pagers: list[ContactPager]) -> list[Contact]:
        wanted = [p for p in pagers if p.has_more]
        if self._loading or not wanted:
            return []
        self._loading = True
        added: list[Contact] = []
        try:
            tasks = [asyncio.ensure_future(self._one(p)) for p in wanted]
            try:
                for next_done in asyncio.as_completed(tasks):
                    added.extend(await next_done)
                    if self.on_update is not None:
                        self.on_update()
            finally:
                for task in tasks:
                    task.cancel()
                # Let cancelled pagers unwind, so none still reads as loading.
                await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            self._loading = False
        self.rounds += 1
        return added

    async def _one(self, pager: ContactPager) -> list[Contact]:
        try:
            contacts = await pager.load_next()
        except BeeperError as exc:
            log.info("all accounts: %s failed: %s", pager.account_id, exc)
            self.failures[pager.account_id] = exc
            if self.on_failure is not None:
                self.on_failure(pager.account_id, exc)
            return []
        return self._absorb(contacts)

    def _absorb(self, contacts: Sequence[Contact]) -> list[Contact]:
        return self._items.extend(contacts)
