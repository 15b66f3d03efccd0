"""The agent holds its config and the rules derived from it for its whole life: what
thousands of targets have alike is one object, not one per target (bench_agent.py
measures the memory), and sharing changes no value."""

from pathlib import Path

from slawatch.config import load_config
from slawatch.config.targets import HttpTarget
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


def test_targets_without_headers_share_one_mapping(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(
        f"targets:\n{TARGETS}"
        "  - {name: f, kind: http, url: 'https://f.example/', headers: {X-Probe: '1'}}\n"
    )
    config = load_config(path)
    a, b, d, f = (config.target(name) for name in "abdf")
    assert isinstance(a, HttpTarget) and isinstance(b, HttpTarget)
    assert isinstance(d, HttpTarget) and isinstance(f, HttpTarget)
    assert a.headers == {} and a.headers is b.headers is d.headers
    assert f.headers == {"X-Probe": "1"} and f.headers is not a.headers


def test_own_name_is_the_configs_string_for_an_equal_name(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(f"targets:\n{TARGETS}")
    config = load_config(path)
    copy = "".join(["ct", "l"])  # equal to a name, as a result from a worker brings it
    assert copy == "ctl" and copy is not config.target("ctl").name
    assert config.own_name(copy) is config.target("ctl").name
    assert config.own_name("gone") == "gone"  # not in the config: as given
