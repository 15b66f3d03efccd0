"""The Prometheus rules in ``config/prometheus``: ``promtool check rules`` is clean and every
``promtool test rules`` file passes (burn rates for a monthly, a yearly and a business-hours
contract, budget, coverage, agent, certificate and renewal alerts).
"""

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from debian_tools import debian_tool

RULES_DIR = Path(__file__).resolve().parents[1] / "config" / "prometheus"
RULES = RULES_DIR / "slawatch-alerts.yml"
TEST_FILES = sorted((RULES_DIR / "tests").glob("*.yml"))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [debian_tool("promtool", "prometheus"), *args],
        cwd=RULES_DIR,
        capture_output=True,
        text=True,
        check=False,
    )


def test_there_are_rule_tests() -> None:
    assert RULES.is_file()
    assert {path.name for path in TEST_FILES} >= {
        "burn-24x7-pages.yml",
        "burn-24x7-tickets.yml",
        "burn-business-hours.yml",
        "budget-coverage.yml",
        "agent-tls.yml",
        "renewals.yml",
        "support.yml",
        "locations.yml",
    }


def test_promtool_check_rules_is_clean() -> None:
    result = run("check", "rules", str(RULES))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout
    assert "WARNING" not in (result.stdout + result.stderr).upper()


@pytest.mark.parametrize("test_file", TEST_FILES, ids=[path.stem for path in TEST_FILES])
def test_promtool_rule_tests_pass(test_file: Path) -> None:
    result = run("test", "rules", str(test_file))
    assert result.returncode == 0, result.stdout + result.stderr


def alert_rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def rule_key(alertname: str, labels: dict[str, Any]) -> tuple[str, str]:
    """An alert rule's identity: its name, and its long window for the burn-rate ones."""
    return alertname, str(labels.get("long_window", ""))


def test_every_alert_rule_has_firing_and_quiet_cases() -> None:
    rules = {rule_key(rule["alert"], rule.get("labels", {})) for rule in alert_rules()}
    firing: set[tuple[str, str]] = set()
    quiet: set[str] = set()
    for path in TEST_FILES:
        for case in yaml.safe_load(path.read_text())["tests"]:
            for check in case.get("alert_rule_test", []):
                expected = check.get("exp_alerts") or []
                if not expected:
                    quiet.add(check["alertname"])
                for alert in expected:
                    firing.add(rule_key(check["alertname"], alert["exp_labels"]))
    assert len(rules) == 17
    assert rules <= firing, f"never seen firing: {sorted(rules - firing)}"
    assert {name for name, _ in rules} <= quiet, "an alert without a non-firing case"


RUNBOOK = RULES_DIR.parents[1] / "docs" / "runbook.md"


def test_every_alert_links_its_runbook_section() -> None:
    """Each alert's ``runbook_url`` ends with the anchor of a ``## AlertName`` section of
    docs/runbook.md (GitHub's anchor: the heading in lower case)."""
    sections = {
        line.removeprefix("## ").strip().lower()
        for line in RUNBOOK.read_text(encoding="utf-8").splitlines()
        if line.startswith("## ")
    }
    for rule in alert_rules():
        url = rule["annotations"]["runbook_url"]
        assert url == f"https://slawatch.example/docs/runbook.md#{rule['alert'].lower()}", rule
        assert rule["alert"].lower() in sections, rule["alert"]


ALERTMANAGER = RULES_DIR.parent / "alertmanager" / "alertmanager.yml"


def amtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [debian_tool("amtool", "prometheus-alertmanager"), *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_alertmanager_example_is_valid_and_routes_by_severity() -> None:
    checked = amtool("check-config", str(ALERTMANAGER))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    for labels, receiver in (("severity=page", "on-call"), ("severity=ticket", "tickets")):
        routed = amtool("config", "routes", "test", f"--config.file={ALERTMANAGER}", labels)
        assert routed.stdout.strip() == receiver, routed.stdout + routed.stderr


def test_alertmanager_inhibits_exactly_the_sla_alerts() -> None:
    """The agent's absence silences every Sla* rule and none of the others."""
    config = yaml.safe_load(ALERTMANAGER.read_text(encoding="utf-8"))
    assert config["route"]["group_by"] == ["contract"]
    [rule] = config["inhibit_rules"]
    assert rule["source_matchers"] == ['alertname="SlawatchAgentAbsent"']
    [target] = rule["target_matchers"]
    pattern = re.fullmatch(r'alertname=~"(.+)"', target)
    assert pattern is not None
    names = {r["alert"] for r in alert_rules()}
    inhibited = {name for name in names if re.fullmatch(pattern.group(1), name)}
    assert inhibited == {n for n in names if n.startswith("Sla") and not n.startswith("Slawatch")}
    assert len(inhibited) == 4
