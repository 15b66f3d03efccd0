"""The calculation on the seeds' own numbers."""

from decimal import Decimal
from fractions import Fraction

import pytest

from slawatch.sla.assess import assess
from slawatch.sla.calendar import Calendar, Holidays, WeeklyWindow
from slawatch.sla.contract import Fee, Formula, UnknownPolicy
from slawatch.sla.credits import CreditBasis, DowntimeTier, TierTable
from slawatch.sla.exclusions import (
    Claim,
    Exclusion,
    ExclusionReason,
    LateNotice,
    MaintenanceKind,
    MaintenancePolicy,
    MaintenanceWindow,
)
from slawatch.sla.periods import PeriodKind, PeriodRule, resolve_period

from .helpers import DAY, HOUR, MINUTE, PARIS, UTC, at, case, service, terms

F = Fraction
CEGID = terms(
    zone=PARIS,
    target_percent=F(99),
    reference=Calendar((WeeklyWindow.parse("mon-fri 07:00-20:00"),), Holidays("FR")),
    maintenance=MaintenancePolicy(notice=48 * HOUR, emergency_qualifies=True),
)
IPFOLIO = terms(
    target_percent=F("99.5"),
    credits=TierTable(
        CreditBasis.DOWNTIME_MINUTES,
        (
            DowntimeTier(F(216), F(0)),
            DowntimeTier(F(2160), F(25)),
            DowntimeTier(F(21600), F(50)),
            DowntimeTier(None, None),
        ),
    ),
    claims_required=True,
    fee=Fee(Decimal(1000), "EUR"),
)
NOVEMBER_PARIS = resolve_period("2026-11", PeriodRule(PeriodKind.MONTH), PARIS)
OCTOBER_PARIS = resolve_period("2026-10", PeriodRule(PeriodKind.MONTH), PARIS)
OCTOBER_UTC = resolve_period("2026-10", PeriodRule(PeriodKind.MONTH), UTC)
LATER = at("2027-06-01T00:00:00+00:00")


def test_cegid_td_formula_in_a_month_with_holidays() -> None:
    outages = [
        (
            at("2026-11-11T10:00:00+01:00"),
            at("2026-11-11T12:00:00+01:00"),
        ),  # Armistice: not counted
        (at("2026-11-12T06:00:00+01:00"), at("2026-11-12T08:00:00+01:00")),  # 1 h before 07:00
        (at("2026-11-02T19:30:00+01:00"), at("2026-11-02T20:30:00+01:00")),  # 30 min after 20:00
    ]
    result = assess(
        case(
            CEGID, NOVEMBER_PARIS, service(NOVEMBER_PARIS.start, NOVEMBER_PARIS.end, outages), LATER
        )
    )
    prt = 20 * 13 * HOUR
    assert result.tally.reference == prt == 936_000
    assert result.tally.downtime == 5400
    assert result.score.availability == F((prt - 5400) * 100, prt)  # TD = (PRT - sum TI) / PRT
    assert result.score.met
    # outages in time order: 2 November, Armistice Day, 12 November
    assert [o.counted_seconds for o in result.outages] == [1800, 0, 3600]
    assert [o.outside_reference_seconds for o in result.outages] == [1800, 2 * HOUR, 3600]


def test_cegid_outage_at_the_same_utc_time_counts_differently_across_dst() -> None:
    outages = [
        (at("2026-10-19T05:30:00+00:00"), at("2026-10-19T06:30:00+00:00")),  # 07:30-08:30 CEST
        (at("2026-10-26T05:30:00+00:00"), at("2026-10-26T06:30:00+00:00")),  # 06:30-07:30 CET
    ]
    result = assess(
        case(CEGID, OCTOBER_PARIS, service(OCTOBER_PARIS.start, OCTOBER_PARIS.end, outages), LATER)
    )
    assert [o.counted_seconds for o in result.outages] == [3600, 1800]
    assert result.tally.reference == 22 * 13 * HOUR


OUTAGE = (at("2026-11-03T10:00:00+01:00"), at("2026-11-03T12:00:00+01:00"))
WINDOW_START, WINDOW_END = at("2026-11-03T10:00:00+01:00"), at("2026-11-03T11:00:00+01:00")


