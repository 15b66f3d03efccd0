"""PostgreSQL frozen (SIGSTOP on every process of its cluster): the agent's scrapes
and health checks answer at once, ``/healthz`` says the database is slow but the
agent alive (200, ``degraded``), the buffer gauge counts every sample waiting,
SIGTERM still exits promptly (and cleanly: status 0), and the next agent writes
everything."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.helpers import Metrics, Target

from .conftest import Cluster
from .harness import BUFFER, SPOOLED, WRITTEN, Agents

pytestmark = pytest.mark.faults

FROZEN = 8.0  # seconds: past the 5 s after which /healthz calls the database slow
ANSWER_WITHIN = 2.0  # seconds a scrape or a health check may take, frozen database or not


@pytest.fixture
def agents(tmp_path: Path, faults_pg_url: str, target: Target) -> Iterator[Agents]:
    runs = Agents(tmp_path, faults_pg_url, target.url)
    yield runs
    runs.close()


def get(url: str) -> tuple[int, bytes]:
    """The status and body of a GET, which must come within ``ANSWER_WITHIN``."""
    try:
        with urllib.request.urlopen(url, timeout=ANSWER_WITHIN) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read()


def test_a_frozen_database_holds_up_neither_scrapes_nor_health(
    agents: Agents, cluster: Cluster
) -> None:
    agent = agents.start()
    agent.wait_for(lambda m: m.value(WRITTEN) >= 30, "a second of samples written", 30)
    base = f"http://127.0.0.1:{agent.port}"
    health: list[dict[str, object]] = []
    with cluster.frozen():
        until = time.monotonic() + FROZEN
        while time.monotonic() < until:
            status, body = get(f"{base}/healthz")
            assert status == 200, body
            health.append(json.loads(body))
            agents.scrape(ANSWER_WITHIN)
            time.sleep(0.2)
        metrics = Metrics(get(f"{base}/metrics")[1].decode())
        waiting = metrics.value(SPOOLED) - metrics.value(WRITTEN)
        assert metrics.value(BUFFER) >= waiting >= 4 * 30  # 4 s of samples at least
        assert health[0]["status"] == "ok"
        assert health[-1]["status"] == "degraded"
        assert str(health[-1]["note"]).startswith("database slow: a write has waited")
        stopping = time.monotonic()
        log = agents.stop()  # exit status 0, asserted there
        assert time.monotonic() - stopping < 15, log
        # The writes stuck on the database are left to an immediate exit: Python's own
        # ended their threads with pthread_exit in the driver's C code, and crashed now
        # and then (CPython gh-87135).
        assert re.search(r"exiting without waiting for .*the write thread.*, still busy", log)
    agents.finish()
    figures = agents.check()
    print(f"PostgreSQL frozen: {figures}")
    assert figures.lost == 0
