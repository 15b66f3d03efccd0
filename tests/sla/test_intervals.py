from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from slawatch.sla.intervals import IntervalSet

spans = st.lists(
    st.tuples(st.integers(0, 60), st.integers(0, 60)).map(lambda p: (min(p), max(p))), max_size=8
)


def seconds(s: IntervalSet) -> set[int]:
    return {t for start, end in s for t in range(start, end)}


def test_normalises_overlapping_touching_and_empty_spans() -> None:
    s = IntervalSet([(5, 10), (0, 3), (3, 4), (8, 12), (20, 20)])
    assert s.spans == ((0, 4), (5, 12))
    assert s.total() == 11


def test_difference_splits_a_span() -> None:
    assert IntervalSet([(0, 10)]) - IntervalSet([(2, 3), (5, 7)]) == IntervalSet(
        [(0, 2), (3, 5), (7, 10)]
    )


def test_clip_and_span() -> None:
    assert IntervalSet([(0, 10), (20, 30)]).clip(5, 25) == IntervalSet([(5, 10), (20, 25)])
    assert not IntervalSet.span(5, 5)


@given(spans, spans)
def test_operations_match_sets_of_seconds(
    a: list[tuple[int, int]], b: list[tuple[int, int]]
) -> None:
    x, y = IntervalSet(a), IntervalSet(b)
    assert seconds(x | y) == seconds(x) | seconds(y)
    assert seconds(x & y) == seconds(x) & seconds(y)
    assert seconds(x - y) == seconds(x) - seconds(y)
    assert (x - y).total() + (x & y).total() == x.total()


@given(spans)
def test_results_stay_normalised(a: list[tuple[int, int]]) -> None:
    s = IntervalSet(a) - IntervalSet([(10, 20)])
    pairs = list(s)
    assert all(start < end for start, end in pairs)
    assert all(p[1] < q[0] for p, q in pairwise(pairs))


@given(spans, spans)
def test_totals_within_matches_intersections(
    a: list[tuple[int, int]], b: list[tuple[int, int]]
) -> None:
    x, windows = IntervalSet(a), list(IntervalSet(b))
    assert x.totals_within(windows) == [(x & IntervalSet.span(s, e)).total() for s, e in windows]


@given(spans, st.integers(-5, 65), st.integers(-5, 65))
def test_clip_matches_intersection_with_a_span(
    a: list[tuple[int, int]], start: int, end: int
) -> None:
    x = IntervalSet(a)
    assert x.clip(start, end) == x & IntervalSet.span(start, end)
