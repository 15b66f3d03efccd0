"""The renewal lifecycle (SPEC section 6, Acronis's policy): states, notices, fees."""

from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from slawatch.sla.renewals import (
    NOTICE_OFFSETS,
    LicenceKind,
    Notice,
    Renewal,
    RenewalRefused,
    RenewalState,
    RenewalTerms,
    due_notices,
    expiry_after,
    last_renewable_day,
    notice_schedule,
    quote,
    standing,
    state_on,
)

PERPETUAL = LicenceKind.PERPETUAL_MAINTENANCE
SUBSCRIPTION = LicenceKind.SUBSCRIPTION
S = RenewalState
D = date.fromisoformat
ACRONIS = RenewalTerms(D("2027-03-31"), PERPETUAL, Decimal(1200), "EUR", D("2026-04-01"))
LEAP = RenewalTerms(D("2028-02-29"), PERPETUAL, Decimal("999.99"), "EUR", D("2027-03-01"))
ORDER = list(RenewalState)


@pytest.mark.parametrize(
    ("expires", "kind", "on", "state"),
    [
        ("2027-03-31", PERPETUAL, "2026-12-30", S.ACTIVE),  # D-91
        ("2027-03-31", PERPETUAL, "2026-12-31", S.NOTICE),  # D-90
        ("2027-03-31", PERPETUAL, "2027-03-31", S.NOTICE),  # the expiry day
        ("2027-03-31", PERPETUAL, "2027-04-01", S.GRACE),  # D+1
        ("2027-03-31", PERPETUAL, "2027-04-30", S.GRACE),  # D+30, inclusive
        ("2027-03-31", PERPETUAL, "2027-05-01", S.REINSTATEMENT),  # D+31
        ("2027-03-31", PERPETUAL, "2028-03-31", S.REINSTATEMENT),  # +12 months, inclusive
        ("2027-03-31", PERPETUAL, "2028-04-01", S.LAPSED),
        ("2027-03-31", SUBSCRIPTION, "2027-04-30", S.GRACE),
        ("2027-03-31", SUBSCRIPTION, "2027-05-01", S.LAPSED),  # no reinstatement
        ("2028-02-29", PERPETUAL, "2029-02-28", S.REINSTATEMENT),  # 12 months after 29 Feb
        ("2028-02-29", PERPETUAL, "2029-03-01", S.LAPSED),
        ("2027-02-28", PERPETUAL, "2028-02-28", S.REINSTATEMENT),
        ("2027-02-28", PERPETUAL, "2028-02-29", S.LAPSED),  # a leap year's extra day is late
        ("2026-08-31", PERPETUAL, "2027-08-31", S.REINSTATEMENT),
        ("2026-01-31", PERPETUAL, "2026-03-02", S.GRACE),  # 30 days, not a month
        ("2026-01-31", PERPETUAL, "2026-03-03", S.REINSTATEMENT),
    ],
    ids=str,
)
def test_state_boundaries(expires: str, kind: LicenceKind, on: str, state: RenewalState) -> None:
    assert state_on(D(expires), kind, D(on)) is state


def test_notice_schedule_of_the_seed_contract() -> None:
    due = [n.due.isoformat() for n in notice_schedule(D("2027-03-31"))]
    assert due == [
        "2026-12-31",
        "2027-01-30",
        "2027-03-01",
        "2027-03-16",
        "2027-03-31",
        "2027-04-15",
        "2027-04-29",
    ]


@pytest.mark.parametrize(
    ("on", "state", "fee", "next_due"),
    [
        ("2026-06-01", S.ACTIVE, Decimal("0.00"), "2026-12-31"),
        ("2027-03-31", S.NOTICE, Decimal("0.00"), "2027-03-31"),
        ("2027-04-16", S.GRACE, Decimal("0.00"), "2027-04-29"),
        ("2027-04-30", S.GRACE, Decimal("0.00"), None),
        ("2027-05-15", S.REINSTATEMENT, Decimal("240.00"), None),
        ("2028-04-01", S.LAPSED, None, None),
    ],
)
def test_standing_of_the_seed_contract(
    on: str, state: RenewalState, fee: Decimal | None, next_due: str | None
) -> None:
    found = standing(ACRONIS, [], D(on))
    assert (found.state, found.fee, found.renewable) == (state, fee, fee is not None)
    assert found.next_notice == (None if next_due is None else _notice(next_due))
    assert found.expires == D("2027-03-31")


