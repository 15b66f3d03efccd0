"""SIGTERM: the agent stops probing, writes what it found, and exits 0."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from slawatch.store.store import Store

from .helpers import AgentProcess, Target, free_port, wait_until, write_config

Launch = Callable[[Path, int], AgentProcess]


@pytest.fixture
def slow() -> Iterator[Target]:
    server = Target()
    server.delay = 0.3
    yield server
    server.close()


def test_sigterm_writes_every_sample_probed_before_it(
    tmp_path: Path, target: Target, slow: Target, launch: Launch
) -> None:
    port = free_port()
    db = f"sqlite:///{tmp_path}/agent.db"
    targets = {"fast": target.url, "slow": slow.url}
    agent = launch(write_config(tmp_path / "agent.yaml", db=db, port=port, targets=targets), port)
    agent.wait_for(lambda m: m.count("slawatch_probes_total", target="slow") >= 1, "a slow probe")
    received = slow.received
    wait_until(lambda: slow.received > received, "the next slow probe")
    time.sleep(0.05)  # the fast target has answered, its sample waits for the next write
    stopping = time.monotonic()
    log = agent.stop()  # while the slow target still holds its answer
    assert time.monotonic() - stopping < 3, log
    with Store.open(db) as store:
        stored = {name: store.sample_count(name) for name in targets}
    answered = {"fast": target.answered, "slow": slow.answered}
    assert stored == answered, log
    assert f"agent stopped: {sum(answered.values())} samples written" in log
