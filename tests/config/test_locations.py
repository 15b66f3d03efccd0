"""``agent.location`` and a target's ``locations`` (SPEC section 2, "Locations")."""

from pathlib import Path

import pytest

from slawatch.config import Config, ConfigError, load_config
from slawatch.sla.locations import MAJORITY, LocationRule
from slawatch.sla.service import Rule


def load(tmp_path: Path, agent: str, locations: str) -> Config:
    path = tmp_path / "config.yaml"
    path.write_text(
        f"agent: {{{agent}}}\n"
        "targets:\n"
        "  - name: web\n"
        "    kind: http\n"
        "    url: https://portal.example/\n"
        f"{locations}"
    )
    return load_config(path)


def test_defaults_are_the_unnamed_location_and_a_majority(tmp_path: Path) -> None:
    config = load(tmp_path, "", "")
    assert config.agent.location == ""
    assert config.target("web").location_rule() == MAJORITY


@pytest.mark.parametrize(
    ("written", "rule"),
    [
        ("{rule: majority}", MAJORITY),
        ("{rule: all}", LocationRule(Rule("all"))),
        ("{rule: any, expected: [paris, nyc]}", LocationRule(Rule("any"), ("paris", "nyc"))),
        (
            "{rule: {quorum: 2}, expected: [a, b, c]}",
            LocationRule(Rule("quorum", 2), ("a", "b", "c")),
        ),
        ("{expected: [paris]}", LocationRule(None, ("paris",))),
    ],
)
def test_a_targets_locations_become_the_cores_rule(
    tmp_path: Path, written: str, rule: LocationRule
) -> None:
    config = load(tmp_path, "location: paris", f"    locations: {written}\n")
    assert config.agent.location == "paris"
    assert config.target("web").location_rule() == rule


@pytest.mark.parametrize(
    ("agent", "locations", "message"),
    [
        (
            "location: Paris",
            "",
            "config.yaml:1: agent.location: must be lowercase letters, digits, '.', '_' or '-', "
            "starting with a letter or digit (got Paris; e.g. paris)",
        ),
        (
            "",
            "    locations: {rule: most}\n",
            "config.yaml:6: targets[0].locations.rule: must be majority, all, any or {quorum: K} "
            "(got most; e.g. {quorum: 2})",
        ),
        (
            "",
            "    locations: {rule: {quorum: 3}, expected: [a, b]}\n",
            "config.yaml:6: targets[0].locations.rule.quorum: must be between 1 and 2, "
            "the number of expected locations (got 3; e.g. 2)",
        ),
        (
            "",
            "    locations: {expected: [a, b, a]}\n",
            "config.yaml:6: targets[0].locations.expected[2]: listed twice in expected (got a)",
        ),
        (
            "",
            "    locations: {where: [a]}\n",
            "config.yaml:6: targets[0].locations.where: unknown key (valid keys here: rule, "
            "expected)",
        ),
    ],
    ids=["agent-location", "rule", "quorum-above-expected", "expected-twice", "unknown-key"],
)
def test_each_mistake_names_its_place(
    tmp_path: Path, agent: str, locations: str, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, agent, locations)
    assert str(caught.value).replace(str(tmp_path) + "/", "") == message
