"""The leader check: a take-over exports nothing before the figures are rebuilt, and a
check stuck on a frozen database must not hold up the shutdown."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import cast

from prometheus_client import CollectorRegistry, Gauge

from slawatch.agent.leadership import Leadership
from slawatch.store.leader import LeaderLock
from slawatch.store.store import StoreError, TimelineNews


class FrozenLock:
    """A lock whose session hangs in its check, as psycopg's does on a SIGSTOPped
    server: closing it waits for the connection the check holds."""

    held = True
    lost_notices = False

    def __init__(self) -> None:
        self.checking = threading.Event()
        self.thaw = threading.Event()
        self.session = threading.Lock()
        self.closed = False

    def check(self) -> bool:
        with self.session:
            self.checking.set()
            self.thaw.wait(30)
        return True

    def news(self) -> TimelineNews:
        return TimelineNews()

    def close(self) -> None:
        with self.session:
            self.closed = True


def test_stop_returns_while_a_check_hangs_on_a_frozen_database() -> None:
    lock = FrozenLock()
    gauge = Gauge("slawatch_agent_leader", "", registry=CollectorRegistry())

    def changed(_: TimelineNews) -> None:
        return None

    leadership = Leadership(cast(LeaderLock, lock), gauge, changed=changed, rebuild=lambda: None)
    leadership.start()
    assert lock.checking.wait(5)
    started = time.monotonic()
    stopper = threading.Thread(target=leadership.stop, args=(0.2,), daemon=True)
    stopper.start()
    stopper.join(5)
    try:
        assert not stopper.is_alive(), "stop waited for the frozen session"
        assert time.monotonic() - started < 2
        assert not lock.closed  # left to the process's exit
    finally:
        lock.thaw.set()


def test_stop_closes_the_session_when_no_check_is_under_way() -> None:
    lock = FrozenLock()
    lock.thaw.set()  # checks return at once
    gauge = Gauge("slawatch_agent_leader", "", registry=CollectorRegistry())
    leadership = Leadership(
        cast(LeaderLock, lock), gauge, changed=lambda _: None, rebuild=lambda: None
    )
    leadership.start()
    assert lock.checking.wait(5)
    leadership.stop(5)
    assert lock.closed


class FreeLock:
    """A lock nobody holds: the first check takes it."""

    held = False
    lost_notices = False

    def check(self) -> bool:
        self.held = True
        return True

    def news(self) -> TimelineNews:
        return TimelineNews()


class LostDuringRebuild(FreeLock):
    """Taken at the first check; gone (another agent took it) by the second."""

    checks = 0

    def check(self) -> bool:
        self.checks += 1
        self.held = self.checks == 1
        return self.held


Hook = Callable[[], None]


def taking(
    lock: FreeLock, prepare: Hook, on_lead: Hook = lambda: None
) -> tuple[Leadership, Callable[[], float | None]]:
    """A leadership over ``lock``, and a reader of its ``slawatch_agent_leader``."""
    registry = CollectorRegistry()
    gauge = Gauge("slawatch_agent_leader", "", registry=registry)
    leadership = Leadership(
        cast(LeaderLock, lock),
        gauge,
        changed=lambda _: None,
        rebuild=lambda: None,
        prepare=prepare,
        on_lead=on_lead,
    )
    return leadership, lambda: registry.get_sample_value("slawatch_agent_leader")


def test_a_take_over_leads_once_the_figures_are_rebuilt() -> None:
    """While ``prepare`` rebuilds the figures, a scrape finds this agent not leading yet
    (no per-contract series), not leading with the figures it had as a follower; what
    only a leader does starts once it leads."""
    seen: list[tuple[bool, float | None]] = []

    def record() -> None:
        seen.append((leadership.leading, gauge()))

    leadership, gauge = taking(FreeLock(), prepare=record, on_lead=record)
    assert not leadership.leading
    leadership.check()
    assert seen == [(False, 0.0), (True, 1.0)]  # prepared as a follower, then leading
    leadership.check()  # leading already: neither is called again
    assert len(seen) == 2


def test_a_take_over_that_cannot_rebuild_follows_and_tries_again() -> None:
    """The database fails while the figures are rebuilt: this agent does not lead with
    a follower's figures; the next check takes the lead."""
    failures = [StoreError("database gone")]

    def prepare() -> None:
        if failures:
            raise failures.pop()

    leadership, gauge = taking(FreeLock(), prepare)
    leadership.check()
    assert (leadership.leading, gauge()) == (False, 0.0)
    leadership.check()
    assert (leadership.leading, gauge()) == (True, 1.0)


def test_a_lock_lost_while_the_figures_were_rebuilt_is_not_led() -> None:
    leadership, gauge = taking(LostDuringRebuild(), prepare=lambda: None)
    leadership.check()
    assert (leadership.leading, gauge()) == (False, 0.0)
