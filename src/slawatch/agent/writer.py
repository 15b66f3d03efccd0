"""From probe results to the store, through the spool: nothing acknowledged is lost.

Results wait in memory until the agent's loop, once a second, appends them to
the spool (spool.py) and fsyncs it: from then on they are *acknowledged*
(``slawatch_samples_spooled_total``), and neither a kill -9 nor a restart while
the database is away loses them. A thread of its own takes the spool into the
database, a segment per transaction, oldest first (what an earlier run left comes
before anything new), and deletes each segment once it has committed
(``slawatch_samples_written_total``). The loop never waits for the database: a
database that hangs holds up that thread only, while the spool keeps filling.

When the spool cannot be written (its disk fails), results stay in memory and
the thread writes them straight to the database; committed, they count as
written, which acknowledges them too. Past its capacity the memory buffer
drops its oldest samples; past ``agent.spool_max_bytes`` the spool refuses new
ones. Either way they are counted (``slawatch_samples_dropped_total``), logged
once per episode, and the time they covered turns unknown, never down. So are
samples an earlier run spooled for a target the config no longer has (no rule
says how they make its timeline).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from slawatch.agent.episodes import Drops, Failing
from slawatch.agent.periodic import Periodic
from slawatch.agent.spool import Spool
from slawatch.sla.timeline import TimelineRule
from slawatch.store.store import SampleConflict, SampleRow, Store, StoreError, TimelineNews

log = logging.getLogger(__name__)

DEFAULT_CAPACITY = 1_000_000  # in memory while the spool fails: ~1 h of 50,000 targets at 60 s
WRITE_EVERY = 1.0  # seconds between the write thread's attempts when nobody wakes it


def _ignore(_: int) -> None:
    pass


@dataclass(frozen=True, slots=True)
class Counters:
    """Where the writer counts what it does: the agent's Prometheus counters."""

    spooled: Callable[[int], None] = _ignore  # samples acknowledged by the spool
    written: Callable[[int], None] = _ignore  # samples committed to the database
    dropped: Callable[[int], None] = _ignore  # samples dropped (spool or memory full)
    failures: Callable[[int], None] = _ignore  # writes that found the database unavailable


@dataclass(frozen=True, slots=True)
class StoreState:
    """How the database took the last writes, for ``/healthz``."""

    error: str | None  # why the last write failed; None when it succeeded
    waiting: float  # seconds the write under way has been waiting (0: none under way)


