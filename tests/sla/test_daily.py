"""Daily figures: each day assessed by the period's rules, adding up to the period."""

from fractions import Fraction

from slawatch.sla.assess import assess
from slawatch.sla.calendar import Calendar, Holidays, WeeklyWindow
from slawatch.sla.daily import daily
from slawatch.sla.exclusions import Exclusion, ExclusionReason
from slawatch.sla.periods import PeriodKind, PeriodRule, resolve_period

from .helpers import HOUR, PARIS, at, case, service, terms

CEGID = terms(
    zone=PARIS,
    reference=Calendar((WeeklyWindow.parse("mon-fri 07:00-20:00"),), Holidays("FR")),
)
OCTOBER = resolve_period("2026-10", PeriodRule(PeriodKind.MONTH), PARIS)
DOWN = [
    (at("2026-10-06T09:00:00+02:00"), at("2026-10-06T10:30:00+02:00")),
    (at("2026-10-09T19:00:00+02:00"), at("2026-10-12T08:00:00+02:00")),  # Friday to Monday
]
UNKNOWN = [(at("2026-10-20T07:00:00+02:00"), at("2026-10-20T08:00:00+02:00"))]
EXCLUDED = Exclusion(
    id=1,
    start=at("2026-10-06T10:00:00+02:00"),
    end=at("2026-10-06T11:00:00+02:00"),
    reason=ExclusionReason.THIRD_PARTY,
    note="fibre cut",
    author="alice",
    created_at=at("2026-10-06T12:00:00+02:00"),
)
LATER = at("2027-01-01T00:00:00+00:00")


def test_days_add_up_to_the_period_to_the_second() -> None:
    timeline = service(OCTOBER.start, OCTOBER.end, DOWN, UNKNOWN)
    whole = assess(case(CEGID, OCTOBER, timeline, LATER, exclusions=[EXCLUDED]))
    days = daily(case(CEGID, OCTOBER, timeline, LATER, exclusions=[EXCLUDED]))
    assert len(days) == 31
    reference = 22 * 13 * HOUR  # 22 weekdays, no holiday in October 2026
    assert sum(d.reference_seconds for d in days) == whole.tally.reference == reference
    assert sum(d.excluded_seconds for d in days) == whole.tally.excluded == HOUR
    assert sum(d.unknown_seconds for d in days) == whole.tally.unknown == HOUR
    assert sum(d.downtime_seconds for d in days) == whole.tally.downtime == 3600 + 3600 + 3600


def test_a_day_follows_the_calendar_and_the_clock() -> None:
    days = {
        d.day.isoformat(): d
        for d in daily(case(CEGID, OCTOBER, service(OCTOBER.start, OCTOBER.end, DOWN), LATER))
    }
    assert days["2026-10-06"].availability == Fraction(100 * (13 * HOUR - 5400), 13 * HOUR)
    assert days["2026-10-10"].availability is None  # a Saturday: nothing to measure
    assert days["2026-10-25"].end - days["2026-10-25"].start == 25 * HOUR  # back to CET


def test_days_after_until_have_nothing_to_measure() -> None:
    until = at("2026-10-15T12:00:00+02:00")
    days = daily(case(CEGID, OCTOBER, service(OCTOBER.start, until, DOWN), until))
    assert days[14].reference_seconds == 5 * HOUR  # 07:00-12:00 on the 15th
    assert all(d.availability is None for d in days[15:])
