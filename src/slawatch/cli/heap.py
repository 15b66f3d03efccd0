"""The agent's config loads, and the memory they leave behind.

Loading a 50,000-target config builds the parsed document, the validation's
temporaries and the models, and frees all but the models. Python's small-object
allocator gives back its empty arenas by itself, but what went through the C
library's ``malloc`` (pydantic's validation, every block over 512 bytes) stays in
the process's heap: 13 MB of a 50,000-target load (bench/bench_agent.py).
``trim_heap`` (agent/heap.py) returns the free pages of that heap to the system.

Like the garbage collector's pause (gc_pause.py), this is a policy for the whole
process, which the ``run`` command takes for its loads: at start and at each reload.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from slawatch.agent.heap import trim_heap
from slawatch.cli.gc_pause import gc_paused


@contextmanager
def config_load() -> Iterator[None]:
    """A config load: the garbage collector paused during it, the heap trimmed after."""
    with gc_paused():
        yield
    trim_heap()
