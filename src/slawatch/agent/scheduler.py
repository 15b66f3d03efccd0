"""When each target is probed: APScheduler 3.x, and only here.

Each target runs every ``interval`` from an offset derived from its name, so a
thousand targets at 60 s spread over the minute instead of firing together at
:00, and a restart keeps each target's phase. A target never overlaps itself
(``max_instances=1``); runs missed while the loop was busy are coalesced into one.
On the way out, ``drain`` lets the probes under way finish (their samples are
real: the target answered them) rather than cancelling them.
"""

from __future__ import annotations

import asyncio
import zlib
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

Run = Callable[[str], Awaitable[None]]


def phase(name: str, interval: int) -> float:
    """The target's offset within its interval, stable across restarts; to the
    millisecond, so that targets spread within each second too rather than
    starting together on whole seconds (which inflates their measured durations)."""
    return zlib.crc32(name.encode()) % (interval * 1000) / 1000


def first_run(name: str, interval: int, now: float) -> float:
    """The first instant after ``now`` that is the target's phase modulo its interval."""
    offset = phase(name, interval)
    return now - (now - offset) % interval + interval


def lateness(name: str, interval: int, now: float) -> float:
    """How long after its latest scheduled instant a run of the target starts."""
    return (now - phase(name, interval)) % interval


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

    def start(self) -> None:
        self._scheduler.start()

    async def drain(self, grace: float) -> None:
        """Start no more runs, wait up to ``grace`` seconds for those under way, and
        shut down (which cancels any still running)."""
        self._scheduler.pause()
        if self._running:
            await asyncio.wait(set(self._running), timeout=grace)
        self._scheduler.shutdown(wait=False)

    def apply(self, intervals: dict[str, int], now: float) -> None:
        for name in set(self._intervals) - set(intervals):
            self._scheduler.remove_job(name)
            del self._intervals[name]
        for name, interval in intervals.items():
            if self._intervals.get(name) == interval:
                continue
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
        """One run, tracked so that ``drain`` can wait for it."""
        task = asyncio.current_task()
        assert task is not None
        self._running.add(task)
        try:
            await self._run(name)
        finally:
            self._running.discard(task)