class SampleWriter:
    """Buffers samples, spools them, and writes the spool to the store in a thread."""

    def __init__(  # noqa: PLR0913 (independent collaborators; tuning and test seams by keyword)
        self,
        store: Store,
        rules: Mapping[str, TimelineRule],
        spool: Spool,
        *,
        capacity: int = DEFAULT_CAPACITY,
        counters: Counters = Counters(),
        on_change: Callable[[TimelineNews], None] = lambda _: None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.rules = rules  # the config's, shared with the transitions: one per agent
        self.spool = spool
        self._capacity = capacity
        self._buffer: deque[SampleRow] = deque()  # not acknowledged yet
        self._lock = threading.Lock()  # the buffer: the loop adds, threads take
        self._on_change = on_change  # told which targets' timelines a write changed
        self._clock = clock
        self._counters = counters
        self._full = Drops(log, counters.dropped, "spool full (agent.spool_max_bytes)")
        self._overflow = Drops(log, counters.dropped, "memory buffer full while the spool fails")
        self._conflicts = Drops(
            log, counters.dropped, "samples contradicting a stored one (the stored one stays)"
        )
        self._orphans = Drops(
            log, counters.dropped, "spooled samples of targets no longer in the config"
        )
        self._spool_failing = Failing(
            log,
            "the spool cannot be written, samples wait in memory",
            "the spool takes samples again",
        )
        self._store_failing = Failing(
            log,
            "the database is unavailable, samples wait in the spool",
            "the database takes samples again",
        )
        self._since: float | None = None  # when the write under way began
        self._thread = Periodic(self.write_waiting, WRITE_EVERY, "the write thread")
        self.spooled = 0  # samples acknowledged by the spool since start
        self.written = 0  # samples committed since start (an earlier run's spool included)
        self.failures = 0  # writes that found the database unavailable

    def update_rules(self, rules: Mapping[str, TimelineRule]) -> None:
        """Take the config's new rules. Those of targets it dropped stay: samples of
        them may still wait here, or come from a probe under way, and must be written.
        The config's own mapping when it has every target kept (no copy of 50,000);
        else a new one, never one changed in place: the write thread reads the one bound."""
        kept = self.rules
        self.rules = rules if kept.keys() <= rules.keys() else {**kept, **rules}

    @property
    def pending(self) -> int:
        """Samples not in the database yet: in memory, or in the spool (the segment
        being written included)."""
        return len(self._buffer) + self.spool.samples

    def store_state(self) -> StoreState:
        since = self._since
        return StoreState(
            self._store_failing.error, 0.0 if since is None else self._clock() - since
        )

    def add(self, row: SampleRow) -> None:
        with self._lock:
            self._buffer.append(row)
            excess = len(self._buffer) - self._capacity
            for _ in range(max(excess, 0)):
                self._buffer.popleft()
        self._overflow.record(excess)

    def spool_waiting(self) -> None:
        """Append what waits in memory to the spool (blocking: run it in a thread)."""
        batch = self._take()
        if not batch:
            return
        try:
            accepted = self.spool.append(batch)
        except OSError as exc:
            self._spool_failing.failed(str(exc))
            self._put_back(batch)
            return
        self._spool_failing.recovered()
        if accepted:
            self.spooled += len(batch)
            self._counters.spooled(len(batch))
        self._full.record(0 if accepted else len(batch))
        self._thread.wake()

    def write_waiting(self) -> None:
        """Write the spool, then what the spool could not take, until done or the
        database fails (blocking: the write thread runs it)."""
        try:
            while (segment := self.spool.oldest()) is not None:
                self._commit(self._known(self.spool.read(segment)))
                self.spool.remove(segment)
            if self._spool_failing.error is not None and (batch := self._take()):
                try:
                    self._commit(batch)
                except StoreError:
                    self._put_back(batch)
                    raise
        except StoreError as exc:
            self.failures += 1
            self._counters.failures(1)
            self._store_failing.failed(str(exc))
        else:
            self._store_failing.recovered()

    def start(self) -> None:
        """Start the write thread."""
        self._thread.start()

    def stop(self, grace: float) -> None:
        """Write what is spooled, waiting up to ``grace`` seconds for the database;
        what it has not taken by then stays in the spool for the next run."""
        self._thread.stop(grace)

    def _commit(self, rows: Sequence[SampleRow]) -> None:
        """Write ``rows``; a sample that contradicts a stored one (the clock stepped back
        onto a stored instant) is dropped and the rest written: retrying the same
        segment would block the spool for good."""
        while rows:
            self._since = self._clock()
            try:
                result = self.store.import_samples([rows], self.rules)
            except SampleConflict as exc:
                rows = self._without(rows, exc)
                continue
            finally:
                self._since = None
            self._conflicts.record(0)
            self.written += len(rows)
            self._counters.written(len(rows))
            self._on_change(result.news)
            return

    def _without(self, rows: Sequence[SampleRow], conflict: SampleConflict) -> list[SampleRow]:
        key = (conflict.target, conflict.location, conflict.ts_ms)
        kept = [row for row in rows if _key(row) != key or row.ok != conflict.ok]
        if len(kept) == len(rows):  # the contradiction is inside the batch: keep neither
            kept = [row for row in rows if _key(row) != key]
        log.error("%s: the new sample is dropped, the stored one stays", conflict)
        self._conflicts.record(len(rows) - len(kept))
        return kept

    def _known(self, rows: list[SampleRow]) -> list[SampleRow]:
        """The samples of targets with a rule. An earlier run may have spooled samples
        of a target the config has dropped since: no rule says how they make its
        timeline, and no contract reads it any more; they are dropped and counted."""
        known = [row for row in rows if row.target in self.rules]
        self._orphans.record(len(rows) - len(known))
        return known

    def _take(self) -> list[SampleRow]:
        with self._lock:
            batch = list(self._buffer)
            self._buffer.clear()
        return batch

    def _put_back(self, batch: list[SampleRow]) -> None:
        """In front of what came meanwhile, within the capacity."""
        with self._lock:
            self._buffer.extendleft(reversed(batch))
            excess = len(self._buffer) - self._capacity
            for _ in range(max(excess, 0)):
                self._buffer.popleft()
        self._overflow.record(excess)


def _key(row: SampleRow) -> tuple[str, str, int]:
    """A sample's key in the store."""
    return row.target, row.location, row.ts_ms
