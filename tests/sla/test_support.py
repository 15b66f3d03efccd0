"""Requests against support targets: deadlines from the seeds' own numbers, pauses,
outcomes, objectives' exact shares and the checks on a ticket's events."""

from datetime import date, datetime
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slawatch.sla.business_time import FOREVER
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
    sequence_problems,
)
from slawatch.sla.support_assess import (
    Outcome,
    RequestResult,
    Written,
    assess_request,
    assess_support,
    clock_target,
    resolve_support_period,
    summarize,
)

from .helpers import CEGID_OPEN_HOURS, DAY, HOUR, MINUTE, PARIS, UTC, at

E = EventKind
BT, BD, WC = AllowanceKind.BUSINESS_TIME, AllowanceKind.BUSINESS_DAYS, AllowanceKind.WALL_CLOCK
CEGID_PRIORITIES = frozenset({"1", "2", "3"})
CEGID_OPEN = SupportTerms(
    zone=PARIS,
    calendar=CEGID_OPEN_HOURS,
    start_date=date(2026, 1, 1),
    priorities=("1", "2", "3"),
    targets=(
        SupportTarget(
            "take-in-charge", E.OPENED, E.RESPONDED, Allowance(BT, 8 * HOUR), CEGID_PRIORITIES
        ),
        SupportTarget(
            "action-plan", E.QUALIFIED, E.RESOLVED, Allowance(BT, 12 * HOUR), frozenset({"1"})
        ),
        SupportTarget("workaround", E.QUALIFIED, E.RESOLVED, Allowance(BD, 6), frozenset({"2"})),
    ),
    objectives=(
        Objective(
            "take-in-charge-75",
            "take-in-charge",
            Fraction(75),
            PeriodRule(PeriodKind.CONTRACT_YEAR, date(2026, 1, 1)),
        ),
    ),
)
IPFOLIO = SupportTerms(
    zone=UTC,
    calendar=Calendar((WeeklyWindow.parse("mon-fri 08:00-02:00"),)),
    start_date=date(2026, 1, 1),
    priorities=("critical", "high", "medium", "low"),
    targets=tuple(
        SupportTarget(f"response-{p}", E.OPENED, E.RESPONDED, allowance, frozenset({p}))
        for p, allowance in (
            ("critical", Allowance(BT, 30 * MINUTE)),
            ("high", Allowance(BT, HOUR)),
            ("medium", Allowance(BD, 1)),
            ("low", Allowance(BD, 2)),
        )
    ),
)
FAR = at("2030-01-01T00:00:00+00:00")


def request(priority: str, *events: tuple[EventKind, str], ticket: str = "T-1") -> Request:
    found = tuple(
        Event(kind, at(when), PauseReason.WAITING_CLIENT if kind is E.PAUSED else None)
        for kind, when in events
    )
    return Request(ticket, priority, found)


def iso(instant: int | None, zone: ZoneInfo = PARIS) -> str | None:
    return None if instant is None else datetime.fromtimestamp(instant, zone).isoformat()


def take_in_charge(req: Request, as_of: int = FAR, terms: SupportTerms = CEGID_OPEN):  # type: ignore[no-untyped-def]
    clocked = assess_request(terms, req, as_of).clocked("take-in-charge")
    assert clocked is not None
    return clocked


def test_cegid_open_request_opened_friday_1650_is_due_tuesday_1020() -> None:
    req = request(
        "3", (E.OPENED, "2026-10-02T16:50:00+02:00"), (E.RESPONDED, "2026-10-05T11:00:00+02:00")
    )
    clocked = take_in_charge(req)
    assert iso(clocked.deadline) == "2026-10-06T10:20:00+02:00"
    assert clocked.outcome is Outcome.MET
    assert clocked.business_seconds == 10 * MINUTE + 2 * HOUR  # Friday 10 min, Monday 2 h


def test_clock_of_a_request_opened_on_14_july_starts_on_the_15th() -> None:
    clocked = take_in_charge(request("2", (E.OPENED, "2026-07-14T10:00:00+02:00")))
    assert iso(clocked.clock_start) == "2026-07-15T09:00:00+02:00"
    assert iso(clocked.deadline) == "2026-07-16T10:30:00+02:00"  # 6 h 30 + 1 h 30


