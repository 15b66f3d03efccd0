"""When each target is probed: APScheduler 3.x, and only here.

Each target runs every ``interval`` from an offset derived from its name, so a
thousand targets at 60 s spread over the minute instead of firing together at
:00, and a restart keeps each target's phase. A target never overlaps itself
(a run due while the previous one is still going is skipped, and counted as
overload); runs missed while the loop was busy are coalesced into one.
On the way out, ``drain`` lets the probes under way finish (their samples are
real: the target answered them) rather than cancelling them; those still going
after its grace are cut short quietly (no sample: their time turns unknown).

Slots. APScheduler holds one job per *slot*, not per target: the targets of one
interval whose phases fall in the same second of it (``60/17``: the 60 s targets
whose phase is 17.000-17.999 s). At the slot's instant its job starts each of its
targets at its own millisecond, never before it (``probes.timers``), and skips, as
overload, one whose previous run is still due or going. The scheduler's own rules
apply to the slot as they applied to each target: coalescing, and a run missed past
the interval is a skip of each of its targets. At most ``interval`` jobs per interval
(60 for 60 s), whatever the number of targets: adding 50,000 targets took 2 s of
CPU and 39 MB as 50,000 jobs (APScheduler inspects the callable of each job it
adds and keeps its jobs in a sorted list), and takes a twentieth of a second now.
Each run's lateness and stored instant are the target's own, as before
(``Lateness``, ``sample_instant_ms``).
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

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_RUNNING
from apscheduler.triggers.interval import IntervalTrigger

from slawatch.probes.timers import not_before

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
    return _latest(phase(name, interval), interval, now)


def _latest(offset: float, interval: int, now: float) -> float:
    """The latest instant at ``offset`` modulo ``interval`` up to ``now`` (and ``EARLY``)."""
    return now + EARLY - (now + EARLY - offset) % interval


def _slot(name: str, interval: int) -> tuple[str, int]:
    """The target's slot (see the module's docstring) and the second of it."""
    second = _phase_ms(name, interval) // 1000
    return f"{interval}/{second}", second


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
        """Schedule exactly ``intervals`` (target -> seconds): add, replace, remove.
        The caller hands ``intervals`` over: it may be kept as it is."""

    @abstractmethod
    def start(self) -> None:
        """Start running (``apply`` may come before)."""

    @abstractmethod
    async def drain(self, grace: float) -> None:
        """Start no more runs and wait up to ``grace`` seconds for those under way."""


class Schedule(Scheduling):
    """The probe runs, kept in step with the config: one APScheduler job per slot
    (the targets of one interval whose phases fall in the same second), each
    target started at its own millisecond by the event loop (see the module's
    docstring)."""

    def __init__(self, run: Run, on_skip: Callable[[str], None] = lambda _: None) -> None:
        super().__init__()
        self._run = run
        self._on_skip = on_skip
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        # A slot's run missed past its grace time (or, should the loop be so late that the
        # slot's previous run has not even begun, skipped) is overload for each target.
        self._scheduler.add_listener(self._missed, EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES)
        self._slots: dict[str, dict[str, float]] = {}  # slot -> {target: its offset in it}
        self._busy: dict[str, asyncio.TimerHandle | asyncio.Task[Any]] = {}  # due or running
        self._new: dict[str, float] = {}  # targets yet to run -> when they joined their slot
        self._running: set[asyncio.Task[Any]] = set()
        self._cutting = False  # drain is cancelling the runs still going
        self._lateness = Lateness()

    def start(self) -> None:
        self._scheduler.start()

    async def drain(self, grace: float) -> None:
        """Start no more runs, wait up to ``grace`` seconds for those under way, cut
        short those still going (quietly: a shutdown is no error) and shut down."""
        self._scheduler.pause()
        for due in list(self._busy.values()):
            if isinstance(due, asyncio.TimerHandle):
                due.cancel()  # not started yet: nothing under way to wait for
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
                self._leave(name)
                del self._intervals[name]
                self._lateness.forget(name)
            for name, interval in intervals.items():
                if self._intervals.get(name) != interval:
                    if name in self._intervals:
                        self._leave(name)
                    self._join(name, interval, now)

    @contextmanager
    def _held(self) -> Iterator[None]:
        """A running scheduler paused while slots are added: it woke up and went through
        its due jobs once per job added, and once when resumed."""
        running = self._scheduler.state == STATE_RUNNING
        if running:
            self._scheduler.pause()
        try:
            yield
        finally:
            if running:
                self._scheduler.resume()

    def _join(self, name: str, interval: int, now: float) -> None:
        slot, second = _slot(name, interval)
        offset = _phase_ms(name, interval) % 1000
        self._intervals[name] = interval
        self._new[name] = now  # its first run: its first instant after now, as ever
        if slot in self._slots:
            self._slots[slot][name] = offset / 1000
            return
        self._slots[slot] = {name: offset / 1000}
        # The slot's instant of the target's first run: less than a second ago, when
        # that run is still ahead within the slot's second (the targets joining with
        # it whose instants this second have passed wait for the next: ``_new``).
        start = datetime.fromtimestamp(first_run(name, interval, now) - offset / 1000, UTC)
        self._scheduler.add_job(
            self._fire,
            IntervalTrigger(seconds=interval, start_date=start, timezone=UTC),
            args=(slot, second, interval),
            id=slot,
            next_run_time=start,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=interval,
        )

    def _leave(self, name: str) -> None:
        """Out of its slot (and the slot's job gone with its last target); a run already
        due finds the target gone and does nothing."""
        slot, _ = _slot(name, self._intervals[name])
        targets = self._slots[slot]
        del targets[name]
        self._new.pop(name, None)
        if not targets:
            del self._slots[slot]
            self._scheduler.remove_job(slot)

    async def _fire(self, slot: str, second: int, interval: int) -> None:
        """The slot's instant: each of its targets starts at its own millisecond; one
        whose previous run is still due or going skips this one (counted, as overload)."""
        now = time.time()
        instant = _latest(second, interval, now)  # this run's, if late
        loop = asyncio.get_running_loop()
        for name, offset in self._slots.get(slot, {}).items():
            if name in self._new:
                if instant + offset <= self._new[name]:
                    continue  # that instant came before the target joined: not its run
                del self._new[name]
            if name in self._busy:
                self._on_skip(name)
                continue
            delay = max(0.0, instant + offset - now)
            self._busy[name] = loop.call_at(not_before(delay), self._start, name)

    def _missed(self, event: JobEvent) -> None:
        for name in self._slots.get(event.job_id, {}):
            self._on_skip(name)

    def _start(self, name: str) -> None:
        task = asyncio.get_running_loop().create_task(self._job(name))
        self._busy[name] = task
        task.add_done_callback(lambda _: self._busy.pop(name, None))

    async def _job(self, name: str) -> None:
        """One run, tracked so that ``drain`` can wait for it (or cut it short)."""
        interval = self._intervals.get(name)
        task = asyncio.current_task()
        if interval is None or task is None:
            return  # removed between its slot's instant and its own
        self._running.add(task)
        try:
            await self._run(name, self._lateness(name, interval, time.time()))
        except asyncio.CancelledError:
            if not self._cutting:
                raise
            log.warning("probe of %s cut short by the shutdown: no sample, unknown time", name)
        finally:
            self._running.discard(task)
