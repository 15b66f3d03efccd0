"""The support report's JSON text is written straight from the clocks, without the
dicts: it must be the text the dicts give, byte for byte, whatever the requests."""

from __future__ import annotations

import json
from datetime import date, datetime
from fractions import Fraction
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from slawatch.reports.support import Iso, SupportReport, to_dict, to_json
from slawatch.sla.calendar import Calendar, WeeklyWindow
from slawatch.sla.periods import PeriodKind, PeriodRule
from slawatch.sla.support import (
    Allowance,
    AllowanceKind,
    Event,
    EventKind,
    Objective,
    PauseReason,
    Request,
    SupportTarget,
    SupportTerms,
)
from slawatch.sla.support_assess import assess_support, resolve_support_period

E = EventKind
HOUR = 3600
YEAR_START = int(datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC")).timestamp())
ALL = frozenset({"1", "2", "3"})


def terms(zone: str) -> SupportTerms:
    """Business time, business days and wall clock, over hours crossing midnight."""
    return SupportTerms(
        zone=ZoneInfo(zone),
        calendar=Calendar(
            (WeeklyWindow.parse("mon-fri 08:00-02:00"), WeeklyWindow.parse("sat 09:00-12:00"))
        ),
        start_date=date(2026, 1, 1),
        priorities=("1", "2", "3"),
        targets=(
            SupportTarget(
                "réponse",
                E.OPENED,
                E.RESPONDED,
                Allowance(AllowanceKind.BUSINESS_TIME, 8 * HOUR),
                ALL,
            ),
            SupportTarget(
                'plan "1"',
                E.QUALIFIED,
                E.RESOLVED,
                Allowance(AllowanceKind.BUSINESS_DAYS, 2),
                frozenset({"1", "2"}),
            ),
            SupportTarget(
                "wall",
                E.OPENED,
                E.CLOSED,
                Allowance(AllowanceKind.WALL_CLOCK, 4 * HOUR),
                frozenset({"3"}),
            ),
        ),
        objectives=(Objective("o", "réponse", Fraction(75), PeriodRule(PeriodKind.MONTH)),),
    )


@st.composite
def requests(draw: st.DrawFn) -> Request:
    opened = YEAR_START + draw(st.integers(0, 364 * 86400))
    at, events = opened, [Event(E.OPENED, opened)]
    kinds = st.sampled_from([E.PAUSED, E.RESUMED, E.RESPONDED, E.QUALIFIED, E.RESOLVED, E.CLOSED])
    for kind in draw(st.lists(kinds, max_size=6)):
        at += draw(st.integers(0, 3 * 86400))
        reason = PauseReason.WAITING_CLIENT if kind is E.PAUSED else None
        events.append(Event(kind, at, reason))
    ticket = draw(st.text(min_size=1, max_size=8))
    return Request(ticket, draw(st.sampled_from(["1", "2", "3"])), tuple(events))


def by_dicts(data: dict[str, object]) -> str:
    """The text as the dicts give it: every request made into its dict first."""
    return to_json({**data, "requests": list(data["requests"])})  # type: ignore[call-overload]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(requests(), max_size=12),
    st.sampled_from(["Europe/Paris", "UTC", "Australia/Lord_Howe", "America/St_Johns"]),
    st.integers(0, 400 * 86400),
)
def test_json_text_is_the_dicts_text(found: list[Request], zone: str, as_of: int) -> None:
    support = terms(zone)
    period = resolve_support_period("2026", support)
    assessed = assess_support(support, found, period, YEAR_START + as_of)
    data = to_dict(SupportReport("c", "d", support, assessed))
    text = to_json(data)
    assert text == by_dicts(data)
    assert json.loads(text)["requests"] == list(data["requests"])


@settings(max_examples=200, deadline=None)
@given(
    st.integers(-(10**9), 3 * 10**9),
    st.sampled_from(["Europe/Paris", "Australia/Lord_Howe", "America/St_Johns", "Asia/Kolkata"]),
)
def test_iso_is_isoformat(instant: int, zone: str) -> None:
    iso = Iso(terms(zone))
    expected = datetime.fromtimestamp(instant, ZoneInfo(zone)).isoformat()
    assert iso(instant) == expected
    assert Iso(terms(zone), quoted=True)(instant) == f'"{expected}"'


def test_iso_across_the_changes_of_time_in_paris() -> None:
    paris = ZoneInfo("Europe/Paris")
    iso = Iso(terms("Europe/Paris"))
    for day in ("2026-03-29T00:00:00+01:00", "2026-10-25T00:00:00+02:00"):
        start = int(datetime.fromisoformat(day).timestamp())
        for instant in range(start, start + 6 * HOUR, 61):
            assert iso(instant) == datetime.fromtimestamp(instant, paris).isoformat()


def test_an_empty_report_has_an_empty_list() -> None:
    support = terms("UTC")
    period = resolve_support_period("2026-10", support)
    data = to_dict(SupportReport("c", "d", support, assess_support(support, [], period, 0)))
    assert json.loads(to_json(data))["requests"] == []
    assert to_json(data) == by_dicts(data)
