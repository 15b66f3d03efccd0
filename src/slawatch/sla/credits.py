"""Credit tiers and money, in exact arithmetic (SPEC section 4).

Percentages are ``Fraction`` built from whole seconds, bounds are compared
exactly, and money is rounded once, to the cent, half up. No float decides a tier.

Two bases:

- ``availability_percent``: rows are half-open ranges ``[from, to)`` that must
  tile 0..100 with no gap and no overlap; the row ending at 100 includes 100.
- ``downtime_minutes``: rows are "at most N minutes down in the period", in
  increasing order; the last row has no bound and catches the rest.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

HUNDRED = Fraction(100)


class CreditBasis(enum.StrEnum):
    AVAILABILITY_PERCENT = "availability_percent"
    DOWNTIME_MINUTES = "downtime_minutes"


class TierProblem(enum.StrEnum):
    """What is wrong with a credit table (``TierError.problem``)."""

    EMPTY = "empty"  # no tier at all
    CREDIT = "credit"  # a credit outside 0..100; bounds: (credit,)
    RANGE = "range"  # a percent row without from < to
    GAP = "gap"  # percent: bounds (from, to) left uncovered; minutes: (last bound,)
    OVERLAP = "overlap"  # percent: bounds (from, to) covered twice; minutes: (bound, previous)
    UNBOUNDED = "unbounded"  # a minutes row without a bound before the last


_TEXTS = {  # what each problem says, its bounds in order
    TierProblem.EMPTY: "a credit table needs at least one tier",
    TierProblem.CREDIT: "must be within 0..100 (got {0})",
    TierProblem.RANGE: "needs from < to within 0..100",
    TierProblem.UNBOUNDED: "only the last tier may have no bound",
    TierProblem.GAP: "gap between {0} % and {1} %",
    TierProblem.OVERLAP: "overlap between {0} % and {1} %",
}
_MINUTES_TEXTS = {  # where the downtime basis words it otherwise
    TierProblem.GAP: "gap above {0} min; the last tier must have no bound",
    TierProblem.OVERLAP: "bounds must increase (overlap: {0} min after {1} min)",
}


class TierError(ValueError):
    """A credit table that does not tile its range, as fields: the row (``None`` for
    the table as a whole), the key within it, the problem and the bounds involved.
    Callers place and word it from these; ``str()`` is the core's own line."""

    def __init__(
        self,
        basis: CreditBasis,
        problem: TierProblem,
        *,
        row: int | None = None,
        key: str | None = None,
        bounds: tuple[Fraction, ...] = (),
    ) -> None:
        self.basis, self.problem, self.row, self.key, self.bounds = basis, problem, row, key, bounds
        super().__init__(
            self.text if problem is TierProblem.EMPTY else f"{self.where}: {self.text}"
        )

    @property
    def where(self) -> str:
        """``tiers``, ``tiers[2]`` or ``tiers[2].up_to``."""
        row = "" if self.row is None else f"[{self.row}]"
        return f"tiers{row}" + ("" if self.key is None else f".{self.key}")

    @property
    def text(self) -> str:
        """What is wrong, without the place."""
        minutes = _MINUTES_TEXTS if self.basis is CreditBasis.DOWNTIME_MINUTES else {}
        template = minutes.get(self.problem, _TEXTS[self.problem])
        return template.format(*(_num(bound) for bound in self.bounds))


@dataclass(frozen=True, slots=True)
class AvailabilityTier:
    """A row ``[lower, upper)`` of availability percent; the row ending at 100
    includes 100. A bound is ``None`` where the configuration gave none (the
    table refuses it)."""

    lower: Fraction | None
    upper: Fraction | None
    credit: Fraction | None  # credit percent; None means the formula ``100 - A``

    def matches(self, availability: Fraction, downtime_seconds: int) -> bool:
        lower, upper = self.lower or Fraction(0), self.upper or HUNDRED
        return lower <= availability < upper or availability == upper == HUNDRED

    def describe(self) -> str:
        lower, upper = _num(self.lower or Fraction(0)), _num(self.upper or HUNDRED)
        return f"{lower} % <= A < {upper} %: {_credit_text(self.credit)}"


@dataclass(frozen=True, slots=True)
class DowntimeTier:
    """At most ``up_to`` minutes down in the period; ``None`` catches the rest."""

    up_to: Fraction | None
    credit: Fraction | None  # credit percent; None means the formula ``100 - A``

    def matches(self, availability: Fraction, downtime_seconds: int) -> bool:
        return self.up_to is None or downtime_seconds <= self.up_to * 60

    def describe(self) -> str:
        bound = "more" if self.up_to is None else f"<= {_num(self.up_to)} min down"
        return f"{bound}: {_credit_text(self.credit)}"


