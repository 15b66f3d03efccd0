"""Timers that never fire early, on the probe workers' event loop (uvloop) as on asyncio's.

uvloop's timers count whole milliseconds from a time it reads when its loop
iteration begins, so a timer set ``seconds`` after ``loop.time()`` fired up to 1.2 ms
before ``seconds`` had passed on the probes' own clock. A probe deadline then struck
short of its timeout, and a run of a 1 s target that started 0.5 ms before its
instant was stored at the instant before, on the previous run's sample. A timer set
at ``not_before(seconds)`` fires once ``seconds`` have passed: it is set on
``time.monotonic()`` read now, a millisecond later, on the loop's clock, which is
``time.monotonic()``'s for both uvloop and asyncio (``tests/probes/test_timers.py``).
"""

from __future__ import annotations

import time

GRAIN = 0.001  # seconds: uvloop's timers count whole milliseconds


def not_before(seconds: float) -> float:
    """The loop time at which a timer set now fires no sooner than ``seconds`` from now."""
    return time.monotonic() + seconds + GRAIN
