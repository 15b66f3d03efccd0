"""When each target is probed: one timer over a heap of the targets' next instants.

Each target runs every ``interval`` from an offset derived from its name, so a
thousand targets at 60 s spread over the minute instead of firing together at
:00, and a restart keeps each target's phase. A target never overlaps itself: a
run due while the previous one still goes is skipped and counted (``on_skip``);
runs missed while the loop was busy are coalesced into one. (APScheduler did this
until it had to hold 50,000 jobs: 1 KB each, 2.5 s to add them with the loop
blocked, and tens of microseconds of bookkeeping a run; a heap entry is a tuple.)
On the way out, ``drain`` lets the probes under way finish (their samples are
real: the target answered them) rather than cancelling them; those still going
after its grace are cut short quietly (no sample: their time turns unknown).
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import time
import zlib
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable

Run = Callable[[str, float], Awaitable[None]]
"""``run(name, lateness)``: probe the target whose run this is, started ``lateness`` s late."""

log = logging.getLogger(__name__)

EARLY = 0.01  # seconds: a run this close before an instant of its schedule serves it
CUT_SHORT_WAIT = 1.0  # seconds a draining schedule waits for the runs it cancelled
MAX_SLEEP = 1.0  # seconds the timer sleeps at most: a wall clock that steps is seen soon


def phase(name: str, interval: int) -> float:
    """The target's offset within its interval, stable across restarts; to the
    millisecond, so that targets spread within each second too rather than
    starting together on whole seconds (which inflates their measured durations)."""
    return zlib.crc32(name.encode()) % (interval * 1000) / 1000


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
    """The probe runs of this process, kept in step with the config by ``apply``."""

    def __init__(self, run: Run, on_skip: Callable[[str], None] = lambda _: None) -> None:
        super().__init__()
        self._run = run
        self._on_skip = on_skip  # a run due while the previous one goes: overload, say so
        self._due: dict[str, float] = {}  # name -> next instant: its one live heap entry
        self._heap: list[tuple[float, str]] = []  # (instant, name); stale entries skipped
        self._timer: asyncio.TimerHandle | None = None
        self._state = "new"  # then "started", then "draining"
        self._running: dict[str, asyncio.Task[None]] = {}
        self._cutting = False  # drain is cancelling the runs still going
        self._lateness = Lateness()

    def start(self) -> None:
        self._state = "started"
        self._fire()

    async def drain(self, grace: float) -> None:
        """Start no more runs, wait up to ``grace`` seconds for those under way, then
        cut short those still going (quietly: a shutdown is no error)."""
        self._state = "draining"
        if self._timer is not None:
            self._timer.cancel()
        if running := set(self._running.values()):
            await asyncio.wait(running, timeout=grace)
        self._cutting = True
        if cut := set(self._running.values()):
            for task in cut:
                task.cancel()
            await asyncio.wait(cut, timeout=CUT_SHORT_WAIT)

    def apply(self, intervals: dict[str, int], now: float) -> None:
        for name in set(self._intervals) - set(intervals):
            del self._intervals[name], self._due[name]
            self._lateness.forget(name)
        for name, interval in intervals.items():
            if self._intervals.get(name) == interval:
                continue
            self._intervals[name] = interval
            due = self._due[name] = first_run(name, interval, now)
            heapq.heappush(self._heap, (due, name))
        if len(self._heap) > 2 * len(self._due) + 1000:  # mostly stale after reloads
            self._heap = [(due, name) for name, due in self._due.items()]
            heapq.heapify(self._heap)
        if self._state == "started":
            self._fire()  # a new target may come first

    def _fire(self) -> None:
        """Start every run that is due, then sleep until the next instant."""
        if self._timer is not None:
            self._timer.cancel()
        if self._state != "started":
            return
        now = time.time()
        heap, due_by_name = self._heap, self._due
        while heap and heap[0][0] <= now + EARLY:
            due, name = heapq.heappop(heap)
            if due_by_name.get(name) != due:
                continue  # removed, or rescheduled by a reload
            interval = self._intervals[name]
            following = due + interval
            if following <= now + EARLY:  # the loop was held up: the missed runs are one
                following = first_run(name, interval, now)
            due_by_name[name] = following
            heapq.heappush(heap, (following, name))
            if name in self._running:
                self._on_skip(name)
            else:
                self._running[name] = asyncio.get_running_loop().create_task(
                    self._job(name, interval)
                )
        delay = min(heap[0][0] - time.time(), MAX_SLEEP) if heap else MAX_SLEEP
        self._timer = asyncio.get_running_loop().call_later(max(delay, 0.0), self._fire)

    async def _job(self, name: str, interval: int) -> None:
        """One run, tracked so that the next one skips while it goes, and ``drain``
        can wait for it (or cut it short)."""
        try:
            await self._run(name, self._lateness(name, interval, time.time()))
        except asyncio.CancelledError:
            if not self._cutting:
                raise
            log.warning("probe of %s cut short by the shutdown: no sample, unknown time", name)
        except Exception:  # a bug in one run must not stop the others
            log.exception("probe of %s failed", name)
        finally:
            self._running.pop(name, None)
