import pytest

from slawatch.sla.intervals import IntervalSet
from slawatch.sla.service import Rule, combine, mask_probe_side, probe_side_failure
from slawatch.sla.timeline import Timeline, flips_from_samples, timeline_from_flips

from .helpers import service


def target(pattern: str) -> Timeline:
    """A timeline of 10-second slots: ``.`` up, ``x`` down, ``?`` unknown."""
    down = [(i * 10, i * 10 + 10) for i, c in enumerate(pattern) if c == "x"]
    unknown = [(i * 10, i * 10 + 10) for i, c in enumerate(pattern) if c == "?"]
    return service(0, len(pattern) * 10, down, unknown)


def pattern(t: Timeline, slots: int) -> str:
    out = ""
    for i in range(slots):
        slot = IntervalSet.span(i * 10, i * 10 + 10)
        out += "x" if t.down & slot else "?" if t.unknown & slot else "."
    return out


@pytest.mark.parametrize(
    ("rule", "targets", "expected"),
    [
        (Rule("all"), ["..xx?.?", ".x.x.?."], ".xxx???"),
        (Rule("any"), ["..xx?.?x", ".x.x.?xx"], "...x..?x"),
        (Rule("quorum", 2), ["xx..??.", "x.x.x?x", "xx....?"], "xx..???"),
    ],
    ids=["all", "any", "quorum-2-of-3"],
)
def test_combination_rules(rule: Rule, targets: list[str], expected: str) -> None:
    timelines = [target(p) for p in targets]
    combined = combine(timelines, rule, 0, len(expected) * 10)
    assert pattern(combined, len(expected)) == expected


def test_combined_timeline_partitions_the_window() -> None:
    combined = combine([target("x.?x"), target("?x.x")], Rule("all"), 0, 40)
    assert combined.up.total() + combined.down.total() + combined.unknown.total() == 40


def test_probe_side_failure_turns_targets_unknown_not_down() -> None:
    controls = [(target("...xxx.."), 10), (target("..xxxx.."), 10)]
    failure = probe_side_failure(controls)
    assert failure == IntervalSet([(20, 60)])  # from one interval before the last to go down
    masked = mask_probe_side(target("...xxxxx"), failure, 10)
    # up time inside the failure is unknown too, and the target's failed sample taken
    # during it stands one more interval (the slot after the failure)
    assert pattern(masked, 8) == "..?????x"


def test_probe_side_failure_covers_targets_probed_at_another_phase() -> None:
    # The network is down over [100, 200). The service is probed at 0, 60, 120...
    # and the control target at 30, 90, 150...: each fails on its own phase.
    web = timeline_from_flips(
        flips_from_samples([0, 60, 120, 180, 240], [False, False, True, True, False], 60, 2), 0, 300
    )
    control = timeline_from_flips(
        flips_from_samples([30, 90, 150, 210, 270], [False, False, True, False, False], 60, 1),
        0,
        300,
    )
    assert web.down == IntervalSet([(120, 240)])
    failure = probe_side_failure([(control, 60)])
    assert failure == IntervalSet([(90, 210)])
    masked = mask_probe_side(web, failure, 60)
    assert not masked.down  # the service's failures were all the agent's own
    assert IntervalSet([(90, 240)]) == masked.unknown & IntervalSet.span(0, 240)


def test_a_real_outage_after_the_network_came_back_still_counts() -> None:
    web = timeline_from_flips(
        flips_from_samples(
            [0, 60, 120, 180, 240, 300, 360], [False, False, True, True, True, True, False], 60, 2
        ),
        0,
        400,
    )
    control = timeline_from_flips(
        flips_from_samples(
            [30, 90, 150, 210, 270, 330], [False, False, True, False, False, False], 60, 1
        ),
        0,
        400,
    )
    masked = mask_probe_side(web, probe_side_failure([(control, 60)]), 60)
    assert masked.down == IntervalSet([(270, 360)])  # the provider's own part, after the grace


def test_no_control_targets_means_no_probe_side_failure() -> None:
    assert not probe_side_failure([])
