"""The outage clauses read at any instant (what the SLA metrics do at every scrape)
give exactly the credit that assessing up to that instant gives."""

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from slawatch.sla.assess import assess, sort_time
from slawatch.sla.claims import ClaimWindow
from slawatch.sla.contract import ContractTerms, UnknownPolicy
from slawatch.sla.exclusions import Claim
from slawatch.sla.intervals import IntervalSet
from slawatch.sla.ledger import Cumulative
from slawatch.sla.limit_clock import LimitClock
from slawatch.sla.limits import OutageLimit, clause_credit

from .helpers import HOUR, MINUTE, Spans, case, service, terms
from .test_ledger import CEGID, END, OCTOBER, START, spans
from .test_properties import exclusions

LIMITS = (OutageLimit(30 * MINUTE, 1, Fraction(10)), OutageLimit(4 * HOUR, credit=Fraction(25)))
contracts = st.sampled_from(
    [
        terms(zone=CEGID.zone, reference=CEGID.reference, outage_limits=LIMITS),
        terms(zone=CEGID.zone, outage_limits=LIMITS, claims_required=True),
        terms(
            zone=CEGID.zone,
            outage_limits=LIMITS,
            unknown_as=UnknownPolicy.DOWN,
            claims_required=True,
            claim_window=ClaimWindow(2),
        ),
    ]
)


@settings(max_examples=100, deadline=None)
@given(
    contracts,
    spans,
    spans,
    spans,
    st.lists(st.tuples(st.integers(START, END), st.integers(START, END + 5 * 86400)), max_size=3),
    st.data(),
)
def test_the_clock_at_t_is_the_assessment_up_to_t(  # noqa: PLR0913, PLR0917 (hypothesis draws each)
    contract: ContractTerms,
    down: Spans,
    unknown: Spans,
    excluded: Spans,
    claimed: list[tuple[int, int]],
    data: st.DataObject,
) -> None:
    timeline = service(START - 86400, END, down, unknown)
    records: dict[str, Sequence[Any]] = {
        "exclusions": exclusions(excluded),
        "claims": [Claim(i, at, f"T-{i}", made) for i, (at, made) in enumerate(claimed)],
    }
    clock = LimitClock.of(contract, sort_time(case(contract, OCTOBER, timeline, END, **records)))
    for t in data.draw(st.lists(st.integers(START, END), min_size=1, max_size=5)):
        expected = clause_credit(assess(case(contract, OCTOBER, timeline, t, **records)).limits)
        assert clock.credit(t) == expected


def test_reach_is_the_first_instant_a_count_is_reached() -> None:
    seconds = Cumulative(IntervalSet([(10, 20), (30, 35)]))
    assert [seconds.reach(n) for n in (1, 5, 10, 11, 15, 16)] == [11, 15, 20, 31, 35, None]
    assert all(seconds.before(seconds.reach(n) or 0) == n for n in range(1, 16))
