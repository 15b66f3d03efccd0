"""When each target is probed: APScheduler 3.x, and only here.

Each target runs every ``interval`` from an offset derived from its name, so a
thousand targets at 60 s spread over the minute instead of firing together at
:00, and a restart keeps each target's phase. A target never overlaps itself
(``max_instances=1``); runs missed while the loop was busy are coalesced into one.
On the way out, ``drain`` lets the probes under way finish (their samples are
real: the target answered them) rather than cancelling them; those still going
after its grace are cut short quietly (no sample: their time turns unknown).
"""

from __future__ import annotations

import asyncio
import logging
import time
import zlib
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_RUNNING
from apscheduler.triggers.interval import IntervalTrigger

Run = Callable[[str, float], Awaitable[None]]
"""``run(name, lateness)``: probe the target whose run this is, started ``lateness`` s late."""

log = logging.getLogger(__name__)

EARLY = 0.01  # seconds: a run this close before an instant of its schedule serves it
ALIGN_WITHIN = 1.0  # seconds after its instant a run may start and still be stored at it
CUT_SHORT_WAIT = 1.0  # seconds a draining schedule waits for the runs it cancelled


def phase(name: str, interval: int) -> float:
    """The target's offset within its interval, stable across restarts; to the
    millisecond, so that targets spread within each second too rather than
    starting together on whole seconds (which inflates their measured durations)."""
    return _phase_ms(name, interval) / 1000


def _phase_ms(name: str, interval: int) -> int:
    return zlib.crc32(name.encode()) % (interval * 1000)


def sample_instant_ms(name: str, interval: int, started: float) -> int:
    """The instant a probe's sample is stored at: the scheduled instant it serves, when
    it started at most ``ALIGN_WITHIN`` after it (or ``EARLY`` before), else its start.
    Every agent puts a target on the same instants (its phase comes from its name), so
    two agents probing it on time, a pair for high availability, store it at the same
    instant, and the store keeps one sample (a failure is not counted twice towards
    ``confirm_after``). A start later than that is overload, and keeps its own time."""
    period = interval * 1000
    started_ms = round(started * 1000)
    offset = (started_ms - _phase_ms(name, interval)) % period
    if offset <= ALIGN_WITHIN * 1000:
        return started_ms - offset
    if period - offset <= EARLY * 1000:
        return started_ms + period - offset
    return started_ms


def first_run(name: str, interval: int, now: float) -> float:
    """The first instant after ``now`` that is the target's phase modulo its interval."""
    offset = phase(name, interval)
    return now - (now - offset) % interval + interval


def latest_instant(name: str, interval: int, now: float) -> float:
    """The target's latest scheduled instant at or before ``now`` (give or take ``EARLY``)."""
    return now + EARLY - (now + EARLY - phase(name, interval)) % interval


class Lateness:
    """How late each run of a target starts: after the earliest scheduled instant
    that no run has served yet, not merely after the latest one. A run started 90 s
    after its instant, with an interval of 60 s, is 90 s late (the scheduler
    coalesces the missed instants into it); reading the clock modulo the interval
    would say 30 s. A run serves every instant up to its start; the first run of a
    target (or after its interval changed) is measured from its latest instant."""

    def __init__(self) -> None:
        self._served: dict[str, tuple[int, float]] = {}  # name -> (interval, instant served)

    def __call__(self, name: str, interval: int, now: float) -> float:
        latest = latest_instant(name, interval, now)
        served = self._served.get(name)
        due = served[1] + interval if served and served[0] == interval else latest
        self._served[name] = (interval, max(latest, due))
        return max(0.0, now - due)

    def forget(self, name: str) -> None:
        """A target left the schedule: its next run, if it comes back, starts afresh."""
        self._served.pop(name, None)


