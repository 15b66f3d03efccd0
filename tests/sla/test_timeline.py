import pytest
from hypothesis import given
from hypothesis import strategies as st

from slawatch.sla.intervals import IntervalSet
from slawatch.sla.timeline import (
    Flip,
    State,
    TimelineRule,
    flips_from_samples,
    is_failure,
    sample_states,
    timeline_from_flips,
)

UP, DOWN, UNKNOWN = State.UP, State.DOWN, State.UNKNOWN


def flips(pattern: str, interval: int = 60, confirm_after: int = 2) -> list[tuple[int, State]]:
    """Flips for samples every ``interval`` s written as a string: ``.`` ok, ``x`` failed."""
    times = [i * interval for i in range(len(pattern))]
    failed = [c == "x" for c in pattern]
    return [(f.t, f.state) for f in flips_from_samples(times, failed, interval, confirm_after)]


@pytest.mark.parametrize(
    ("pattern", "confirm_after", "expected"),
    [
        ("...", 2, [(0, UP), (240, UNKNOWN)]),
        ("..x..", 2, [(0, UP), (360, UNKNOWN)]),
        ("..xx..", 2, [(0, UP), (120, DOWN), (240, UP), (420, UNKNOWN)]),
        ("..xxx.", 3, [(0, UP), (120, DOWN), (300, UP), (420, UNKNOWN)]),
        ("..xx.", 3, [(0, UP), (360, UNKNOWN)]),
        ("x", 1, [(0, DOWN), (120, UNKNOWN)]),
        ("xx", 2, [(0, DOWN), (180, UNKNOWN)]),
    ],
    ids=[
        "all-ok",
        "single-failure-is-noise",
        "confirmed-retroactive",
        "confirm-3",
        "unconfirmed-3",
        "confirm-1",
        "down-at-end",
    ],
)
def test_confirmation(pattern: str, confirm_after: int, expected: list[tuple[int, State]]) -> None:
    assert flips(pattern, confirm_after=confirm_after) == expected


@given(st.lists(st.booleans(), max_size=30), st.integers(0, 4))
def test_a_failure_is_down_when_its_run_holds_enough_failures(
    failed: list[bool], confirm_after: int
) -> None:
    def run_length(i: int) -> int:
        first, last = i, i
        while first > 0 and failed[first - 1]:
            first -= 1
        while last + 1 < len(failed) and failed[last + 1]:
            last += 1
        return last - first + 1

    expected = [
        DOWN if fail and run_length(i) >= confirm_after else UP for i, fail in enumerate(failed)
    ]
    assert sample_states(failed, confirm_after) == expected


def test_gap_longer_than_two_intervals_is_unknown() -> None:
    result = flips_from_samples([0, 60, 500, 560], [False] * 4, 60, 2)
    assert result == [Flip(0, UP), Flip(180, UNKNOWN), Flip(500, UP), Flip(680, UNKNOWN)]


def test_failure_run_across_a_gap_is_confirmed_but_the_gap_stays_unknown() -> None:
    result = flips_from_samples([0, 60, 1000, 1060], [False, True, True, False], 60, 2)
    assert result == [
        Flip(0, UP),
        Flip(60, DOWN),
        Flip(180, UNKNOWN),
        Flip(1000, DOWN),
        Flip(1060, UP),
        Flip(1180, UNKNOWN),
    ]


def test_two_samples_in_one_second_cover_no_extra_time() -> None:
    result = flips_from_samples([0, 60, 60, 120], [False, True, True, False], 60, 2)
    assert result == [Flip(0, UP), Flip(60, DOWN), Flip(120, UP), Flip(240, UNKNOWN)]


def test_degraded_as_down() -> None:
    rule = TimelineRule(interval=60, confirm_after=2, degraded_above_ms=500)
    result = rule.flips([0, 60, 120, 180], [True] * 4, [100, 900, 800, None])
    assert result == [Flip(0, UP), Flip(60, DOWN), Flip(180, UP), Flip(300, UNKNOWN)]
    assert not is_failure(True, 900, None)
    assert is_failure(False, 1, 500)


def test_recomputing_from_an_ok_sample_gives_the_same_tail() -> None:
    pattern = "..xx.x..xxx.x"
    times = [i * 60 for i in range(len(pattern))]
    failed = [c == "x" for c in pattern]
    whole = flips_from_samples(times, failed, 60, 2)
    anchor = 7  # an ok sample
    tail = flips_from_samples(times[anchor:], failed[anchor:], 60, 2)
    spliced = [f for f in whole if f.t < times[anchor]] + tail
    assert timeline_from_flips(spliced, 0, 2000) == timeline_from_flips(whole, 0, 2000)


def test_timeline_from_flips_partitions_the_window() -> None:
    flips_ = [Flip(0, UP), Flip(100, DOWN), Flip(200, UP), Flip(400, UNKNOWN)]
    t = timeline_from_flips(flips_, 50, 500)
    assert t.up == IntervalSet([(50, 100), (200, 400)])
    assert t.down == IntervalSet([(100, 200)])
    assert t.unknown == IntervalSet([(400, 500)])


def test_timeline_before_the_first_flip_is_unknown() -> None:
    t = timeline_from_flips([Flip(100, UP)], 0, 200)
    assert t.unknown == IntervalSet([(0, 100)])
    assert t.up == IntervalSet([(100, 200)])
