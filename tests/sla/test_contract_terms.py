"""Claim windows, credit caps and outage-count clauses (issue 12), in the pure core."""

from decimal import Decimal
from fractions import Fraction

import pytest

from slawatch.sla.assess import assess
from slawatch.sla.claims import ClaimWindow
from slawatch.sla.contract import Fee, UnknownPolicy
from slawatch.sla.credits import CreditBasis, DowntimeTier, TierTable, total
from slawatch.sla.exclusions import Claim, Exclusion, ExclusionReason
from slawatch.sla.limits import OutageLimit, judge
from slawatch.sla.periods import PeriodKind, PeriodRule, resolve_period

from .helpers import DAY, HOUR, MINUTE, PARIS, UTC, at, case, service, terms

F = Fraction
OCTOBER = resolve_period("2026-10", PeriodRule(PeriodKind.MONTH), UTC)
LATER = at("2027-06-01T00:00:00+00:00")
TIERS = TierTable(
    CreditBasis.DOWNTIME_MINUTES, (DowntimeTier(F(60), F(0)), DowntimeTier(F(600), F(25)), DowntimeTier(None, F(50)))
)  # fmt: skip


@pytest.mark.parametrize(
    ("window", "end", "deadline"),
    [
        # 30 days later at the same local wall time, across the end of summer time.
        (ClaimWindow(30), "2026-10-10T10:00:00+02:00", "2026-11-09T10:00:00+01:00"),
        (ClaimWindow(1), "2026-03-28T02:30:00+01:00", "2026-03-29T03:30:00+02:00"),  # 02:30 skipped
        # By the end of the month after the one in which the outage's last second fell.
        (ClaimWindow(), "2026-10-10T10:00:00+02:00", "2026-11-30T23:59:59+01:00"),
        (ClaimWindow(), "2026-11-01T00:00:00+01:00", "2026-11-30T23:59:59+01:00"),
        (ClaimWindow(), "2026-12-31T12:00:00+01:00", "2027-01-31T23:59:59+01:00"),
    ],
)
def test_a_claim_window_deadline_in_the_contract_zone(
    window: ClaimWindow, end: str, deadline: str
) -> None:
    assert window.deadline(at(end), PARIS) == at(deadline)


START = at("2026-10-05T10:00:00Z")
OUTAGE = (START, START + 2 * HOUR)  # 120 min: the 25 % tier
TIMELINE = service(OCTOBER.start, OCTOBER.end, down=[OUTAGE])
IPFOLIO_LIKE = terms(
    credits=TIERS, claims_required=True, claim_window=ClaimWindow(30), fee=Fee(Decimal(1000), "EUR")
)


@pytest.mark.parametrize(
    ("made_at", "late", "owed"),
    [
        (START + HOUR, False, 25),  # while the outage runs
        (OUTAGE[1] + 30 * DAY, False, 25),  # on the deadline itself
        (OUTAGE[1] + 30 * DAY + 1, True, 0),  # a second later
        (None, False, 25),  # made when, unknown: never late
    ],
)
def test_a_late_claim_is_listed_and_credits_nothing(
    made_at: int | None, late: bool, owed: int
) -> None:
    claims = [Claim(1, START + MINUTE, "T-1", made_at)]
    a = assess(case(IPFOLIO_LIKE, OCTOBER, TIMELINE, LATER, claims=claims))
    (outage,) = a.outages
    assert outage.ticket == "T-1" and outage.marking is not None
    assert (outage.marking.late, outage.claimed) == (late, not late)
    assert outage.marking.deadline == OUTAGE[1] + 30 * DAY
    assert a.score.credit is not None and a.score.credit.percent == owed
    assert a.score.credit_all_outages is not None and a.score.credit_all_outages.percent == 25
    assert a.score.claimed_downtime == (0 if late else 2 * HOUR)


def test_a_claim_in_time_wins_over_an_earlier_late_one() -> None:
    claims = [
        Claim(1, START, "LATE", OUTAGE[1] + 40 * DAY),
        Claim(2, START + HOUR, "IN-TIME", OUTAGE[1] + DAY),
    ]
    (outage,) = assess(case(IPFOLIO_LIKE, OCTOBER, TIMELINE, LATER, claims=claims)).outages
    assert (outage.ticket, outage.claimed) == ("IN-TIME", True)


@pytest.mark.parametrize(
    ("tier", "clauses", "cap", "expected"),
    [
        (F(25), F(10), None, F(35)),  # added
        (F(25), F(10), F(30), F(30)),  # then capped
        (F(50), F(60), None, F(100)),  # never above the whole fee
        (F(50), F(60), F(100), F(100)),
        (F(0), F(0), F(50), F(0)),
    ],
)
def test_the_credit_adds_the_clauses_then_caps(
    tier: Fraction, clauses: Fraction, cap: Fraction | None, expected: Fraction
) -> None:
    assert total(tier, clauses, cap) == expected