def test_ipfolio_medium_opened_friday_2000_utc_is_due_monday_2000_utc() -> None:
    req = request("medium", (E.OPENED, "2026-10-02T20:00:00+00:00"))
    clocked = clock_target(IPFOLIO, req, IPFOLIO.targets[2], FAR)
    assert clocked is not None
    assert iso(clocked.deadline, UTC) == "2026-10-05T20:00:00+00:00"
    # Friday 20:00 to Saturday 02:00, then Monday 08:00 to 20:00: 18 h of business time.
    assert clocked.allowance_seconds == 18 * HOUR


def test_ipfolio_critical_counts_the_small_hours_of_fridays_window() -> None:
    req = request("critical", (E.OPENED, "2026-10-03T01:45:00+00:00"))
    clocked = clock_target(IPFOLIO, req, IPFOLIO.targets[0], FAR)
    assert clocked is not None and iso(clocked.deadline, UTC) == "2026-10-05T08:15:00+00:00"


def test_a_smileo_style_pause_moves_the_deadline_by_exactly_the_paused_business_time() -> None:
    plain = take_in_charge(request("3", (E.OPENED, "2026-10-05T09:00:00+02:00")))
    paused = take_in_charge(
        request(
            "3",
            (E.OPENED, "2026-10-05T09:00:00+02:00"),
            (E.PAUSED, "2026-10-05T10:00:00+02:00"),  # waiting for the client
            (E.RESUMED, "2026-10-05T15:00:00+02:00"),
        )
    )
    assert paused.paused_seconds == 3 * HOUR  # 10:00-12:30 and 14:30-15:00
    assert plain.deadline is not None and paused.deadline is not None
    assert CEGID_OPEN.clock.elapsed(plain.deadline, paused.deadline) == 3 * HOUR
    assert iso(paused.deadline) == "2026-10-06T15:30:00+02:00"


def test_business_days_deadline_moves_by_the_paused_business_time() -> None:
    events = [(E.OPENED, "2026-10-05T09:00:00+02:00"), (E.QUALIFIED, "2026-10-05T11:00:00+02:00")]
    plain = assess_request(CEGID_OPEN, request("2", *events), FAR).clocked("workaround")
    pause = [(E.PAUSED, "2026-10-07T10:00:00+02:00"), (E.RESUMED, "2026-10-07T11:00:00+02:00")]
    moved = assess_request(CEGID_OPEN, request("2", *events, *pause), FAR).clocked("workaround")
    assert plain is not None and moved is not None
    assert iso(plain.deadline) == "2026-10-13T11:00:00+02:00"  # six business days on
    assert iso(moved.deadline) == "2026-10-13T12:00:00+02:00"


def test_wall_clock_allowance_adds_the_paused_wall_clock_time() -> None:
    terms = SupportTerms(
        PARIS,
        Calendar(),
        date(2026, 1, 1),
        ("p1",),
        (
            SupportTarget(
                "restore", E.OPENED, E.RESOLVED, Allowance(WC, 4 * HOUR), frozenset({"p1"})
            ),
        ),
    )
    req = request(
        "p1",
        (E.OPENED, "2026-10-25T01:00:00+02:00"),  # the night the clocks go back
        (E.PAUSED, "2026-10-25T02:00:00+01:00"),
        (E.RESUMED, "2026-10-25T02:30:00+01:00"),
    )
    clocked = clock_target(terms, req, terms.targets[0], FAR)
    assert (
        clocked is not None
        and clocked.deadline == at("2026-10-25T01:00:00+02:00") + 4 * HOUR + 30 * MINUTE
    )


@pytest.mark.parametrize(
    ("stop", "as_of", "outcome"),
    [
        ("2026-10-06T10:20:00+02:00", None, Outcome.MET),  # at the deadline
        ("2026-10-06T10:20:01+02:00", None, Outcome.BREACHED),
        (None, "2026-10-06T10:19:59+02:00", Outcome.PENDING),
        (None, "2026-10-06T10:20:00+02:00", Outcome.BREACHED),
        # A stop after --as-of is not seen yet.
        ("2026-10-06T10:00:00+02:00", "2026-10-05T10:00:00+02:00", Outcome.PENDING),
    ],
    ids=["at-deadline", "one-second-late", "pending", "deadline-passed", "stop-after-as-of"],
)
def test_outcomes(stop: str | None, as_of: str | None, outcome: Outcome) -> None:
    events = [(E.OPENED, "2026-10-02T16:50:00+02:00")]
    if stop:
        events.append((E.RESPONDED, stop))
    clocked = take_in_charge(request("3", *events), FAR if as_of is None else at(as_of))
    assert clocked.outcome is outcome


