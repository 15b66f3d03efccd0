"""A target's locations combined into its timeline (SPEC section 2, "Locations")."""

from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slawatch.sla.intervals import IntervalSet
from slawatch.sla.locations import (
    MAJORITY,
    LocationRule,
    combine_locations,
    heard,
    located,
    sightings,
    state_now,
)
from slawatch.sla.service import Rule, probe_side_failure
from slawatch.sla.timeline import Flip, State, flips_from_samples, timeline_from_flips

from .test_service import pattern, target

SLOTS = 8
ANY, ALL = LocationRule(Rule("any")), LocationRule(Rule("all"))
patterns = st.text(".x?", min_size=SLOTS, max_size=SLOTS)
rules = st.sampled_from([MAJORITY, ANY, ALL, *(LocationRule(Rule("quorum", k)) for k in (1, 2, 3))])


def combined(rule: LocationRule, **places: str) -> str:
    """The target's pattern from each location's pattern (slots of 10 s)."""
    slots = len(next(iter(places.values())))
    timelines = {name: target(p) for name, p in places.items()}
    counted = rule.counted(heard(timelines))
    return pattern(combine_locations(timelines, counted, rule, (0, slots * 10)), slots)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (MAJORITY, ".xxx.?.?"),  # 2 of 3
        (ANY, "..xx.?.."),  # all 3
        (ALL, "xxxx?xx?"),  # any 1
        (LocationRule(Rule("quorum", 2)), ".xxx.?.?"),
    ],
    ids=["majority", "any", "all", "quorum-2"],
)
def test_each_rule_combines_three_locations(rule: LocationRule, expected: str) -> None:
    found = combined(rule, paris="xxxx.?.?", frankfurt=".xxx?x.?", virginia="..xx.?x.")
    assert found == expected


def test_an_unknown_location_is_undecided_never_down() -> None:
    # Paris is cut off: the two others decide; with one of them down it is undecided.
    rule = LocationRule(None, ("paris", "frankfurt", "virginia"))
    places = {"paris": "????????", "frankfurt": "..xx....", "virginia": "...x...."}
    assert combined(rule, **places) == "..?x...."
    # Without the list, Paris counts only once it has sent samples in the window.
    assert combined(MAJORITY, **places) == "...x...."


def test_the_target_is_down_from_the_instant_the_kth_location_is() -> None:
    # The provider fails at 100; Paris probes at 5 past each minute, Frankfurt at 35:
    # each location's downtime starts at its own first failed sample (confirmed by its
    # second), and the target's at the k-th location's.
    times = {"paris": [5, 65, 125, 185, 245], "frankfurt": [35, 95, 155, 215, 275]}
    timelines = {
        name: timeline_from_flips(flips_from_samples(at, [t >= 100 for t in at], 60, 2), 0, 300)
        for name, at in times.items()
    }
    both = combine_locations(timelines, ["frankfurt", "paris"], LocationRule(Rule("all")), (0, 300))
    assert both.down.spans[0][0] == 125  # all (k = 1): Paris, the first to see it
    two = combine_locations(timelines, ["frankfurt", "paris"], MAJORITY, (0, 300))
    assert two.down.spans == ((155, 300),)  # majority of 2 (k = 2): Frankfurt's 155


def test_a_location_whose_control_targets_fail_is_unknown_there_only() -> None:
    web = {"paris": target("xxxx...."), "frankfurt": target("........"), "nyc": target("........")}
    resolver = {"paris": target("xxxx....")}  # Paris's own network is down
    failures = {place: probe_side_failure([(timeline, 10)]) for place, timeline in resolver.items()}
    seen = located(web, failures, 10)
    assert pattern(seen["paris"], SLOTS) == "????...."
    assert pattern(seen["frankfurt"], SLOTS) == "........"
    counted = MAJORITY.counted(heard(web))
    assert pattern(combine_locations(seen, counted, MAJORITY, (0, 80)), SLOTS) == "........"


def test_expected_locations_count_even_when_silent_and_others_do_not() -> None:
    rule = LocationRule(Rule("quorum", 2), ("paris", "frankfurt", "virginia"))
    timelines = {"paris": target("xxxx"), "frankfurt": target("xx.."), "tokyo": target("xxxx")}
    counted = rule.counted(heard(timelines))
    assert counted == ["paris", "frankfurt", "virginia"]  # Tokyo is not read, Virginia is
    assert pattern(combine_locations(timelines, counted, rule, (0, 40)), 4) == "xx??"


