"""Bulk work without Python's cyclic garbage collector running in the middle of it.

CPython runs a full collection, which visits every object it tracks, each time
the objects that outlived the young generations grow by a quarter of the old
ones. A bulk import holds a million ``SampleRow`` tuples and a year of reports
holds 400,000 ``Flip`` tuples: instances of tuple subclasses, which the
collector never stops tracking. Those collections found nothing to free (this
work makes no reference cycles) and took a fifth of the import's time and a
third of the reports'. Reference counting frees memory as usual during a pause;
a cycle made meanwhile waits for the first collection after it.

Pausing is a policy for a whole process, so the commands that do such bulk work
take it (``slawatch import``, ``report``, ``period``, ``check-config``; bench/ does
too), never the library: the agent writes samples every second and runs for
months, and its collector keeps running, but while it loads its config (``run``
gives it the pause for its reloads).

When a pause ends, what it built and kept goes straight to the oldest generation,
where the collections that would have run during the pause would have put it:
resuming the collector as such made the first allocation after it run a young
collection over everything the pause allocated (0.1 s after a 50,000-target config,
on the agent's event loop after a reload; 10 ms at the end of ``check-config``).

And a command's process exits once the command is done: the interpreter's last
collection at exit visits every object left (a tenth of ``check-config``'s time)
to free memory the system takes back anyway. ``no_collection_at_exit`` skips it.
"""

from __future__ import annotations

import atexit
import functools
import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _Pauses:
    """Nested and concurrent pauses (a pause may be taken on several threads): the
    collector resumes when the last one ends, and only if it was running when the
    first began."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active = 0
        self._resume = False

    def begin(self) -> None:
        with self._lock:
            if self._active == 0:
                self._resume = gc.isenabled()
                gc.disable()
            self._active += 1

    def end(self) -> None:
        with self._lock:
            self._active -= 1
            if self._active == 0 and self._resume:
                _resume_without_a_young_collection()


def _resume_without_a_young_collection() -> None:
    """Frozen, then unfrozen: the objects tracked move to the oldest generation and the
    young generations' counts restart from zero (``gc.freeze``'s documented effect)."""
    gc.freeze()
    gc.enable()
    gc.unfreeze()


_PAUSES = _Pauses()


@contextmanager
def gc_paused() -> Iterator[None]:
    """Run the block (or, as a decorator, the function) with cyclic collection paused."""
    _PAUSES.begin()
    try:
        yield
    finally:
        _PAUSES.end()


@functools.cache  # once per process
def no_collection_at_exit() -> None:
    """Skip the interpreter's last collection when this process exits: the objects
    left are frozen at exit, so that collection has nothing to visit. Reference
    counting still frees as the interpreter tears down; nothing of ours relies on
    the collector at exit (files, databases and sockets are closed explicitly)."""
    atexit.register(gc.freeze)