def _notice(due: str) -> Notice:
    offset = (D(due) - D("2027-03-31")).days
    return Notice(offset, D(due))


@pytest.mark.parametrize(
    ("on", "years", "state", "expected"),
    [
        ("2027-01-15", 1, S.NOTICE, ("2028-03-31", "1200", "0.00")),  # early: from the expiry
        ("2027-04-30", 2, S.GRACE, ("2029-03-31", "2400", "0.00")),  # last day of grace
        ("2027-05-15", 1, S.REINSTATEMENT, ("2028-03-31", "1200", "240.00")),
        ("2027-05-15", 3, S.REINSTATEMENT, ("2030-03-31", "3600", "720.00")),
        ("2028-03-31", 1, S.REINSTATEMENT, ("2028-03-31", "1200", "240.00")),  # 12 months
    ],
)
def test_renewal_runs_from_the_original_expiry(
    on: str, years: int, state: RenewalState, expected: tuple[str, str, str]
) -> None:
    found = quote(ACRONIS, [], D(on), years)
    expires, price, fee = expected
    assert (found.state, found.expires) == (state, D(expires))
    assert (found.price, found.fee) == (Decimal(price), Decimal(fee))
    assert found.previous_expiry == D("2027-03-31")


def test_renewals_count_from_the_original_expiry_not_from_each_other() -> None:
    first = quote(LEAP, [], D("2028-02-01"), 1)
    assert first.expires == D("2029-02-28")
    second = quote(LEAP, [first.renewal], D("2029-01-10"), 3)
    assert (second.previous_expiry, second.expires) == (D("2029-02-28"), D("2032-02-29"))
    assert standing(LEAP, [first.renewal, second.renewal], D("2030-01-01")).expires == D(
        "2032-02-29"
    )


def test_reinstatement_fee_is_rounded_to_the_cent() -> None:
    assert quote(LEAP, [], D("2028-05-01"), 1).fee == Decimal("200.00")  # 199.998


def test_standing_counts_only_renewals_made_by_the_date() -> None:
    renewed = [Renewal(D("2027-05-15"), 1)]
    assert standing(ACRONIS, renewed, D("2027-05-14")).state is S.REINSTATEMENT
    after = standing(ACRONIS, renewed, D("2027-05-15"))
    assert (after.state, after.expires, after.fee) == (S.ACTIVE, D("2028-03-31"), Decimal("0.00"))
    assert after.next_notice == Notice(-90, D("2028-01-01"))


@pytest.mark.parametrize(
    ("on", "years", "renewals", "message"),
    [
        ("2027-05-15", 0, [], "years: must be a whole number >= 1 (got 0)"),
        ("2027-05-15", -2, [], "years: must be a whole number >= 1 (got -2)"),
        ("2026-03-31", 1, [], "on: 2026-03-31 is before the item exists (it starts on 2026-04-01)"),
        (
            "2027-05-01",
            1,
            [Renewal(D("2027-05-15"), 1)],
            "on: 2027-05-01 is before the last renewal recorded (2027-05-15); renewals are "
            "recorded in date order",
        ),
        (
            "2028-04-01",
            1,
            [],
            "on: not renewable on 2028-04-01: the item expired on 2027-03-31 and lapsed after "
            "2028-03-31; a new licence must be bought",
        ),
    ],
    ids=["zero-years", "negative-years", "before-start", "out-of-order", "lapsed"],
)
def test_refused_renewals(on: str, years: int, renewals: list[Renewal], message: str) -> None:
    with pytest.raises(RenewalRefused) as caught:
        quote(ACRONIS, renewals, D(on), years)
    assert str(caught.value) == message


def test_a_subscription_is_not_renewable_after_its_grace() -> None:
    terms = RenewalTerms(D("2027-03-31"), SUBSCRIPTION, Decimal(100), "EUR", D("2026-04-01"))
    assert quote(terms, [], D("2027-04-30"), 1).fee == Decimal("0.00")
    assert standing(terms, [], D("2027-05-01")).fee is None
    with pytest.raises(RenewalRefused, match="lapsed after 2027-04-30"):
        quote(terms, [], D("2027-05-01"), 1)


