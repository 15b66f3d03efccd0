"""Running one probe: a hard deadline, what it measured, and a result whatever happens.

A probe's checking code only has to do its work and raise on failure; ``guarded``
gives it a ``Recorder`` to note phases, the status code and certificate expiry
as they become known, then turns the end (success, an exception or the deadline)
into a ``ProbeResult``. What was recorded before a failure is kept: a timeout
during ``processing`` still shows how long ``connect`` and ``tls`` took.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from types import MappingProxyType

from slawatch.probes.failures import classify
from slawatch.probes.result import Outcome, ProbeResult
from slawatch.probes.timers import not_before


class Recorder:
    """What a probe found out so far."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self._clock = clock
        self._start = clock()
        self.phases: dict[str, float] = {}
        self.running: str | None = None  # the phase under way, named if time runs out
        self.status_code: int | None = None
        self.cert_expiry: float | None = None

    def start(self, phase: str) -> float:
        """Mark ``phase`` as under way; returns the clock reading for ``end``."""
        self.running = phase
        return self._clock()

    def end(self, phase: str, started: float, *, failed: bool = False) -> None:
        """Count the time since ``started`` in ``phase`` (a phase met again, on a
        redirect, adds up). A failed phase stays ``running``: it is where a
        deadline that cancelled it struck."""
        if not failed:
            self.running = None
        self.phases[phase] = self.phases.get(phase, 0.0) + self._clock() - started

    @contextmanager
    def span(self, phase: str) -> Iterator[None]:
        """Time the block as ``phase``, also when it fails."""
        started = self.start(phase)
        failed = True
        try:
            yield
            failed = False
        finally:
            self.end(phase, started, failed=failed)

    def saw_cert(self, expiry: float | None) -> None:
        """Note a peer certificate's expiry (None: no certificate); the earliest is kept."""
        if expiry is None:
            return
        if self.cert_expiry is None or expiry < self.cert_expiry:
            self.cert_expiry = expiry

    def result(
        self, outcome: Outcome, error_class: str | None = None, message: str | None = None
    ) -> ProbeResult:
        return ProbeResult(
            outcome=outcome,
            duration_seconds=self._clock() - self._start,
            status_code=self.status_code,
            error_class=error_class,
            error_message=message,
            phases=MappingProxyType(dict(self.phases)),
            cert_expiry=self.cert_expiry,
        )

    def timed_out(self, seconds: float) -> ProbeResult:
        """The result when the deadline hit; the class says in which phase
        (``connect_timeout``, ``processing_timeout``, ...), as httpx's do."""
        if self.running is None:
            return self.result(Outcome.TIMEOUT, "timeout", f"no result within {seconds:g} s")
        message = f"no result within {seconds:g} s (during {self.running})"
        return self.result(Outcome.TIMEOUT, f"{self.running}_timeout", message)


Check = Callable[[Recorder], Awaitable[None]]
"""A probe's work: returns when the target passed, raises when it did not."""


async def guarded(timeout_seconds: float, check: Check) -> ProbeResult:
    """Run ``check`` under a hard deadline; never raises (except on cancellation,
    which belongs to whoever cancelled us).

    The deadline cancels ``check`` once; its clean-up (``finally``, ``except``)
    then runs with no deadline left, so it must not wait on anything: connections
    are aborted, never closed gracefully (``tests/probes/test_deadlines.py`` holds
    every kind to its timeout against silent, trickling and resetting peers). The
    deadline never strikes before the timeout (``timers.not_before``)."""
    recorder = Recorder()
    deadline = asyncio.timeout_at(not_before(timeout_seconds))
    try:
        async with deadline:
            await check(recorder)
    except Exception as exc:
        if deadline.expired():
            return recorder.timed_out(timeout_seconds)
        return recorder.result(*classify(exc))
    return recorder.result(Outcome.OK)
