"""Each request's clocks against its targets, and the objectives' shares (SPEC 6).

For a target, the clock starts at its start event, or at the calendar's next
opening if that instant is outside it; it runs on business time (on the wall
clock for a wall-clock allowance) and stops at the first stop event after the
start event. Choices the spec leaves open, written down:

- a target is listed once its start event has happened (a request never
  qualified has no ``qualified -> resolved`` clock); until then it counts nowhere;
- pauses count only while the clock runs, between its start and its stop;
- ``N`` business days: the nominal deadline is ``BusinessClock.add_business_days``
  (same wall time, within that day's hours); pauses move it later by the paused
  business time, i.e. the deadline is when the business time to the nominal
  deadline has run unpaused, and never before the nominal one;
- a request stopped while paused meets the target unless the deadline had passed
  before the pause; a pause not resumed leaves the deadline unknown (``None``)
  and the request pending.

Shares are exact: ``met / (met + breached)`` as a ``Fraction`` of 100.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import NamedTuple

from slawatch.sla.business_time import (
    FOREVER,
    Clock,
    Spans,
    WallClock,
    clip,
    counted,
    paused,
    run_until,
)
from slawatch.sla.periods import Period, PeriodKind, PeriodRule, period_containing, resolve_period
from slawatch.sla.support import (
    AllowanceKind,
    Objective,
    Request,
    SupportTarget,
    SupportTerms,
)

CONTRACT_YEAR_PREFIX = "contract-year:"
_WALL = WallClock()


class Outcome(enum.StrEnum):
    MET = "met"  # stopped at or before the deadline
    BREACHED = "breached"  # stopped later, or the deadline passed without a stop
    PENDING = "pending"  # no stop yet and the deadline still ahead (or unknown)


class Clocked(NamedTuple):
    """One target's clock on one request, as it stood at ``as_of`` (a tuple: a yearly
    report makes 100,000 of them)."""

    target: SupportTarget
    started: int  # the start event
    clock_start: int  # ``started``, or the calendar's next opening after it
    allowance_seconds: int  # the allowance on the target's clock (business days: the
    # business time from the clock's start to the nominal deadline)
    deadline: int | None  # None while a pause has not ended
    stopped_at: int | None  # the first stop event after the start event
    outcome: Outcome
    business_seconds: int | None  # unpaused business time from clock_start to the stop
    used_seconds: int  # unpaused clock time from clock_start to the stop (or as_of)
    paused_seconds: int  # clock time paused before the deadline (or as_of)
    pauses: Spans  # the pauses while the clock ran
    days: str | None = None  # ``business_days`` as ``days_text`` writes it, if known

    @property
    def left_seconds(self) -> int:
        """Clock time left before the deadline (negative once it has passed)."""
        return self.allowance_seconds - self.used_seconds


def business_days(terms: SupportTerms, clocked: Clocked) -> list[tuple[date, int]]:
    """The unpaused business seconds of each business day from the clock's start to
    its deadline (to its start while there is none): how the deadline follows from the
    allowance. None for a wall-clock allowance."""
    if clocked.days is not None:
        return [(date.fromisoformat(d), int(n)) for d, n in _pairs(clocked.days)]
    if clocked.target.allowance.kind is AllowanceKind.WALL_CLOCK:
        return []
    end = clocked.deadline if clocked.deadline is not None else clocked.clock_start
    return terms.clock.by_business_day(clocked.clock_start, end, clocked.pauses)


def days_text(days: Iterable[tuple[date, int]]) -> str:
    """``business_days`` as one line, ``2026-10-02=600;2026-10-05=23400``: how a stored
    clock keeps them (``Clocked.days``)."""
    return ";".join(f"{day.isoformat()}={seconds}" for day, seconds in days)


def _pairs(text: str) -> Iterator[list[str]]:
    return (item.split("=") for item in text.split(";")) if text else iter(())


@dataclass(frozen=True, slots=True)
class RequestResult:
    request: Request
    targets: tuple[Clocked, ...]  # the targets whose clock has started
    # The request as the JSON report writes it, if known (kept with its stored clocks).
    json: str | None = field(default=None, compare=False)

    def clocked(self, target: str) -> Clocked | None:
        return next((c for c in self.targets if c.target.name == target), None)


class Written(NamedTuple):
    """A request as a report reads it back from the store, where its settled clocks
    keep its JSON text (``RequestResult.json``): the text holds its clocks, so only
    what orders it and counts it towards the objectives is read beside it. A yearly
    report reads 100,000: rebuilding their clocks took longer than the rest."""

    opened: int
    ticket: str
    outcomes: tuple[tuple[str, Outcome], ...]  # (target, outcome) of each started clock
    json: str


Assessed = RequestResult | Written


@dataclass(frozen=True, slots=True)
class ObjectiveResult:
    objective: Objective
    met_count: int
    breached_count: int
    pending_count: int
    binding: bool  # the report's period is one of the objective's own periods

    @property
    def share(self) -> Fraction | None:
        """Percent of decided requests that met the target; None with none decided."""
        decided = self.met_count + self.breached_count
        return Fraction(100 * self.met_count, decided) if decided else None

    @property
    def met(self) -> bool | None:
        share = self.share
        return None if share is None else share >= self.objective.threshold_percent


@dataclass(frozen=True, slots=True)
class SupportAssessment:
    period: Period
    as_of: int  # events after this instant are ignored
    requests: tuple[Assessed, ...]  # the requests opened in the period, by opening
    objectives: tuple[ObjectiveResult, ...]


def clock_target(
    terms: SupportTerms, request: Request, target: SupportTarget, as_of: int
) -> Clocked | None:
    """``target``'s clock on ``request`` (as it stood at ``as_of``: see
    ``Request.until``); ``None`` before its start event."""
    return _clock(terms, request, target, as_of, request.pauses())


def _clock(
    terms: SupportTerms, request: Request, target: SupportTarget, as_of: int, every: Spans
) -> Clocked | None:
    started = request.first(target.start, request.opened)
    if started is None:
        return None
    business = terms.clock
    clock_start = business.next_opening(started)
    stopped_at = request.first(target.stop, started)
    pauses = (
        clip(every, clock_start, FOREVER if stopped_at is None else stopped_at) if every else ()
    )
    wall = target.allowance.kind is AllowanceKind.WALL_CLOCK
    clock: Clock = _WALL if wall else business
    allowance, deadline = _deadline(terms, target, clock_start, pauses)
    until = max(clock_start, as_of if stopped_at is None else stopped_at)
    used = clock.elapsed(clock_start, until)
    held = 0
    if pauses:  # a request without pauses needs no _Paused
        paused_time = _Paused(clock, pauses)
        used -= paused_time.before(until)
        held = paused_time.before(until if deadline is None else deadline)
    spent = None
    if stopped_at is not None:
        spent = counted(business, clock_start, stopped_at, pauses) if wall else used
    outcome = _outcome(deadline, stopped_at, as_of)
    # Positional (the fields' order): a yearly report makes 100,000.
    return Clocked(
        target, started, clock_start, allowance, deadline, stopped_at, outcome, spent, used,
        held, pauses,
    )  # fmt: skip


class _Paused:
    """A clock's pauses (all after its start) and the clock time each took, measured
    once: most questions are about every pause at once."""

    __slots__ = ("_clock", "_pauses", "_total")

    def __init__(self, clock: Clock, pauses: Spans) -> None:
        self._clock = clock
        self._pauses = pauses
        ends = not pauses or pauses[-1][1] < FOREVER  # a pause not resumed is never whole
        self._total = sum(clock.elapsed(s, e) for s, e in pauses) if ends else None

    def before(self, end: int) -> int:
        """Paused clock time before ``end``."""
        if not self._pauses:
            return 0
        if self._total is not None and self._pauses[-1][1] <= end:
            return self._total
        return paused(self._clock, self._pauses[0][0], end, self._pauses)


def _deadline(
    terms: SupportTerms, target: SupportTarget, clock_start: int, pauses: Spans
) -> tuple[int, int | None]:
    """The allowance on the target's clock, and the deadline."""
    allowance = target.allowance
    if allowance.kind is AllowanceKind.WALL_CLOCK:
        return allowance.amount, run_until(_WALL, clock_start, allowance.amount, pauses)
    business = terms.clock
    if allowance.kind is AllowanceKind.BUSINESS_TIME:
        return allowance.amount, run_until(business, clock_start, allowance.amount, pauses)
    nominal = business.add_business_days(clock_start, allowance.amount)
    seconds = business.elapsed(clock_start, nominal)
    moved = run_until(business, clock_start, seconds, pauses)
    return seconds, None if moved is None else max(nominal, moved)


