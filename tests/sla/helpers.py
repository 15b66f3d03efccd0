"""Builders shared by the SLA core tests: contracts, instants and service timelines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from slawatch.sla.calendar import Calendar, Holidays, WeeklyWindow
from slawatch.sla.case import Case
from slawatch.sla.contract import ContractTerms
from slawatch.sla.exclusions import ContractRecords
from slawatch.sla.intervals import IntervalSet, Span
from slawatch.sla.periods import Period, PeriodKind, PeriodRule
from slawatch.sla.timeline import Timeline

PARIS = ZoneInfo("Europe/Paris")
UTC = ZoneInfo("UTC")
MINUTE = 60
HOUR = 3600
DAY = 86400
Spans = list[tuple[int, int]]  # [start, end) pairs, as hypothesis draws them

# Cegid Open's support hours (seed 002, art. 13), as SPEC section 6 gives them.
CEGID_OPEN_HOURS = Calendar(
    tuple(
        WeeklyWindow.parse(w)
        for w in (
            "mon-thu 09:00-12:30",
            "mon-thu 14:30-17:30",
            "fri 09:00-12:30",
            "fri 14:30-17:00",
        )
    ),
    Holidays("FR"),
)


def at(text: str) -> int:
    """UTC seconds of an ISO 8601 instant written with its offset."""
    return int(datetime.fromisoformat(text).timestamp())


def terms(**overrides: Any) -> ContractTerms:
    fields: dict[str, Any] = {
        "name": "test",
        "targets": ("web",),
        "zone": UTC,
        "period": PeriodRule(PeriodKind.MONTH),
        "target_percent": Fraction(99),
    }
    fields.update(overrides)
    return ContractTerms(**fields)


def service(
    start: int, end: int, down: Sequence[Span] = (), unknown: Sequence[Span] = ()
) -> Timeline:
    """A service timeline over ``[start, end)``: up wherever not down or unknown."""
    down_set = IntervalSet(down).clip(start, end)
    unknown_set = IntervalSet(unknown).clip(start, end) - down_set
    up = IntervalSet.span(start, end) - down_set - unknown_set
    return Timeline(up, down_set, unknown_set)


def case(
    contract: ContractTerms, period: Period, timeline: Timeline, until: int, **records: Any
) -> Case:
    """A ``Case`` of ``contract`` over ``period``, with the operators' ``records``
    (maintenance, exclusions, claims) given as any sequences."""
    kept = {kind: tuple(found) for kind, found in records.items()}
    return Case(contract, period, timeline, until, ContractRecords(**kept))
