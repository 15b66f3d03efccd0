"""The ledger read at any instant (what the SLA metrics do at every scrape) gives
exactly what assessing up to that instant gives."""

from collections.abc import Sequence
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from slawatch.sla.assess import sort_time
from slawatch.sla.calendar import Calendar, Holidays, WeeklyWindow
from slawatch.sla.contract import ContractTerms, UnknownPolicy
from slawatch.sla.exclusions import Claim
from slawatch.sla.intervals import IntervalSet
from slawatch.sla.ledger import Cumulative, Meter
from slawatch.sla.periods import resolve_period
from slawatch.sla.timeline import Timeline

from .helpers import DAY, PARIS, Spans, case, service, terms
from .test_properties import exclusions

# October 2026 in Paris: a DST change (25 October) and business hours.
CEGID = terms(
    zone=PARIS,
    reference=Calendar((WeeklyWindow.parse("mon-fri 07:00-20:00"),), Holidays("FR")),
)
OCTOBER = resolve_period("2026-10", CEGID.period, PARIS)
START, END = OCTOBER.start, OCTOBER.end
spans = st.lists(
    st.tuples(st.integers(START - DAY, END), st.integers(1, 3 * DAY)).map(
        lambda p: (p[0], p[0] + p[1])
    ),
    max_size=8,
)
contracts = st.sampled_from(
    [
        CEGID,
        terms(zone=PARIS),
        terms(zone=PARIS, unknown_as=UnknownPolicy.DOWN, claims_required=True),
    ]
)


@settings(max_examples=100, deadline=None)
@given(contracts, spans, spans, spans, st.lists(st.integers(START, END), max_size=3), st.data())
def test_the_meter_at_t_is_the_ledger_up_to_t(  # noqa: PLR0913, PLR0917 (hypothesis draws each)
    contract: ContractTerms,
    down: Spans,
    unknown: Spans,
    excluded: Spans,
    claimed: list[int],
    data: st.DataObject,
) -> None:
    timeline = service(START - DAY, END, down, unknown)
    records: dict[str, Sequence[Any]] = {
        "exclusions": exclusions(excluded),
        "claims": [Claim(i, at, f"T-{i}") for i, at in enumerate(claimed)],
    }
    meter = Meter(sort_time(case(contract, OCTOBER, timeline, END, **records)).ledger)
    for t in data.draw(st.lists(st.integers(START, END), min_size=1, max_size=5)):
        assert (
            meter.tally(t)
            == sort_time(case(contract, OCTOBER, timeline, t, **records)).ledger.tally()
        )


def test_cumulative_counts_seconds_before_an_instant() -> None:
    seconds = Cumulative(IntervalSet([(10, 20), (30, 35)]))
    assert [seconds.before(t) for t in (0, 10, 15, 20, 29, 31, 35, 99)] == [
        0,
        0,
        5,
        10,
        10,
        11,
        15,
        15,
    ]
    assert [seconds.covers(t) for t in (9, 10, 19, 20, 34, 35)] == [
        False,
        True,
        True,
        False,
        True,
        False,
    ]


def test_a_continued_timeline_holds_its_last_state() -> None:
    down_last = service(0, 100, down=[(50, 100)])
    assert down_last.continued(100, 200).down == IntervalSet([(50, 200)])
    up_last = service(0, 100, down=[(20, 30)])
    assert up_last.continued(100, 200).up == IntervalSet([(0, 20), (30, 200)])
    unknown_last = service(0, 100, unknown=[(90, 100)])
    assert unknown_last.continued(100, 150).unknown == IntervalSet([(90, 150)])
    empty = Timeline(IntervalSet(), IntervalSet(), IntervalSet())
    assert empty.continued(100, 150).unknown == IntervalSet([(100, 150)])
