"""A write that changes a target's timeline refreshes the SLA series at once.

Between two refreshes a contract's series continue the state they last read. Once a
target is up again, a downtime counter read before the next refresh counts the time
since as down, and a counter never goes back down: the refresh must not wait for its
own tick. Here the tick is an hour, so only the writes can refresh the series.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from slawatch.agent.runner import Agent
from slawatch.agent.spool import open_spool
from slawatch.config import load_config
from slawatch.store.store import Store

from .helpers import Target, free_port, mid_tick, stored_outage, write_config

DOWNTIME = 'slawatch_sla_downtime_seconds_total{contract="web-sla"} '


def downtime(agent: Agent) -> float:
    text = agent.sla.exposition().decode()
    return float(text.split(DOWNTIME, 1)[1].split("\n", 1)[0])


async def until(condition: Callable[[], bool], what: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        await asyncio.sleep(0.05)


async def outage(agent: Agent, target: Target, db: str) -> tuple[int, float]:
    """The stored outage's length and the downtime counter, once the store has it."""
    running = asyncio.create_task(agent.run())
    try:
        await until(lambda: target.answered >= 1, "a first probe")
        await asyncio.to_thread(mid_tick)
        target.healthy = False
        answered = target.answered
        await until(lambda: target.answered >= answered + 3, "three failed probes")
        await asyncio.to_thread(mid_tick)
        target.healthy = True
        await until(lambda: stored_outage(db) > 0, "the outage in the store")
        stored = stored_outage(db)
        # The series show each instant ``settle`` seconds later (README, /metrics).
        await until(
            lambda: downtime(agent) >= stored, "the outage in the SLA series", agent.sla.settle + 5
        )
        await asyncio.sleep(1.5)  # more writes and refreshes: the counter stays
        return stored, downtime(agent)
    finally:
        agent.stop.set()
        await running


def test_the_sla_series_follow_each_write_not_their_tick(
    tmp_path: Path, target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("slawatch.agent.runner.SLA_REFRESH_EVERY", 3600.0)
    monkeypatch.setattr("slawatch.agent.runner.FLUSH_EVERY", 0.1)
    db = f"sqlite:///{tmp_path}/agent.db"
    path = write_config(
        tmp_path / "agent.yaml", db=db, port=free_port(), targets={"web": target.url}
    )
    config = load_config(path)
    with Store.open(db) as store, contextlib.closing(open_spool(config.agent, db)) as spool:
        agent = Agent(path, config, store, spool, registry=CollectorRegistry())
        stored, counted = asyncio.run(outage(agent, target, db))
    assert stored >= 2  # confirmed after 2 failures, probed every second
    # The counter never counted the recovery as down: it is the stored outage.
    assert counted == stored
