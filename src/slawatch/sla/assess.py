"""The SLA calculation for one contract and one period (SPEC sections 3 and 4).

Given the service's timeline, the declared maintenance, the operator's
exclusions and the customer's claims, it derives, in whole seconds:

- ``R`` reference time: the period (up to ``until``) within the reference calendar;
- ``X`` excluded time: ``R`` within qualifying maintenance or exclusions;
- ``U`` unknown time: ``R - X`` where the service was unobserved;
- ``D`` downtime: ``R - X - U`` where the service was down;

each as measured, whatever the contract's unknown-time policy; then the
availability under the contract's formula (``ratio.py``: the policies choose
which figures each side subtracts), the coverage, the verdict,
the credit tier and the money. Every figure is a function of its inputs only:
the period, ``until`` (what "now" is) and the zone are parameters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from slawatch.sla.calendar import recurring_spans
from slawatch.sla.case import Case
from slawatch.sla.claims import Marking, mark
from slawatch.sla.contract import UnknownPolicy
from slawatch.sla.exclusions import maintenance_verdict
from slawatch.sla.intervals import IntervalSet, Span
from slawatch.sla.ledger import Ledger, Tally
from slawatch.sla.limits import LimitVerdict, clause_credit, judge
from slawatch.sla.locations import UNNAMED
from slawatch.sla.outages import PolicyView, outage_runs, policy_view
from slawatch.sla.periods import Period
from slawatch.sla.score import Score, score


@dataclass(frozen=True, slots=True)
class Excluder:
    """One source of excluded time and what it removed from reference time."""

    label: (
        str  # "maintenance #3 (planned)", "exclusion #2 (force_majeure)", "recurring maintenance"
    )
    reason: str  # short reason, as outages show it
    note: str
    spans: IntervalSet  # its time inside the period
    excluded_seconds: int  # its time inside R (overlapping sources each count it)
    why_not: str | None  # why it does not qualify (late notice...), None when it does
    maintenance: bool  # maintenance (declared or recurring) rather than an operator exclusion

    @property
    def qualifies(self) -> bool:
        return self.why_not is None


@dataclass(frozen=True, slots=True)
class Outage:
    """A run of what the unknown-time policy counts as down (``outages.py``)."""

    start: int  # first down second, possibly before the period
    end: int  # first second after it, possibly after the period
    counted_seconds: int  # its part of D
    excluded_seconds: int  # its time inside R that X removed
    unknown_seconds: int  # its part of U (unobserved, in R - X)
    outside_reference_seconds: int  # its time in the period but outside R
    length_seconds: int  # what the contract counts as down in it: counted, plus unknown
    # under ``unknown_time: down`` (what the outage clauses read)
    reasons: tuple[str, ...]  # labels of the excluders that overlap it
    marking: Marking | None  # the customer's claim of it, in time or late
    # The named locations that saw the service down during it (sla/locations.py);
    # none for an agent without ``agent.location``.
    locations: tuple[str, ...] = ()

    @property
    def ticket(self) -> str | None:
        """The claim's reference, when the customer reported it (even late)."""
        return None if self.marking is None else self.marking.claim.ticket

    @property
    def claimed(self) -> bool:
        """Claimed in time: it counts towards the credit owed."""
        return self.marking is not None and not self.marking.late


@dataclass(frozen=True, slots=True)
class Assessment:
    """A period's assessment: its measured figures (``tally``), what they mean under
    the contract (``score``) and the outages, excluders and clauses behind them."""

    period: Period
    until: int  # instants from here on are not assessed yet (the future)
    complete: bool  # the period is over
    tally: Tally  # R, X, U and D as measured, whatever the unknown-time policy
    score: Score  # the ratio, the verdict and the credit
    outages: tuple[Outage, ...]
    excluders: tuple[Excluder, ...]
    limits: tuple[LimitVerdict, ...]  # the contract's outage clauses over the period


class SortedTime(NamedTuple):
    """A period's time sorted for its figures, with what the outage list needs."""

    ledger: Ledger
    excluders: tuple[Excluder, ...]
    view: PolicyView  # the service under the unknown-time policy, also outside R
    runs: list[Span]  # the outages of the whole service window (``outages.outage_runs``)
    markings: list[Marking | None]  # per run, the claim that marks it (``claims.mark``)


def assess(case: Case) -> Assessment:
    """Assess ``case.terms`` over ``case.period`` up to ``case.until``."""
    terms, period = case.terms, case.period
    time = sort_time(case)
    tally = time.ledger.tally()
    outages = _outages(time, terms.unknown_as, case.sightings)
    limits = judge(
        terms.outage_limits,
        [o.length_seconds for o in outages],
        [o.claimed for o in outages],
        claims_required=terms.claims_required,
        billing=period.kind is terms.period.kind,
    )
    verdict = score(terms, period, tally, clause_credit(limits))
    complete = case.until >= period.end
    return Assessment(
        period, time.ledger.end, complete, tally, verdict, outages, time.excluders, limits
    )