def test_a_quorum_above_the_locations_heard_is_undecided_not_down() -> None:
    rule = LocationRule(Rule("quorum", 2))
    assert combined(rule, paris="xx..") == "??.."


def test_no_location_at_all_is_unknown() -> None:
    for rule in (MAJORITY, ANY, ALL):
        found = combine_locations({}, [], rule, (0, 40))
        assert found.unknown == IntervalSet.span(0, 40) and not found.up and not found.down


def test_sightings_are_each_locations_down_time_over_the_targets() -> None:
    web = {"paris": target("xx.."), "nyc": target("....")}
    api = {"paris": target("...x"), "nyc": target(".x..")}
    assert sightings([web, api]) == {
        "paris": IntervalSet([(0, 20), (30, 40)]),
        "nyc": IntervalSet([(10, 20)]),
    }


def test_state_now_combines_each_locations_last_flip() -> None:
    flips = {
        "paris": [Flip(100, State.DOWN)],
        "nyc": [Flip(50, State.UP), Flip(120, State.DOWN)],
        "tokyo": [Flip(90, State.UP)],
    }
    assert state_now(flips, MAJORITY, 130) == (State.DOWN, 120)
    assert state_now(flips, ANY, 130) == (State.UP, 120)
    assert state_now({"": [Flip(7, State.UP)]}, MAJORITY, 130) == (State.UP, 7)
    assert state_now({}, MAJORITY, 130) == (State.UNKNOWN, None)
    assert state_now({"paris": []}, MAJORITY, 130) == (State.UNKNOWN, None)


# -- properties ----------------------------------------------------------------------------


def _down(found: str) -> int:
    return found.count("x")


@settings(max_examples=200, deadline=None)
@given(patterns, rules)
def test_one_location_is_the_targets_timeline(one: str, rule: LocationRule) -> None:
    if rule.rule is not None and rule.rule.quorum not in (None, 1):
        rule = MAJORITY  # a quorum above 1 cannot be met by one location
    timeline = target(one)
    found = combine_locations({"paris": timeline}, ["paris"], rule, (0, SLOTS * 10))
    assert found == timeline


@settings(max_examples=200, deadline=None)
@given(st.lists(patterns, min_size=1, max_size=5), rules, st.data())
def test_more_locations_agreeing_down_never_shortens_downtime(
    places: list[str], rule: LocationRule, data: st.DataObject
) -> None:
    names = [f"l{i}" for i in range(len(places))]
    i = data.draw(st.integers(0, len(places) - 1))
    slots = data.draw(st.sets(st.integers(0, SLOTS - 1)))
    agreeing = list(places)
    agreeing[i] = "".join("x" if j in slots else c for j, c in enumerate(places[i]))
    fixed = LocationRule(rule.rule, tuple(names))  # the same locations count before and after
    before = combined(fixed, **dict(zip(names, places, strict=True)))
    after = combined(fixed, **dict(zip(names, agreeing, strict=True)))
    assert all(a == "x" for a, b in zip(after, before, strict=True) if b == "x")


@settings(max_examples=200, deadline=None)
@given(st.lists(patterns, min_size=1, max_size=5))
def test_any_is_at_most_majority_which_is_at_most_all(places: list[str]) -> None:
    named = {f"l{i}": p for i, p in enumerate(places)}
    found = [combined(rule, **named) for rule in (ANY, MAJORITY, ALL)]
    assert _down(found[0]) <= _down(found[1]) <= _down(found[2])
    for smaller, larger in pairwise(found):
        assert all(b == "x" for a, b in zip(smaller, larger, strict=True) if a == "x")


@settings(max_examples=200, deadline=None)
@given(st.lists(patterns, min_size=1, max_size=5), rules)
def test_down_only_where_k_locations_are_down_and_a_partition(
    places: list[str], rule: LocationRule
) -> None:
    named = {f"l{i}": p for i, p in enumerate(places)}
    timelines = {name: target(p) for name, p in named.items()}
    counted = rule.counted(heard(timelines))
    found = combine_locations(timelines, counted, rule, (0, SLOTS * 10))
    window = IntervalSet.span(0, SLOTS * 10)
    assert found.up | found.down | found.unknown == window
    assert not (found.up & found.down) and not (found.up & found.unknown)
    assert not (found.down & found.unknown)
    k = rule.threshold(len(counted))
    for j, c in enumerate(pattern(found, SLOTS)):
        downs = sum(named[name][j] == "x" for name in counted)
        assert (c == "x") == (downs >= k)
