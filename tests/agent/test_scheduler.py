"""Schedule arithmetic: stable phases, spread within seconds, lateness."""

import asyncio
import logging
import time

import pytest

from slawatch.agent.scheduler import Lateness, Schedule, first_run, phase, sample_instant_ms


@pytest.fixture(params=[{}, {"use_uvloop": True}], ids=["asyncio", "uvloop"])
def anyio_backend(request: pytest.FixtureRequest) -> tuple[str, dict[str, bool]]:
    """A schedule runs on the agent process's loop (asyncio's) and on the probe workers'
    (uvloop's)."""
    return "asyncio", request.param


def test_phases_are_stable_and_spread_within_the_second() -> None:
    phases = [phase(f"target-{i}", 60) for i in range(1000)]
    assert phases == [phase(f"target-{i}", 60) for i in range(1000)]
    assert all(0 <= p < 60 for p in phases)
    assert len({round(p % 1, 3) for p in phases}) > 500  # not all on whole seconds


@pytest.mark.parametrize("now", [1_790_000_000.0, 1_790_000_000.5, 1_790_000_059.9])
def test_first_run_is_the_next_instant_of_the_phase(now: float) -> None:
    start = first_run("web", 60, now)
    assert now < start <= now + 60
    assert Lateness()("web", 60, start) == 0
    assert Lateness()("web", 60, start + 1.25) == pytest.approx(1.25, abs=1e-6)
    assert Lateness()("web", 60, start - 0.001) == 0  # a hair early serves the instant


def test_a_run_later_than_its_interval_is_as_late_as_it_is() -> None:
    """The loop was blocked for 150 s: the run that finally starts serves the instant
    150 s back (the scheduler coalesced the two missed after it), not 30 s back."""
    start = first_run("web", 60, 1_790_000_000.0)
    late = Lateness()
    assert late("web", 60, start + 0.2) == pytest.approx(0.2)
    assert late("web", 60, start + 60 + 150) == pytest.approx(150)
    assert late("web", 60, start + 240.1) == pytest.approx(0.1)  # back on time
    assert late("web", 60, start + 300 + 59.5) == pytest.approx(59.5)


def test_lateness_starts_afresh_for_a_new_interval_or_a_forgotten_target() -> None:
    start = first_run("web", 60, 1_790_000_000.0)
    late = Lateness()
    late("web", 60, start)
    assert late("web", 30, start + 600 + 1) == pytest.approx(
        (start + 601 - phase("web", 30)) % 30, abs=1e-6
    )
    late.forget("web")
    assert late("web", 30, start + 3600 + 0.5) == pytest.approx(
        (start + 3600.5 - phase("web", 30)) % 30, abs=1e-6
    )


@pytest.mark.anyio
async def test_a_schedule_passes_each_run_its_lateness() -> None:
    seen: list[tuple[str, float]] = []

    async def record(name: str, late: float) -> None:
        seen.append((name, late))

    schedule = Schedule(record)
    schedule.apply({"web": 1}, time.time())
    schedule.start()
    await asyncio.sleep(1.5)
    await schedule.drain(1)
    assert seen and seen[0][0] == "web"
    assert 0 <= seen[0][1] < 0.5


@pytest.mark.anyio
async def test_targets_sharing_a_slot_each_start_at_their_own_phase() -> None:
    """One scheduler job per slot (an interval's second), each target at its millisecond."""
    started: dict[str, float] = {}

    async def record(name: str, late: float) -> None:
        started.setdefault(name, time.time())

    names = [f"t{i}" for i in range(20)]  # two slots of 2 s targets, ten in each
    schedule = Schedule(record)
    schedule.apply(dict.fromkeys(names, 2), time.time())
    schedule.start()
    await asyncio.sleep(4.5)
    await schedule.drain(1)
    assert set(started) == set(names)
    for name, at in started.items():
        off = (at - phase(name, 2)) % 2  # the first run too: at its phase, after apply
        assert min(off, 2 - off) < 0.2, name


@pytest.mark.anyio
async def test_no_run_starts_before_its_instant() -> None:
    """uvloop's timers fired up to a millisecond early: the run of a 1 s target that
    started before its instant was stored at the instant before (sample_instant_ms),
    on the previous run's sample."""
    starts: list[tuple[str, float]] = []

    async def record(name: str, late: float) -> None:
        starts.append((name, time.time()))

    names = [f"t{i}" for i in range(300)]
    schedule = Schedule(record)
    schedule.apply(dict.fromkeys(names, 1), time.time())
    schedule.start()
    await asyncio.sleep(3.2)
    await schedule.drain(1)
    assert len(starts) >= 600
    assert [(name, at) for name, at in starts if (at - phase(name, 1)) % 1 > 0.5] == []


@pytest.mark.anyio
async def test_targets_added_to_a_running_schedule_run_and_it_keeps_running() -> None:
    """A running scheduler is paused while a reload adds its jobs, and resumed after."""
    seen: list[str] = []

    async def record(name: str, late: float) -> None:
        seen.append(name)

    schedule = Schedule(record)
    schedule.start()
    schedule.apply({"web": 1}, time.time())
    schedule.apply({"web": 1, "api": 1, "db": 1}, time.time())
    await asyncio.sleep(2.2)
    await schedule.drain(1)
    assert {"web", "api", "db"} <= set(seen)
    assert seen.count("api") >= 2  # not a single run before the scheduler stopped


@pytest.mark.anyio
async def test_a_run_cut_short_by_drain_logs_no_error(caplog: pytest.LogCaptureFixture) -> None:
    """A SIGTERM while a probe hangs past the grace is a clean stop: no ERROR, no traceback."""
    started = asyncio.Event()

    async def hangs(name: str, late: float) -> None:
        started.set()
        await asyncio.sleep(3600)

    schedule = Schedule(hangs)
    schedule.apply({"stuck": 1}, time.time() - 0.99)
    schedule.start()
    await asyncio.wait_for(started.wait(), 3)
    with caplog.at_level(logging.INFO):
        await schedule.drain(0.1)
        await asyncio.sleep(0.2)  # what the scheduler's executor would log comes now
    assert [r.levelname for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert "probe of stuck cut short by the shutdown" in caplog.text
    assert "Traceback" not in caplog.text


@pytest.mark.anyio
async def test_a_run_still_going_makes_the_next_one_a_counted_skip() -> None:
    skipped: list[str] = []
    release = asyncio.Event()

    async def slow(name: str, late: float) -> None:
        await release.wait()

    schedule = Schedule(slow, on_skip=skipped.append)
    schedule.apply({"slow": 1}, time.time() - 0.99)
    schedule.start()
    await asyncio.sleep(2.3)
    release.set()
    await schedule.drain(1)
    assert skipped and set(skipped) == {"slow"}


@pytest.mark.parametrize(
    ("after", "stored_after"),
    [(0.0, 0), (0.004, 0), (0.999, 0), (1.0, 0), (1.2, 1200), (-0.005, 0), (-0.2, -200)],
)
def test_a_sample_is_stored_at_its_instant_when_the_probe_starts_on_time(
    after: float, stored_after: int
) -> None:
    """Agents of a pair, each starting the probe a little late, store one instant."""
    instant = first_run("web", 60, 1_790_000_000.0)
    assert sample_instant_ms("web", 60, instant + after) == round(instant * 1000) + stored_after