def _outcome(deadline: int | None, stopped_at: int | None, as_of: int) -> Outcome:
    if stopped_at is not None:
        return Outcome.MET if deadline is None or stopped_at <= deadline else Outcome.BREACHED
    return Outcome.PENDING if deadline is None or deadline > as_of else Outcome.BREACHED


def assess_request(terms: SupportTerms, request: Request, as_of: int) -> RequestResult:
    """Every target of the request's priority whose clock has started by ``as_of``."""
    seen = request.until(as_of)
    paused = seen.pauses()
    found = (_clock(terms, seen, t, as_of, paused) for t in terms.targets_for(seen.priority))
    return RequestResult(seen, tuple(c for c in found if c is not None))


def assess_support(
    terms: SupportTerms, requests: Iterable[Request], period: Period, as_of: int
) -> SupportAssessment:
    """The requests opened in ``period`` (and by ``as_of``), their clocks, and each
    objective's share over them."""
    start, end = opened_before(period, as_of)
    chosen = (r for r in requests if start <= r.events[0].at < end)
    return summarize(terms, (assess_request(terms, r, as_of) for r in chosen), period, as_of)


def opened_before(period: Period, as_of: int) -> tuple[int, int]:
    """``[start, end)`` of the openings a report on ``period`` as of ``as_of`` counts."""
    return period.start, min(period.end, as_of + 1)


