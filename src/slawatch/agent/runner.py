"""The agent: probes on schedule, results to the store and to ``/metrics``, and
renewal notices on their days (agent/notices/notifier.py).

Its loop, once a second: spool what the probes found (writer.py; a thread
takes the spool into the database), then sleep. Nothing in the loop, in a scrape
or in ``/healthz`` waits for the database: the SLA and support series are
refreshed by a thread of their own. SIGHUP reloads the config off the loop (reload.py: a config
that fails to load is refused, the old one keeps running, and
``slawatch_config_last_reload_successful`` says so); SIGTERM and SIGINT stop the
probing, let the probes under way finish (for at most ``SHUTDOWN_GRACE``), spool
everything, give the database as long again to take it, and exit. After a kill -9
nothing needs repair: the spool is written at the next start, and the time the
agent was away is unknown by the timeline's own rule (2 x interval).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Callable
from pathlib import Path

from prometheus_client import CollectorRegistry

from slawatch import version
from slawatch.agent.episodes import Failing
from slawatch.agent.http.api import Api
from slawatch.agent.http.server import AgentServer
from slawatch.agent.leadership import CHECK_EVERY, Leadership, WhenLeading
from slawatch.agent.notices import notifier
from slawatch.agent.periodic import Periodic
from slawatch.agent.reload import Pause, Reloader, restart_needed
from slawatch.agent.scheduler import ALIGN_WITHIN, Schedule, Scheduling, sample_instant_ms
from slawatch.agent.spool import Spool
from slawatch.agent.transitions import Transitions
from slawatch.agent.workers import WorkerPool
from slawatch.agent.writer import Counters, SampleWriter
from slawatch.config import Config
from slawatch.config.targets import KnownTargets
from slawatch.exporters.agent_metrics import AgentMetrics
from slawatch.exporters.renewal_metrics import RenewalSeries
from slawatch.exporters.sla_metrics import SlaSeries
from slawatch.exporters.support_metrics import SupportSeries
from slawatch.probes.context import ProbeContext, open_context
from slawatch.probes.registry import run_probe
from slawatch.probes.result import Outcome, ProbeResult
from slawatch.sla.timeline import TimelineRule
from slawatch.store.store import SampleRow, Store, StoreError, TimelineNews

log = logging.getLogger(__name__)

FLUSH_EVERY = 1.0  # seconds
SLA_REFRESH_EVERY = 1.0  # seconds between reads of what changed for the SLA series
# How long a sample takes, once its probe answered, to reach the SLA series' forecasts
# (which show each period as of that long, plus the slowest timeout, ago): its instant
# may be up to ALIGN_WITHIN before the probe began, then come the next write, on
# PostgreSQL the leader's next reading of the notices, and a margin for a loaded
# machine. A write's refresh comes at once, not at the next tick.
SAMPLE_TRAVEL = ALIGN_WITHIN + FLUSH_EVERY + CHECK_EVERY + 2.0
MAX_CONCURRENT_PROBES = 500
SHUTDOWN_GRACE = 5.0  # seconds a stopping agent waits for its probes, then for the database
SLOW_STORE = 5.0  # seconds a write may wait before /healthz calls the database slow


class Agent:
    """One agent process; ``run`` until ``stop`` is set (or a signal sets it)."""

    def __init__(  # noqa: PLR0913 (the agent's parts; registry, clock, pause injectable by keyword)
        self,
        config_path: Path,
        config: Config,
        store: Store,
        spool: Spool,
        *,
        registry: CollectorRegistry | None = None,
        clock: Callable[[], float] = time.time,
        reload_pause: Pause = contextlib.nullcontext,
        known_targets: KnownTargets | None = None,
    ) -> None:
        """An agent over ``config`` (loaded from ``config_path``, which a reload reads
        again), ``store`` and ``spool``, which its caller opened and closes. Nothing here
        reads a file or a socket, nor sets anything for the whole process: the ``run``
        command does (cli/agent.py), and gives the policy for a reload's load in
        ``reload_pause``, and the targets its load validated in ``known_targets``
        (a reload takes again those whose items did not change)."""
        self.config = config
        self.clock = clock
        self.registry = registry or CollectorRegistry()
        self.metrics = AgentMetrics(self.registry, config.agent.location, name_of=self._own_name)
        self.metrics.set_control(config.agent.control_targets)
        self.store = store
        self.spool = spool
        self.sla = SlaSeries(self.store, self.config, clock, lag=SAMPLE_TRAVEL)
        self.support = SupportSeries(self.store, self.config, clock)
        self._sla_failing = Failing(
            log,
            "SLA metrics: the database is unavailable, the figures may be stale",
            "SLA metrics: the database answers again",
        )
        self._sla_refresh = Periodic(self._refresh_sla, SLA_REFRESH_EVERY, "the SLA series refresh")
        self.notifier = notifier.Notifier(self.store, lambda: self.config, clock)
        self.renewals = RenewalSeries(self.store, lambda: self.config, clock)
        # A pass a minute, and one at once when this agent starts to lead.
        self._notices = Periodic(self._notices_pass, notifier.EVERY, "the renewal notices")
        self.leadership = Leadership(
            store.leader_lock(),
            self.metrics.leader,
            changed=self._timelines_changed,
            rebuild=lambda: self.sla.configure(self.config),
            prepare=self._prepare_lead,
            on_lead=self._notices.wake,
        )
        self.registry.register(WhenLeading(self.renewals, lambda: self.leadership.leading))
        self.transitions = Transitions(self._rules())
        self.writer = SampleWriter(
            self.store,
            self.transitions.rules,
            self.spool,
            counters=Counters(
                spooled=self.metrics.spooled.inc,
                written=self.metrics.written.inc,
                dropped=self.metrics.dropped.inc,
                failures=self.metrics.write_failures.inc,
            ),
            on_change=self._timelines_changed,
        )
        self.metrics.buffer.set_function(lambda: self.writer.pending)
        self.metrics.spool_bytes.set_function(lambda: self.spool.size)
        self.pings: dict[str, float] = {}
        self.stop = asyncio.Event()
        self.server: AgentServer | None = None
        self._schedule = self._probing(self.config.agent.workers)
        self._limit = asyncio.Semaphore(MAX_CONCURRENT_PROBES)
        self._context: ProbeContext | None = None
        self._last_loop = clock()
        self._reloader = Reloader(
            config_path, self._swap, self._refused, reload_pause, known_targets
        )

    async def run(self) -> None:
        self._install_signals()  # first: a SIGTERM once /metrics answers must stop it cleanly
        self._watch_heartbeats()
        self.metrics.reload_ok.set(1)
        self.metrics.reload_time.set(self.clock())
        async with open_context(now=self.clock, pings=self.pings) as context:
            self._context = context
            api = Api(lambda: self.config, self.store, self.clock)
            self.server = AgentServer(
                self.config.agent.listen,
                self.registry,
                self._health,
                self._ping,
                api,
                probe_metrics=self.metrics.targets.exposition,
                more_metrics=self._series,
            )
            self.server.start()
            # The probes first: the threads woken below hold the interpreter's lock
            # in turns with this one, and the SLA series' first build (every
            # contract's terms and forecast) would slow the scheduling of 50,000 targets.
            intervals = self._intervals()
            self._schedule.apply(intervals, self.clock())
            self._schedule.start()
            self.leadership.start()
            self._sla_refresh.start()
            self._sla_refresh.wake()  # the first figures, before the first scrape
            self.writer.start()  # what an earlier run spooled goes first
            self._notices.start()
            self._notices.wake()  # a first pass now (SQLite: this agent always leads)
            log.info(
                "slawatch %s agent started: %d targets (shard %s), listening on %s",
                version(),
                len(intervals),
                self.config.agent.shard,
                self.config.agent.listen,
            )
            try:
                await self._loop()
            finally:
                await self._shut_down()

    def _swap(self, loaded: Config) -> None:
        """Swap in a config that loaded (on the loop: see reload.py)."""
        config, notes = restart_needed(self.config, loaded)
        for note in notes:
            log.warning("%s", note)
        before = self._schedule.targets
        self.config = config
        intervals = self._intervals()
        for gone in before.keys() - intervals.keys():
            self.metrics.forget(gone)
            self.transitions.forget(gone)
        self.metrics.set_control(config.agent.control_targets)
        self.transitions.rules = self._rules()
        self.writer.update_rules(self.transitions.rules)
        self.sla.configure(config)
        self.support.configure(config)
        self._watch_heartbeats()
        self._schedule.apply(intervals, self.clock())
        self.metrics.reload_ok.set(1)
        self.metrics.reload_time.set(self.clock())
        log.info("config reloaded: %d targets", len(intervals))

    def _refused(self) -> None:
        self.metrics.reload_ok.set(0)
        self.metrics.reloads_refused.inc()

    async def _loop(self) -> None:
        while not self.stop.is_set():
            self._last_loop = self.clock()
            await asyncio.to_thread(self.writer.spool_waiting)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), FLUSH_EVERY)

    async def _shut_down(self) -> None:
        """Spool what waits (first, should the drain be cut short), let the probes
        under way finish and spool theirs, then give the database ``SHUTDOWN_GRACE``
        to take the spool; what it has not taken is written at the next start."""
        await asyncio.to_thread(self.writer.spool_waiting)
        await self._schedule.drain(SHUTDOWN_GRACE)
        await asyncio.to_thread(self.writer.spool_waiting)
        await asyncio.to_thread(self.writer.stop, SHUTDOWN_GRACE)
        assert self.server is not None
        self.server.close()
        self._sla_refresh.stop(0, last_run=False)
        self._notices.stop(SHUTDOWN_GRACE, last_run=False)  # a pass under way may end
        self.leadership.stop(SHUTDOWN_GRACE)  # frees the lock: another agent leads at once
        log.info(
            "agent stopped: %d samples written, %d left in the spool %s",
            self.writer.written,
            self.writer.pending,
            self.spool.directory,
        )

    def _notices_pass(self) -> None:
        """Renewal notices, by the leader only; in a daemon thread, as SMTP and the store
        block (and a pass stuck on a frozen database must not hold up the exit)."""
        if self.leadership.leading:
            self.notifier.tick()

    async def _probe(self, name: str, late: float) -> None:
        try:
            target = self.config.target(name)
        except LookupError:
            return  # removed by a reload after this run was scheduled
        started = self.clock()
        assert self._context is not None
        async with self._limit:
            result = await run_probe(target, self._context)
        self._record(name, started, late, result)

    def _record(self, name: str, started: float, late: float, result: ProbeResult) -> None:
        """A probe's result, from this process or a probe worker: to /metrics and the store."""
        self.metrics.observe(name, result, late)
        interval = self._schedule.interval(name)
        if interval is None:  # a reload removed the target while it was probed
            self.metrics.forget(name)
        if result.outcome is Outcome.PROBE_ERROR:
            return  # our side could not probe: no sample, so the time turns unknown, not down
        self.transitions.observe(name, started, result)
        self.writer.add(
            SampleRow(
                target=name,
                ts_ms=round(started * 1000)
                if interval is None
                else sample_instant_ms(name, interval, started),
                ok=result.ok,
                latency_ms=result.duration_seconds * 1000,
                status=result.status_code,
                error=result.error_message or result.error_class,
                location=self.config.agent.location,
            )
        )

    def _probing(self, workers: int) -> Scheduling:
        """Probes run here, or in ``workers`` processes (``agent.workers``)."""
        if workers == 1:
            return Schedule(self._probe, on_skip=self.metrics.targets.skip)
        return WorkerPool(
            workers,
            lambda: self.config,
            run_local=self._probe,
            record=self._record,
            metrics=self.metrics,
            max_concurrent=MAX_CONCURRENT_PROBES,
        )

    def _series(self) -> bytes:
        """The SLA and support series, appended to /metrics (neither reads the store);
        by the leader only (agent/leadership.py)."""
        if not self.leadership.leading:
            return b""
        return self.sla.exposition() + self.support.exposition()

    def _timelines_changed(self, news: TimelineNews) -> None:
        """Written timelines changed: their contracts' series are rebuilt now, not at the
        next tick. Until then a series continues the state it last read: once a target
        is up again, a downtime counter read a second later would count a second too
        many, and a counter never goes back down."""
        self.sla.take_news(news)
        if not news.empty:
            self._sla_refresh.wake()

    def _prepare_lead(self) -> None:
        """Every figure rebuilt before this agent's first scrape as leader: a follower's
        forecasts continue states that no write may have ended since (an agent killed
        stops writing), and the counters must carry on from the old leader's. Raises
        ``StoreError`` when the database fails: the agent then follows until a later
        check takes the lead (agent/leadership.py)."""
        self.sla.configure(self.config)
        self.sla.refresh()
        self.support.refresh()

    def _refresh_sla(self) -> None:
        self.renewals.refresh()  # it logs a failing store itself and keeps what it read
        try:
            self.sla.refresh()
            self.support.refresh()
        except StoreError as exc:
            self._sla_failing.failed(str(exc))
        else:
            self._sla_failing.recovered()

    def _ping(self, name: str) -> bool:
        if name not in self.pings:
            return False
        self.pings[name] = self.clock()
        return True

    def _health(self) -> tuple[bool, dict[str, object]]:
        """Unhealthy (503) only when the loop stalls: restarting the agent would not
        make a slow or absent database answer, so that is ``degraded``, with a note."""
        stalled = self.clock() - self._last_loop > 10 * FLUSH_EVERY
        store = self.writer.store_state()
        note = None
        if store.error is not None:
            note = f"database unavailable: {store.error}"
        elif store.waiting > SLOW_STORE:
            note = f"database slow: a write has waited {store.waiting:.0f} s"
        detail: dict[str, object] = {
            "targets": len(self._schedule.targets),
            "write_buffer": self.writer.pending,
            "spool_bytes": self.spool.size,
            "samples_spooled": self.writer.spooled,
            "samples_written": self.writer.written,
            "shard": str(self.config.agent.shard),
            "leader": self.leadership.leading,
        }
        if not stalled and note is not None:
            detail.update(status="degraded", note=note)
        return not stalled, detail

    def _watch_heartbeats(self) -> None:
        """Heartbeat targets get one interval from now (or from their last ping)."""
        names = {t.name for t in self.config.probed_targets() if t.kind == "heartbeat"}
        now = self.clock()
        for name in names:
            self.pings.setdefault(name, now)
        for name in set(self.pings) - names:
            del self.pings[name]

    def _install_signals(self) -> None:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGHUP, self._reloader.request)
        for stop_signal in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(stop_signal, self.stop.set)

    def _intervals(self) -> dict[str, int]:
        """The targets this agent probes (its shard's) and their intervals."""
        return {t.name: t.interval for t in self.config.probed_targets()}

    def _own_name(self, name: str) -> str:
        return self.config.own_name(name)  # the current config's: a reload swaps it

    def _rules(self) -> dict[str, TimelineRule]:
        return self.config.timeline_rules()
