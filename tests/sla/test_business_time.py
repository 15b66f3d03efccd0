"""Business time over support calendars: DST, windows crossing midnight, holidays,
and the invariants (additivity, advance as the inverse of elapsed)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from slawatch.sla.business_time import (
    FOREVER,
    BusinessClock,
    WallClock,
    counted,
    run_until,
)
from slawatch.sla.calendar import Calendar, Holidays, WeeklyWindow, first_overlap, local_midnight
from slawatch.sla.intervals import IntervalSet

from .helpers import CEGID_OPEN_HOURS, DAY, HOUR, MINUTE, PARIS, UTC, at

IPFOLIO = Calendar((WeeklyWindow.parse("mon-fri 08:00-02:00"),))
CEGID = BusinessClock(CEGID_OPEN_HOURS, PARIS)
NONE: tuple[tuple[int, int], ...] = ()


def local(instant: int, zone: ZoneInfo = PARIS) -> str:
    return datetime.fromtimestamp(instant, zone).isoformat()


@pytest.mark.parametrize(
    ("opened", "due"),
    [
        ("2026-10-02T16:50:00+02:00", "2026-10-06T10:20:00+02:00"),
        # The weekend of the 25th has 25 hours on Sunday; business hours do not care.
        ("2026-10-23T16:50:00+02:00", "2026-10-27T10:20:00+01:00"),
        ("2026-03-27T16:50:00+01:00", "2026-03-31T10:20:00+02:00"),
    ],
    ids=["plain-weekend", "autumn-dst-weekend", "spring-dst-weekend"],
)
def test_cegid_open_friday_1650_is_due_tuesday_1020(opened: str, due: str) -> None:
    start = CEGID.next_opening(at(opened))
    deadline = CEGID.advance(start, 8 * HOUR)
    assert local(deadline) == datetime.fromisoformat(due).isoformat()
    days = CEGID.by_business_day(start, deadline, NONE)
    assert [seconds for _, seconds in days] == [10 * MINUTE, 6 * HOUR + 30 * MINUTE, 80 * MINUTE]
    assert [day.strftime("%a") for day, _ in days] == ["Fri", "Mon", "Tue"]


def test_clock_of_a_request_opened_on_14_july_starts_on_the_15th_at_9() -> None:
    start = CEGID.next_opening(at("2026-07-14T10:00:00+02:00"))  # Tuesday, Fête nationale
    assert local(start) == "2026-07-15T09:00:00+02:00"


@pytest.mark.parametrize(
    ("instant", "opening"),
    [
        ("2026-10-05T12:30:00+02:00", "2026-10-05T14:30:00+02:00"),  # a close is outside
        ("2026-10-05T12:29:59+02:00", "2026-10-05T12:29:59+02:00"),
        ("2026-10-05T08:00:00+02:00", "2026-10-05T09:00:00+02:00"),
        ("2026-10-09T17:10:00+02:00", "2026-10-12T09:00:00+02:00"),  # Friday closes at 17:00
        ("2026-04-30T18:00:00+02:00", "2026-05-04T09:00:00+02:00"),  # 1 May is a Friday
    ],
)
def test_next_opening(instant: str, opening: str) -> None:
    assert local(CEGID.next_opening(at(instant))) == datetime.fromisoformat(opening).isoformat()


def test_allowance_running_out_at_a_close_is_due_at_the_close() -> None:
    # Thursday 30 April 16:00: 1 h 30 that day, 1 May off, 6 h 30 on Monday 4 May.
    deadline = CEGID.advance(at("2026-04-30T16:00:00+02:00"), 8 * HOUR)
    assert local(deadline) == "2026-05-04T17:30:00+02:00"


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # 8 May and Ascension (14 May) are French holidays: not business days.
        ("2026-05-06T10:00:00+02:00", 6, "2026-05-18T10:00:00+02:00"),
        # Thursday 17:15 plus one business day is past Friday's 17:00 close.
        ("2026-10-08T17:15:00+02:00", 1, "2026-10-09T17:00:00+02:00"),
        # Across the autumn DST change, the same wall time.
        ("2026-10-23T11:00:00+02:00", 1, "2026-10-26T11:00:00+01:00"),
    ],
    ids=["french-holidays", "past-friday-close", "dst"],
)
def test_cegid_business_days(start: str, days: int, due: str) -> None:
    assert (
        local(CEGID.add_business_days(at(start), days)) == datetime.fromisoformat(due).isoformat()
    )


def test_ipfolio_business_day_of_the_small_hours_is_the_day_the_window_opened() -> None:
    clock = BusinessClock(IPFOLIO, UTC)
    friday_night = at("2026-10-03T01:00:00+00:00")  # Saturday 01:00, Friday's window
    assert clock.business_day(friday_night) == date(2026, 10, 2)
    assert local(clock.add_business_days(friday_night, 1), UTC) == "2026-10-06T01:00:00+00:00"
    assert local(clock.add_business_days(at("2026-10-02T20:00:00+00:00"), 1), UTC) == (
        "2026-10-05T20:00:00+00:00"
    )
    assert clock.business_day(at("2026-10-03T02:00:00+00:00")) is None


def test_a_wall_time_before_the_days_first_opening_gives_that_opening() -> None:
    clock = BusinessClock(
        Calendar((WeeklyWindow.parse("mon 09:00-17:00"), WeeklyWindow.parse("tue 13:00-17:00"))),
        PARIS,
    )
    due = clock.add_business_days(at("2026-10-05T10:00:00+02:00"), 1)
    assert local(due) == "2026-10-06T13:00:00+02:00"


@pytest.mark.parametrize(
    ("day", "hours"),
    [("2026-03-29", 23), ("2026-10-25", 25), ("2026-10-26", 24)],
    ids=["spring-23h", "autumn-25h", "plain-24h"],
)
def test_always_open_calendar_counts_dst_days_as_they_are(day: str, hours: int) -> None:
    first = date.fromisoformat(day)
    midnight, end = (local_midnight(d, PARIS) for d in (first, first + timedelta(days=1)))
    assert BusinessClock(Calendar(), PARIS).elapsed(midnight, end) == hours * HOUR


def test_window_crossing_midnight_on_the_night_the_clocks_go_back() -> None:
    night = BusinessClock(Calendar((WeeklyWindow.parse("sat 22:00-06:00"),)), PARIS)
    saturday = at("2026-10-24T12:00:00+02:00")
    assert night.elapsed(saturday, saturday + 2 * DAY) == 9 * HOUR
    opening = night.next_opening(saturday)
    assert local(night.advance(opening, 9 * HOUR)) == "2026-10-25T06:00:00+01:00"


def test_a_pause_not_resumed_leaves_no_deadline() -> None:
    start = at("2026-10-05T09:00:00+02:00")
    pauses = ((start + HOUR, FOREVER),)
    assert run_until(CEGID, start, 8 * HOUR, pauses) is None
    assert run_until(CEGID, start, HOUR, pauses) == start + HOUR


def test_a_pause_moves_the_deadline_by_exactly_the_paused_business_time() -> None:
    # SMILÉO art. 7: waiting for the client, Monday 10:00 to 15:00 (3 h of business time).
    start = at("2026-10-05T09:00:00+02:00")
    pause = ((at("2026-10-05T10:00:00+02:00"), at("2026-10-05T15:00:00+02:00")),)
    plain = run_until(CEGID, start, 8 * HOUR, NONE)
    paused = run_until(CEGID, start, 8 * HOUR, pause)
    assert plain is not None and paused is not None
    assert local(plain) == "2026-10-06T10:30:00+02:00"
    assert local(paused) == "2026-10-06T15:30:00+02:00"
    assert paused == CEGID.advance(plain, 3 * HOUR)
    assert counted(CEGID, start, paused, pause) == 8 * HOUR


# --- properties ------------------------------------------------------------------

BASE = at("2026-03-20T00:00:00+00:00")  # spans both 2026 DST changes within the range
SPAN = 230 * DAY
ZONES = st.sampled_from([PARIS, UTC, ZoneInfo("America/New_York")])
minutes = st.integers(0, 24 * 60)


@st.composite
def windows(draw: st.DrawFn) -> WeeklyWindow:
    days = draw(st.sets(st.integers(0, 6), min_size=1))
    start = draw(st.integers(0, 24 * 60 - 1))
    end = draw(st.integers(1, 24 * 60).filter(lambda m: m != start))
    return WeeklyWindow(frozenset(days), start, end)


calendars = st.builds(
    Calendar,
    st.lists(windows(), min_size=1, max_size=3).map(tuple),
    st.sampled_from([None, Holidays("FR")]),
)
instants = st.integers(BASE, BASE + SPAN)


@settings(max_examples=150, deadline=None)
@given(calendars, ZONES, instants, instants, instants)
def test_business_time_is_additive_over_any_split(calendar, zone, a, b, c) -> None:  # type: ignore[no-untyped-def]
    a, b, c = sorted((a, b, c))
    clock = BusinessClock(calendar, zone)
    whole = clock.elapsed(a, c)
    assert whole == clock.elapsed(a, b) + clock.elapsed(b, c)
    assert whole == calendar.spans(a, c, zone).total()  # the reference calendar's own reading


@settings(max_examples=150, deadline=None)
@given(calendars, ZONES, instants, st.integers(1, 200 * HOUR))
def test_advance_is_the_first_instant_that_reaches_the_allowance(
    calendar: Calendar, zone: ZoneInfo, start: int, seconds: int
) -> None:
    clock = BusinessClock(calendar, zone)
    assume(seconds <= clock.elapsed(start, start + 4 * 366 * DAY))  # what four years hold
    due = clock.advance(start, seconds)
    assert clock.elapsed(start, due) == seconds
    assert clock.elapsed(start, due - 1) == seconds - 1
    opening = clock.next_opening(start)
    assert clock.elapsed(start, opening) == 0 and clock.elapsed(opening, opening + 1) == 1


@settings(max_examples=100, deadline=None)
@given(
    calendars.filter(lambda c: first_overlap(c.windows) is None),
    ZONES,
    instants,
    st.integers(1, 15),
)
def test_business_days_land_after_the_start_within_a_days_hours(
    calendar: Calendar, zone: ZoneInfo, start: int, days: int
) -> None:
    clock = BusinessClock(calendar, zone)
    opening = clock.next_opening(start)
    due = clock.add_business_days(opening, days)
    assert due > opening
    local_day = datetime.fromtimestamp(due, zone).date()
    hours = [clock.day_spans(local_day - timedelta(days=n)) for n in (0, 1)]
    assert any(spans and min(spans)[0] <= due <= max(e for _, e in spans) for spans in hours)


@settings(max_examples=100, deadline=None)
@given(
    ZONES,
    instants,
    st.integers(1, 400 * HOUR),
    st.lists(st.tuples(instants, st.integers(1, 9 * DAY)), max_size=4),
)
def test_always_open_business_deadline_equals_the_wall_clock_one(zone, start, seconds, raw) -> None:  # type: ignore[no-untyped-def]
    pauses = IntervalSet((s, s + n) for s, n in raw).spans  # sorted, disjoint
    business = run_until(BusinessClock(Calendar(), zone), start, seconds, pauses)
    assert business == run_until(WallClock(), start, seconds, pauses)


FRENCH_HOLIDAYS = sorted(Holidays("FR").dates(range(2026, 2029)))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(FRENCH_HOLIDAYS), st.integers(0, DAY - 1))
def test_french_holidays_have_no_business_time(holiday, offset) -> None:  # type: ignore[no-untyped-def]
    midnight, next_midnight = (
        local_midnight(d, PARIS) for d in (holiday, holiday + timedelta(days=1))
    )
    assert CEGID.elapsed(midnight, next_midnight) == 0
    opening = CEGID.next_opening(midnight + offset)
    assert datetime.fromtimestamp(opening, PARIS).date() not in FRENCH_HOLIDAYS
    assert CEGID.business_day(opening) is not None


@settings(max_examples=100, deadline=None)
@given(
    calendars.filter(lambda c: first_overlap(c.windows) is None),
    ZONES,
    instants,
    st.integers(0, 20 * DAY),
    st.lists(st.tuples(instants, st.integers(1, 3 * DAY)), max_size=3),
)
def test_business_days_add_up_to_the_unpaused_business_time(
    calendar: Calendar, zone: ZoneInfo, start: int, length: int, raw: list[tuple[int, int]]
) -> None:
    clock = BusinessClock(calendar, zone)
    pauses = IntervalSet((s, s + n) for s, n in raw).spans
    days = clock.by_business_day(start, start + length, pauses)
    assert sum(seconds for _, seconds in days) == counted(clock, start, start + length, pauses)
    assert all(clock.day_spans(day) for day, _ in days)


def test_a_calendar_that_hardly_opens_is_an_error_not_a_hang() -> None:
    minute_a_week = BusinessClock(Calendar((WeeklyWindow.parse("mon 00:00-00:01"),)), UTC)
    with pytest.raises(ValueError, match="too little business time in five years"):
        minute_a_week.advance(at("2026-10-05T00:00:00+00:00"), 200 * HOUR)
