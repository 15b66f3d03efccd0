"""Builders shared by the SLA core tests: contracts, instants and service timelines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from slawatch.sla.contract import ContractTerms
from slawatch.sla.intervals import IntervalSet, Span
from slawatch.sla.periods import PeriodKind, PeriodRule
from slawatch.sla.timeline import Timeline

PARIS = ZoneInfo("Europe/Paris")
UTC = ZoneInfo("UTC")
MINUTE = 60
HOUR = 3600
DAY = 86400
Spans = list[tuple[int, int]]  # [start, end) pairs, as hypothesis draws them


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
