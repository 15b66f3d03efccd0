"""Contract periods: calendar months, calendar years and contract years.

Boundaries fall at local midnight in the contract's zone and are converted to
UTC seconds once, so every duration inside a period is a plain subtraction in
UTC (a March in Paris has 743 hours, an October 745).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from slawatch.sla.calendar import local_midnight

_LABEL_RE = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{2}))?$")


class PeriodKind(enum.StrEnum):
    MONTH = "month"
    YEAR = "year"
    CONTRACT_YEAR = "contract_year"


@dataclass(frozen=True, slots=True)
class PeriodRule:
    """How a contract cuts time into billing periods."""

    kind: PeriodKind
    anchor: date | None = None  # first day of the first contract year (contract_year only)

    def bills(self, period: Period) -> bool:
        """``period`` is one of this rule's billing periods (not a month of a yearly
        contract): only such a period's verdict and credit are the contract's."""
        return period.kind is self.kind


@dataclass(frozen=True, slots=True)
class Period:
    label: str  # "2026-10", "2026"
    kind: PeriodKind  # what the label stands for
    start: int  # UTC seconds of the local midnight that opens the period
    end: int  # UTC seconds of the local midnight that closes it (exclusive)
    first_day: date  # local date of ``start``
    end_day: date  # local date of ``end``


def resolve_period(label: str, rule: PeriodRule, zone: ZoneInfo) -> Period:
    """The period named by ``label``: ``YYYY-MM`` is that calendar month,
    ``YYYY`` the calendar year, or for contract-year contracts the contract year
    that begins in ``YYYY``."""
    match = _LABEL_RE.match(label)
    if match is None:
        raise ValueError(f"period must be YYYY-MM or YYYY (e.g. 2026-10 or 2026), got {label!r}")
    year = int(match["year"])
    if not 1970 <= year <= 9998:
        raise ValueError(f"period {label!r}: year must be within 1970..9998")
    if match["month"]:
        month = int(match["month"])
        if not 1 <= month <= 12:
            raise ValueError(f"period {label!r}: month must be 01..12")
        first = date(year, month, 1)
        return _period(label, PeriodKind.MONTH, first, first + relativedelta(months=1), zone)
    if rule.kind is PeriodKind.CONTRACT_YEAR and rule.anchor is not None:
        n = year - rule.anchor.year  # both ends from the anchor: a 29 February anchor leaves no gap
        first = rule.anchor + relativedelta(years=n)
        end = rule.anchor + relativedelta(years=n + 1)
        return _period(label, PeriodKind.CONTRACT_YEAR, first, end, zone)
    return _period(label, PeriodKind.YEAR, date(year, 1, 1), date(year + 1, 1, 1), zone)


def period_containing(instant: int, rule: PeriodRule, zone: ZoneInfo) -> Period:
    """The billing period of ``rule`` that holds ``instant`` (e.g. the current one)."""
    local = datetime.fromtimestamp(instant, zone).date()
    if rule.kind is PeriodKind.MONTH:
        return resolve_period(f"{local:%Y-%m}", rule, zone)
    if rule.kind is PeriodKind.CONTRACT_YEAR and rule.anchor is not None:
        year = local.year
        if local < rule.anchor + relativedelta(years=year - rule.anchor.year):
            year -= 1
        return resolve_period(str(year), rule, zone)
    return resolve_period(str(local.year), rule, zone)


def _period(label: str, kind: PeriodKind, first: date, end: date, zone: ZoneInfo) -> Period:
    return Period(label, kind, local_midnight(first, zone), local_midnight(end, zone), first, end)
