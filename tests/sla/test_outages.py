"""Which outage an instant belongs to, under each unknown-time policy; the report's
claim matching and ``outage_covering`` (what ``claim add`` asks) always agree."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slawatch.sla.assess import assess
from slawatch.sla.contract import UnknownPolicy
from slawatch.sla.exclusions import Claim
from slawatch.sla.outages import outage_at, outage_covering
from slawatch.sla.periods import resolve_period

from .helpers import DAY, MINUTE, UTC, case, service, terms
from .test_properties import exclusions

OCTOBER = resolve_period("2026-10", terms().period, UTC)
T0 = OCTOBER.start + 4 * DAY + 10 * 60 * MINUTE  # 5 October 10:00 UTC
# Down 10:00-10:11, unknown 10:11-10:30, down 10:30-10:40; a lone unknown 14:02-15:00.
TIMELINE = service(
    OCTOBER.start,
    OCTOBER.end,
    down=[(T0, T0 + 11 * MINUTE), (T0 + 30 * MINUTE, T0 + 40 * MINUTE)],
    unknown=[(T0 + 11 * MINUTE, T0 + 30 * MINUTE), (T0 + 242 * MINUTE, T0 + 300 * MINUTE)],
)
BRIDGED, LONE, UP = T0 + 20 * MINUTE, T0 + 270 * MINUTE, T0 + 120 * MINUTE


@pytest.mark.parametrize(
    ("policy", "instant", "outage"),
    [
        (UnknownPolicy.EXCLUDED, T0, (T0, T0 + 40 * MINUTE)),
        (UnknownPolicy.EXCLUDED, BRIDGED, (T0, T0 + 40 * MINUTE)),
        (UnknownPolicy.EXCLUDED, LONE, None),
        (UnknownPolicy.UP, T0, (T0, T0 + 11 * MINUTE)),
        (UnknownPolicy.UP, BRIDGED, None),
        (UnknownPolicy.UP, T0 + 30 * MINUTE, (T0 + 30 * MINUTE, T0 + 40 * MINUTE)),
        (UnknownPolicy.UP, LONE, None),
        (UnknownPolicy.DOWN, BRIDGED, (T0, T0 + 40 * MINUTE)),
        (UnknownPolicy.DOWN, LONE, (T0 + 242 * MINUTE, T0 + 300 * MINUTE)),
        (UnknownPolicy.DOWN, UP, None),
        (UnknownPolicy.DOWN, T0 + 40 * MINUTE, None),  # the end is not part of it
    ],
    ids=str,
)
def test_the_outage_covering_an_instant(
    policy: UnknownPolicy, instant: int, outage: tuple[int, int] | None
) -> None:
    assert outage_covering(TIMELINE, policy, instant) == outage


def test_outage_at_is_a_lookup_in_ordered_runs() -> None:
    runs = [(10, 20), (20, 25), (40, 50)]
    assert [outage_at(runs, t) for t in (9, 10, 19, 20, 24, 25, 39, 40, 49, 50)] == [
        None,
        0,
        0,
        1,
        1,
        None,
        None,
        2,
        2,
        None,
    ]
    assert outage_at([], 5) is None


spans = st.lists(
    st.tuples(st.integers(OCTOBER.start, OCTOBER.end), st.integers(1, DAY)).map(
        lambda p: (p[0], p[0] + p[1])
    ),
    max_size=6,
)


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(list(UnknownPolicy)),
    spans,
    spans,
    spans,
    st.integers(OCTOBER.start, OCTOBER.end - 1),
)
def test_a_claim_is_accepted_exactly_where_the_report_honours_it(
    policy: UnknownPolicy,
    down: list[tuple[int, int]],
    unknown: list[tuple[int, int]],
    excluded: list[tuple[int, int]],
    instant: int,
) -> None:
    timeline = service(OCTOBER.start, OCTOBER.end, down, unknown)
    contract = terms(unknown_as=policy, claims_required=True)
    report = assess(
        case(
            contract,
            OCTOBER,
            timeline,
            OCTOBER.end,
            exclusions=exclusions(excluded),
            claims=[Claim(1, instant, "T-1")],
        )
    )
    ticketed = [(o.start, o.end) for o in report.outages if o.ticket == "T-1"]
    covering = outage_covering(timeline, policy, instant)
    assert ticketed == ([] if covering is None else [covering])
