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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

from slawatch.sla.calendar import recurring_spans
from slawatch.sla.claims import Marking, mark
from slawatch.sla.contract import ContractTerms, UnknownPolicy
from slawatch.sla.exclusions import Claim, Exclusion, MaintenanceWindow, maintenance_verdict
from slawatch.sla.intervals import IntervalSet, Span
from slawatch.sla.ledger import Ledger
from slawatch.sla.limits import LimitVerdict, clause_credit, judge
from slawatch.sla.outages import PolicyView, outage_runs, policy_view
from slawatch.sla.periods import Period
from slawatch.sla.ratio import Ratio
from slawatch.sla.score import Credit, score
from slawatch.sla.timeline import Timeline


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
    period: Period
    until: int  # instants from here on are not assessed yet (the future)
    complete: bool  # the period is over
    reference_seconds: int  # R
    excluded_seconds: int  # X
    unknown_seconds: int  # U, as measured whatever the unknown-time policy
    downtime_seconds: int  # D, as measured (never overlaps U)
    counted_downtime_seconds: int  # what the policy counts as down: D, plus U under ``down``
    observed_unknown_seconds: int  # U as the policy leaves it out of the ratio
    ratio: Ratio  # the formula applied
    numerator_seconds: int
    denominator_seconds: int
    availability: Fraction  # percent
    coverage: Fraction  # percent of R observed
    met: bool
    billable: bool  # coverage reaches the contract minimum
    credit: Credit | None  # what is owed (claimed outages only where claims are required)
    credit_all_outages: Credit | None  # what would be owed if every outage were claimed
    claimed_downtime_seconds: int  # the part of the counted downtime in claimed outages
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


def assess(
    terms: ContractTerms,
    period: Period,
    service: Timeline,
    until: int,
    *,
    maintenance: Sequence[MaintenanceWindow] = (),
    exclusions: Sequence[Exclusion] = (),
    claims: Sequence[Claim] = (),
) -> Assessment:
    """Assess ``terms`` over ``period`` up to ``until``.

    ``service`` must partition at least ``[period.start, min(period.end, until))``;
    it may reach further back, so that an outage that began before the period
    keeps its real start and can be matched by a claim made then.
    """
    time = sort_time(
        terms, period, service, until, maintenance=maintenance, exclusions=exclusions, claims=claims
    )
    tally = time.ledger.tally()
    outages = _outages(time, terms.unknown_as)
    limits = judge(
        terms.outage_limits,
        [o.length_seconds for o in outages],
        [o.claimed for o in outages],
        claims_required=terms.claims_required,
        billing=period.kind is terms.period.kind,
    )
    verdict = score(terms, period, tally, clause_credit(limits))
    return Assessment(
        period=period,
        until=time.ledger.end,
        complete=until >= period.end,
        reference_seconds=tally.reference,
        excluded_seconds=tally.excluded,
        unknown_seconds=tally.unknown,
        downtime_seconds=tally.downtime,
        counted_downtime_seconds=verdict.counted_downtime,
        observed_unknown_seconds=verdict.left_out_unknown,
        ratio=verdict.ratio,
        numerator_seconds=verdict.numerator_seconds,
        denominator_seconds=verdict.denominator_seconds,
        availability=verdict.availability,
        coverage=verdict.coverage,
        met=verdict.met,
        billable=verdict.billable,
        credit=verdict.credit,
        credit_all_outages=verdict.credit_all_outages,
        claimed_downtime_seconds=verdict.claimed_downtime,
        outages=outages,
        excluders=time.excluders,
        limits=limits,
    )


def sort_time(
    terms: ContractTerms,
    period: Period,
    service: Timeline,
    until: int,
    *,
    maintenance: Sequence[MaintenanceWindow] = (),
    exclusions: Sequence[Exclusion] = (),
    claims: Sequence[Claim] = (),
) -> SortedTime:
    """Sort ``period`` up to ``until`` into reference, excluded, unknown, down and
    claimed time (the arguments are ``assess``'s)."""
    end = min(period.end, until)
    window = IntervalSet.span(period.start, end)
    reference = terms.reference.spans(period.start, end, terms.zone) if window else window
    excluders = _excluders(
        terms,
        period.start,
        end,
        reference=reference,
        maintenance=maintenance,
        exclusions=exclusions,
    )
    excluded = _union(e.spans for e in excluders if e.qualifies) & reference
    counted = reference - excluded
    unknown, downtime = service.unknown & counted, service.down & counted
    view = policy_view(service, terms.unknown_as)
    runs = outage_runs(view)
    markings = mark(runs, claims, terms.claim_window, terms.zone)
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


def _excluders(
    terms: ContractTerms,
    start: int,
    end: int,
    *,
    reference: IntervalSet,
    maintenance: Sequence[MaintenanceWindow],
    exclusions: Sequence[Exclusion],
) -> tuple[Excluder, ...]:
    found: list[Excluder] = []

    def add(  # noqa: PLR0917 (an excluder's fields, in their order)
        label: str, reason: str, note: str, spans: IntervalSet, why_not: str | None, planned: bool
    ) -> None:
        if spans:
            seconds = (spans & reference).total()
            found.append(Excluder(label, reason, note, spans, seconds, why_not, planned))

    if terms.recurring_maintenance and end > start:
        spans = recurring_spans(terms.recurring_maintenance, start, end, terms.zone)
        add("recurring maintenance", "maintenance", "declared in the contract", spans, None, True)
    for m in maintenance:
        spans = IntervalSet.span(m.start, m.end).clip(start, end)
        verdict = maintenance_verdict(m, terms.maintenance)
        add(
            f"maintenance #{m.id} ({m.kind})", f"{m.kind}_maintenance", m.note, spans, verdict, True
        )
    for x in exclusions:
        spans = IntervalSet.span(x.start, x.end).clip(start, end)
        add(f"exclusion #{x.id} ({x.reason})", str(x.reason), x.note, spans, None, False)
    return tuple(found)


def _outages(time: SortedTime, policy: UnknownPolicy) -> tuple[Outage, ...]:
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
        )
    )
