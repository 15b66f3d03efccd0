"""The fault tests' bookkeeping: agents run one after the other on one config, and a
ledger of what each acknowledged, checked against the database at the end.

A run's acknowledged samples are known two ways: its counters at its last scrape
(``slawatch_samples_spooled_total``, and ``slawatch_samples_written_total``, which
also counts what earlier runs left), and the samples in its spool once it has
ended. At the end, every sample seen in a spool must be in the database, each run
must have stored at least as many samples as it had spooled at its last scrape (a
run's samples are those probed between its start and its end: the runs never
overlap), and no target may have been down (every target answered every probe).
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import make_url

from agent.helpers import AgentProcess, Metrics, free_port, write_config
from slawatch.agent.spool import Segment, Spool
from slawatch.sla.timeline import State
from slawatch.store.store import Store

TARGETS = tuple(f"t{i:02}" for i in range(30))  # each probed every second
# Probe timeouts a reload switches between: long enough that a loaded machine's slow
# answers are no failures (a failure here would be the test's, not the agent's).
TIMEOUTS = ("900ms", "800ms")
SPOOLED = "slawatch_samples_spooled_total"
WRITTEN = "slawatch_samples_written_total"
BUFFER = "slawatch_write_buffer_samples"
DROPPED = "slawatch_samples_dropped_total"
FAILURES = "slawatch_store_write_failures_total"
RELOADED = "slawatch_config_last_reload_successful"

Key = tuple[str, int]  # a sample: target, instant in ms


@dataclass
class Run:
    """One agent process, from its start to its end."""

    started: float  # Unix seconds
    ended: float = 0.0
    spooled: float = 0.0  # its spooled counter at its last scrape
    dropped: float = 0.0


@dataclass
class Figures:
    runs: int
    reloads: int
    acknowledged: int  # the runs' spooled counters at their last scrapes, summed
    in_spools: int  # distinct samples found in the spool after a run ended
    stored: int
    lost: int


@dataclass
class Agents:
    """Agents on one database, one at a time, each recorded in ``runs``."""

    folder: Path
    db: str
    target_url: str
    port: int = field(default_factory=free_port)
    runs: list[Run] = field(default_factory=list)
    seen_in_spools: set[Key] = field(default_factory=set)
    _left: int = 0  # samples in the spool when the last run ended
    reloads: int = 0
    _running: AgentProcess | None = None
    _last: Metrics | None = None

    def __post_init__(self) -> None:
        targets = {name: f"{self.target_url}{name}" for name in TARGETS}
        self.config = write_config(
            self.folder / "agent.yaml",
            db=self.db,
            port=self.port,
            targets=targets,
            timeout=TIMEOUTS[0],
        )

    def start(self) -> AgentProcess:
        assert self._running is None
        log = self.folder / f"agent-{len(self.runs)}.log"
        self.runs.append(Run(time.time()))
        self._running = AgentProcess(self.config, self.port, log)
        self._last = None
        return self._running

    def scrape(self, timeout: float = 30) -> Metrics:
        """A scrape of the running agent, remembered as its last."""
        assert self._running is not None
        self._last = self._running.scrape(timeout)
        return self._last

    def scrape_until(self, moment: float) -> None:
        """Scrape, and again and again until ``moment`` (monotonic)."""
        self.scrape()
        while time.monotonic() < moment:
            time.sleep(0.02)
            self.scrape()

    def reload(self) -> None:
        """Change every target's timeout in the config and send SIGHUP."""
        assert self._running is not None
        text = self.config.read_text()
        now, then = TIMEOUTS if f"timeout: {TIMEOUTS[0]}" in text else TIMEOUTS[::-1]
        self.config.write_text(text.replace(f"timeout: {now}", f"timeout: {then}"))
        self._running.signal(signal.SIGHUP)
        self.reloads += 1

    def kill(self) -> None:
        """SIGKILL the running agent, then read its spool."""
        assert self._running is not None
        self._running.signal(signal.SIGKILL)
        self._running.kill()  # waits for it
        self._ended()

    def stop(self) -> str:
        """SIGTERM the running agent (it must exit 0), then read its spool; returns its log."""
        assert self._running is not None
        log = self._running.stop()
        self._ended()
        return log

    def finish(self, timeout: float = 60) -> None:
        """Start an agent that writes what the others left, and stop it."""
        leftover = self._left
        self.start().wait_for(
            lambda m: m.value(WRITTEN) >= leftover, "what the earlier agents left written", timeout
        )
        self.scrape()
        self.stop()

    def close(self) -> None:
        if self._running is not None:
            self._running.kill()

    def check(self) -> Figures:
        """Every acknowledged sample is stored; nothing was down. Returns the figures."""
        with Store.open(self.db) as store:
            samples = [row for t in TARGETS for row in store.samples(t, 0, 2**62)]
            flips = store.flips(list(TARGETS), 0, 2**40)
        stored = {(row.target, row.ts_ms) for row in samples}
        lost = self.seen_in_spools - stored
        assert not lost, f"{len(lost)} samples seen in a spool are not stored: {sorted(lost)[:5]}"
        for i, run in enumerate(self.runs):
            mine = sum(1 for _, ms in stored if run.started * 1000 <= ms <= run.ended * 1000)
            assert mine >= run.spooled, f"run {i} spooled {run.spooled} samples, {mine} stored"
            assert run.dropped == 0, f"run {i} dropped samples"
        down = [
            (t, f)
            for t, at in flips.items()
            for found in at.values()
            for f in found
            if f.state is State.DOWN
        ]
        assert down == [], (down, [row for row in samples if not row.ok])
        return Figures(
            len(self.runs),
            self.reloads,
            int(sum(run.spooled for run in self.runs)),
            len(self.seen_in_spools),
            len(stored),
            len(lost),
        )

    def _ended(self) -> None:
        run = self.runs[-1]
        run.ended = time.time()
        if self._last is not None:
            run.spooled = self._last.value(SPOOLED)
            run.dropped = self._last.value(DROPPED)
            assert self._last.value(RELOADED) == 1, "a reload was refused"
        found = set(self._spooled())
        self.seen_in_spools |= found
        self._left = len(found)
        self._running = None

    def _spooled(self) -> Iterator[Key]:
        """The samples in the spool, read as the next agent will (torn ends cut)."""
        directory = self.folder / "spool"
        if not directory.exists():
            return
        name = make_url(self.db).render_as_string(hide_password=True)
        spool = Spool.open(directory, name, 1 << 30)
        try:
            assert not list(directory.glob("*.unreadable"))
            for path in sorted(directory.glob("*.seg")):
                yield from ((row.target, row.ts_ms) for row in spool.read(Segment(path)))
        finally:
            spool.close()
