"""The agent's Prometheus series: per-probe ones with blackbox_exporter's names and
meanings (so existing dashboards and alerts work, with a ``target`` label), and
the agent's own ``slawatch_*`` series. The registry is passed in, never global.

An agent with ``agent.location`` adds a ``location`` label to its per-probe series and
to ``slawatch_probe_side_failure``: agents of several locations then export distinct
series. Without it they carry no such label, so the series of a single unnamed agent
stay exactly what they were before locations existed (an empty label is no label to
Prometheus anyway).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from slawatch.probes.result import ProbeResult

LATENESS_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class AgentMetrics:
    """Every series the agent exports, registered on ``registry``."""

    def __init__(self, registry: CollectorRegistry, location: str = "") -> None:
        """``location``: the agent's ``agent.location`` ("" for none: no label)."""
        self._phases_seen: dict[str, set[str]] = {}
        self._at = (location,) if location else ()  # the location label's value, if any
        at = ("location",) if location else ()
        self.control: frozenset[str] = frozenset()  # the control targets (runner.py sets them)
        self._control_failed: dict[str, bool] = {}

        def gauge(name: str, doc: str, labels: tuple[str, ...] = ()) -> Gauge:
            return Gauge(name, doc, labels, registry=registry)

        def counter(name: str, doc: str, labels: tuple[str, ...] = ()) -> Counter:
            return Counter(name, doc, labels, registry=registry)

        target = ("target", *at)
        self.success = gauge("probe_success", "Whether the last probe succeeded", target)
        self.duration = gauge("probe_duration_seconds", "How long the last probe took", target)
        self.status_code = gauge("probe_http_status_code", "HTTP status of the last probe", target)
        self.phases = gauge(
            "probe_http_duration_seconds",
            "Duration of the last probe's HTTP phases",
            (*target, "phase"),
        )
        self.cert_expiry = gauge(
            "probe_ssl_earliest_cert_expiry",
            "Earliest expiry of the peer certificates, Unix seconds",
            target,
        )
        self.probes = counter("slawatch_probes", "Probes run", (*target, "outcome"))
        self.errors = counter(
            "slawatch_probe_errors", "Failed probes by error class", (*target, "error_class")
        )
        self.probe_side = gauge(
            "slawatch_probe_side_failure",
            "1 while every control target's last probe failed: this agent's own network is "
            "the likely culprit, and its targets' time is unknown (SPEC section 2)",
            at,
        )
        # A gauge without labels is its own child; with the location label, its one child.
        self._probe_side = self.probe_side.labels(*self._at) if at else self.probe_side
        self._probe_side.set(0)
        self.lateness = Histogram(
            "slawatch_schedule_lateness_seconds",
            "How late probes started after their scheduled time",
            buckets=LATENESS_BUCKETS,
            registry=registry,
        )
        self.skipped = counter(
            "slawatch_probe_runs_skipped",
            "Scheduled probe runs not started: the previous run was still going (overload)",
            target,
        )
        self.buffer = gauge(
            "slawatch_write_buffer_samples",
            "Samples not in the database yet: in memory or spooled, the write under way included",
        )
        self.spool_bytes = gauge("slawatch_spool_bytes", "Bytes the spool holds on disk")
        self.spooled = counter(
            "slawatch_samples_spooled", "Samples acknowledged: written and fsynced to the spool"
        )
        self.written = counter("slawatch_samples_written", "Samples committed to the store")
        self.dropped = counter(
            "slawatch_samples_dropped",
            "Samples dropped: the spool was full, or memory was while the spool failed",
        )
        self.write_failures = counter(
            "slawatch_store_write_failures", "Writes that found the database unavailable"
        )
        self.workers = gauge(
            "slawatch_probe_workers", "Probe worker processes running (0: the agent probes itself)"
        )
        self.worker_restarts = counter(
            "slawatch_probe_worker_restarts", "Probe worker processes started again after dying"
        )
        self.reload_ok = gauge(
            "slawatch_config_last_reload_successful", "Whether the last config load succeeded"
        )
        self.reload_time = gauge(
            "slawatch_config_last_reload_success_timestamp_seconds",
            "When the config was last loaded successfully",
        )
        self.leader = gauge(
            "slawatch_agent_leader",
            "1 when this agent leads the agents on its database: it exports the per-contract "
            "series and sends renewal notices",
        )
        self.reloads_refused = counter(
            "slawatch_config_reloads_refused",
            "Config reloads refused: the file did not load and the previous config kept running",
        )

    def observe(self, target: str, result: ProbeResult, lateness: float) -> None:
        """Record one probe's result."""
        at = self._at
        self.success.labels(target, *at).set(1 if result.ok else 0)
        self.duration.labels(target, *at).set(result.duration_seconds)
        if result.status_code is not None:
            self.status_code.labels(target, *at).set(result.status_code)
        for phase, seconds in result.phases.items():
            self.phases.labels(target, *at, phase).set(seconds)
            self._phases_seen.setdefault(target, set()).add(phase)
        if result.cert_expiry is not None:
            self.cert_expiry.labels(target, *at).set(result.cert_expiry)
        self.probes.labels(target, *at, str(result.outcome)).inc()
        if result.error_class is not None:
            self.errors.labels(target, *at, result.error_class).inc()
        self.lateness.observe(lateness)
        if target in self.control:
            self._control_failed[target] = not result.ok
            self._judge_probe_side()

    def skip(self, target: str) -> None:
        """Count a scheduled run of ``target`` not started (overload)."""
        self.skipped.labels(target, *self._at).inc()

    def set_control(self, targets: Iterable[str]) -> None:
        """The control targets, at start and after a reload."""
        self.control = frozenset(targets)
        self._control_failed = {
            t: failed for t, failed in self._control_failed.items() if t in self.control
        }
        self._judge_probe_side()

    def _judge_probe_side(self) -> None:
        failed = self._control_failed
        every = bool(self.control) and all(failed.get(t, False) for t in self.control)
        self._probe_side.set(1 if every else 0)

    def forget(self, target: str) -> None:
        """Remove a target's series, its counters too, once the config no longer has it:
        a removed target must not stay in every scrape for the life of the process."""
        for metric in (self.success, self.duration, self.status_code, self.cert_expiry):
            with contextlib.suppress(KeyError):  # a series that was never set
                metric.remove(target, *self._at)
        for phase in self._phases_seen.pop(target, set()):
            self.phases.remove(target, *self._at, phase)
        for counter in (self.probes, self.errors, self.skipped):
            counter.remove_by_labels({"target": target})