def test_a_pause_without_resume_keeps_the_clock_stopped() -> None:
    events = [(E.OPENED, "2026-10-05T09:00:00+02:00"), (E.PAUSED, "2026-10-05T10:00:00+02:00")]
    clocked = take_in_charge(request("3", *events))
    assert (clocked.deadline, clocked.outcome, clocked.used_seconds) == (
        None,
        Outcome.PENDING,
        HOUR,
    )
    stopped = take_in_charge(request("3", *events, (E.RESPONDED, "2026-11-20T10:00:00+01:00")))
    assert (stopped.outcome, stopped.business_seconds) == (Outcome.MET, HOUR)


def test_reopened_restarts_nothing_and_later_stops_do_not_count() -> None:
    clocked = take_in_charge(
        request(
            "3",
            (E.OPENED, "2026-10-05T09:00:00+02:00"),
            (E.RESPONDED, "2026-10-05T10:00:00+02:00"),
            (E.CLOSED, "2026-10-05T11:00:00+02:00"),
            (E.REOPENED, "2026-10-08T11:00:00+02:00"),
            (E.RESPONDED, "2026-10-20T11:00:00+02:00"),
        )
    )
    assert (clocked.stopped_at, clocked.outcome) == (at("2026-10-05T10:00:00+02:00"), Outcome.MET)


def test_a_target_is_listed_once_its_start_event_happened() -> None:
    opened = (E.OPENED, "2026-10-05T09:00:00+02:00")
    assert [
        c.target.name for c in assess_request(CEGID_OPEN, request("1", opened), FAR).targets
    ] == ["take-in-charge"]
    qualified = request("1", opened, (E.QUALIFIED, "2026-10-05T15:00:00+02:00"))
    names = [c.target.name for c in assess_request(CEGID_OPEN, qualified, FAR).targets]
    assert names == ["take-in-charge", "action-plan"]


def test_objective_share_is_exact_and_leaves_pending_requests_out() -> None:
    period = resolve_support_period("contract-year:2026", CEGID_OPEN)
    opened = "2026-10-05T09:00:00+02:00"
    answers = ["2026-10-05T10:00:00+02:00"] * 3 + ["2026-10-08T10:00:00+02:00", None]
    requests = [
        request("3", (E.OPENED, opened), *([(E.RESPONDED, a)] if a else []), ticket=f"T-{i}")
        for i, a in enumerate(answers)
    ]
    report = assess_support(CEGID_OPEN, requests, period, at("2026-10-06T09:00:00+02:00"))
    (objective,) = report.objectives
    assert (objective.met_count, objective.breached_count, objective.pending_count) == (3, 0, 2)
    report = assess_support(CEGID_OPEN, requests, period, FAR)
    (objective,) = report.objectives
    assert (objective.met_count, objective.breached_count, objective.pending_count) == (3, 2, 0)
    assert objective.share == Fraction(60) and objective.met is False and objective.binding


def test_objective_not_assessed_without_decided_requests() -> None:
    period = resolve_support_period("2026-10", CEGID_OPEN)
    (objective,) = assess_support(CEGID_OPEN, [], period, FAR).objectives
    assert (objective.share, objective.met, objective.binding) == (None, None, False)


def test_requests_count_in_the_period_they_were_opened_in() -> None:
    late = request("3", (E.OPENED, "2026-10-31T23:30:00+01:00"), ticket="oct")
    early = request("3", (E.OPENED, "2026-11-01T00:00:00+01:00"), ticket="nov")
    period = resolve_support_period("2026-10", CEGID_OPEN)
    (found,) = assess_support(CEGID_OPEN, [early, late], period, FAR).requests
    assert isinstance(found, RequestResult)
    assert found.request.ticket == "oct"