@pytest.mark.parametrize(
    ("limit", "text", "met", "owed"),
    [
        (OutageLimit(HOUR), "no outage longer than 1 h", False, F(0)),
        (OutageLimit(2 * HOUR), "no outage longer than 2 h", True, F(0)),  # 2 h is not longer
        (OutageLimit(30 * MINUTE, 2, F(5)), "at most 2 outages longer than 30 min", False, F(5)),
        (OutageLimit(30 * MINUTE, 3, F(5)), "at most 3 outages longer than 30 min", True, F(0)),
        (
            OutageLimit(90 * MINUTE + 1, 1),
            "at most 1 outage longer than 1 h 30 min 1 s",
            True,
            F(0),
        ),
    ],
)
def test_outage_clauses_count_the_outages_longer_than_their_limit(
    limit: OutageLimit, text: str, met: bool, owed: Fraction
) -> None:
    lengths = [2 * HOUR, 45 * MINUTE, 31 * MINUTE, 30 * MINUTE]
    (verdict,) = judge([limit], lengths, [True] * 4, claims_required=False, billing=True)
    assert limit.describe() == text
    assert (verdict.met, verdict.credit, verdict.longest) == (met, owed, 2 * HOUR)
    assert verdict.longer == sum(length > limit.longer_than for length in lengths)


def test_a_clause_is_judged_after_exclusions_and_adds_to_the_tier_then_caps() -> None:
    # An outage of 2 h, and one of 3 h of which an exclusion removes 2 h: it lasts 1 h.
    second = at("2026-10-20T10:00:00Z")
    timeline = service(
        OCTOBER.start,
        OCTOBER.end,
        down=[OUTAGE, (second, second + 3 * HOUR)],
    )
    excluded = Exclusion(1, second, second + 2 * HOUR, ExclusionReason.THIRD_PARTY, "", "t", 0)
    contract = terms(
        credits=TIERS,
        outage_limits=(OutageLimit(90 * MINUTE, credit=F(20)), OutageLimit(30 * MINUTE, 1, F(10))),
        credit_cap=F(50),
        fee=Fee(Decimal(1000), "EUR"),
    )
    a = assess(case(contract, OCTOBER, timeline, LATER, exclusions=[excluded]))
    assert [o.length_seconds for o in a.outages] == [2 * HOUR, HOUR]
    assert [(v.longer, v.longest, v.met) for v in a.limits] == [
        (1, 2 * HOUR, False),
        (2, 2 * HOUR, False),
    ]
    credit = a.score.credit
    assert credit is not None
    # 180 min counted: the 25 % tier; the clauses add 20 % and 10 %; the cap cuts 55 to 50.
    assert (credit.tier_percent, credit.clauses_percent, credit.percent) == (F(25), F(30), F(50))
    assert credit.capped and credit.amount == Decimal("500.00")


def test_an_outage_counts_its_unknown_time_under_unknown_down() -> None:
    gap = (OUTAGE[1], OUTAGE[1] + HOUR)
    timeline = service(OCTOBER.start, OCTOBER.end, down=[OUTAGE], unknown=[gap])
    limit = (OutageLimit(150 * MINUTE),)
    lengths = {
        policy: [o.length_seconds for o in assess(case(terms(unknown_as=policy, outage_limits=limit), OCTOBER, timeline, LATER)).outages]
        for policy in UnknownPolicy
    }  # fmt: skip
    assert lengths == {
        UnknownPolicy.EXCLUDED: [2 * HOUR],
        UnknownPolicy.UP: [2 * HOUR],
        UnknownPolicy.DOWN: [3 * HOUR],
    }


def test_a_clause_credit_counts_only_claimed_outages_where_claims_are_required() -> None:
    contract = terms(
        claims_required=True, outage_limits=(OutageLimit(HOUR, credit=F(10)),), fee=Fee(Decimal(100), "EUR")
    )  # fmt: skip
    unclaimed = assess(case(contract, OCTOBER, TIMELINE, LATER))
    claimed = assess(case(contract, OCTOBER, TIMELINE, LATER, claims=[Claim(1, START, "T")]))
    assert unclaimed.score.credit is not None and unclaimed.score.credit_all_outages is not None
    assert (unclaimed.score.credit.percent, unclaimed.score.credit_all_outages.percent) == (
        F(0),
        F(10),
    )
    assert claimed.score.credit is not None and claimed.score.credit.percent == 10
    assert claimed.score.credit.tier_text is None  # no tier table: the clause alone credits


def test_clauses_give_no_verdict_nor_credit_outside_the_billing_period() -> None:
    year = resolve_period("2026", PeriodRule(PeriodKind.YEAR), UTC)
    contract = terms(outage_limits=(OutageLimit(HOUR, credit=F(10)),))
    a = assess(case(contract, year, service(year.start, year.end, down=[OUTAGE]), LATER))
    (verdict,) = a.limits
    assert (verdict.longer, verdict.met, verdict.credit) == (1, None, F(0))
    assert a.score.credit is None
