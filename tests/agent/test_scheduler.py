"""Schedule arithmetic: stable phases, spread within seconds, lateness."""

import asyncio
import time

import pytest

from slawatch.agent.scheduler import Schedule, first_run, lateness, phase


def test_phases_are_stable_and_spread_within_the_second() -> None:
    phases = [phase(f"target-{i}", 60) for i in range(1000)]
    assert phases == [phase(f"target-{i}", 60) for i in range(1000)]
    assert all(0 <= p < 60 for p in phases)
    assert len({round(p % 1, 3) for p in phases}) > 500  # not all on whole seconds


@pytest.mark.parametrize("now", [1_790_000_000.0, 1_790_000_000.5, 1_790_000_059.9])
def test_first_run_is_the_next_instant_of_the_phase(now: float) -> None:
    start = first_run("web", 60, now)
    assert now < start <= now + 60
    assert lateness("web", 60, start) == pytest.approx(0, abs=1e-6) or lateness(
        "web", 60, start
    ) == pytest.approx(60, abs=1e-6)
    assert lateness("web", 60, start + 1.25) == pytest.approx(1.25, abs=1e-6)


@pytest.mark.anyio
async def test_a_run_still_going_makes_the_next_one_a_counted_skip() -> None:
    skipped: list[str] = []
    release = asyncio.Event()

    async def slow(name: str) -> None:
        await release.wait()

    schedule = Schedule(slow, on_skip=skipped.append)
    schedule.apply({"slow": 1}, time.time() - 0.99)
    schedule.start()
    await asyncio.sleep(2.3)
    release.set()
    await schedule.drain(1)
    assert skipped and set(skipped) == {"slow"}
