"""Filling the address book from Desktop, for ``search`` (first run, ``--sync``) and ``sync``.

Imported only on those paths: it brings the HTTP client along.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from beeper_tui.service.accounts import AccountMatchError, match_account
from beeper_tui.service.backend import Backend
from beeper_tui.service.book import AddressBook, SyncProgress, directory_of
from beeper_tui.service.networks import network_name

__all__ = ["SyncOutcome", "sync_book"]


@dataclass
class SyncOutcome:
    """What a sync did: each account it synced, by outcome, and the networks' names."""

    synced: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    """Account ID → why its sync failed (the book keeps its previous contacts)."""
    names: dict[str, str] = field(default_factory=dict)
    """Account ID → its network's name."""


async def sync_book(
    book: AddressBook,
    backend: Backend,
    account: str | None,
    *,
    every: bool,
    observer: Callable[[SyncProgress], None] | None = None,
) -> SyncOutcome:
    """Sync ``account`` (None: every enabled account) into ``book`` from ``backend``.

    ``every``: sync them all again; else only those the book has not fully
    synced. Desktop's account list is remembered first, so the book knows
    what a complete book holds. Raises :class:`AccountMatchError` when
    ``account`` names no account or several, and the backend's ``BeeperError``
    when Desktop cannot be asked at all.
    """
    everyone = await backend.resolve_accounts(None)
    if account:
        try:
            scope = [match_account(everyone, account)]
        except AccountMatchError as exc:
            if exc.ambiguous:
                raise
            scope = await backend.resolve_accounts(account)  # one the list leaves out
    else:
        scope = everyone
    await book.remember_accounts(directory_of(everyone))
    todo = scope if every else [a for a in scope if not book.ready(a.account_id)]
    results = await book.syncer(backend.client, observer=observer).run(todo)
    outcome = SyncOutcome(names={a.account_id: network_name(a) for a in everyone})
    for account_id, error in results.items():
        if error is None:
            outcome.synced.append(account_id)
        else:
            outcome.failed[account_id] = str(error)
    return outcome
