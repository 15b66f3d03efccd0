from datetime import date, datetime
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from slawatch.sla.calendar import Calendar, Holidays, RRuleWindow, WeeklyWindow, recurring_spans
from slawatch.sla.intervals import IntervalSet
from slawatch.sla.periods import PeriodKind, PeriodRule, period_containing, resolve_period

from .helpers import DAY, HOUR, PARIS, UTC, at

CEGID = Calendar((WeeklyWindow.parse("mon-fri 07:00-20:00"),), Holidays("FR"))
MONTH = PeriodRule(PeriodKind.MONTH)


def reference(calendar: Calendar, label: str, zone: ZoneInfo = PARIS) -> IntervalSet:
    period = resolve_period(label, MONTH, zone)
    return calendar.spans(period.start, period.end, zone)


@pytest.mark.parametrize(
    ("label", "hours"),
    [
        ("2026-10", 22 * 13),  # 22 weekdays, no holiday, DST ends on Sunday the 25th
        ("2026-11", 20 * 13),  # 21 weekdays minus Armistice (Wed 11th); All Saints is a Sunday
        ("2026-05", 17 * 13),  # 21 weekdays minus May 1, 8, 14 (Ascension), 25 (Whit Monday)
        ("2026-04", 21 * 13),  # 22 weekdays minus Easter Monday
    ],
    ids=["october-dst", "november-holidays", "may-four-holidays", "april-easter"],
)
def test_cegid_reference_hours(label: str, hours: int) -> None:
    assert reference(CEGID, label).total() == hours * HOUR


def test_reference_windows_follow_paris_wall_clock_across_dst() -> None:
    spans = reference(CEGID, "2026-10")
    # Friday 23 October (summer time, UTC+2) and Monday 26 October (winter time, UTC+1)
    assert (at("2026-10-23T05:00:00+00:00"), at("2026-10-23T18:00:00+00:00")) in spans.spans
    assert (at("2026-10-26T06:00:00+00:00"), at("2026-10-26T19:00:00+00:00")) in spans.spans


@pytest.mark.parametrize(
    ("label", "hours"), [("2026-03", 31 * 24 - 1), ("2026-10", 31 * 24 + 1), ("2026-11", 30 * 24)]
)
def test_full_week_calendar_counts_dst_days_as_23_and_25_hours(label: str, hours: int) -> None:
    assert reference(Calendar(), label).total() == hours * HOUR


def test_window_crossing_midnight_belongs_to_its_start_day() -> None:
    support = Calendar((WeeklyWindow.parse("mon-fri 08:00-02:00"),))
    week = support.spans(at("2026-11-02T00:00:00+00:00"), at("2026-11-09T00:00:00+00:00"), UTC)
    assert week.total() == 5 * 18 * HOUR
    assert week.spans[0] == (at("2026-11-02T08:00:00+00:00"), at("2026-11-03T02:00:00+00:00"))
    assert week.spans[-1] == (at("2026-11-06T08:00:00+00:00"), at("2026-11-07T02:00:00+00:00"))


def test_holiday_removes_the_window_that_starts_on_it_including_after_midnight() -> None:
    support = Calendar((WeeklyWindow.parse("mon-fri 08:00-02:00"),), Holidays("FR"))
    # Wednesday 11 November 2026 is Armistice Day
    day = support.spans(at("2026-11-10T00:00:00+01:00"), at("2026-11-13T00:00:00+01:00"), PARIS)
    assert day.spans == (
        (at("2026-11-10T00:00:00+01:00"), at("2026-11-10T02:00:00+01:00")),  # Monday's
        (at("2026-11-10T08:00:00+01:00"), at("2026-11-11T02:00:00+01:00")),
        (at("2026-11-12T08:00:00+01:00"), at("2026-11-13T00:00:00+01:00")),
    )


def test_nonexistent_and_repeated_wall_times() -> None:
    night = Calendar((WeeklyWindow.parse("sun 02:00-03:00"),))
    # 29 March 2026: 02:00-03:00 does not exist in Paris; 25 October: it happens twice
    assert (
        night.spans(at("2026-03-29T00:00:00+01:00"), at("2026-03-30T00:00:00+02:00"), PARIS).total()
        == 0
    )
    assert (
        night.spans(at("2026-10-25T00:00:00+02:00"), at("2026-10-26T00:00:00+01:00"), PARIS).total()
        == 2 * HOUR
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "mon-fri 7h-20h",
            "weekly window must be 'DAYS HH:MM-HH:MM' (e.g. 'mon-fri 07:00-20:00'), got 'mon-fri 7h-20h'",
        ),
        (
            "fri-mon 07:00-20:00",
            "day range 'fri-mon' runs backwards in window 'fri-mon 07:00-20:00'",
        ),
        (
            "mon 07:00-07:00",
            "window 'mon 07:00-07:00' opens and closes at the same time; write 00:00-24:00 for a whole day",
        ),
        ("mon 07:60-08:00", "invalid time '07:60' in window 'mon 07:60-08:00' (e.g. 07:00, 24:00)"),
        (
            "lun 07:00-08:00",
            "unknown day 'lun' in window 'lun 07:00-08:00' (use mon..sun, ranges like mon-fri, or daily)",
        ),
    ],
    ids=["syntax", "backwards", "empty", "minute", "day-name"],
)
def test_window_parse_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError) as err:
        WeeklyWindow.parse(text)
    assert str(err.value) == message


