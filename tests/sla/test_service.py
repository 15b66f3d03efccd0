import pytest

from slawatch.sla.intervals import IntervalSet
from slawatch.sla.service import Rule, combine, mask_probe_side, probe_side_failure
from slawatch.sla.timeline import Timeline

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
    controls = [target("..xxx.."), target(".xxxx..")]
    failure = probe_side_failure(controls)
    assert failure == IntervalSet([(20, 50)])
    masked = mask_probe_side(target(".xxxxx."), failure)
    assert pattern(masked, 7) == ".x???x."


def test_no_control_targets_means_no_probe_side_failure() -> None:
    assert not probe_side_failure([])
