"""From probe results to the store: batched, bounded, and never silently lossy.

Results wait in memory and are written once a second in one transaction (the
store recomputes the touched targets' flips in it). When the database is away,
they keep waiting; past the buffer's capacity the oldest are dropped and counted
(``slawatch_samples_dropped_total``): the time they covered turns unknown, never
down. A sample counts as written only once its transaction has committed.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Mapping

from slawatch.sla.timeline import TimelineRule
from slawatch.store.store import SampleRow, Store, StoreError

log = logging.getLogger(__name__)

DEFAULT_CAPACITY = 1_000_000  # ~1 h of 50,000 targets at 60 s; ~150 MB at worst


class SampleWriter:
    """Buffers samples and writes them in batches; one flush at a time."""

    def __init__(
        self,
        store: Store,
        rules: Mapping[str, TimelineRule],
        capacity: int = DEFAULT_CAPACITY,
        on_drop: Callable[[int], None] = lambda _: None,
        on_change: Callable[[list[str]], None] = lambda _: None,
    ) -> None:
        self.store = store
        self.rules = dict(rules)
        self._capacity = capacity
        self._buffer: deque[SampleRow] = deque()
        self._on_drop = on_drop
        self._on_change = on_change  # told which targets' timelines a flush changed
        self.written = 0  # samples committed since start
        self.failures = 0  # flushes that found the database away

    def update_rules(self, rules: Mapping[str, TimelineRule]) -> None:
        """Take the config's new rules. Those of targets it dropped stay: samples of
        them may still wait here, or come from a probe under way, and must be written."""
        self.rules.update(rules)

    @property
    def pending(self) -> int:
        return len(self._buffer)

    def add(self, row: SampleRow) -> None:
        self._buffer.append(row)
        self._trim()

    async def flush(self) -> int:
        """Write what is waiting; returns how many samples were committed."""
        if not self._buffer:
            return 0
        batch = list(self._buffer)
        self._buffer.clear()
        try:
            result = await asyncio.to_thread(self.store.import_samples, [batch], self.rules)
        except StoreError as exc:
            self.failures += 1
            log.warning("store unavailable, %d samples wait: %s", len(batch), exc)
            self._buffer.extendleft(reversed(batch))  # back in front of what came meanwhile
            self._trim()
            return 0
        self.written += len(batch)
        self._on_change(result.changed_targets)
        return len(batch)

    def _trim(self) -> None:
        excess = len(self._buffer) - self._capacity
        if excess > 0:
            for _ in range(excess):
                self._buffer.popleft()
            self._on_drop(excess)
            log.error("write buffer full: dropped the %d oldest samples", excess)
