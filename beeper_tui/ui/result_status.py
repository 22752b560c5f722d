"""The words around the result list: the count line above it, the status row below it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from beeper_tui.service.book_source import BookSource
from beeper_tui.service.mixed_source import MixedSource
from beeper_tui.service.scope import ALL_ACCOUNTS

from .safe_text import inert

if TYPE_CHECKING:
    from .search_pane import SearchPane

__all__ = ["count_text", "status_row"]


def count_text(pane: SearchPane) -> Text:
    """The line above the results: how many, what is going on, what failed."""
    pager = pane.pager
    text = Text(no_wrap=True, overflow="ellipsis")
    if pane.searching:
        query = pane.wanted_query
        if query:
            text.append(f'Searching for "{inert(query, limit=60)}"…', "italic")
        else:
            text.append("Loading contacts…", "italic")
        return text
    if pager is None:
        return text
    if isinstance(pager, BookSource):
        return _book_count_text(pager, text)
    if isinstance(pager, MixedSource):
        _book_count_text(pager.book, text)
        syncing = ", ".join(pane.backend.network_of(a) for a in pager.server_accounts)
        more = f"{len(pager.server.items):,}{'+' if pager.has_more else ''}"
        text.append(inert(f" · {more} from {syncing} (not synced yet)", limit=160), "dim")
    else:
        n = len(pager.items)
        noun = "result" if pager.query else "contact"
        text.append(f"{n:,} {noun}{'' if n == 1 else 's'}", "bold")
        if pager.has_more:
            text.append(" loaded · more available", "dim")
        elif n:
            text.append(" · all loaded", "dim")
        if pager.lookup_error is not None:
            text.append(" · exact lookup failed: ", "yellow")
            text.append(inert(pager.lookup_error.message, limit=80), "yellow")
    if pane.account_id is ALL_ACCOUNTS and pager.failures:
        network_of = pane.backend.network_of
        failed = [f"{network_of(a)} ({error.message})" for a, error in pager.failures.items()]
        text.append(" · failed: ", "bold yellow")
        text.append(inert("; ".join(failed), limit=160), "yellow")
        text.append(" — r retries", "yellow")
    return text


def _book_count_text(source: BookSource, text: Text) -> Text:
    """``1,204 of 25,470`` (true totals: the book knows every match)."""
    n, population = source.total, source.population
    if source.query:
        text.append(f"{n:,} of {population:,}", "bold")
    else:
        text.append(f"{n:,} {'person' if n == 1 else 'people'}", "bold")
    if source.loading:
        text.append(" · looking up…", "dim")
    if source.lookup_error is not None:
        text.append(" · exact lookup failed: ", "yellow")
        text.append(inert(source.lookup_error.message, limit=80), "yellow")
    return text


def status_row(pane: SearchPane) -> tuple[Text, bool, bool]:
    """The row under the results: (words, whether it is an error, whether more can load)."""
    pager = pane.pager
    if pane.account_id is None:
        return Text("No accounts yet."), False, False
    if pager is None:
        # The count line already says "Loading contacts…" once the wait shows.
        return Text("" if pane.searching else "Loading contacts…"), False, False
    if pager.error is not None:
        msg = Text("⚠ ")
        msg.append(inert(pager.error.message, limit=200))
        if pager.retrying:
            msg.append(" — retrying by itself shortly")
        else:
            msg.append(" — press r to retry")
        return msg, True, False
    if pager.loading:
        return Text("loading more…"), False, False
    if pager.has_more:
        return Text(""), False, True
    if not pager.items:
        if pager.query:
            return Text(f'No results for "{inert(pager.query, limit=80)}".'), False, False
        return Text("No contacts in this account."), False, False
    return Text(f"— end of list · {len(pager.items):,} —"), False, False