Tier = AvailabilityTier | DowntimeTier


@dataclass(frozen=True, slots=True)
class TierTable:
    basis: CreditBasis
    tiers: tuple[Tier, ...]  # all of the basis's type

    def __post_init__(self) -> None:
        if not self.tiers:
            raise TierError(self.basis, TierProblem.EMPTY)
        minutes = self.basis is CreditBasis.DOWNTIME_MINUTES
        kind = DowntimeTier if minutes else AvailabilityTier
        if not all(isinstance(tier, kind) for tier in self.tiers):
            raise TypeError(f"a {self.basis} table holds {kind.__name__} rows only")
        for i, tier in enumerate(self.tiers):
            if tier.credit is not None and not 0 <= tier.credit <= HUNDRED:
                raise TierError(
                    self.basis, TierProblem.CREDIT, row=i, key="credit", bounds=(tier.credit,)
                )
        if minutes:
            _check_minutes([t.up_to for t in self.tiers if isinstance(t, DowntimeTier)])
        else:
            _check_percent_ranges([t for t in self.tiers if isinstance(t, AvailabilityTier)])

    def select(self, availability: Fraction, downtime_seconds: int) -> tuple[int, Fraction]:
        """The index of the matching tier and the credit percent it gives."""
        index = next(
            (i for i, t in enumerate(self.tiers) if t.matches(availability, downtime_seconds)),
            None,
        )
        if index is None:
            raise AssertionError("validated tables cover every value")
        credit = self.tiers[index].credit
        return index, (HUNDRED - availability if credit is None else credit)


def _check_minutes(bounds: list[Fraction | None]) -> None:
    basis = CreditBasis.DOWNTIME_MINUTES
    previous: Fraction | None = None
    for i, upper in enumerate(bounds):
        last = i == len(bounds) - 1
        if upper is None and not last:
            raise TierError(basis, TierProblem.UNBOUNDED, row=i)
        if upper is not None and last:
            raise TierError(basis, TierProblem.GAP, row=i, bounds=(upper,))
        if upper is not None:
            if upper < 0 or (previous is not None and upper <= previous):
                pair = (upper, previous or Fraction(0))
                raise TierError(basis, TierProblem.OVERLAP, row=i, key="up_to", bounds=pair)
            previous = upper


def _check_percent_ranges(tiers: list[AvailabilityTier]) -> None:
    basis = CreditBasis.AVAILABILITY_PERCENT
    ordered = sorted(range(len(tiers)), key=lambda i: tiers[i].lower or Fraction(0))
    expected = Fraction(0)
    for i in ordered:
        lower, upper = tiers[i].lower, tiers[i].upper
        if lower is None or upper is None or not lower < upper:
            raise TierError(basis, TierProblem.RANGE, row=i)
        if lower > expected:
            raise TierError(basis, TierProblem.GAP, row=i, bounds=(expected, lower))
        if lower < expected:
            raise TierError(basis, TierProblem.OVERLAP, row=i, bounds=(lower, expected))
        expected = upper
    if expected != HUNDRED:
        raise TierError(basis, TierProblem.GAP, bounds=(expected, HUNDRED))


def total(tier: Fraction, clauses: Fraction, cap: Fraction | None) -> Fraction:
    """A period's credit: the tier's and the broken outage clauses' credits added, then
    capped by the contract's ``credit_cap`` and never above the whole fee."""
    return min(tier + clauses, HUNDRED if cap is None else min(cap, HUNDRED))


def percent_of(part: int, whole: int) -> Fraction:
    """``part / whole x 100`` exactly; 100 when there is nothing to measure."""
    return HUNDRED if whole == 0 else Fraction(part * 100, whole)


def credit_amount(credit_percent: Fraction, fee: Decimal) -> Decimal:
    """The money owed: the credit percent of the period's fee, to the cent, half up."""
    return round_exact(credit_percent * Fraction(fee) / HUNDRED, Decimal("0.01"))


def round_exact(value: Fraction, quantum: Decimal, *, half_up: bool = True) -> Decimal:
    """Round a non-negative Fraction to ``quantum`` (half up, or down when
    ``half_up`` is false) without a detour through binary floats."""
    steps = value / Fraction(quantum)
    whole, rest = divmod(steps.numerator, steps.denominator)
    if half_up and 2 * rest >= steps.denominator:
        whole += 1
    return (Decimal(whole) * quantum).quantize(quantum)


def _credit_text(credit: Fraction | None) -> str:
    return "100 - A" if credit is None else f"{_num(credit)} %"


def _num(value: Fraction) -> str:
    return f"{round_exact(value, Decimal('0.0001')).normalize():f}"