class Scheduling(ABC):
    """Runs each target at its interval: ``Schedule`` in this process,
    ``workers.WorkerPool`` in probe worker processes; the agent drives either."""

    def __init__(self) -> None:
        self._intervals: dict[str, int] = {}

    def __contains__(self, name: object) -> bool:
        return name in self._intervals

    def interval(self, name: str) -> int | None:
        """The target's interval, None when it is not scheduled."""
        return self._intervals.get(name)

    @property
    def targets(self) -> dict[str, int]:
        """Scheduled targets and their intervals."""
        return dict(self._intervals)

    @abstractmethod
    def apply(self, intervals: dict[str, int], now: float) -> None:
        """Schedule exactly ``intervals`` (target -> seconds): add, replace, remove."""

    @abstractmethod
    def start(self) -> None:
        """Start running (``apply`` may come before)."""

    @abstractmethod
    async def drain(self, grace: float) -> None:
        """Start no more runs and wait up to ``grace`` seconds for those under way."""


class Schedule(Scheduling):
    """The set of probe jobs, one per target, kept in step with the config."""

    def __init__(self, run: Run, on_skip: Callable[[str], None] = lambda _: None) -> None:
        super().__init__()
        self._run = run
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        # A run skipped because the previous one of the target is still going, or missed
        # past its grace time, is overload: say so (lateness alone never sees it).
        self._scheduler.add_listener(
            lambda event: on_skip(event.job_id), EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED
        )
        self._running: set[asyncio.Task[Any]] = set()
        self._cutting = False  # drain is cancelling the runs still going
        self._lateness = Lateness()

    def start(self) -> None:
        self._scheduler.start()

    async def drain(self, grace: float) -> None:
        """Start no more runs, wait up to ``grace`` seconds for those under way, cut
        short those still going (quietly: a shutdown is no error) and shut down."""
        self._scheduler.pause()
        if self._running:
            await asyncio.wait(set(self._running), timeout=grace)
        self._cutting = True
        if cut := set(self._running):
            for task in cut:
                task.cancel()
            await asyncio.wait(cut, timeout=CUT_SHORT_WAIT)
        self._scheduler.shutdown(wait=False)

    def apply(self, intervals: dict[str, int], now: float) -> None:
        with self._held():
            for name in set(self._intervals) - set(intervals):
                self._scheduler.remove_job(name)
                del self._intervals[name]
                self._lateness.forget(name)
            changed = {n: i for n, i in intervals.items() if self._intervals.get(n) != i}
            # In the order of their first runs: the scheduler keeps its jobs in a list in
            # run order, and an insertion in the middle moves half of it (50,000
            # targets in the order of their names: quadratic, most of a second).
            for name in sorted(changed, key=lambda n: first_run(n, changed[n], now)):
                self._add(name, changed[name], now)

    @contextmanager
    def _held(self) -> Iterator[None]:
        """A running scheduler paused while jobs are added: it woke up and went through
        its due jobs once per job added (4 s of CPU to add 50,000 targets, and 3 s more
        of wake-ups on the loop after it), and once when resumed."""
        running = self._scheduler.state == STATE_RUNNING
        if running:
            self._scheduler.pause()
        try:
            yield
        finally:
            if running:
                self._scheduler.resume()

    def _add(self, name: str, interval: int, now: float) -> None:
        trigger = IntervalTrigger(
            seconds=interval,
            start_date=datetime.fromtimestamp(first_run(name, interval, now), UTC),
            timezone=UTC,
        )
        self._scheduler.add_job(
            self._job,
            trigger,
            args=(name,),
            id=name,
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=interval,
        )
        self._intervals[name] = interval

    async def _job(self, name: str) -> None:
        """One run, tracked so that ``drain`` can wait for it (or cut it short)."""
        interval = self._intervals.get(name)
        task = asyncio.current_task()
        if interval is None or task is None:
            return  # removed between its submission and its start
        self._running.add(task)
        try:
            await self._run(name, self._lateness(name, interval, time.time()))
        except asyncio.CancelledError:
            if not self._cutting:
                raise
            log.warning("probe of %s cut short by the shutdown: no sample, unknown time", name)
        finally:
            self._running.discard(task)
