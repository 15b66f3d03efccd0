"""The agent's series: blackbox_exporter's names, and clean for ``promtool``."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from importlib import metadata

from hypothesis import given, settings
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.utils import floatToGoString

from debian_tools import debian_tool
from slawatch import version
from slawatch.exporters import agent_metrics
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


def exposed(registry: CollectorRegistry, metrics: AgentMetrics) -> bytes:
    """What ``/metrics`` serves of them: the per-target series, then the registry's."""
    return metrics.targets.exposition() + generate_latest(registry)


def sampler(registry: CollectorRegistry, metrics: AgentMetrics) -> Callable[..., float | None]:
    """``value(name, labels)`` as ``registry.get_sample_value``, over the whole exposition."""
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(exposed(registry, metrics).decode())
        for sample in family.samples
    }

    def value(name: str, labels: dict[str, str] | None = None) -> float | None:
        return samples.get((name, tuple(sorted((labels or {}).items()))))

    return value


def test_probe_series_follow_blackbox_names() -> None:
    value = sampler(*observed())
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
    value = sampler(registry, metrics)
    assert value("probe_success", {"target": "web"}) is None
    assert value("probe_http_duration_seconds", {"target": "web", "phase": "tls"}) is None
    assert value("probe_success", {"target": "api"}) == 0


def test_forgotten_targets_lose_their_counters_too() -> None:
    registry, metrics = observed()
    metrics.targets.skip("api")
    metrics.targets.skip("web")
    metrics.forget("api")
    assert b'target="api"' not in exposed(registry, metrics)
    value = sampler(registry, metrics)
    assert value("slawatch_probes_total", {"target": "web", "outcome": "ok"})
    assert value("slawatch_probe_runs_skipped_total", {"target": "web"}) == 1


def test_a_skipped_target_never_probed_has_only_its_skip_counted() -> None:
    registry, metrics = observed()
    metrics.targets.skip("slow")
    metrics.targets.skip("slow")
    text = exposed(registry, metrics).decode()
    assert [line for line in text.splitlines() if 'target="slow"' in line] == [
        'slawatch_probe_runs_skipped_total{target="slow"} 2.0'
    ]


def test_a_phase_the_last_probe_did_not_reach_keeps_its_value() -> None:
    """As the prometheus_client gauges did: a series, once there, stays with its last value."""
    registry, metrics = observed()
    metrics.observe("web", ProbeResult(Outcome.TIMEOUT, 5.0, phases={"connect": 0.02}), 0.1)
    value = sampler(registry, metrics)
    assert value("probe_http_duration_seconds", {"target": "web", "phase": "connect"}) == 0.02
    assert value("probe_http_duration_seconds", {"target": "web", "phase": "tls"}) == 0.05
    assert value("probe_http_status_code", {"target": "web"}) == 200
    assert value("probe_success", {"target": "web"}) == 0
    assert value("slawatch_probes_total", {"target": "web", "outcome": "timeout"}) == 1


def test_a_targets_lines_keep_their_order_as_its_outcomes_and_phases_vary() -> None:
    """Per target, one count while every probe ended alike, and compact phases (memory):
    the text is what a dict per target wrote, outcomes and phases in the order first seen."""
    registry = CollectorRegistry()
    metrics = AgentMetrics(registry)
    slow = ProbeResult(Outcome.TIMEOUT, 5.0, phases={"connect": 0.5, "tls": 4.5})
    ok = ProbeResult(Outcome.OK, 0.3, 200, phases={"connect": 0.1, "processing": 0.2})
    for result in (slow, slow, ok, slow):
        metrics.observe("web", result, 0.0)
    web = [line for line in exposed(registry, metrics).decode().splitlines() if "web" in line]
    assert [
        line for line in web if line.startswith(("probe_http_duration", "slawatch_probes"))
    ] == [
        'probe_http_duration_seconds{phase="connect",target="web"} 0.5',
        'probe_http_duration_seconds{phase="tls",target="web"} 4.5',
        'probe_http_duration_seconds{phase="processing",target="web"} 0.2',
        'slawatch_probes_total{outcome="timeout",target="web"} 3.0',
        'slawatch_probes_total{outcome="ok",target="web"} 1.0',
    ]


def test_a_located_agent_labels_its_probe_series_with_its_location() -> None:
    registry, metrics = observed("paris")
    value = sampler(registry, metrics)
    assert value("probe_success", {"target": "web", "location": "paris"}) == 1
    assert value("probe_success", {"target": "web"}) is None  # no unlabelled twin
    phase = {"target": "web", "location": "paris", "phase": "tls"}
    assert value("probe_http_duration_seconds", phase) == 0.05
    assert value(
        "slawatch_probes_total", {"target": "api", "location": "paris", "outcome": "timeout"}
    )
    assert value("slawatch_probe_side_failure", {"location": "paris"}) == 0
    metrics.targets.skip("web")
    value = sampler(registry, metrics)
    assert value("slawatch_probe_runs_skipped_total", {"target": "web", "location": "paris"}) == 1
    metrics.forget("web")
    assert b'target="web"' not in exposed(registry, metrics)


def test_an_unnamed_agent_has_no_location_label() -> None:
    registry, metrics = observed()
    assert b"location" not in exposed(registry, metrics)


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
    registry, metrics = observed("paris")
    metrics.targets.skip("web")
    result = subprocess.run(
        [promtool, "check", "metrics"],
        input=exposed(registry, metrics),
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    assert result.stdout.decode() + result.stderr.decode() == ""


def test_build_info_names_the_version() -> None:
    """``slawatch_build_info{version}`` = 1: the installed version by default."""
    registry, _ = observed()
    assert registry.get_sample_value("slawatch_build_info", {"version": version()}) == 1
    given = CollectorRegistry()
    AgentMetrics(given, version="9.9.9")
    assert given.get_sample_value("slawatch_build_info", {"version": "9.9.9"}) == 1
    assert version() == metadata.version("slawatch") != "unknown"


def test_values_are_written_as_prometheus_client_writes_them() -> None:
    """Large counts and timestamps as Go prints them (``1.000001e+06``), as before."""
    registry, metrics = observed()
    for _ in range(1_000_001):
        metrics.targets.skip("api")
    reference = CollectorRegistry()
    Counter("slawatch_probe_runs_skipped", "", ("target",), registry=reference).labels("api").inc(
        1_000_001
    )
    line = 'slawatch_probe_runs_skipped_total{target="api"} 1.000001e+06'
    assert line in generate_latest(reference).decode().splitlines()
    assert line in exposed(registry, metrics).decode().splitlines()
    assert (
        'probe_ssl_earliest_cert_expiry{target="web"} 1.8e+09'
        in exposed(registry, metrics).decode().splitlines()
    )


def test_the_series_ask_the_name_to_keep_once_a_target() -> None:
    asked: list[str] = []

    def name_of(name: str) -> str:
        asked.append(name)
        return name

    metrics = AgentMetrics(CollectorRegistry(), name_of=name_of)
    for name in ("web", "api", "web", "web", "api"):
        metrics.observe(name, ProbeResult(Outcome.OK, 0.1, 200), 0.0)
    metrics.targets.skip("cron")
    assert asked == ["web", "api", "cron"]


@settings(max_examples=2000, deadline=None)
@given(st.one_of(st.floats(), st.integers(min_value=-(10**20), max_value=10**20)))
def test_every_value_is_written_as_prometheus_client_writes_it(value: float) -> None:
    """The per-target series' fast path under a million, and Go's form past it."""
    assert agent_metrics._go(value) == floatToGoString(value)  # type: ignore[no-untyped-call]
