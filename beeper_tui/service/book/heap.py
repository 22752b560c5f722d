"""Handing freed heap back to the system after the book's large, short-lived work.

Syncing, rebuilding, loading or saving the index of 100,000 contacts
allocates and frees a few hundred megabytes, much of it in the book's worker
thread. glibc keeps what a thread's arena freed (it gives memory back only
from the top of a heap), so the app kept the peak for good: about 100 MB of
its RSS on a 100,000-contact book (figure 18). ``malloc_trim`` returns every
whole free page. Where the C library has no ``malloc_trim`` this does nothing.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

__all__ = ["give_back_freed_memory"]

log = logging.getLogger("beeper_tui.service.book")


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    import ctypes  # only the app's book needs it, once

    try:
        libc = ctypes.CDLL(None)
    except (OSError, TypeError):  # no C library to look in (Windows)
        return None
    trim = getattr(libc, "malloc_trim", None)
    if trim is None:
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim  # type: ignore[no-any-return]


def give_back_freed_memory() -> None:
    """Return the C heap's free pages to the system (glibc's ``malloc_trim(0)``)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
