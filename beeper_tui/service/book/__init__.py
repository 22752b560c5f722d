"""The address book: every contact of every enabled account, held locally and searched fast.

What the UI and CLI call (all plain async Python, no Textual)::

    book = await AddressBook.open(path, region="FR")   # path=None: in memory (--no-cache)
    sync = book.syncer(client, observer=on_progress)    # a BookSync
    task = sync.start(accounts)     # background; start() again to re-sync ("r", reconnect, timer)
    await sync.cancel()             # accounts not finished keep their previous contacts

    book.ready(account_id) -> bool          # False until that account synced: use server search
    await book.remember_accounts(directory_of(accounts))  # what a complete book holds
    book.missing() -> list[str]             # enabled accounts never fully synced
    book.network_names() -> dict[str, str]  # account ID -> network, as Desktop named it
    book.read_only / book.notices           # opened read-only; what to tell the user once
    book.count(account_id) -> int | None    # contacts the last sync brought
    book.last_synced(account_id=None) -> datetime | None
    book.search(query, account_ids=None, limit=None) -> BookResult   # sync, ~ms at 100k
    await book.lookup(client, query, account_ids, limit=None) -> BookResult  # + exact lookups
    book.add_listener(callback)             # called after each change of the book
    await book.clear() / await book.remove() / await book.close()

A :class:`BookResult` has ``people`` (a sequence of :class:`BookPerson`, built
as read, at most ``limit``) and ``total`` (every matching person). A
:class:`BookPerson` has ``contact`` (a :class:`~beeper_tui.service.person.Contact`
whose ``user`` is the identity the name comes from and ``others`` the rest),
``name`` (see :func:`~beeper_tui.service.person.person_name`), ``spans``
(character ranges of ``name`` to highlight) and ``in_book`` (False: an exact
lookup hit that is not in the user's contacts, ranked after the book's rows).

Progress arrives as :class:`SyncProgress` (account ID, fetched so far, the
previous count as the expected total or None, done, error).

Opening reads the saved index back (``snapshot``: written once the book is
still after a rebuild, or when it closes, under a fingerprint of every
account's last sync, ignored when stale or unreadable) instead of rebuilding
it; :class:`BookOpening` starts that read on the book's thread before the event
loop needs it.

Opening raises :class:`BookRefused` (a file that is not ours or not safe: left
untouched), :class:`BookBusy` (held by another process too long) or
:class:`BookError`; a write that fails (disk full) is a :class:`BookWriteError`
and the book keeps what it held. See :mod:`.store` for what happens to which file.

Modules: ``store`` (SQLite file, mode 0600, marked, schema-versioned), ``sync``
(paging ``contacts/list`` into the store), ``rows`` (a contact's stored row
and the packed tables built from rows), ``query`` (terms of a query, highlight
spans), ``search`` (the index and ranking), ``people`` (result rows),
``fold`` (case and accent folding), ``snapshot`` (the built index as
bytes), ``text_column`` (the identities' stored JSON as one buffer), ``heap``
(freed heap given back after a rebuild), ``address_book`` (this facade).

Memory (figure 18): each identity is held once, in the index's flat columns;
a rebuild streams the rows from SQLite in display order rather than holding
them all, the sync packs each fetched page into one buffer until it is
written, and a result builds its rows as read, keeping the last
:data:`~.people.BUILT_ROWS` of them. The default file location lives outside ``service`` in
:mod:`beeper_tui.book_path`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .address_book import AddressBook, BookOpening
    from .people import BookPerson, BookResult
    from .search import BookIndex
    from .store import (
        SCHEMA_VERSION,
        AccountMeta,
        BookBusy,
        BookError,
        BookRefused,
        BookStore,
        BookWriteError,
        DirectoryEntry,
        StoredContact,
        remove_book_files,
    )
    from .sync import MAX_PAGE_SIZE, BookSync, SyncProgress, directory_accounts, directory_of

_HOMES = {
    "AddressBook": "address_book",
    "BookOpening": "address_book",
    "BookPerson": "people",
    "BookResult": "people",
    "BookIndex": "search",
    "SCHEMA_VERSION": "store",
    "AccountMeta": "store",
    "BookBusy": "store",
    "BookError": "store",
    "BookRefused": "store",
    "BookStore": "store",
    "BookWriteError": "store",
    "DirectoryEntry": "store",
    "StoredContact": "store",
    "remove_book_files": "store",
    "MAX_PAGE_SIZE": "sync",
    "BookSync": "sync",
    "SyncProgress": "sync",
    "directory_accounts": "sync",
    "directory_of": "sync",
}
"""Where each name lives: imported on first use, so reading the book (``search``) loads
neither the sync nor the HTTP client it needs."""


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)


__all__ = [
    "MAX_PAGE_SIZE",
    "SCHEMA_VERSION",
    "AccountMeta",
    "AddressBook",
    "BookBusy",
    "BookError",
    "BookIndex",
    "BookOpening",
    "BookPerson",
    "BookRefused",
    "BookResult",
    "BookStore",
    "BookSync",
    "BookWriteError",
    "DirectoryEntry",
    "StoredContact",
    "SyncProgress",
    "directory_accounts",
    "directory_of",
    "remove_book_files",
]
