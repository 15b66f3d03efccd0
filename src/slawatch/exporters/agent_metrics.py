"""The agent's Prometheus series: per-probe ones with blackbox_exporter's names and
meanings (so existing dashboards and alerts work, with a ``target`` label), and
the agent's own ``slawatch_*`` series. The registry is passed in, never global.

The per-target series are not prometheus_client metrics: at 50,000 targets its one
object per labelled series (seven or more a target) took 4 KB a target, 12 us a
probe to update and 3 s to render. ``ProbeSeries`` keeps one slotted record per
target and writes their text itself, as ``generate_latest`` does (labels sorted by
name, values as Go prints them); a scrape may leave them out (``GET
/metrics?series=agent``, agent/http/server.py).

An agent with ``agent.location`` adds a ``location`` label to its per-probe series and
to ``slawatch_probe_side_failure``: agents of several locations then export distinct
series. Without it they carry no such label, so the series of a single unnamed agent
stay exactly what they were before locations existed.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.utils import floatToGoString

from slawatch import version as slawatch_version
from slawatch.exporters.text_format import escape
from slawatch.probes.result import ProbeResult

LATENESS_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_go_form: Callable[[float], str] = floatToGoString  # untyped in prometheus_client


def _go(value: float) -> str:
    """A value as prometheus_client writes it, Go's way (``floatToGoString``: 1.8e+09).
    Under a million either way it is the float's repr: that case, nearly every
    value, skips floatToGoString's own checks, a third of the per-target text's time."""
    if -1e6 < value < 1e6:
        return repr(float(value))
    return _go_form(value)


# The phase names of the last probes, one tuple for each set of them (a handful): every
# target keeps its phases' values (an array of doubles) beside one of these, not a dict.
_PHASE_NAMES: dict[tuple[str, ...], tuple[str, ...]] = {(): ()}


class _Last:
    """One target's series: its last probe, and its counts since the agent started. Kept
    for every target for the agent's life, so no dict a target does not need: a dict of
    phases and one of outcomes took 500 of its 740 bytes."""

    __slots__ = (
        "cert_expiry",
        "count",
        "duration",
        "errors",
        "outcome",
        "outcomes",
        "phase_names",
        "phase_values",
        "skipped",
        "status",
        "success",
    )

    def __init__(self) -> None:
        self.success: bool | None = None  # None: never probed (only skipped) yet
        self.duration = 0.0
        self.status: int | None = None
        self.cert_expiry: float | None = None
        self.phase_names: tuple[str, ...] = ()  # from _PHASE_NAMES
        self.phase_values: Sequence[float] = ()  # as doubles: 96 bytes, not 184 as floats
        self.outcome: str | None = None  # while every probe of the target ended alike,
        self.count = 0  # ... how, and how many
        self.outcomes: dict[str, int] | None = None  # else the count of each, first seen first
        self.errors: dict[str, int] | None = None  # most targets never fail: no dict
        self.skipped = 0

    def count_outcome(self, outcome: str) -> None:
        if outcome == self.outcome:
            self.count += 1
        elif self.outcomes is not None:
            self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
        elif self.outcome is None:
            self.outcome, self.count = outcome, 1
        else:
            self.outcomes = {self.outcome: self.count, outcome: 1}
            self.outcome = None

    def outcome_counts(self) -> list[tuple[str, int]]:
        """Each outcome and its count, in the order first seen (a copy: the loop may add)."""
        if self.outcomes is not None:
            return list(self.outcomes.items())
        return [] if self.outcome is None else [(self.outcome, self.count)]

    def keep_phases(self, phases: Mapping[str, float]) -> None:
        """The phases of the last probe; a phase it did not reach keeps its last value."""
        known, names = self.phase_names, tuple(phases)
        if names != known:  # seldom: the first probe, or one that failed in a phase
            if not all(name in phases for name in known):
                phases = {**dict(zip(known, self.phase_values, strict=True)), **phases}
                names = tuple(phases)
            self.phase_names = _PHASE_NAMES.setdefault(names, names)
        self.phase_values = array("d", phases.values())


class ProbeSeries:
    """The per-target series, targets in the order they were first seen. The loop
    records, a server thread writes the text: it copies what the loop may grow."""

    def __init__(self, location: str = "", name_of: Callable[[str], str] = str) -> None:
        """``location``: the agent's ``agent.location`` ("" for none: no label);
        ``name_of``: the string to keep for a target's name, the config's own (a
        result's copy came through a worker's pipe: 56 bytes a target for life)."""
        self._targets: dict[str, _Last] = {}
        self._name_of = name_of
        self._at = f'location="{escape(location)}",' if location else ""

    def observe(self, target: str, result: ProbeResult) -> None:
        last = self._targets.get(target) or self._add(target)
        last.success = result.ok
        last.duration = result.duration_seconds
        if result.status_code is not None:
            last.status = result.status_code
        if phases := result.phases:
            last.keep_phases(phases)
        if result.cert_expiry is not None:
            last.cert_expiry = result.cert_expiry
        last.count_outcome(result.outcome)
        if (error := result.error_class) is not None:
            errors = last.errors = last.errors or {}
            errors[error] = errors.get(error, 0) + 1

    def skip(self, target: str) -> None:
        """A scheduled run of ``target`` that did not start (overload)."""
        (self._targets.get(target) or self._add(target)).skipped += 1

    def forget(self, target: str) -> None:
        """Remove a target's series, its counters too, once the config no longer has it:
        a removed target must not stay in every scrape for the life of the process."""
        self._targets.pop(target, None)

    def exposition(self) -> bytes:
        """Every per-target series in the text format, family by family."""
        targets = [(escape(name), last) for name, last in list(self._targets.items())]
        return "".join(_text(targets, self._at)).encode()

    def _add(self, target: str) -> _Last:
        last = self._targets[self._name_of(target)] = _Last()
        return last


def _text(targets: list[tuple[str, _Last]], at: str) -> Iterator[str]:
    """The families in the order, and with the help texts, they always had. ``at`` is
    the location label and its comma, or nothing; labels go out sorted by name, as
    generate_latest writes them (error_class < location < outcome < phase < target)."""
    probed = [(name, last) for name, last in targets if last.success is not None]
    yield from _last_probe(probed, at)
    yield from _counts(targets, probed, at)


def _last_probe(probed: list[tuple[str, _Last]], at: str) -> Iterator[str]:
    yield _head("probe_success", "Whether the last probe succeeded")
    for n, t in probed:
        yield f'probe_success{{{at}target="{n}"}} {1.0 if t.success else 0.0}\n'
    yield _head("probe_duration_seconds", "How long the last probe took")
    yield from (
        f'probe_duration_seconds{{{at}target="{n}"}} {_go(t.duration)}\n' for n, t in probed
    )
    yield _head("probe_http_status_code", "HTTP status of the last probe")
    for n, last in probed:
        if last.status is not None:
            yield f'probe_http_status_code{{{at}target="{n}"}} {_go(last.status)}\n'
    yield _head("probe_http_duration_seconds", "Duration of the last probe's HTTP phases")
    for n, last in probed:
        for phase, seconds in zip(last.phase_names, last.phase_values, strict=True):
            labels = f'{at}phase="{phase}",target="{n}"'
            yield f"probe_http_duration_seconds{{{labels}}} {_go(seconds)}\n"
    yield _head(
        "probe_ssl_earliest_cert_expiry", "Earliest expiry of the peer certificates, Unix seconds"
    )
    for n, last in probed:
        if last.cert_expiry is not None:
            yield f'probe_ssl_earliest_cert_expiry{{{at}target="{n}"}} {_go(last.cert_expiry)}\n'


def _counts(
    targets: list[tuple[str, _Last]], probed: list[tuple[str, _Last]], at: str
) -> Iterator[str]:
    yield _head("slawatch_probes_total", "Probes run", "counter")
    for n, last in probed:
        for outcome, count in last.outcome_counts():
            labels = f'{at}outcome="{outcome}",target="{n}"'
            yield f"slawatch_probes_total{{{labels}}} {_go(count)}\n"
    yield _head("slawatch_probe_errors_total", "Failed probes by error class", "counter")
    for n, last in probed:
        for error, count in list((last.errors or {}).items()):
            labels = f'error_class="{error}",{at}target="{n}"'
            yield f"slawatch_probe_errors_total{{{labels}}} {_go(count)}\n"
    yield _head(
        "slawatch_probe_runs_skipped_total",
        "Scheduled probe runs not started: the previous run was still going (overload)",
        "counter",
    )
    for n, last in targets:
        if last.skipped:
            yield f'slawatch_probe_runs_skipped_total{{{at}target="{n}"}} {_go(last.skipped)}\n'


def _head(name: str, help_text: str, kind: str = "gauge") -> str:
    return f"# HELP {name} {help_text}\n# TYPE {name} {kind}\n"


class AgentMetrics:
    """Every series the agent exports, registered on ``registry``."""

    def __init__(
        self,
        registry: CollectorRegistry,
        location: str = "",
        *,
        version: str | None = None,
        name_of: Callable[[str], str] = str,
    ) -> None:
        """``location``: the agent's ``agent.location`` ("" for none: no label);
        ``version`` (default: the installed one) labels ``slawatch_build_info``;
        ``name_of``: see ``ProbeSeries``."""
        self.targets = ProbeSeries(location, name_of)  # per target: beside the registry
        at = ("location",) if location else ()
        self.control: frozenset[str] = frozenset()  # the control targets (runner.py sets them)
        self._control_failed: dict[str, bool] = {}

        def gauge(name: str, doc: str, labels: tuple[str, ...] = ()) -> Gauge:
            return Gauge(name, doc, labels, registry=registry)

        def counter(name: str, doc: str, labels: tuple[str, ...] = ()) -> Counter:
            return Counter(name, doc, labels, registry=registry)

        self.probe_side = gauge(
            "slawatch_probe_side_failure",
            "1 while every control target's last probe failed: this agent's own network is "
            "the likely culprit, and its targets' time is unknown (SPEC section 2)",
            at,
        )
        # A gauge without labels is its own child; with the location label, its one child.
        self._probe_side = self.probe_side.labels(location) if at else self.probe_side
        self._probe_side.set(0)
        self.lateness = Histogram(
            "slawatch_schedule_lateness_seconds",
            "How late probes started after their scheduled time",
            buckets=LATENESS_BUCKETS,
            registry=registry,
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
        # The usual *_build_info idiom: always 1, the version in a label, so a query can
        # join it (or a dashboard show which agents run which release).
        gauge(
            "slawatch_build_info", "The running slawatch's version; always 1", ("version",)
        ).labels(version or slawatch_version()).set(1)

    def observe(self, target: str, result: ProbeResult, lateness: float) -> None:
        """Record one probe's result."""
        self.targets.observe(target, result)
        self.lateness.observe(lateness)
        if target in self.control:
            self._control_failed[target] = not result.ok
            self._judge_probe_side()

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
        """A target the config no longer has leaves every series."""
        self.targets.forget(target)
