"""A target's timeline from its locations' timelines (SPEC section 2, "Locations").

Each (target, location) has its own timeline, and a location whose control targets
all fail is unknown there (``located``): its own network is broken, not the target.
The locations then combine like a service's targets (``service.combine``): down
while at least k of them are down, unknown while the undecided ones could tip it,
else up. So a location's down time starts where its timeline's does, at the first
failure of a confirmed streak, and the target is down from the instant the k-th
location is: the outage is confirmed by k locations, each by ``confirm_after``.

Which locations count: those configured for the target, or else those that sent
it samples in the window assessed (their timeline has known time there). A counted
location without samples is unknown, never down; a quorum above the locations
counted is padded with unknown ones, so it can leave the target undecided but never
make it down on fewer than k locations' word.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from slawatch.sla.intervals import IntervalSet
from slawatch.sla.service import Rule, combine, mask_probe_side
from slawatch.sla.timeline import Flip, State, Timeline, timeline_from_flips

UNNAMED = ""  # the location of an agent that names none (``agent.location`` unset)


@dataclass(frozen=True, slots=True)
class LocationRule:
    """How many of a target's locations must see it down for it to be down."""

    rule: Rule | None = None  # None: a strict majority of the locations counted
    expected: tuple[str, ...] = ()  # the locations configured for it; (): those heard from

    def threshold(self, locations: int) -> int:
        """k, for ``locations`` counted locations."""
        if self.rule is None:
            return locations // 2 + 1
        return self.rule.threshold(locations)

    def counted(self, heard: Iterable[str]) -> list[str]:
        """The locations that count: the configured ones, else ``heard`` (sorted)."""
        return list(self.expected) if self.expected else sorted(set(heard))

    def __str__(self) -> str:
        return "majority" if self.rule is None else str(self.rule)


MAJORITY = LocationRule()


def heard(raw: Mapping[str, Timeline]) -> list[str]:
    """The locations whose timeline (before any masking) has known time: those that
    sent samples in the window."""
    return [location for location, timeline in raw.items() if timeline.up or timeline.down]


def located(
    raw: Mapping[str, Timeline], failures: Mapping[str, IntervalSet], interval: int
) -> dict[str, Timeline]:
    """Each location's timeline of a target probed every ``interval``, with that
    location's own probe-side failure (``service.probe_side_failure`` of its control
    targets) turned unknown: one location's broken network voids only its own view."""
    none = IntervalSet()
    return {
        location: mask_probe_side(timeline, failures.get(location, none), interval)
        for location, timeline in raw.items()
    }


def combine_locations(
    timelines: Mapping[str, Timeline],
    counted: Sequence[str],
    rule: LocationRule,
    span: tuple[int, int],
) -> Timeline:
    """The target's timeline over ``span`` from the ``counted`` locations' timelines
    (``timelines`` may lack some: they are unknown throughout)."""
    start, end = span
    unknown = Timeline(IntervalSet(), IntervalSet(), IntervalSet.span(start, end))
    k = rule.threshold(len(counted))
    chosen = [timelines.get(location, unknown) for location in counted]
    chosen += [unknown] * (k - len(chosen))  # a quorum above the locations counted
    if not chosen:
        return unknown
    return combine(chosen, Rule("quorum", k), start, end)


def sightings(targets: Iterable[Mapping[str, Timeline]]) -> dict[str, IntervalSet]:
    """Per location: when it saw any of ``targets`` (each its located timelines) down.
    An outage lists the locations whose sightings overlap it."""
    seen: dict[str, IntervalSet] = {}
    for per_location in targets:
        for location, timeline in per_location.items():
            seen[location] = seen.get(location, IntervalSet()) | timeline.down
    return seen


def state_now(
    flips: Mapping[str, Sequence[Flip]], rule: LocationRule, now: int
) -> tuple[State, int | None]:
    """A target's state at ``now`` from each location's flips up to ``now``, and since
    when: the latest change at any counted location (the combined state cannot have
    changed later). Without flips: unknown, since never."""
    last = {location: found[-1] for location, found in flips.items() if found}
    counted = rule.counted(last)
    if not counted:
        return State.UNKNOWN, None
    timelines = {
        location: timeline_from_flips([flip], now, now + 1) for location, flip in last.items()
    }
    combined = combine_locations(timelines, counted, rule, (now, now + 1))
    state = next(s for s in State if getattr(combined, s.value))
    return state, max((last[c].t for c in counted if c in last), default=None)
