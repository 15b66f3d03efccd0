"""``guarded``: a deadline, and a result whatever the check does."""

from __future__ import annotations

import asyncio
import random
import time

import pytest

from slawatch.probes.recorder import Recorder, guarded
from slawatch.probes.result import Outcome

pytestmark = pytest.mark.anyio


async def test_a_bug_in_a_check_is_a_probe_error_not_a_crash() -> None:
    async def check(recorder: Recorder) -> None:
        with recorder.span("connect"):
            pass
        raise KeyError("oops")

    result = await guarded(1, check)
    assert (result.outcome, result.error_class, result.error_message) == (
        Outcome.PROBE_ERROR,
        "unexpected",
        "KeyError('oops')",
    )
    assert list(result.phases) == ["connect"]


async def test_the_deadline_names_the_phase_it_cut() -> None:
    async def check(recorder: Recorder) -> None:
        with recorder.span("connect"):
            pass
        with recorder.span("tls"):
            await asyncio.sleep(5)

    result = await guarded(0.05, check)
    assert (result.outcome, result.error_class, result.error_message) == (
        Outcome.TIMEOUT,
        "tls_timeout",
        "no result within 0.05 s (during tls)",
    )
    assert result.phases["tls"] >= 0.05


async def test_no_deadline_strikes_before_its_timeout_on_a_busy_loop() -> None:
    # 500 probes that start in one turn of the loop: uvloop's time, read at the turn's
    # start and in whole milliseconds, cut a third of them short of their timeout.
    # Timed from before the probe starts to the cancellation reaching its check: the
    # time from the probe's start to its first phase is not the deadline's to keep
    # (a process preempted between the two made a phase 8 us shorter than its timeout).
    async def timed(seconds: float) -> tuple[Outcome, float]:
        cut: list[float] = []

        async def check(recorder: Recorder) -> None:
            try:
                await asyncio.sleep(5)
            finally:
                cut.append(time.monotonic())

        started = time.monotonic()
        result = await guarded(seconds, check)
        return result.outcome, cut[0] - started

    timeouts = [random.uniform(0.001, 0.1) for _ in range(500)]
    results = await asyncio.gather(*(timed(seconds) for seconds in timeouts))
    assert all(outcome is Outcome.TIMEOUT for outcome, _ in results)
    short = [
        (seconds, took)
        for seconds, (_, took) in zip(timeouts, results, strict=True)
        if took < seconds
    ]
    assert short == []


async def test_a_deadline_between_phases_is_a_plain_timeout() -> None:
    async def check(recorder: Recorder) -> None:
        await asyncio.sleep(5)

    result = await guarded(0.05, check)
    assert (result.error_class, result.error_message) == ("timeout", "no result within 0.05 s")


async def test_cancelling_the_probe_is_not_swallowed() -> None:
    started = asyncio.Event()

    async def check(recorder: Recorder) -> None:
        started.set()
        await asyncio.sleep(5)

    task = asyncio.create_task(guarded(10, check))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def test_phases_met_twice_add_up_and_the_earliest_certificate_is_kept() -> None:
    ticks = iter([0.0, 1.0, 1.5, 2.0, 4.0, 10.0])
    recorder = Recorder(clock=lambda: next(ticks))
    for _ in range(2):
        with recorder.span("connect"):
            pass
    for expiry in (2_000.0, None, 1_000.0, 3_000.0):
        recorder.saw_cert(expiry)
    result = recorder.result(Outcome.OK)
    assert (dict(result.phases), result.cert_expiry, result.duration_seconds) == (
        {"connect": 2.5},
        1_000.0,
        10.0,
    )
