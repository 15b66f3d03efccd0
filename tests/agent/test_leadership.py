"""The leader check: a take-over exports nothing before the figures are rebuilt, and a
check stuck on a frozen database must not hold up the shutdown."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import cast

from prometheus_client import CollectorRegistry, Gauge

from slawatch.agent.leadership import Leadership
from slawatch.store.leader import LeaderLock


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

    def changed_targets(self) -> set[str]:
        return set()

    def close(self) -> None:
        with self.session:
            self.closed = True


def test_stop_returns_while_a_check_hangs_on_a_frozen_database() -> None:
    lock = FrozenLock()
    gauge = Gauge("slawatch_agent_leader", "", registry=CollectorRegistry())

    def changed(_: Iterable[str]) -> None:
        return None

    leadership = Leadership(cast(LeaderLock, lock), gauge, changed, lambda: None)
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
    leadership = Leadership(cast(LeaderLock, lock), gauge, lambda _: None, lambda: None)
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

    def changed_targets(self) -> set[str]:
        return set()


def test_a_take_over_leads_once_the_figures_are_rebuilt() -> None:
    """While ``on_lead`` rebuilds the figures, a scrape finds this agent not leading yet
    (no per-contract series), not leading with the figures it had as a follower."""
    registry = CollectorRegistry()
    gauge = Gauge("slawatch_agent_leader", "", registry=registry)
    seen: list[tuple[bool, float | None]] = []

    def on_lead() -> None:
        seen.append((leadership.leading, registry.get_sample_value("slawatch_agent_leader")))

    leadership = Leadership(
        cast(LeaderLock, FreeLock()), gauge, lambda _: None, lambda: None, on_lead
    )
    assert not leadership.leading
    leadership.check()
    assert seen == [(False, 0.0)]
    assert leadership.leading
    assert registry.get_sample_value("slawatch_agent_leader") == 1.0
    leadership.check()  # leading already: on_lead is not called again
    assert len(seen) == 1
