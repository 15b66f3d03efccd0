"""``not_before``: timers that never fire early on the probe workers' loop."""

from __future__ import annotations

import asyncio
import random
import time

import pytest

from slawatch.probes.timers import not_before

pytestmark = pytest.mark.anyio


async def test_the_loop_keeps_time_monotonic_time() -> None:
    # not_before reads time.monotonic(), for the loop's timers
    assert abs(asyncio.get_running_loop().time() - time.monotonic()) < 0.01


async def test_no_timer_fires_early_on_a_busy_loop() -> None:
    # 1,000 timers set in one turn of the loop, as the scheduler sets a slot's runs
    loop = asyncio.get_running_loop()
    fired: list[tuple[float, float]] = []  # (seconds asked, seconds taken)

    def fire(asked: float, set_at: float) -> None:
        fired.append((asked, time.monotonic() - set_at))

    for _ in range(1_000):
        seconds = random.uniform(0.0, 0.1)
        loop.call_at(not_before(seconds), fire, seconds, time.monotonic())
    await asyncio.sleep(0.3)
    assert len(fired) == 1_000
    assert [(asked, taken) for asked, taken in fired if taken < asked] == []
