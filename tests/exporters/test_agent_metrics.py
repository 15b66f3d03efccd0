"""The agent's series: blackbox_exporter's names, and clean for ``promtool``."""

from __future__ import annotations

import subprocess

from prometheus_client import CollectorRegistry, generate_latest

from debian_tools import debian_tool
from slawatch.exporters.agent_metrics import AgentMetrics
from slawatch.probes.result import Outcome, ProbeResult


def observed(location: str = "") -> tuple[CollectorRegistry, AgentMetrics]:
    registry = CollectorRegistry()
    metrics = AgentMetrics(registry, location)
    metrics.observe(
        "web",
        ProbeResult(
            Outcome.OK,
            0.25,
            200,
            phases={"connect": 0.01, "tls": 0.05},
            cert_expiry=1_800_000_000.0,
        ),
        0.2,
    )
    metrics.observe("api", ProbeResult(Outcome.TIMEOUT, 10.0, error_class="read_timeout"), 1.5)
    return registry, metrics


def test_probe_series_follow_blackbox_names() -> None:
    registry, _ = observed()
    value = registry.get_sample_value
    assert value("probe_success", {"target": "web"}) == 1
    assert value("probe_success", {"target": "api"}) == 0
    assert value("probe_duration_seconds", {"target": "api"}) == 10.0
    assert value("probe_http_status_code", {"target": "web"}) == 200
    assert value("probe_http_duration_seconds", {"target": "web", "phase": "tls"}) == 0.05
    assert value("probe_ssl_earliest_cert_expiry", {"target": "web"}) == 1_800_000_000.0
    assert value("slawatch_probes_total", {"target": "api", "outcome": "timeout"}) == 1
    assert (
        value("slawatch_probe_errors_total", {"target": "api", "error_class": "read_timeout"}) == 1
    )
    assert value("slawatch_schedule_lateness_seconds_count") == 2
    assert value("slawatch_schedule_lateness_seconds_bucket", {"le": "1.0"}) == 1


def test_forgotten_targets_lose_their_series() -> None:
    registry, metrics = observed()
    metrics.forget("web")
    assert registry.get_sample_value("probe_success", {"target": "web"}) is None
    assert (
        registry.get_sample_value("probe_http_duration_seconds", {"target": "web", "phase": "tls"})
        is None
    )
    assert registry.get_sample_value("probe_success", {"target": "api"}) == 0


def test_forgotten_targets_lose_their_counters_too() -> None:
    registry, metrics = observed()
    metrics.skip("api")
    metrics.skip("web")
    metrics.forget("api")
    exposed = generate_latest(registry).decode()
    assert 'target="api"' not in exposed
    assert registry.get_sample_value("slawatch_probes_total", {"target": "web", "outcome": "ok"})
    assert registry.get_sample_value("slawatch_probe_runs_skipped_total", {"target": "web"}) == 1


def test_a_located_agent_labels_its_probe_series_with_its_location() -> None:
    registry, metrics = observed("paris")
    value = registry.get_sample_value
    assert value("probe_success", {"target": "web", "location": "paris"}) == 1
    assert value("probe_success", {"target": "web"}) is None  # no unlabelled twin
    phase = {"target": "web", "location": "paris", "phase": "tls"}
    assert value("probe_http_duration_seconds", phase) == 0.05
    assert value(
        "slawatch_probes_total", {"target": "api", "location": "paris", "outcome": "timeout"}
    )
    assert value("slawatch_probe_side_failure", {"location": "paris"}) == 0
    metrics.skip("web")
    assert value("slawatch_probe_runs_skipped_total", {"target": "web", "location": "paris"}) == 1
    metrics.forget("web")
    assert 'target="web"' not in generate_latest(registry).decode()


def test_an_unnamed_agent_has_no_location_label() -> None:
    registry, _ = observed()
    assert "location" not in generate_latest(registry).decode()


def test_probe_side_failure_is_set_while_every_control_target_fails() -> None:
    registry, metrics = observed("paris")
    metrics.set_control(["resolver", "anchor"])

    def failing() -> float | None:
        return registry.get_sample_value("slawatch_probe_side_failure", {"location": "paris"})

    down, up = ProbeResult(Outcome.TIMEOUT, 5.0), ProbeResult(Outcome.OK, 0.1)
    metrics.observe("resolver", down, 0.0)
    assert failing() == 0  # the other control target has not failed
    metrics.observe("anchor", down, 0.0)
    assert failing() == 1
    metrics.observe("web", up, 0.0)  # not a control target: changes nothing
    assert failing() == 1
    metrics.observe("anchor", up, 0.0)
    assert failing() == 0
    metrics.observe("anchor", down, 0.0)
    metrics.set_control(["resolver"])  # a reload dropped one: the other still fails
    assert failing() == 1
    metrics.set_control([])
    assert failing() == 0


def test_promtool_accepts_the_exposition() -> None:
    promtool = debian_tool("promtool", "prometheus")
    registry, _ = observed("paris")
    result = subprocess.run(
        [promtool, "check", "metrics"],
        input=generate_latest(registry),
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    assert result.stdout.decode() + result.stderr.decode() == ""
