"""Read what the core needs from the store and assess a contract.

This is the one place where stored flips, maintenance, exclusions and claims
meet the pure core; reports, metrics and the API all go through it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from slawatch.config import Config
from slawatch.sla.assess import Assessment, assess
from slawatch.sla.case import Case
from slawatch.sla.contract import ContractTerms
from slawatch.sla.exclusions import ContractRecords
from slawatch.sla.intervals import IntervalSet
from slawatch.sla.locations import (
    MAJORITY,
    LocationRule,
    combine_locations,
    heard,
    located,
    sightings,
)
from slawatch.sla.periods import Period
from slawatch.sla.service import combine, probe_side_failure
from slawatch.sla.timeline import Flip, Timeline, timeline_from_flips

# An outage running over a period boundary keeps its real start and end (and the
# claims made then) within this much on either side; longer ones are cut here.
LOOKBACK = 7 * 86400


@dataclass(frozen=True, slots=True)
class Probing:
    """How the targets are probed, as masking probe-side failures and combining
    locations need it."""

    control: tuple[str, ...] = ()  # the agents' control targets (each location has its own)
    intervals: Mapping[str, int] = field(default_factory=dict)  # those of the targets below
    locations: Mapping[str, LocationRule] = field(default_factory=dict)  # default: MAJORITY

    @classmethod
    def of(cls, config: Config) -> Probing:
        """The intervals of the control targets and of those a contract is over: an
        agent holds this for its life, and many of its targets may be under none."""
        control = config.agent.control_targets
        read = [n for c in config.contracts for n in c.service_targets]
        return cls(
            control,
            {name: config.target(name).interval for name in [*control, *read]},
            config.location_rules(),
        )


Flips = Mapping[str, Mapping[str, list[Flip]]]  # target -> location -> its flips


class SlaSource(Protocol):
    """The part of the store that assessments read."""

    def flips(
        self, targets: Sequence[str], start: int, end: int
    ) -> dict[str, dict[str, list[Flip]]]: ...

    def contract_records(
        self, contracts: Sequence[str], start: int, end: int
    ) -> dict[str, ContractRecords]: ...


def service_timeline(
    source: SlaSource, terms: ContractTerms, probing: Probing, start: int, end: int
) -> Timeline:
    """The contract's service over ``[start, end)``, probe-side failures masked."""
    flips = source.flips([*terms.targets, *probing.control], start, end)
    return _service(flips, terms, probing, start, end)[0]


def _service(
    flips: Flips, terms: ContractTerms, probing: Probing, start: int, end: int
) -> tuple[Timeline, dict[str, IntervalSet]]:
    """The service's timeline, and per location when it saw one of its targets down."""
    controls = [name for name in probing.control if name not in terms.targets]
    failures = _probe_side_failures(flips, controls, probing, start, end)
    targets, views = [], []
    for name in terms.targets:
        raw = _raw(flips, name, start, end)
        views.append(located(raw, failures, probing.intervals.get(name, 0)))
        rule = probing.locations.get(name, MAJORITY)
        targets.append(combine_locations(views[-1], rule.counted(heard(raw)), rule, (start, end)))
    return combine(targets, terms.rule, start, end), sightings(views)


def _raw(flips: Flips, target: str, start: int, end: int) -> dict[str, Timeline]:
    """``target``'s timeline at each location that has flips."""
    return {
        location: timeline_from_flips(found, start, end)
        for location, found in flips.get(target, {}).items()
    }


def _probe_side_failures(
    flips: Flips, controls: Sequence[str], probing: Probing, start: int, end: int
) -> dict[str, IntervalSet]:
    """Per location: while all the control targets failed there."""
    places = {location for name in controls for location in flips.get(name, {})}
    return {
        location: probe_side_failure(
            [
                (timeline_from_flips(flips[c].get(location, []), start, end), probing.intervals[c])
                for c in controls
            ]
        )
        for location in places
    }


def gather(
    source: SlaSource,
    items: Sequence[tuple[ContractTerms, Period]],
    probing: Probing,
    now: int,
) -> list[Case]:
    """The case of each (contract, period) as known at ``now``, read in a few bulk
    queries rather than a few per contract: an assessment and its day-by-day
    series are computed from the very same case."""
    if not items:
        return []
    start = min(period.start for _, period in items) - LOOKBACK
    end = max(min(period.end + LOOKBACK, now) for _, period in items)
    names = {name for terms, _ in items for name in (*terms.targets, *probing.control)}
    flips = source.flips(sorted(names), start, max(end, start))
    records = source.contract_records(
        [terms.name for terms, _ in items], start + LOOKBACK, max(p.end for _, p in items)
    )
    found = []
    for terms, period in items:
        # Past the period too: an outage running over its end keeps its real end, and
        # a claim made after the period still finds it (assess clips every count).
        until = max(min(period.end + LOOKBACK, now), period.start)
        service, seen = _service(flips, terms, probing, period.start - LOOKBACK, until)
        monitored = replace(terms, monitoring_since=monitoring_since(terms, flips))
        found.append(Case(monitored, period, service, now, records[terms.name], seen))
    return found


def monitoring_since(terms: ContractTerms, flips: Flips) -> int | None:
    """When the contract's monitoring began: its ``monitoring_since``, else the first
    sample of any of its targets at any location (a target's first flip is its first
    sample; ``flips`` starts with the last flip before the window read, so an older one
    stands for any earlier start, which cuts nothing). None without any sample: the whole period is
    then reference time, unknown, and the coverage alert rightly fires."""
    if terms.monitoring_since is not None:
        return terms.monitoring_since
    firsts = [
        found[0].t for name in terms.targets for found in flips.get(name, {}).values() if found
    ]
    return min(firsts, default=None)


def evaluate_many(
    source: SlaSource,
    items: Sequence[tuple[ContractTerms, Period]],
    probing: Probing,
    now: int,
) -> list[Assessment]:
    """Assess each (contract, period) as known at ``now``."""
    return [assess(case) for case in gather(source, items, probing, now)]
