from decimal import Decimal
from fractions import Fraction

import pytest

from slawatch.sla.credits import (
    AvailabilityTier,
    CreditBasis,
    DowntimeTier,
    Tier,
    TierError,
    TierProblem,
    TierTable,
    credit_amount,
    percent_of,
    round_exact,
)

from .helpers import MINUTE

F = Fraction
IPFOLIO_MINUTES = TierTable(
    CreditBasis.DOWNTIME_MINUTES,
    (
        DowntimeTier(F(216), F(0)),
        DowntimeTier(F(2160), F(25)),
        DowntimeTier(F(21600), F(50)),
        DowntimeTier(None, None),
    ),
)
IPFOLIO_PERCENT = TierTable(
    CreditBasis.AVAILABILITY_PERCENT,
    (
        AvailabilityTier(F("99.5"), F(100), F(0)),
        AvailabilityTier(F(95), F("99.5"), F(25)),
        AvailabilityTier(F(50), F(95), F(50)),
        AvailabilityTier(F(0), F(50), None),
    ),
)
OCTOBER_MINUTES = 31 * 24 * 60  # IPfolio months are UTC: 44,640 minutes
NOVEMBER_MINUTES = 30 * 24 * 60


def availability(down_minutes: int, month_minutes: int) -> Fraction:
    return percent_of(month_minutes - down_minutes, month_minutes)


@pytest.mark.parametrize(
    ("down", "tier", "credit"),
    [
        (0, 0, F(0)),
        (216, 0, F(0)),
        (217, 1, F(25)),
        (2160, 1, F(25)),
        (2161, 2, F(50)),
        (21600, 2, F(50)),
        (21601, 3, F(100) - F(44640 - 21601, 44640) * 100),
    ],
)
def test_ipfolio_minutes_bounds(down: int, tier: int, credit: Fraction) -> None:
    a = availability(down, OCTOBER_MINUTES)
    assert IPFOLIO_MINUTES.select(a, down * MINUTE) == (tier, credit)


def test_bounds_are_compared_to_the_second() -> None:
    a = availability(216, OCTOBER_MINUTES)
    assert IPFOLIO_MINUTES.select(a, 216 * MINUTE + 1)[0] == 1


def test_percentage_basis_differs_in_a_31_day_month() -> None:
    a = availability(217, OCTOBER_MINUTES)
    assert round_exact(a, Decimal("0.01")) == Decimal("99.51")
    assert IPFOLIO_PERCENT.select(a, 217 * MINUTE) == (0, F(0))
    assert IPFOLIO_MINUTES.select(a, 217 * MINUTE) == (1, F(25))


def test_both_bases_agree_in_a_30_day_month() -> None:
    for down in (216, 217, 2160, 2161, 21600, 21601):
        a = availability(down, NOVEMBER_MINUTES)
        assert (
            IPFOLIO_PERCENT.select(a, down * MINUTE)[0]
            == IPFOLIO_MINUTES.select(a, down * MINUTE)[0]
        )


def test_top_of_range_includes_100() -> None:
    assert IPFOLIO_PERCENT.select(F(100), 0) == (0, F(0))


@pytest.mark.parametrize(
    ("basis", "tiers", "message"),
    [
        (
            CreditBasis.AVAILABILITY_PERCENT,
            [(99, 100, 0), (50, 95, 25), (0, 50, 50)],
            "tiers[0]: gap between 95 % and 99 %",
        ),
        (
            CreditBasis.AVAILABILITY_PERCENT,
            [(99, 100, 0), (50, "99.5", 25), (0, 50, 50)],
            "tiers[0]: overlap between 99 % and 99.5 %",
        ),
        (
            CreditBasis.AVAILABILITY_PERCENT,
            [(99, "99.9", 0), (0, 99, 50)],
            "tiers: gap between 99.9 % and 100 %",
        ),
        (
            CreditBasis.AVAILABILITY_PERCENT,
            [(99, 100, 120), (0, 99, 50)],
            "tiers[0].credit: must be within 0..100 (got 120)",
        ),
        (
            CreditBasis.DOWNTIME_MINUTES,
            [(None, 216, 0), (None, 100, 25), (None, None, 50)],
            "tiers[1].up_to: bounds must increase (overlap: 100 min after 216 min)",
        ),
        (
            CreditBasis.DOWNTIME_MINUTES,
            [(None, 216, 0), (None, 2160, 25)],
            "tiers[1]: gap above 2160 min; the last tier must have no bound",
        ),
        (
            CreditBasis.DOWNTIME_MINUTES,
            [(None, None, 0), (None, 2160, 25)],
            "tiers[0]: only the last tier may have no bound",
        ),
    ],
    ids=[
        "gap",
        "overlap",
        "not-up-to-100",
        "credit-range",
        "minutes-overlap",
        "minutes-gap",
        "unbounded-first",
    ],
)
def test_invalid_tables(
    basis: CreditBasis, tiers: list[tuple[object, object, object]], message: str
) -> None:
    values = [[None if v is None else F(str(v)) for v in row] for row in tiers]
    rows: tuple[Tier, ...] = (
        tuple(DowntimeTier(up_to, credit) for _, up_to, credit in values)
        if basis is CreditBasis.DOWNTIME_MINUTES
        else tuple(AvailabilityTier(*row) for row in values)
    )
    with pytest.raises(ValueError) as err:
        TierTable(basis, rows)
    assert str(err.value) == message


def test_money_is_rounded_once_half_up_to_the_cent() -> None:
    assert credit_amount(F(25), Decimal(1000)) == Decimal("250.00")
    credit = F(100) - availability(21601, OCTOBER_MINUTES)
    assert credit_amount(credit, Decimal(1000)) == Decimal("483.89")
    assert credit_amount(F(1, 8), Decimal(1000)) == Decimal("1.25")
    assert credit_amount(F(1, 800), Decimal(1000)) == Decimal("0.01")  # 0.0125 rounds half up
    assert round_exact(F(2, 3), Decimal("0.01"), half_up=False) == Decimal("0.66")


def test_a_tier_error_carries_its_row_problem_and_bounds() -> None:
    rows = (
        AvailabilityTier(F(99), F(100), F(0)),
        AvailabilityTier(F(95), F(98), F(25)),
        AvailabilityTier(F(0), F(95), F(50)),
    )
    with pytest.raises(TierError) as err:
        TierTable(CreditBasis.AVAILABILITY_PERCENT, rows)
    assert (err.value.row, err.value.key, err.value.problem) == (0, None, TierProblem.GAP)
    assert err.value.bounds == (F(98), F(99))
    assert err.value.text == "gap between 98 % and 99 %"
