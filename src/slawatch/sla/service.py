"""From target timelines to a service timeline (SPEC section 2).

Two steps, both pure:

1. *Probe-side failure*: while every control target is down (confirmed, as any
   target), the agent's own network is the likely culprit, so every other
   target's time is unknown rather than down or up.
2. *Combination*: ``all``, ``any`` and ``quorum: k`` are one rule, "down when
   at least k targets are down" (``all`` is k = 1, ``any`` is k = n). When the
   unknown targets could tip the count either way, the service is unknown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce

from slawatch.sla.intervals import IntervalSet, Span
from slawatch.sla.timeline import State, Timeline


@dataclass(frozen=True, slots=True)
class Rule:
    """How many targets must be down for the service to be down."""

    kind: str  # "all", "any" or "quorum"
    quorum: int | None = None  # k, for "quorum"

    def threshold(self, targets: int) -> int:
        if self.kind == "all":
            return 1
        if self.kind == "any":
            return targets
        assert self.quorum is not None
        return self.quorum

    def __str__(self) -> str:
        return f"quorum {self.quorum}" if self.kind == "quorum" else self.kind


ALL = Rule("all")


def probe_side_failure(control: Sequence[tuple[Timeline, int]]) -> IntervalSet:
    """The time during which every control target was failing, given each control
    target's timeline and interval. A control target's failure may have begun any
    time after its last good sample, so each of its down spans counts from one
    interval earlier: targets probed at another phase are covered from the start."""
    if not control:
        return IntervalSet()
    return reduce(
        IntervalSet.intersection,
        (timeline.down.widen(interval, 0) for timeline, interval in control),
    )


def mask_probe_side(target: Timeline, failure: IntervalSet, interval: int) -> Timeline:
    """``target`` (probed every ``interval``) with a probe-side failure turned unknown.

    A failed sample taken during the failure stands until the target's next sample,
    up to one interval after the failure ended: that much more of its downtime is
    void too.
    """
    if not failure:
        return target
    void = failure | (target.down & failure.widen(0, interval))
    return Timeline(target.up - void, target.down - void, target.unknown | void)


def combine(targets: Sequence[Timeline], rule: Rule, start: int, end: int) -> Timeline:
    """The service's timeline over ``[start, end)`` from its targets' timelines."""
    if not targets:
        return Timeline(IntervalSet(), IntervalSet(), IntervalSet.span(start, end))
    k = rule.threshold(len(targets))
    if len(targets) == 1 and k == 1:
        return targets[0].clip(start, end)  # one target: the service is the target
    events: dict[int, list[int]] = {}
    for timeline in targets:
        for state, spans in ((State.DOWN, timeline.down), (State.UNKNOWN, timeline.unknown)):
            for s, e in spans.clip(start, end):
                events.setdefault(s, [0, 0])[_slot(state)] += 1
                events.setdefault(e, [0, 0])[_slot(state)] -= 1
    buckets: dict[State, list[Span]] = {State.UP: [], State.DOWN: [], State.UNKNOWN: []}
    down = unknown = 0
    cursor = start
    for t in sorted(events):
        if t > cursor:
            buckets[_decide(down, unknown, k)].append((cursor, t))
            cursor = t
        down += events[t][0]
        unknown += events[t][1]
    if cursor < end:
        buckets[_decide(down, unknown, k)].append((cursor, end))
    return Timeline(*(IntervalSet(buckets[s]) for s in (State.UP, State.DOWN, State.UNKNOWN)))


def _slot(state: State) -> int:
    return 0 if state is State.DOWN else 1


def _decide(down: int, unknown: int, k: int) -> State:
    if down >= k:
        return State.DOWN
    if down + unknown >= k:
        return State.UNKNOWN
    return State.UP
