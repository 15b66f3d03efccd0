"""The SLA calculation for one contract and one period (SPEC sections 3 and 4).

Given the service's timeline, the declared maintenance, the operator's
exclusions and the customer's claims, it derives, in whole seconds:

- ``R`` reference time: the period (up to ``until``) within the reference calendar;
- ``X`` excluded time: ``R`` within qualifying maintenance or exclusions;
- ``U`` unknown time: ``R - X`` where the service was unobserved;
- ``D`` downtime: ``R - X - U`` where the service was down;

then the availability under the contract's formula, the coverage, the verdict,
the credit tier and the money. Every figure is a function of its inputs only:
the period, ``until`` (what "now" is) and the zone are parameters.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from slawatch.sla.calendar import recurring_spans
from slawatch.sla.contract import ContractTerms, Formula, UnknownPolicy
from slawatch.sla.credits import credit_amount, percent_of
from slawatch.sla.exclusions import Claim, Exclusion, MaintenanceWindow, maintenance_verdict
from slawatch.sla.intervals import IntervalSet, Span
from slawatch.sla.periods import Period
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

    @property
    def qualifies(self) -> bool:
        return self.why_not is None


@dataclass(frozen=True, slots=True)
class Outage:
    """A run of service downtime (unknown gaps inside it stay part of it)."""

    start: int  # first down second, possibly before the period
    end: int  # first second after it, possibly after the period
    counted_seconds: int  # its part of D
    excluded_seconds: int  # down time inside R that X removed
    unknown_seconds: int  # unobserved gaps inside it, in R - X
    outside_reference_seconds: int  # down time in the period but outside R
    reasons: tuple[str, ...]  # labels of the excluders that overlap it
    ticket: str | None  # claim reference, when the customer reported it


@dataclass(frozen=True, slots=True)
class Credit:
    tier: int | None  # index into the contract's table
    tier_text: str | None  # the tier as the contract states it
    percent: Fraction  # credit percent of the fee
    amount: Decimal | None  # money, when a fee is configured and the period is a billing one


@dataclass(frozen=True, slots=True)
class Assessment:
    period: Period
    until: int  # instants from here on are not assessed yet (the future)
    complete: bool  # the period is over
    reference_seconds: int  # R
    excluded_seconds: int  # X
    unknown_seconds: int  # U (before the unknown-time policy)
    downtime_seconds: int  # D (after the unknown-time policy)
    observed_unknown_seconds: int  # U as the policy leaves it in the ratio
    numerator_seconds: int
    denominator_seconds: int
    availability: Fraction  # percent
    coverage: Fraction  # percent of R observed
    met: bool
    billable: bool  # coverage reaches the contract minimum
    credit: Credit | None  # what is owed (claimed outages only where claims are required)
    credit_all_outages: Credit | None  # what would be owed if every outage were claimed
    claimed_downtime_seconds: int
    outages: tuple[Outage, ...]
    excluders: tuple[Excluder, ...]


@dataclass(frozen=True, slots=True)
class _Ratio:
    numerator: int
    denominator: int

    @property
    def percent(self) -> Fraction:
        return percent_of(self.numerator, self.denominator)


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
    down, unknown = _apply_unknown_policy(service, terms.unknown_as)
    counted_down, counted_unknown = down & counted, unknown & counted
    u = counted_unknown.total()
    raw_unknown = u if unknown is service.unknown else (service.unknown & counted).total()
    d = counted_down.total()
    ratio = _ratio(terms.formula, reference.total(), excluded.total(), u, d)
    outages = _outages(
        down,
        unknown,
        counted_down=counted_down,
        counted_unknown=counted_unknown,
        excluded=excluded,
        window=(period.start, end),
        excluders=excluders,
        claims=claims,
    )
    claimed = sum(o.counted_seconds for o in outages if o.ticket is not None)
    r = reference.total()
    coverage = percent_of(r - raw_unknown, r)
    billing = period.kind is terms.period.kind
    credit_all = _credit(terms, ratio.percent, d, billing)
    owed = credit_all
    if terms.claims_required and terms.credits is not None:
        claimed_ratio = _ratio(terms.formula, r, excluded.total(), u, claimed)
        owed = _credit(terms, claimed_ratio.percent, claimed, billing)
    return Assessment(
        period=period,
        until=end,
        complete=until >= period.end,
        reference_seconds=r,
        excluded_seconds=excluded.total(),
        unknown_seconds=raw_unknown,
        downtime_seconds=d,
        observed_unknown_seconds=u,
        numerator_seconds=ratio.numerator,
        denominator_seconds=ratio.denominator,
        availability=ratio.percent,
        coverage=coverage,
        # Nothing measured proves nothing: neither met nor billable.
        met=ratio.denominator > 0 and ratio.percent >= terms.target_percent,
        billable=r > 0 and coverage >= terms.min_coverage_percent,
        credit=owed,
        credit_all_outages=credit_all,
        claimed_downtime_seconds=claimed,
        outages=outages,
        excluders=excluders,
    )


def _ratio(formula: Formula, r: int, x: int, u: int, d: int) -> _Ratio:
    if formula is Formula.REMOVED:
        return _Ratio(r - x - u - d, r - x - u)
    return _Ratio(r - u - d, r - u)


def _apply_unknown_policy(
    service: Timeline, policy: UnknownPolicy
) -> tuple[IntervalSet, IntervalSet]:
    """The (down, unknown) sets once the contract's unknown-time policy applies."""
    if policy is UnknownPolicy.UP:
        return service.down, IntervalSet()
    if policy is UnknownPolicy.DOWN:
        return service.down | service.unknown, IntervalSet()
    return service.down, service.unknown


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

    def add(label: str, reason: str, note: str, spans: IntervalSet, why_not: str | None) -> None:
        if spans:
            found.append(Excluder(label, reason, note, spans, (spans & reference).total(), why_not))

    if terms.recurring_maintenance and end > start:
        spans = recurring_spans(terms.recurring_maintenance, start, end, terms.zone)
        add("recurring maintenance", "maintenance", "declared in the contract", spans, None)
    for m in maintenance:
        spans = IntervalSet.span(m.start, m.end).clip(start, end)
        verdict = maintenance_verdict(m, terms.maintenance)
        add(f"maintenance #{m.id} ({m.kind})", f"{m.kind}_maintenance", m.note, spans, verdict)
    for x in exclusions:
        spans = IntervalSet.span(x.start, x.end).clip(start, end)
        add(f"exclusion #{x.id} ({x.reason})", str(x.reason), x.note, spans, None)
    return tuple(found)


