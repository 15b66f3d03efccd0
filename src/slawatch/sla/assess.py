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
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from slawatch.sla.calendar import recurring_spans
from slawatch.sla.contract import ContractTerms, UnknownPolicy
from slawatch.sla.credits import TierTable, credit_amount, percent_of
from slawatch.sla.exclusions import Claim, Exclusion, MaintenanceWindow, maintenance_verdict
from slawatch.sla.intervals import IntervalSet, Span
from slawatch.sla.ledger import Ledger, Tally
from slawatch.sla.outages import PolicyView, outage_at, outage_runs, policy_view
from slawatch.sla.periods import Period
from slawatch.sla.ratio import Ratio
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
    reasons: tuple[str, ...]  # labels of the excluders that overlap it
    ticket: str | None  # claim reference, when the customer reported it


@dataclass(frozen=True, slots=True)
class Credit:
    """A tier of the contract's table, selected. The words and the money are derived
    on demand: the SLA metrics select a tier at every scrape and need neither."""

    tier: int  # index into the contract's table
    percent: Fraction  # credit percent of the fee
    table: TierTable
    fee: Decimal | None  # the period's fee, when one is configured

    @property
    def tier_text(self) -> str:
        """The tier as the contract states it."""
        return self.table.tiers[self.tier].describe(self.table.basis)

    @property
    def amount(self) -> Decimal | None:
        """The money owed, when a fee is configured."""
        return None if self.fee is None else credit_amount(self.percent, self.fee)


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


@dataclass(frozen=True, slots=True)
class Score:
    """What a tally means under the contract: the ratio, the verdict, the credit."""

    ratio: Ratio  # the formula applied
    counted_downtime: int  # what the policy counts as down: D, plus U under ``down``
    claimed_downtime: int  # the part of it in claimed outages
    left_out_unknown: int  # U where the policy leaves it out of the ratio, else 0
    numerator_seconds: int
    denominator_seconds: int
    availability: Fraction  # percent
    coverage: Fraction  # percent of R observed
    met: bool
    billable: bool  # coverage reaches the contract minimum
    credit: Credit | None  # what is owed (claimed outages only where claims are required)
    credit_all_outages: Credit | None  # what would be owed if every outage were claimed


class SortedTime(NamedTuple):
    """A period's time sorted for its figures, with what the outage list needs."""

    ledger: Ledger
    excluders: tuple[Excluder, ...]
    view: PolicyView  # the service under the unknown-time policy, also outside R
    runs: list[Span]  # the outages of the whole service window (``outages.outage_runs``)
    tickets: list[str | None]  # per run, the ticket of the claim that marks it


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
    verdict = score(terms, period, tally)
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
        outages=_outages(time),
        excluders=time.excluders,
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
    tickets = _tickets(runs, claims)
    claimed = IntervalSet(run for run, ticket in zip(runs, tickets, strict=True) if ticket)
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
    return SortedTime(ledger, excluders, view, runs, tickets)


def score(terms: ContractTerms, period: Period, tally: Tally) -> Score:
    """The availability, verdict and credit of ``tally`` under ``terms``."""
    ratio = Ratio.of(terms.formula, terms.unknown_as)
    figures = tally.figures()
    numerator, denominator = ratio.sides(figures)
    availability = percent_of(numerator, denominator)
    down_unknown = terms.unknown_as is UnknownPolicy.DOWN
    counted = tally.downtime + (tally.unknown if down_unknown else 0)
    billing = period.kind is terms.period.kind
    credit_all = _credit(terms, availability, counted, billing)
    # As if only the claimed outages had been down: their downtime, and their unknown
    # time where the policy counts it as down (the rest of U is then up).
    claimed_figures = {**figures, "D": tally.claimed_downtime}
    if down_unknown:
        claimed_figures["U"] = tally.claimed_unknown
    claimed = claimed_figures["D"] + (claimed_figures["U"] if down_unknown else 0)
    owed = credit_all
    if terms.claims_required and terms.credits is not None:
        owed = _credit(terms, percent_of(*ratio.sides(claimed_figures)), claimed, billing)
    coverage = percent_of(tally.reference - tally.unknown, tally.reference)
    return Score(
        ratio=ratio,
        counted_downtime=counted,
        claimed_downtime=claimed,
        left_out_unknown=tally.unknown if terms.unknown_as is UnknownPolicy.EXCLUDED else 0,
        numerator_seconds=numerator,
        denominator_seconds=denominator,
        availability=availability,
        coverage=coverage,
        # Nothing measured proves nothing: neither met nor billable.
        met=denominator > 0 and availability >= terms.target_percent,
        billable=tally.reference > 0 and coverage >= terms.min_coverage_percent,
        credit=owed,
        credit_all_outages=credit_all,
    )


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


def _outages(time: SortedTime) -> tuple[Outage, ...]:
    # Each part is intersected once over the whole period, then shared out among
    # the outages in one pass: per-outage intersections cost outages x spans.
    ledger = time.ledger
    first, last = ledger.start, ledger.end
    shown = [i for i, (s, e) in enumerate(time.runs) if s < last and e > first]
    runs = [time.runs[i] for i in shown]
    in_window = time.view.down.clip(first, last)
    counted = ledger.downtime.totals_within(runs)
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
    tickets = [time.tickets[i] for i in shown]
    return tuple(  # positional, in Outage's field order: a year holds 200,000 outages
        map(
            Outage,
            [s for s, _ in runs],
            [e for _, e in runs],
            counted,
            excluded_seconds,
            ledger.unknown.totals_within(runs),
            outside,
            reasons,
            tickets,
        )
    )


def _tickets(runs: Sequence[Span], claims: Sequence[Claim]) -> list[str | None]:
    """Per run, the ticket of the first claim (in ``claims``' order) whose instant
    it covers, as ``outages.outage_at`` decides: ``claim add`` asks the same."""
    tickets: list[str | None] = [None] * len(runs)
    for claim in claims:
        i = outage_at(runs, claim.at)
        if i is not None and tickets[i] is None:
            tickets[i] = claim.ticket
    return tickets


def _credit(
    terms: ContractTerms, availability: Fraction, downtime: int, billing: bool
) -> Credit | None:
    table = terms.credits
    if table is None or not billing:  # tiers are per billing period: none for a month of a year
        return None
    index, percent = table.select(availability, downtime)
    return Credit(index, percent, table, terms.fee.amount if terms.fee else None)
