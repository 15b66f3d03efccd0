"""PostgreSQL stops and starts again under the running agent: the samples wait in
the write buffer and are all written once it is back; nothing is lost and no
gap turns unknown.

Restarting the server needs ``pg_ctlcluster`` (Debian's postgresql-common) and
root; elsewhere the test skips, except under CI (``CI`` set), where it fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from slawatch.sla.timeline import State
from slawatch.store.store import Store

from .helpers import AgentProcess, Target, free_port, write_config

Launch = Callable[[Path, int], AgentProcess]
CLUSTER = ("15", "main")  # the cluster of the test server (tests/conftest.py)
FAILURES = "slawatch_store_write_failures_total"
BUFFER = "slawatch_write_buffer_samples"
WRITTEN = "slawatch_samples_written_total"


@pytest.fixture
def restartable() -> None:
    """Skip (fail under CI) where this process cannot stop and start the server."""
    missing = []
    if shutil.which("pg_ctlcluster") is None:
        missing.append("pg_ctlcluster is not installed (Debian package postgresql-common)")
    if os.geteuid() != 0:
        missing.append("restarting PostgreSQL needs root")
    if missing:
        reason = "; ".join(missing)
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(reason)
        pytest.skip(reason)


def pg_ctlcluster(action: str, *options: str, check: bool = True) -> None:
    subprocess.run(["pg_ctlcluster", *CLUSTER, action, *options], check=check, capture_output=True)


@contextlib.contextmanager
def postgresql_stopped() -> Iterator[None]:
    """The server stopped (fast: sessions terminated) for the block; started again
    afterwards whatever happens, since the other tests need it."""
    try:
        pg_ctlcluster("stop", "-m", "fast")
        yield
    finally:
        pg_ctlcluster("start", check=False)  # fails only when it is running already
        pg_ctlcluster("status")


@pytest.mark.postgres
@pytest.mark.usefixtures("restartable")
def test_postgresql_restart_loses_nothing(
    tmp_path: Path, pg_url: str, target: Target, launch: Launch
) -> None:
    port = free_port()
    config = write_config(
        tmp_path / "agent.yaml", db=pg_url, port=port, targets={"web": target.url}
    )
    agent = launch(config, port)
    agent.wait_for(lambda m: m.value(WRITTEN) >= 2, "two samples written")
    with postgresql_stopped():
        outage = agent.wait_for(
            lambda m: m.value(FAILURES) > 0 and m.value(BUFFER) > 0, "a write that failed"
        )
        time.sleep(3)
    written = agent.scrape().value(WRITTEN)
    caught_up = agent.wait_for(
        lambda m: m.value(BUFFER) == 0 and m.value(WRITTEN) > written,
        "the buffer written",
        timeout=20,
    )
    log = agent.stop()
    assert outage.value(WRITTEN) < caught_up.value(WRITTEN)
    assert caught_up.value("slawatch_samples_dropped_total") == 0
    with Store.open(pg_url) as store:
        assert store.sample_count("web") == target.answered, log
        flips = store.flips(["web"], 0, 2**40)["web"][""]
    assert [f.state for f in flips] == [State.UP, State.UNKNOWN], flips  # once stopped
