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


@dataclass(frozen=True, slots=True)
class Tier:
    lower: Fraction | None  # availability basis: first percent of the row (inclusive)
    upper: Fraction | None  # availability: end percent (exclusive but 100); minutes: at most
    credit: Fraction | None  # credit percent; None means the formula ``100 - A``

    def describe(self, basis: CreditBasis) -> str:
        credit = "100 - A" if self.credit is None else f"{_num(self.credit)} %"
        if basis is CreditBasis.DOWNTIME_MINUTES:
            bound = "more" if self.upper is None else f"<= {_num(self.upper)} min down"
        else:
            bound = f"{_num(self.lower or Fraction(0))} % <= A < {_num(self.upper or HUNDRED)} %"
        return f"{bound}: {credit}"


@dataclass(frozen=True, slots=True)
class TierTable:
    basis: CreditBasis
    tiers: tuple[Tier, ...]

    def __post_init__(self) -> None:
        if not self.tiers:
            raise ValueError("a credit table needs at least one tier")
        for i, tier in enumerate(self.tiers):
            if tier.credit is not None and not 0 <= tier.credit <= HUNDRED:
                raise ValueError(
                    f"tiers[{i}].credit: must be within 0..100 (got {_num(tier.credit)})"
                )
        if self.basis is CreditBasis.DOWNTIME_MINUTES:
            _check_minutes(self.tiers)
        else:
            _check_percent_ranges(self.tiers)

    def select(self, availability: Fraction, downtime_seconds: int) -> tuple[int, Fraction]:
        """The index of the matching tier and the credit percent it gives."""
        index = self._index(availability, downtime_seconds)
        credit = self.tiers[index].credit
        return index, (HUNDRED - availability if credit is None else credit)

    def _index(self, availability: Fraction, downtime_seconds: int) -> int:
        for i, tier in enumerate(self.tiers):
            if self.basis is CreditBasis.DOWNTIME_MINUTES:
                if tier.upper is None or downtime_seconds <= tier.upper * 60:
                    return i
            else:
                lower, upper = tier.lower or Fraction(0), tier.upper or HUNDRED
                if lower <= availability < upper or availability == upper == HUNDRED:
                    return i
        raise AssertionError("validated tables cover every value")


def _check_minutes(tiers: tuple[Tier, ...]) -> None:
    previous: Fraction | None = None
    for i, tier in enumerate(tiers):
        last = i == len(tiers) - 1
        if tier.upper is None and not last:
            raise ValueError(f"tiers[{i}]: only the last tier may have no bound")
        if tier.upper is not None and last:
            raise ValueError(
                f"tiers[{i}]: gap above {_num(tier.upper)} min; the last tier must have no bound"
            )
        if tier.upper is not None:
            if tier.upper < 0 or (previous is not None and tier.upper <= previous):
                raise ValueError(
                    f"tiers[{i}].up_to: bounds must increase (overlap: {_num(tier.upper)} min "
                    f"after {_num(previous or Fraction(0))} min)"
                )
            previous = tier.upper


def _check_percent_ranges(tiers: tuple[Tier, ...]) -> None:
    ordered = sorted(range(len(tiers)), key=lambda i: tiers[i].lower or Fraction(0))
    expected = Fraction(0)
    for i in ordered:
        lower, upper = tiers[i].lower, tiers[i].upper
        if lower is None or upper is None or not lower < upper:
            raise ValueError(f"tiers[{i}]: needs from < to within 0..100")
        if lower > expected:
            raise ValueError(f"tiers[{i}]: gap between {_num(expected)} % and {_num(lower)} %")
        if lower < expected:
            raise ValueError(f"tiers[{i}]: overlap between {_num(lower)} % and {_num(expected)} %")
        expected = upper
    if expected != HUNDRED:
        raise ValueError(f"tiers: gap between {_num(expected)} % and 100 %")


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


def _num(value: Fraction) -> str:
    return f"{round_exact(value, Decimal('0.0001')).normalize():f}"