@pytest.mark.parametrize(
    ("kind", "declared_hours_ahead", "policy", "counted", "why_not"),
    [
        (MaintenanceKind.EMERGENCY, 0, MaintenancePolicy(48 * HOUR, True), HOUR, None),
        (
            MaintenanceKind.EMERGENCY,
            0,
            MaintenancePolicy(48 * HOUR, False),
            2 * HOUR,
            "emergency maintenance is not excluded",
        ),
        (MaintenanceKind.PLANNED, 72, MaintenancePolicy(48 * HOUR, True), HOUR, None),
        (MaintenanceKind.PLANNED, 48, MaintenancePolicy(48 * HOUR, True), HOUR, None),
        (
            MaintenanceKind.PLANNED,
            24,
            MaintenancePolicy(48 * HOUR, True),
            2 * HOUR,
            "declared 24 h before it opened, contract requires 48 h notice",
        ),
        (
            MaintenanceKind.PLANNED,
            24,
            MaintenancePolicy(48 * HOUR, True, LateNotice.AS_EMERGENCY),
            HOUR,
            None,
        ),
        (
            MaintenanceKind.PLANNED,
            24,
            MaintenancePolicy(48 * HOUR, False, LateNotice.EXCLUDED),
            HOUR,
            None,
        ),
    ],
    ids=[
        "emergency-covered",
        "emergency-not-covered",
        "planned-72h",
        "planned-exactly-48h",
        "planned-late",
        "late-as-emergency",
        "late-excluded",
    ],
)
def test_maintenance_qualification(
    kind: MaintenanceKind,
    declared_hours_ahead: int,
    policy: MaintenancePolicy,
    counted: int,
    why_not: str | None,
) -> None:
    contract = terms(zone=PARIS, reference=CEGID.reference, maintenance=policy)
    window = MaintenanceWindow(
        7, WINDOW_START, WINDOW_END, kind, WINDOW_START - declared_hours_ahead * HOUR
    )
    timeline = service(NOVEMBER_PARIS.start, NOVEMBER_PARIS.end, [OUTAGE])
    result = assess(case(contract, NOVEMBER_PARIS, timeline, LATER, maintenance=[window]))
    assert result.tally.downtime == counted
    assert result.tally.excluded == (HOUR if why_not is None else 0)
    assert result.excluders[0].why_not == why_not
    assert result.outages[0].excluded_seconds == 2 * HOUR - counted


def test_formulas_available_and_removed() -> None:
    excl = Exclusion(1, WINDOW_START, WINDOW_END, ExclusionReason.FORCE_MAJEURE, "storm", "ops", 0)
    timeline = service(NOVEMBER_PARIS.start, NOVEMBER_PARIS.end, [OUTAGE])
    r = 936_000
    kept = assess(case(CEGID, NOVEMBER_PARIS, timeline, LATER, exclusions=[excl]))
    removed = assess(
        case(
            terms(zone=PARIS, reference=CEGID.reference, formula=Formula.REMOVED),
            NOVEMBER_PARIS,
            timeline,
            LATER,
            exclusions=[excl],
        )
    )
    assert kept.score.availability == F((r - HOUR) * 100, r)
    assert removed.score.availability == F((r - 2 * HOUR) * 100, r - HOUR)
    assert kept.outages[0].reasons == ("exclusion #1 (force_majeure)",)


def test_smileo_yearly_target_to_the_second() -> None:
    smileo = terms(zone=PARIS, target_percent=F("99.7"), period=PeriodRule(PeriodKind.YEAR))
    year = resolve_period("2026", smileo.period, PARIS)
    assert year.end - year.start == 365 * DAY
    budget = 365 * DAY * 3 // 1000  # 0.3 % of 31,536,000 s = 94,608 s
    start = at("2026-07-01T00:00:00+02:00")
    exact = assess(
        case(smileo, year, service(year.start, year.end, [(start, start + budget)]), LATER)
    )
    over = assess(
        case(smileo, year, service(year.start, year.end, [(start, start + budget + 1)]), LATER)
    )
    assert exact.score.availability == F("99.7") and exact.score.met
    assert over.score.availability < F("99.7") and not over.score.met


def test_ipfolio_claims_decide_what_is_owed() -> None:
    first = (at("2026-10-05T10:00:00Z"), at("2026-10-05T10:00:00Z") + 200 * MINUTE)
    second = (at("2026-10-20T10:00:00Z"), at("2026-10-20T10:00:00Z") + 100 * MINUTE)
    timeline = service(OCTOBER_UTC.start, OCTOBER_UTC.end, [first, second])
    unclaimed = assess(case(IPFOLIO, OCTOBER_UTC, timeline, LATER))
    one = assess(
        case(IPFOLIO, OCTOBER_UTC, timeline, LATER, claims=[Claim(1, first[0] + 60, "SUP-1")])
    )
    both = assess(
        case(
            IPFOLIO,
            OCTOBER_UTC,
            timeline,
            LATER,
            claims=[Claim(1, first[0], "SUP-1"), Claim(2, second[1] - 1, "SUP-2")],
        )
    )
    assert unclaimed.tally.downtime == 300 * MINUTE
    assert (
        unclaimed.score.credit_all_outages is not None
        and unclaimed.score.credit_all_outages.percent == 25
    )
    assert unclaimed.score.credit is not None and unclaimed.score.credit.percent == 0
    assert (
        one.score.credit is not None
        and one.score.credit.percent == 0
        and one.score.claimed_downtime == 200 * MINUTE
    )
    assert [o.ticket for o in one.outages] == ["SUP-1", None]
    assert both.score.credit is not None and both.score.credit.percent == 25
    assert both.score.credit.amount == Decimal("250.00")
    assert both.score.credit.tier_text == "<= 2160 min down: 25 %"