def _outages(
    down: IntervalSet,
    unknown: IntervalSet,
    *,
    counted_down: IntervalSet,
    counted_unknown: IntervalSet,
    excluded: IntervalSet,
    window: Span,
    excluders: Sequence[Excluder],
    claims: Sequence[Claim],
) -> tuple[Outage, ...]:
    """The outages overlapping ``window``; ``counted_down`` and ``counted_unknown`` are
    ``down`` and ``unknown`` within reference time less ``excluded``, which lies within
    reference time, itself within ``window``."""
    # Each part is intersected once over the whole period, then shared out among
    # the outages in one pass: per-outage intersections cost outages x spans.
    first, last = window
    runs = [(s, e) for s, e in outage_runs(down, unknown) if s < last and e > first]
    in_window = down.clip(first, last)
    counted = counted_down.totals_within(runs)
    excluded_seconds = (down & excluded).totals_within(runs)
    # Reference time is counted time and excluded time: the rest of the window is outside.
    whole = in_window.totals_within(runs)
    outside = [w - c - x for w, c, x in zip(whole, counted, excluded_seconds, strict=True)]
    touched = [
        (e.label, (e.spans & in_window & excluded).totals_within(runs))
        for e in excluders
        if e.qualifies
    ]
    reasons = (
        [tuple(label for label, seconds in touched if seconds[i]) for i in range(len(runs))]
        if touched
        else [()] * len(runs)
    )
    tickets = [_ticket(claims, s, e) for s, e in runs] if claims else [None] * len(runs)
    return tuple(  # positional, in Outage's field order: a year holds 200,000 outages
        map(
            Outage,
            [s for s, _ in runs],
            [e for _, e in runs],
            counted,
            excluded_seconds,
            counted_unknown.totals_within(runs),
            outside,
            reasons,
            tickets,
        )
    )


def _ticket(claims: Sequence[Claim], start: int, end: int) -> str | None:
    return next((c.ticket for c in claims if start <= c.at < end), None)


def outage_runs(down: IntervalSet, unknown: IntervalSet) -> list[tuple[int, int]]:
    """Down spans, joined across unknown gaps that have downtime on both sides."""
    runs: list[tuple[int, int]] = []
    bridges = unknown.spans
    j = 0
    for start, end in down:
        if runs:
            prev_end = runs[-1][1]
            while j < len(bridges) and bridges[j][1] < start:
                j += 1
            if j < len(bridges) and bridges[j][0] == prev_end and bridges[j][1] == start:
                runs[-1] = (runs[-1][0], end)
                continue
        runs.append((start, end))
    return runs


def _credit(
    terms: ContractTerms, availability: Fraction, downtime: int, billing: bool
) -> Credit | None:
    table = terms.credits
    if table is None or not billing:  # tiers are per billing period: none for a month of a year
        return None
    index, percent = table.select(availability, downtime)
    amount = credit_amount(percent, terms.fee.amount) if terms.fee and billing else None
    return Credit(index, table.tiers[index].describe(table.basis), percent, amount)
