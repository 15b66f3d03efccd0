"""PostgreSQL stopped across a restart of the agent: SIGTERM while the database is
away exits 0 with the samples spooled, an agent starts while it is still away and
spools what it probes (then dies by SIGKILL), and once the database is back the
next agent writes everything; the outage is unknown time, never down."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.helpers import Target

from .conftest import Cluster
from .harness import BUFFER, FAILURES, SPOOLED, WRITTEN, Agents

pytestmark = pytest.mark.faults


@pytest.fixture
def agents(tmp_path: Path, faults_pg_url: str, target: Target) -> Iterator[Agents]:
    runs = Agents(tmp_path, faults_pg_url, target.url)
    yield runs
    runs.close()


def test_postgresql_stopped_across_a_restart_loses_nothing(
    agents: Agents, cluster: Cluster
) -> None:
    first = agents.start()
    first.wait_for(lambda m: m.value(WRITTEN) >= 30, "a second of samples written", 30)
    with cluster.stopped():
        first.wait_for(
            lambda m: m.value(FAILURES) >= 1 and m.value(BUFFER) >= 30,
            "a refused write, a second of samples waiting",
            30,
        )
        agents.scrape()
        stopping = time.monotonic()
        log = agents.stop()  # SIGTERM: exit 0, what waits stays in the spool
        assert time.monotonic() - stopping < 15, log
        left = re.search(r"agent stopped: \d+ samples written, (\d+) left in the spool", log)
        assert left is not None and int(left[1]) >= 30, log
        second = agents.start()  # the database still away
        second.wait_for(lambda m: m.value(SPOOLED) >= 60, "two seconds of samples spooled", 30)
        agents.scrape()
        agents.kill()
    agents.finish()
    figures = agents.check()
    print(f"PostgreSQL stopped across a restart: {figures}")
    assert figures.lost == 0 and figures.acknowledged >= 120