def test_due_notices_late_ones_are_marked() -> None:
    expires = D("2027-03-31")
    due = due_notices(expires, PERPETUAL, D("2027-03-16"), sent=[-90])
    assert [(n.offset_days, late) for n, late in due] == [(-60, True), (-30, True), (-15, False)]
    assert due_notices(expires, PERPETUAL, D("2028-04-01"), sent=[]) == []


# Properties over random dates (1970..2400 covers many leap and century years).
days = st.dates(date(1970, 1, 1), date(2400, 12, 31))
kinds = st.sampled_from(list(LicenceKind))


@settings(max_examples=300, deadline=None)
@given(days, kinds, days, days)
def test_states_follow_each_other_in_calendar_order(
    expires: date, kind: LicenceKind, a: date, b: date
) -> None:
    first, second = sorted((a, b))
    assert ORDER.index(state_on(expires, kind, first)) <= ORDER.index(
        state_on(expires, kind, second)
    )
    if kind is SUBSCRIPTION:
        assert state_on(expires, kind, a) is not S.REINSTATEMENT


@settings(max_examples=300, deadline=None)
@given(days, kinds, days, st.decimals(min_value=1, max_value=10**6, places=2))
def test_fee_matches_the_state(expires: date, kind: LicenceKind, on: date, price: Decimal) -> None:
    terms = RenewalTerms(expires, kind, price, "EUR", date(1969, 1, 1))
    found = standing(terms, [], on)
    expected = {
        S.REINSTATEMENT: (price / 5).quantize(Decimal("0.01")),
        S.LAPSED: None,
    }.get(found.state, Decimal(0))
    assert found.fee == expected
    assert found.renewable is (found.state is not S.LAPSED)


@settings(max_examples=300, deadline=None)
@given(days, st.lists(st.integers(1, 5), min_size=1, max_size=4))
def test_renewing_in_steps_equals_renewing_once(expires: date, steps: list[int]) -> None:
    terms = RenewalTerms(expires, PERPETUAL, Decimal(10), "EUR", expires - timedelta(days=365))
    made: list[Renewal] = []
    for years in steps:
        made.append(quote(terms, made, expires, years).renewal)
    assert standing(terms, made, expires).expires == expiry_after(expires, sum(steps))


@settings(max_examples=300, deadline=None)
@given(days, st.integers(1, 20))
def test_years_keep_the_day_except_29_february(expires: date, years: int) -> None:
    after = expiry_after(expires, years)
    assert after.year == expires.year + years
    if (expires.month, expires.day) == (2, 29):
        assert (after.month, after.day) == ((2, 29) if _leap(after.year) else (2, 28))
    else:
        assert (after.month, after.day) == (expires.month, expires.day)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


@settings(max_examples=200, deadline=None)
@given(days, kinds)
def test_notices_fall_in_notice_or_grace(expires: date, kind: LicenceKind) -> None:
    schedule = notice_schedule(expires)
    assert [n.offset_days for n in schedule] == list(NOTICE_OFFSETS)
    assert all(a.due < b.due for a, b in pairwise(schedule))
    assert {state_on(expires, kind, n.due) for n in schedule} == {S.NOTICE, S.GRACE}


@settings(max_examples=200, deadline=None)
@given(days, kinds, st.sets(st.integers(-100, 40)))
@example(date(2027, 3, 31), SUBSCRIPTION, set(range(-100, 31)))  # back only after the lapse
def test_every_notice_is_sent_once_late_only_when_its_day_was_missed(
    expires: date, kind: LicenceKind, down: set[int]
) -> None:
    """An agent that runs on the days not in ``down`` (offsets from the expiry)."""
    sent: dict[int, bool] = {}
    for offset in range(-100, 41):
        if offset in down:
            continue
        for notice, late in due_notices(expires, kind, expires + timedelta(days=offset), sent):
            assert notice.offset_days not in sent
            sent[notice.offset_days] = late
    last = (last_renewable_day(expires, kind) - expires).days
    ran = [o for o in range(-100, 41) if o not in down]
    expected = {o: o not in ran for o in NOTICE_OFFSETS if any(o <= r <= last for r in ran)}
    assert sent == expected