def summarize(
    terms: SupportTerms, results: Iterable[Assessed], period: Period, as_of: int
) -> SupportAssessment:
    """The assessment of requests already clocked at ``as_of`` (computed now, or stored
    clocks that ``as_of`` cannot change: see ``settled``, read as ``Written``), put in
    opening order, and each objective's share over them."""
    ordered = tuple(sorted(results, key=_by_opening))
    objectives = tuple(
        tally(o, ordered, _binding(o.period, period, terms)) for o in terms.objectives
    )
    return SupportAssessment(period, as_of, ordered, objectives)


def settled(result: RequestResult) -> bool:
    """Whether the request's clocks stay as they are until it gets a new event: each
    started clock has stopped (a clock that runs moves with ``as_of``; a target not
    started yet waits for an event). ``result`` must hold every event of the request."""
    return all(c.stopped_at is not None for c in result.targets)


def _by_opening(result: Assessed) -> tuple[int, str]:
    if isinstance(result, Written):
        return result[0], result[1]
    request = result.request
    return request.events[0].at, request.ticket  # not .opened: a property, 100,000 times


def tally(objective: Objective, results: Iterable[Assessed], binding: bool) -> ObjectiveResult:
    """How many of ``results`` met, breached or are pending on the objective's target."""
    counts = dict.fromkeys(Outcome, 0)
    name = objective.target
    for result in results:
        if isinstance(result, Written):
            for target, outcome in result[2]:
                if target == name:
                    counts[outcome] += 1
                    break
            continue
        for clocked in result.targets:
            if clocked.target.name == name:  # not ``clocked()``: a yearly report has 100,000
                counts[clocked.outcome] += 1
                break
    met, breached, pending = (counts[o] for o in (Outcome.MET, Outcome.BREACHED, Outcome.PENDING))
    return ObjectiveResult(objective, met, breached, pending, binding)


def _binding(rule: PeriodRule, period: Period, terms: SupportTerms) -> bool:
    own = period_containing(period.start, rule, terms.zone)
    return (own.start, own.end) == (period.start, period.end)


def resolve_support_period(label: str, terms: SupportTerms) -> Period:
    """``2026-10`` (a month), ``2026`` (a calendar year) or ``contract-year:2026`` (the
    year from the support start date's anniversary in 2026). Raises ``ValueError``."""
    if label.startswith(CONTRACT_YEAR_PREFIX):
        year = label.removeprefix(CONTRACT_YEAR_PREFIX)
        if not (len(year) == 4 and year.isdigit()):
            raise ValueError(
                f"period {label!r}: write contract-year:YYYY (e.g. contract-year:2026)"
            )
        rule = PeriodRule(PeriodKind.CONTRACT_YEAR, terms.start_date)
        found = resolve_period(year, rule, terms.zone)
        return Period(label, found.kind, found.start, found.end, found.first_day, found.end_day)
    return resolve_period(label, PeriodRule(PeriodKind.MONTH), terms.zone)
