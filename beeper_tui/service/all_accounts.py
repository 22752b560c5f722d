"""Search or browse every account at once, merging one person across networks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence

from beeper_tui.api.errors import BeeperError

from .contacts import (
    NO_MARKS,
    ContactPager,
    NetworkOf,
    RowMarks,
    SummaryPart,
    failures_summary,
    paged_summary,
)
from .lookups import LookupGap
from .person import Contact, PersonIndex, position_of
from .retry import RetryTimer, auto_retry_delay

__all__ = ["AllAccountsPager"]

log = logging.getLogger("beeper_tui.service")


class AllAccountsPager:
    """One result list fed by a pager per account, all asked at once.

    Each page round asks every account that has more; results are added in
    the order the accounts answer (fastest first) and ``on_update`` runs after
    each answer, so the screen fills while slow accounts are still working.
    Contacts sharing a phone number or email become one row (a :class:`Contact`
    whose ``others`` lists the identities on other accounts). An account that
    fails is noted in :attr:`failures` and left out of automatic paging until
    :meth:`retry`; it never holds up or breaks the others. A rate-limited
    account is asked again by itself once its ``Retry-After`` has passed,
    whatever the other accounts are doing meanwhile.
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
        self.lookup_gaps: tuple[LookupGap, ...] = ()
        """Networks that cannot look the query up (and were not asked), for the count line."""
        self._failures: dict[str, BeeperError] = {}
        self._items = PersonIndex()
        self._loading = False
        self._retrying = 0
        self._timers: dict[str, RetryTimer] = {}
        self.rounds = 0

    @property
    def items(self) -> Sequence[Contact]:
        """Every row so far: one per person, in arrival order."""
        return self._items

    @property
    def failures(self) -> Mapping[str, BeeperError]:
        """Account ID → why its last page failed."""
        return self._failures

    @property
    def has_more(self) -> bool:
        """Whether an account that has not failed may have more."""
        return any(p.has_more for p in self._active())

    @property
    def loading(self) -> bool:
        """Whether a page round or a retry is in flight."""
        return self._loading or self._retrying > 0

    @property
    def retrying(self) -> bool:
        """Whether a failed account will be asked again by itself."""
        return any(timer.pending for timer in self._timers.values())

    @property
    def error(self) -> BeeperError | None:
        """An error only when every account failed (otherwise see :attr:`failures`)."""
        if self.pagers and len(self._failures) == len(self.pagers):
            return next(iter(self._failures.values()))
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
        return [p for p in self.pagers if p.account_id not in self._failures]

    async def load_next(self) -> list[Contact]:
        """Ask every account with more for its next page, at once."""
        wanted = [p for p in self._active() if p.has_more]
        if self._loading or not wanted:
            return []
        self._loading = True
        try:
            added = await self._ask(wanted)
        finally:
            self._loading = False
        self.rounds += 1
        return added

    async def retry(self) -> None:
        """Ask the accounts that failed again now (their loaded rows stay)."""
        await self._retry([p for p in self.pagers if p.account_id in self._failures])

    async def _retry(self, pagers: list[ContactPager]) -> None:
        # Runs beside a round of the other accounts: a failed account is in no round.
        for pager in pagers:
            self._timers.pop(pager.account_id, RetryTimer()).cancel()
            self._failures.pop(pager.account_id, None)
        wanted = [p for p in pagers if p.has_more and not p.loading]
        if not wanted:
            return
        self._retrying += 1
        if self.on_update is not None:
            self.on_update()  # the failures are gone: say so before the answers come
        try:
            await self._ask(wanted)
        finally:
            self._retrying -= 1
        if not self.rounds:
            self.rounds = 1  # every account had failed: this is the first answer
        if self.on_update is not None:
            self.on_update()

    def close(self) -> None:
        """Drop every pending retry."""
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()

    @property
    def export_count(self) -> tuple[int, bool] | None:
        """The rows loaded, and whether an account may have more."""
        return len(self._items), self.has_more

    def summary(self, network_of: NetworkOf) -> list[SummaryPart]:
        """``120 contacts loaded · more available · failed: Slack (…) — r retries``."""
        # paged_summary names the networks that cannot look the query up (lookup_gaps).
        return paged_summary(self) + failures_summary(self._failures, network_of)

    def position(self, key: tuple[str, str]) -> int | None:
        """Where the person with identity ``key`` is among the rows loaded, if there."""
        return position_of(self._items, key)

    def row_marks(self, i: int) -> RowMarks:
        """No marks: the servers say nothing about where the query matched."""
        return NO_MARKS

    async def _ask(self, pagers: list[ContactPager]) -> list[Contact]:
        added: list[Contact] = []
        tasks = [asyncio.ensure_future(self._one(p)) for p in pagers]
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
        return added

    async def _one(self, pager: ContactPager) -> list[Contact]:
        try:
            contacts = await pager.load_next()
        except BeeperError as exc:
            log.info("all accounts: %s failed: %s", pager.account_id, exc)
            self._failures[pager.account_id] = exc
            delay = auto_retry_delay(exc)
            if delay is not None:
                timer = self._timers.setdefault(pager.account_id, RetryTimer())
                timer.arm(delay, lambda: self._retry([pager]))
            if self.on_failure is not None:
                self.on_failure(pager.account_id, exc)
            return []
        return self._items.extend(contacts)
