"""The agent holds its config and the rules derived from it for its whole life: what
thousands of targets have alike is one object, not one per target (bench_agent.py
measures the memory), and sharing changes no value."""

from pathlib import Path

from slawatch.config import load_config
from slawatch.sla.locations import LocationRule
from slawatch.sla.service import Rule
from slawatch.sla.timeline import TimelineRule

TARGETS = (
    "  - {name: a, kind: http, url: 'https://a.example/'}\n"
    "  - {name: b, kind: http, url: 'https://b.example/'}\n"
    "  - {name: c, kind: tcp, host: c.example, port: 22, interval: 30s}\n"
    "  - {name: d, kind: http, url: 'https://d.example/', locations: {rule: all}}\n"
    "  - {name: e, kind: http, url: 'https://e.example/', locations: {rule: all}}\n"
    "  - {name: ctl, kind: http, url: 'https://ctl.example/'}\n"
)


def test_alike_targets_share_their_locations_and_rules(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(f"agent: {{control_targets: [ctl]}}\ntargets:\n{TARGETS}")
    config = load_config(path)
    a, b, c, d, e = (config.target(name) for name in "abcde")
    assert a.locations is b.locations is c.locations  # none given: the one default
    assert d.locations == e.locations and d.locations is not a.locations

    rules = config.timeline_rules()
    assert rules == {
        "a": TimelineRule(60),
        "b": TimelineRule(60),
        "c": TimelineRule(30),
        "d": TimelineRule(60),
        "e": TimelineRule(60),
        "ctl": TimelineRule(60, confirm_after=1),  # a control target counts every failure
    }
    assert rules["a"] is rules["b"] is rules["d"] is rules["e"]

    # Those without ``locations`` combine as the core's default: left out, not held.
    places = config.location_rules()
    assert places == {"d": LocationRule(Rule("all")), "e": LocationRule(Rule("all"))}
    assert places["d"] is places["e"]
