"""A period's figures day by day, for the reports' chart of daily availability.

Outages alone cannot give a day's availability: its reference time follows the
calendar (Cegid counts 13 h on a weekday, nothing on a Sunday) and its unknown
time is not part of any outage. So each local day is assessed by the very rules
of the whole period (``assess``): the days' R, X, U and D then add up to the
period's to the second, and no figure is derived another way.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from fractions import Fraction

from slawatch.sla.assess import assess
from slawatch.sla.calendar import local_midnight
from slawatch.sla.case import Case
from slawatch.sla.periods import Period


@dataclass(frozen=True, slots=True)
class Day:
    """One local day of a period, assessed up to the period's ``until``."""

    day: date  # local date in the contract's zone
    start: int  # UTC seconds of its local midnight
    end: int  # UTC seconds of the next local midnight (23 or 25 h later on DST days)
    reference_seconds: int  # R within the day
    excluded_seconds: int  # X within the day
    unknown_seconds: int  # U within the day (before the unknown-time policy)
    downtime_seconds: int  # D within the day
    availability: Fraction | None  # percent; None when the day has nothing to measure


def daily(case: Case) -> tuple[Day, ...]:
    """Every local day of the case's period, each assessed as ``assess`` would
    assess the period, with the same service, maintenance and exclusions."""
    # A day owes no credit, nor does a claim count: leaving the tiers, the fee and
    # the claims out skips work, not rules.
    plain = replace(
        case,
        terms=replace(case.terms, credits=None, fee=None, claims_required=False),
        records=replace(case.records, claims=()),
    )
    days: list[Day] = []
    first = case.period.first_day
    while first < case.period.end_day:
        days.append(_day(plain, first))
        first += timedelta(days=1)
    return tuple(days)


def _day(case: Case, first: date) -> Day:
    zone = case.terms.zone
    start = local_midnight(first, zone)
    end = local_midnight(first + timedelta(days=1), zone)
    day = Period(first.isoformat(), case.period.kind, start, end, first, first + timedelta(days=1))
    a = assess(replace(case, period=day, service=case.service.clip(start, end)))
    return Day(
        day=first,
        start=start,
        end=end,
        reference_seconds=a.tally.reference,
        excluded_seconds=a.tally.excluded,
        unknown_seconds=a.tally.unknown,
        downtime_seconds=a.tally.downtime,
        # percent_of says 100 % for an empty denominator; a chart must show "nothing".
        availability=a.score.availability if a.score.denominator_seconds else None,
    )