def test_window_parse_accepts_lists_daily_and_24() -> None:
    assert WeeklyWindow.parse("sat,sun 00:00-24:00") == WeeklyWindow(frozenset({5, 6}), 0, 1440)
    assert WeeklyWindow.parse("daily 20:00-07:00") == WeeklyWindow(frozenset(range(7)), 1200, 420)


def test_rrule_windows_keep_local_time_across_dst() -> None:
    first_sunday = RRuleWindow("FREQ=MONTHLY;BYDAY=1SU", datetime(2026, 1, 4, 4, 0), 2 * HOUR)
    spans = recurring_spans(
        (first_sunday,), at("2026-03-01T00:00:00+01:00"), at("2026-05-01T00:00:00+02:00"), PARIS
    )
    assert spans.spans == (
        (at("2026-03-01T04:00:00+01:00"), at("2026-03-01T06:00:00+01:00")),
        (at("2026-04-05T04:00:00+02:00"), at("2026-04-05T06:00:00+02:00")),
    )


def test_bad_rrule_and_unknown_holiday_country() -> None:
    with pytest.raises(ValueError, match="invalid RRULE 'FREQ=SOMETIMES'"):
        RRuleWindow("FREQ=SOMETIMES", datetime(2026, 1, 1), HOUR)
    with pytest.raises(ValueError, match="unknown holiday calendar country='XX'"):
        Holidays("XX")


def test_holiday_calendar_names_are_those_the_holidays_package_accepts() -> None:
    # Names are checked against the package's registry (no country is imported for
    # that); a subdivision still needs the country's own list.
    for name in ("FR", "FRA", "France"):
        assert date(2026, 7, 14) in Holidays(name).dates(range(2026, 2027))
    assert date(2026, 12, 26) in Holidays("FR", "57").dates(range(2026, 2027))
    for country, subdiv in (("fr", None), ("JAN", None), ("FR", "99")):
        with pytest.raises(ValueError, match=f"unknown holiday calendar country={country!r}"):
            Holidays(country, subdiv)


def test_periods_use_local_midnight() -> None:
    october = resolve_period("2026-10", MONTH, PARIS)
    assert october.start == at("2026-10-01T00:00:00+02:00")
    assert october.end == at("2026-11-01T00:00:00+01:00")
    assert october.end - october.start == 745 * HOUR
    year = resolve_period("2026", PeriodRule(PeriodKind.YEAR), PARIS)
    assert year.end - year.start == 365 * DAY


def test_contract_years_start_on_their_anniversary() -> None:
    rule = PeriodRule(PeriodKind.CONTRACT_YEAR, date(2025, 3, 15))
    p = resolve_period("2026", rule, UTC)
    assert (p.first_day, p.end_day) == (date(2026, 3, 15), date(2027, 3, 15))
    assert period_containing(at("2027-03-14T23:59:59+00:00"), rule, UTC).label == "2026"
    assert period_containing(at("2027-03-15T00:00:00+00:00"), rule, UTC).label == "2027"


@pytest.mark.parametrize("label", ["2026-13", "26-10", "october"])
def test_bad_period_labels(label: str) -> None:
    with pytest.raises(ValueError, match="period"):
        resolve_period(label, MONTH, UTC)


def test_contract_years_from_29_february_leave_no_gap() -> None:
    rule = PeriodRule(PeriodKind.CONTRACT_YEAR, date(2024, 2, 29))
    years = [resolve_period(str(y), rule, UTC) for y in range(2024, 2030)]
    assert all(a.end == b.start for a, b in pairwise(years))
    assert period_containing(at("2028-02-28T12:00:00+00:00"), rule, UTC).label == "2027"


@pytest.mark.parametrize("label", ["0001-01", "1969", "9999"])
def test_years_out_of_range(label: str) -> None:
    with pytest.raises(ValueError, match=r"year must be within 1970\.\.9998"):
        resolve_period(label, MONTH, UTC)
