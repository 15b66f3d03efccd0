"""Which time is an outage, and which outage an instant belongs to.

An outage is a run of the time the contract's ``unknown_time`` policy treats as
down: the service's down time, plus its unknown time under ``down``. Under the
default policy an unknown gap with down time on both sides stays inside the
outage (a probe that could not run in the middle of a failure does not end it);
under ``up`` unknown time is up, so it splits outages and belongs to none.

Exclusions do not change which outage an instant belongs to: the report lists an
excluded outage too, with its excluded seconds, and a claim on it stands (it
credits what the outage counts). So the report's outage list, the matching of
claims to outages and ``slawatch claim add`` all ask ``outage_at``, and cannot
disagree about a claim.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import NamedTuple

from slawatch.sla.contract import UnknownPolicy
from slawatch.sla.intervals import IntervalSet, Span
from slawatch.sla.timeline import Timeline


class PolicyView(NamedTuple):
    """A service timeline as the unknown-time policy reads it, for finding outages."""

    down: IntervalSet  # what the policy counts as down, also outside reference time
    bridges: IntervalSet  # unknown gaps an outage runs across when down on both sides


def policy_view(service: Timeline, policy: UnknownPolicy) -> PolicyView:
    """The down time and the bridgeable gaps of ``service`` under ``policy``."""
    if policy is UnknownPolicy.UP:
        return PolicyView(service.down, IntervalSet())
    if policy is UnknownPolicy.DOWN:
        return PolicyView(service.down | service.unknown, IntervalSet())
    return PolicyView(service.down, service.unknown)


def outage_runs(view: PolicyView) -> list[Span]:
    """The outages, in order: down spans joined across the gaps of ``view.bridges``
    that have down time on both sides."""
    runs: list[Span] = []
    bridges = view.bridges.spans
    j = 0
    for start, end in view.down:
        if runs:
            prev_end = runs[-1][1]
            while j < len(bridges) and bridges[j][1] < start:
                j += 1
            if j < len(bridges) and bridges[j][0] == prev_end and bridges[j][1] == start:
                runs[-1] = (runs[-1][0], end)
                continue
        runs.append((start, end))
    return runs


def outage_at(runs: Sequence[Span], instant: int) -> int | None:
    """The index in ``runs`` (``outage_runs``' list) of the outage covering
    ``instant``, or ``None`` when no outage does."""
    i = bisect_right(runs, (instant, _AFTER_ANY_END)) - 1
    return i if i >= 0 and runs[i][0] <= instant < runs[i][1] else None


def outage_covering(service: Timeline, policy: UnknownPolicy, instant: int) -> Span | None:
    """The outage of ``service`` covering ``instant`` under ``policy``, or ``None``.

    ``service`` must reach past ``instant`` on both sides for the outage's bounds
    to be its real ones; whether one covers ``instant`` does not depend on that."""
    runs = outage_runs(policy_view(service, policy))
    i = outage_at(runs, instant)
    return None if i is None else runs[i]


# Sorts after every real end: (instant, this) follows each run that starts at instant.
_AFTER_ANY_END = 2**63
