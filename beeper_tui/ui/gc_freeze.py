"""Keeping the cyclic garbage collector off long-lived objects, so it never stalls typing."""

from __future__ import annotations

import gc

__all__ = ["freeze_long_lived", "freeze_page", "freeze_startup_objects"]


def freeze_startup_objects() -> None:
    """Keep the cyclic GC from rescanning everything that exists once the app is up.

    Imports, widgets and caches are ~100,000 long-lived objects; each full
    collection rescanned them all and stalled the event loop for 50-100 ms
    while the user typed. Frozen objects are still freed by reference counting.
    """
    gc.collect()
    freeze_long_lived()


def freeze_long_lived() -> None:
    """Move every object alive now to the permanent generation (no collection first).

    For a new address-book index: 100,000s of long-lived objects that each full
    collection would rescan (50-130 ms stalls); collecting first would stall too.
    """
    gc.freeze()


def freeze_page() -> None:
    """A page of rows just joined the list: keep full collections off it.

    Loaded rows live as long as the result set (thousands of models, each a
    few containers); unfrozen, every full collection rescans all of them and
    stalls the event loop 40-80 ms once a few thousand rows are loaded. Young
    garbage is collected first (cheap: only the young generations), so little
    cyclic garbage is frozen with the rows.
    """
    gc.collect(1)
    gc.freeze()
