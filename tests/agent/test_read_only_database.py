"""An agent started on an SQLite file it may not write spools what it probes, and
writes it all once the file becomes writable: its connections are opened anew
after a write fails (SQLite opens a file it may not write read-only, for good).

The file is read-only (mode 0444) and the agent runs without the capabilities
that let root write any file whatever its mode (``setpriv``: no CAP_DAC_OVERRIDE,
CAP_DAC_READ_SEARCH or CAP_FOWNER), so the file's mode binds it as it binds any
user, as under ``runuser -u nobody``, while it can still run an interpreter
installed under /root (where nobody could not). Setting that up needs root and
``setpriv`` (util-linux); elsewhere the test skips, except under CI, where it fails.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from slawatch.store.store import Store

from .helpers import AgentProcess, Target, free_port, wait_until, write_config

Launch = Callable[..., AgentProcess]


UNPRIVILEGED = ("setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--")


@pytest.fixture
def unprivileged() -> None:
    """Skip (fail under CI) where the agent cannot be started without root's rights."""
    missing = []
    if os.geteuid() != 0:
        missing.append("dropping root's file capabilities needs root")
    if shutil.which("setpriv") is None:
        missing.append("setpriv is not installed (Debian package util-linux)")
    if missing:
        reason = "; ".join(missing)
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.mark.usefixtures("unprivileged")
def test_a_database_that_becomes_writable_is_written(
    tmp_path: Path, target: Target, launch: Launch
) -> None:
    database = tmp_path / "agent.db"
    url = f"sqlite:///{database}"
    Store.open(url).close()  # migrated
    database.chmod(0o444)
    port = free_port()
    config = write_config(tmp_path / "agent.yaml", db=url, port=port, targets={"web": target.url})
    agent = launch(config, port, UNPRIVILEGED)
    refused = agent.wait_for(
        lambda m: (
            m.value("slawatch_store_write_failures_total") >= 1
            and m.value("slawatch_samples_spooled_total") >= 1
        ),
        "a write refused while the probes' samples are spooled",
    )
    assert refused.value("slawatch_samples_written_total") == 0
    assert "attempt to write a readonly database" in agent.log
    for path in tmp_path.glob("agent.db*"):  # -shm and -wal take the file's mode
        path.chmod(0o644 if path.is_file() else 0o755)
    caught_up = agent.wait_for(
        lambda m: (
            m.value("slawatch_samples_written_total")
            >= refused.value("slawatch_samples_spooled_total")
        ),
        "the samples spooled meanwhile written",
    )
    log = agent.stop()
    assert caught_up.value("slawatch_samples_dropped_total") == 0
    with Store.open(url) as store:
        wait_until(lambda: store.sample_count("web") == target.answered, "every sample stored")
    assert "the database takes samples again" in log