def sort_time(case: Case) -> SortedTime:
    """Sort the case's period up to its instant into reference, excluded, unknown,
    down and claimed time."""
    terms, period, service = case.terms, case.period, case.service
    end = min(period.end, case.until)
    window = IntervalSet.span(period.start, end)
    reference = terms.reference.spans(period.start, end, terms.zone) if window else window
    if terms.monitoring_since is not None:  # not watched yet: not reference time
        reference = reference.clip(terms.monitoring_since, end)
    excluders = _excluders(case, end, reference)
    excluded = _union(e.spans for e in excluders if e.qualifies) & reference
    counted = reference - excluded
    unknown, downtime = service.unknown & counted, service.down & counted
    view = policy_view(service, terms.unknown_as)
    runs = outage_runs(view)
    markings = mark(runs, case.records.claims, terms.claim_window, terms.zone)
    claimed = IntervalSet(
        run for run, m in zip(runs, markings, strict=True) if m is not None and not m.late
    )
    ledger = Ledger(
        period.start,
        end,
        reference,
        excluded,
        unknown,
        downtime,
        downtime & claimed,
        unknown & claimed,
    )
    return SortedTime(ledger, excluders, view, runs, markings)


def _union(sets: Iterable[IntervalSet]) -> IntervalSet:
    return IntervalSet(span for s in sets for span in s)


def _excluders(case: Case, end: int, reference: IntervalSet) -> tuple[Excluder, ...]:
    terms, start = case.terms, case.period.start
    found: list[Excluder] = []

    def add(  # noqa: PLR0913, PLR0917 (an excluder's fields, in their order)
        label: str, reason: str, note: str, spans: IntervalSet, why_not: str | None, planned: bool
    ) -> None:
        if spans:
            seconds = (spans & reference).total()
            found.append(Excluder(label, reason, note, spans, seconds, why_not, planned))

    if terms.recurring_maintenance and end > start:
        spans = recurring_spans(terms.recurring_maintenance, start, end, terms.zone)
        add("recurring maintenance", "maintenance", "declared in the contract", spans, None, True)
    for m in case.records.maintenance:
        spans = IntervalSet.span(m.start, m.end).clip(start, end)
        verdict = maintenance_verdict(m, terms.maintenance)
        add(
            f"maintenance #{m.id} ({m.kind})", f"{m.kind}_maintenance", m.note, spans, verdict, True
        )
    for x in case.records.exclusions:
        spans = IntervalSet.span(x.start, x.end).clip(start, end)
        add(f"exclusion #{x.id} ({x.reason})", str(x.reason), x.note, spans, None, False)
    return tuple(found)


def _outages(
    time: SortedTime, policy: UnknownPolicy, sightings: Mapping[str, IntervalSet]
) -> tuple[Outage, ...]:
    # Each part is intersected once over the whole period, then shared out among
    # the outages in one pass: per-outage intersections cost outages x spans.
    ledger = time.ledger
    first, last = ledger.start, ledger.end
    shown = [i for i, (s, e) in enumerate(time.runs) if s < last and e > first]
    runs = [time.runs[i] for i in shown]
    in_window = time.view.down.clip(first, last)
    counted = ledger.downtime.totals_within(runs)
    unknown = ledger.unknown.totals_within(runs)
    lengths = (
        [c + u for c, u in zip(counted, unknown, strict=True)]
        if policy is UnknownPolicy.DOWN
        else counted
    )
    excluded_seconds = (time.view.down & ledger.excluded).totals_within(runs)
    outside = (in_window - ledger.reference).totals_within(runs)
    touched = [
        (e.label, (e.spans & in_window & ledger.excluded).totals_within(runs))
        for e in time.excluders
        if e.qualifies
    ]
    reasons = (
        [tuple(label for label, seconds in touched if seconds[i]) for i in range(len(runs))]
        if touched
        else [()] * len(runs)
    )
    markings = [time.markings[i] for i in shown]
    return tuple(  # positional, in Outage's field order: a year holds 200,000 outages
        map(
            Outage,
            [s for s, _ in runs],
            [e for _, e in runs],
            counted,
            excluded_seconds,
            unknown,
            outside,
            lengths,
            reasons,
            markings,
            _seen_by(sightings, runs),
        )
    )


def _seen_by(sightings: Mapping[str, IntervalSet], runs: list[Span]) -> list[tuple[str, ...]]:
    """Per outage, the named locations whose sightings overlap it, by name. One pass
    per location; nothing at all for an unnamed single agent (the common case)."""
    named = sorted(location for location in sightings if location != UNNAMED)
    if not named:
        return [()] * len(runs)
    seen = [sightings[location].totals_within(runs) for location in named]
    return [
        tuple(location for location, seconds in zip(named, seen, strict=True) if seconds[i])
        for i in range(len(runs))
    ]
