"""The agent's config loads, and the memory they leave behind.

Loading a 50,000-target config builds the parsed document, the validation's
temporaries and the models, and frees all but the models. Python's small-object
allocator gives back its empty arenas by itself, but what went through the C
library's ``malloc`` (pydantic's validation, every block over 512 bytes) stays in
the process's heap: 13 MB of a 50,000-target load (bench/bench_agent.py). glibc's
``malloc_trim(0)`` returns the free pages of that heap to the system. Elsewhere
(musl, macOS) there is no such function and nothing to do.

Like the garbage collector's pause (gc_pause.py), this is a policy for the whole
process, which the ``run`` command takes for its loads: at start and at each reload.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache

from slawatch.cli.gc_pause import gc_paused


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


@contextmanager
def config_load() -> Iterator[None]:
    """A config load: the garbage collector paused during it, the heap trimmed after."""
    with gc_paused():
        yield
    trim_heap()
