"""Leading or following: of the agents on one database, the leader alone exports the
per-contract series (``slawatch_sla_*``, ``slawatch_support_*``, the renewals') and
sends renewal notices; the others probe and write like it. The lock behind it is
store/leader.py's; here, a thread checks it every ``CHECK_EVERY`` seconds, sets
``slawatch_agent_leader``, and passes on what the other agents changed, so that
this agent's forecasts stay current while it follows. Taking the lock, it rebuilds
them before it leads: its first scrape shows the figures the old leader would have.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from prometheus_client import Gauge
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from slawatch.agent.episodes import Failing
from slawatch.agent.periodic import Periodic
from slawatch.store.leader import LeaderLock
from slawatch.store.store import StoreError, TimelineNews

log = logging.getLogger(__name__)

CHECK_EVERY = 2.0  # seconds between checks: a dead leader is replaced within about this


class Leadership:
    """This agent's part: leader or follower, checked in a thread of its own."""

    def __init__(  # noqa: PLR0913 (independent hooks, by keyword)
        self,
        lock: LeaderLock,
        gauge: Gauge,
        *,
        changed: Callable[[TimelineNews], None],
        rebuild: Callable[[], None],
        prepare: Callable[[], None] = lambda: None,
        on_lead: Callable[[], None] = lambda: None,
    ) -> None:
        """``changed`` is told what other agents' writes changed; ``rebuild`` is called
        when notices may have been missed (a new session): rebuild every figure, in
        time; ``prepare`` when this agent takes the lock, before it leads: bring every
        figure up to date now (it raises ``StoreError`` if it cannot); ``on_lead`` once
        it leads: start what only a leader does."""
        self._lock = lock
        self._gauge = gauge
        self._changed = changed
        self._rebuild = rebuild
        self._prepare = prepare
        self._on_lead = on_lead
        self._failing = Failing(
            log,
            "leader lock: the database is unavailable, this agent follows meanwhile",
            "leader lock: the database answers again",
        )
        self._thread = Periodic(self.check, CHECK_EVERY, "the leader check")
        self._leading = lock.held  # an agent alone on its database leads from the start
        gauge.set(int(lock.held))

    @property
    def leading(self) -> bool:
        """Whether this agent holds the lock and has taken up the lead (``prepare``
        returned): a scrape between the two finds no per-contract series rather than
        figures not yet brought up to date."""
        return self._leading

    def start(self) -> None:
        """Check now (in the thread: the database may hang), then every ``CHECK_EVERY``."""
        self._thread.start()
        self._thread.wake()

    def stop(self, grace: float) -> None:
        """Stop checking and close the session, which frees the lock at once. A check
        stuck on a frozen database holds the session: closing it would wait as long,
        so it is left to the process's exit, whose closed socket frees the lock too."""
        if self._thread.stop(grace, last_run=False):
            self._lock.close()

    def check(self) -> None:
        try:
            self._lock.check()
        except StoreError as exc:
            self._failing.failed(str(exc))
        else:
            self._failing.recovered()
        if self._lock.lost_notices:
            self._lock.lost_notices = False
            self._rebuild()
        self._changed(self._lock.news())
        if self._lock.held and not self._leading:
            self._take_lead()
        elif self._leading and not self._lock.held:
            self._step(leading=False)

    def _take_lead(self) -> None:
        """Lead once ``prepare`` brought the figures up to date, if the lock is still
        ours then (that may take seconds); a failing database leaves this agent a
        follower, and a later check tries again."""
        try:
            self._prepare()
            held = self._lock.check()
        except StoreError as exc:
            self._failing.failed(str(exc))
            return
        self._changed(self._lock.news())  # what came during the rebuild
        if held:
            self._step(leading=True)
            self._on_lead()

    def _step(self, *, leading: bool) -> None:
        self._leading = leading
        self._gauge.set(int(leading))
        log.warning(
            "this agent %s",
            "leads: it exports the per-contract series and sends renewal notices"
            if leading
            else "follows: another agent exports the per-contract series",
        )


class WhenLeading(Collector):
    """``inner``'s series while this agent leads, none while it follows."""

    def __init__(self, inner: Collector, leading: Callable[[], bool]) -> None:
        self._inner = inner
        self._leading = leading

    def collect(self) -> Iterator[Metric]:
        if self._leading():
            yield from self._inner.collect()
