"""From probe samples to a target's timeline of up / down / unknown (SPEC section 2).

The timeline is kept as *flips*: the instants where a target's state changes.
A flip list always ends with an ``unknown`` flip at ``last sample + 2 x interval``,
so that a timeline read later, after the agent stopped, turns unknown on its own.

Rules, in the order they apply:

1. A sample's state holds from its instant until the next sample, but at most
   ``2 x interval``; after that the target is unknown until its next sample.
2. A run of consecutive failed samples is *confirmed* once it holds
   ``confirm_after`` failures; every sample of a confirmed run is down, so the
   outage starts retroactively at the run's first failure. Unconfirmed runs are
   up (noise), though they stay visible in the raw samples.
3. Samples are consecutive in sample order, even across an unknown gap: the gap
   itself stays unknown (rule 1 wins), the failures on both sides form one run.

Recomputing from any *ok* sample onwards gives the same flips as recomputing
the whole history, because no run of failures crosses an ok sample; the store
relies on this to recompute only the tail that an import touched.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import compress, count
from typing import NamedTuple

from slawatch.sla.intervals import IntervalSet, Span


class State(enum.StrEnum):
    UP = "up"
    DOWN = "down"
    UNKNOWN = "unknown"


class Flip(NamedTuple):
    # A tuple, not a dataclass: a year of flips for a thousand targets is 400,000
    # of them per report run, and tuples build three times faster.
    t: int  # first second (UTC epoch) of the new state
    state: State


@dataclass(frozen=True, slots=True)
class TimelineRule:
    """What a target's config says about turning its samples into a timeline."""

    interval: int  # seconds between probes; a sample holds at most twice this
    confirm_after: int = 2  # consecutive failures that make an outage
    degraded_above_ms: float | None = None  # latency above which a sample counts as failed

    def flips(
        self, times: Sequence[int], oks: Sequence[bool], latencies: Sequence[float | None]
    ) -> list[Flip]:
        if self.degraded_above_ms is None:  # is_failure is then "not ok": spare a call per sample
            failed = [not ok for ok in oks]
        else:
            failed = [
                is_failure(ok, latency, self.degraded_above_ms)
                for ok, latency in zip(oks, latencies, strict=True)
            ]
        return flips_from_samples(times, failed, self.interval, self.confirm_after)


@dataclass(frozen=True, slots=True)
class Timeline:
    """A partition of a window into up, down and unknown time."""

    up: IntervalSet
    down: IntervalSet
    unknown: IntervalSet

    def clip(self, start: int, end: int) -> Timeline:
        return Timeline(
            self.up.clip(start, end), self.down.clip(start, end), self.unknown.clip(start, end)
        )

    def last_state(self, at: int) -> State:
        """The state of the timeline, which ends at ``at``, in its last second (unknown
        when it is empty)."""
        if _ends_at(self.up, at):
            return State.UP
        return State.DOWN if _ends_at(self.down, at) else State.UNKNOWN

    def continued(self, at: int, end: int) -> Timeline:
        """The timeline, which ends at ``at``, with its last state held until ``end``:
        what it will be if nothing changes."""
        later = IntervalSet.span(at, end)
        state = self.last_state(at)
        if state is State.UP:
            return Timeline(self.up | later, self.down, self.unknown)
        if state is State.DOWN:
            return Timeline(self.up, self.down | later, self.unknown)
        return Timeline(self.up, self.down, self.unknown | later)


def _ends_at(spans: IntervalSet, at: int) -> bool:
    return bool(spans) and spans.spans[-1][1] == at


def is_failure(ok: bool, latency_ms: float | None, degraded_above_ms: float | None) -> bool:
    """A sample counts as failed when the probe failed or, if the target treats
    slowness as unavailability (degraded-as-down), when it answered too slowly."""
    if not ok:
        return True
    return (
        degraded_above_ms is not None
        and latency_ms is not None
        and (latency_ms > degraded_above_ms)
    )


def sample_states(failed: Sequence[bool], confirm_after: int) -> list[State]:
    """The state each sample stands for, once confirmation is applied (rule 2)."""
    states = [State.UP] * len(failed)
    for start, end in _failure_runs(failed):
        if end - start >= confirm_after:  # confirmed: every sample of the run is down
            states[start:end] = [State.DOWN] * (end - start)
    return states


def _failure_runs(failed: Sequence[bool]) -> Iterator[tuple[int, int]]:
    """``[first, last + 1)`` of each run of consecutive failures. Only the failures
    are visited (``compress`` skips the ok samples in C): an import recomputes a
    million samples, nearly all of them ok."""
    start = end = 0
    for i in compress(count(), failed):
        if i != end:  # a new run
            if end > start:
                yield start, end
            start = i
        end = i + 1
    if end > start:
        yield start, end


def flips_from_samples(
    times: Sequence[int], failed: Sequence[bool], interval: int, confirm_after: int
) -> list[Flip]:
    """Flips for samples taken at ``times`` (sorted, UTC seconds) whose outcome is
    ``failed``; the list ends with the unknown flip after the last sample."""
    if len(times) != len(failed):
        raise ValueError("times and failed must have the same length")
    if not times:
        return []
    horizon = 2 * interval
    states = sample_states(failed, confirm_after)
    flips: list[Flip] = []
    current = State.UNKNOWN
    # One pass over (sample, next sample): this loop runs once per sample of a
    # million-row import, so it stays free of index arithmetic.
    for t, nxt, state in zip(times, times[1:], states, strict=False):  # all but the last
        if nxt <= t:
            continue  # a second sample in the same second: it alone covers no time
        if state is not current:
            flips.append(Flip(t, state))
            current = state
        if nxt - t > horizon:
            flips.append(Flip(t + horizon, State.UNKNOWN))
            current = State.UNKNOWN
    if states[-1] is not current:
        flips.append(Flip(times[-1], states[-1]))
    flips.append(Flip(times[-1] + horizon, State.UNKNOWN))
    return flips


def timeline_from_flips(
    flips: Iterable[Flip], start: int, end: int, initial: State = State.UNKNOWN
) -> Timeline:
    """The timeline over ``[start, end)`` described by sorted ``flips``.

    ``initial`` is the state before the first flip; flips before ``start`` are
    allowed and simply set the state at ``start``.
    """
    buckets: dict[State, list[Span]] = {State.UP: [], State.DOWN: [], State.UNKNOWN: []}
    cursor, state = start, initial
    for t, new in flips:
        if t >= end:
            break
        if t > cursor:
            buckets[state].append((cursor, t))
            cursor = t
        state = new
    if cursor < end:
        buckets[state].append((cursor, end))
    return Timeline(  # the spans come sorted and disjoint: no need for the constructor's sort
        IntervalSet.from_sorted(buckets[State.UP]),
        IntervalSet.from_sorted(buckets[State.DOWN]),
        IntervalSet.from_sorted(buckets[State.UNKNOWN]),
    )
