"""The C heap's free pages, given back to the system.

What goes through the C library's ``malloc`` (every block over 512 bytes: a dict of
some twenty keys, pydantic's validation, SQLite's and the pickles' buffers) stays in
the process's heap once freed, and in the heap of the thread that allocated it (each
thread may have one, an "arena"). glibc's ``malloc_trim(0)`` returns the free pages
of all of them to the system: a few milliseconds on a 200 MB heap. Elsewhere (musl,
macOS) there is no such function and nothing to do.

Where it pays: after a config load (cli/heap.py), and in a probe worker after it
takes a new set of targets (the packed values it unpickled are let go for its records).
Not on a timer: the pages given back are faulted in again as soon as the heap grows,
and a trim every 10 s in the agent showed no lasting gain at 50,000 targets.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from functools import cache


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library has none."""
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


def trim_heap() -> bool:
    """Give the C heap's free pages back to the system; False where that cannot be done."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