@pytest.mark.parametrize(
    ("policy", "availability", "down"),
    [
        (UnknownPolicy.EXCLUDED, F(100), 0),
        (UnknownPolicy.UP, F(100), 0),
        (UnknownPolicy.DOWN, F((31 * 24 - 10) * 100, 31 * 24), 10 * HOUR),
    ],
)
def test_unknown_time_policies_and_coverage(
    policy: UnknownPolicy, availability: Fraction, down: int
) -> None:
    gap = (at("2026-10-10T00:00:00Z"), at("2026-10-10T10:00:00Z"))
    result = assess(
        case(
            terms(unknown_as=policy),
            OCTOBER_UTC,
            service(OCTOBER_UTC.start, OCTOBER_UTC.end, unknown=[gap]),
            LATER,
        )
    )
    assert result.score.availability == availability
    # D and U as measured under every policy; the policy decides what counts as down.
    assert (result.tally.downtime, result.tally.unknown) == (0, 10 * HOUR)
    assert result.score.counted_downtime == down
    assert result.score.coverage == F((31 * 24 - 10) * 100, 31 * 24)
    assert result.score.billable


def test_low_coverage_is_not_billable() -> None:
    gap = (OCTOBER_UTC.start, OCTOBER_UTC.start + 3 * DAY)
    result = assess(
        case(
            terms(), OCTOBER_UTC, service(OCTOBER_UTC.start, OCTOBER_UTC.end, unknown=[gap]), LATER
        )
    )
    assert result.score.coverage < 95 and not result.score.billable


def test_an_outage_spans_an_unknown_gap_inside_it() -> None:
    t0 = at("2026-10-10T00:00:00Z")
    timeline = service(
        OCTOBER_UTC.start,
        OCTOBER_UTC.end,
        down=[(t0, t0 + 600), (t0 + 900, t0 + 1200)],
        unknown=[(t0 + 600, t0 + 900), (t0 + 1200, t0 + 1300)],
    )
    result = assess(case(terms(), OCTOBER_UTC, timeline, LATER))
    assert [(o.start, o.end, o.counted_seconds, o.unknown_seconds) for o in result.outages] == [
        (t0, t0 + 1200, 900, 300)
    ]


def test_an_unfinished_period_is_assessed_up_to_now() -> None:
    now = at("2026-10-11T00:00:00Z")
    result = assess(case(terms(), OCTOBER_UTC, service(OCTOBER_UTC.start, now), now))
    assert not result.complete
    assert result.tally.reference == 10 * DAY


def test_outage_before_the_period_keeps_its_start_and_its_claim() -> None:
    start = OCTOBER_UTC.start - HOUR
    timeline = service(start, OCTOBER_UTC.end, [(start, OCTOBER_UTC.start + HOUR)])
    result = assess(
        case(IPFOLIO, OCTOBER_UTC, timeline, LATER, claims=[Claim(1, start + 10, "T-1")])
    )
    assert result.outages[0].start == start
    assert result.outages[0].counted_seconds == HOUR
    assert result.score.claimed_downtime == HOUR


def test_outage_over_the_period_end_keeps_its_end_and_later_claims() -> None:
    end = OCTOBER_UTC.end
    timeline = service(OCTOBER_UTC.start, end + DAY, [(end - HOUR, end + 2 * HOUR)])
    result = assess(
        case(IPFOLIO, OCTOBER_UTC, timeline, LATER, claims=[Claim(1, end + HOUR, "T-9")])
    )
    assert (result.outages[0].end, result.outages[0].ticket) == (end + 2 * HOUR, "T-9")
    assert result.tally.downtime == result.score.claimed_downtime == HOUR


def test_nothing_measured_is_neither_met_nor_billable() -> None:
    future = resolve_period("2027-05", PeriodRule(PeriodKind.MONTH), UTC)
    result = assess(case(IPFOLIO, future, service(future.start, future.start), future.start - DAY))
    assert (result.tally.reference, result.score.met, result.score.billable) == (0, False, False)


def test_credits_are_per_billing_period_only() -> None:
    year = resolve_period("2026", PeriodRule(PeriodKind.YEAR), UTC)
    timeline = service(
        year.start, year.end, [(OCTOBER_UTC.start, OCTOBER_UTC.start + 300 * MINUTE)]
    )
    result = assess(case(IPFOLIO, year, timeline, LATER))
    assert result.tally.downtime == 300 * MINUTE
    assert result.score.credit is None and result.score.credit_all_outages is None


def test_an_outage_names_only_the_exclusions_that_removed_its_time() -> None:
    nightly = terms(
        zone=PARIS,
        reference=CEGID.reference,
        recurring_maintenance=(WeeklyWindow.parse("sat,sun 00:00-24:00"),),
    )
    saturday = (at("2026-11-07T10:00:00+01:00"), at("2026-11-07T12:00:00+01:00"))
    result = assess(
        case(
            nightly,
            NOVEMBER_PARIS,
            service(NOVEMBER_PARIS.start, NOVEMBER_PARIS.end, [saturday]),
            LATER,
        )
    )
    assert result.outages[0].reasons == ()  # outside the reference hours: nothing to exclude
    assert result.outages[0].outside_reference_seconds == 2 * HOUR
