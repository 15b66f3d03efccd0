"""The Prometheus rules in ``config/prometheus``: ``promtool check rules`` is clean and every
``promtool test rules`` file passes (burn rates for a monthly, a yearly and a business-hours
contract, budget, coverage, agent, certificate and renewal alerts).
"""

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