def test_written_requests_are_ordered_and_counted_with_computed_ones() -> None:
    """A report's requests read back as their text (``Written``) take their place by
    opening among those computed, and their outcomes count towards the objectives."""
    period = resolve_support_period("2026-10", CEGID_OPEN)
    opened, answered = "2026-10-05T10:00:00+02:00", "2026-10-05T11:00:00+02:00"
    computed = assess_request(
        CEGID_OPEN, request("3", (E.OPENED, opened), (E.RESPONDED, answered), ticket="b"), FAR
    )
    before = Written(at(opened) - 60, "a", (("take-in-charge", Outcome.BREACHED),), "{}")
    same_second = Written(at(opened), "c", (), "{}")  # no clock started: counts nowhere
    found = summarize(CEGID_OPEN, [same_second, computed, before], period, FAR)
    assert found.requests == (before, computed, same_second)
    (objective,) = found.objectives
    assert (objective.met_count, objective.breached_count, objective.pending_count) == (1, 1, 0)


@pytest.mark.parametrize(
    ("label", "start", "end"),
    [
        ("contract-year:2026", "2026-01-01T00:00:00+01:00", "2027-01-01T00:00:00+01:00"),
        ("2026-10", "2026-10-01T00:00:00+02:00", "2026-11-01T00:00:00+01:00"),
        ("2027", "2027-01-01T00:00:00+01:00", "2028-01-01T00:00:00+01:00"),
    ],
)
def test_support_periods(label: str, start: str, end: str) -> None:
    period = resolve_support_period(label, CEGID_OPEN)
    assert (period.label, period.start, period.end) == (label, at(start), at(end))


@pytest.mark.parametrize("label", ["contract-year:2026-10", "contract-year:", "2026-13", "26"])
def test_bad_support_periods(label: str) -> None:
    with pytest.raises(ValueError, match="period"):
        resolve_support_period(label, CEGID_OPEN)


@pytest.mark.parametrize(
    ("events", "problems"),
    [
        ([(E.OPENED, 100), (E.RESPONDED, 50)], {1: "comes before the ticket is opened"}),
        ([(E.OPENED, 100), (E.RESUMED, 150)], {1: "resumed without paused"}),
        (
            [(E.OPENED, 100), (E.PAUSED, 110), (E.RESUMED, 120), (E.RESUMED, 130)],
            {3: "resumed without paused"},
        ),
        ([(E.OPENED, 100), (E.OPENED, 200)], {1: "the ticket is already opened (use reopened)"}),
        (
            [(E.RESPONDED, 100)],
            {0: "the ticket has no opened event (it comes first, with the priority)"},
        ),
        ([(E.RESPONDED, 100), (E.OPENED, 100), (E.PAUSED, 100), (E.RESUMED, 100)], {}),
    ],
    ids=[
        "before-opened",
        "resumed-alone",
        "resumed-twice",
        "opened-twice",
        "never-opened",
        "same-second",
    ],
)
def test_sequence_problems(events: list[tuple[EventKind, int]], problems: dict[int, str]) -> None:
    assert sequence_problems([Event(kind, t) for kind, t in events]) == problems


START = at("2026-10-02T00:00:00+02:00")
pauses = st.lists(
    st.tuples(st.integers(START, START + 20 * DAY), st.integers(1, 3 * DAY)), max_size=4
)


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from([(CEGID_OPEN, "2"), (IPFOLIO, "medium"), (IPFOLIO, "critical")]),
    st.integers(START, START + 10 * DAY),
    pauses,
    st.booleans(),
)
def test_a_deadline_with_pauses_is_never_earlier_than_without(case, opened, found, resume) -> None:  # type: ignore[no-untyped-def]
    terms, priority = case
    base = [Event(E.OPENED, opened), Event(E.QUALIFIED, opened)]
    events = list(base)
    for start, length in sorted(found):
        events.append(Event(E.PAUSED, max(start, opened), PauseReason.WAITING_CLIENT))
        if resume:
            events.append(Event(E.RESUMED, max(start, opened) + length))
    plain = assess_request(terms, Request("t", priority, tuple(base)), FAR).targets
    moved = assess_request(terms, Request("t", priority, tuple(events)), FAR).targets
    for without, with_pauses in zip(plain, moved, strict=True):
        assert without.deadline is not None
        assert (with_pauses.deadline or FOREVER) >= without.deadline
