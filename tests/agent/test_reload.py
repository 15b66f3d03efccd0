"""SIGHUP: the config file's targets take effect without a restart; a config that
fails to load is refused, the old one keeps probing, and a metric says so."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from slawatch.store.store import Store

from .helpers import AgentProcess, Metrics, Target, free_port, wait_until, write_config

Launch = Callable[[Path, int], AgentProcess]
RELOAD_OK = "slawatch_config_last_reload_successful"
RELOADED_AT = "slawatch_config_last_reload_success_timestamp_seconds"


@pytest.fixture
def other() -> Iterator[Target]:
    """A second target, slow enough that a probe of it can be caught under way."""
    server = Target()
    server.delay = 0.3
    yield server
    server.close()


def probes(metrics: Metrics, target: str) -> float:
    return metrics.count("slawatch_probes_total", target=target)


def test_sighup_adds_refuses_and_removes_targets(
    tmp_path: Path, target: Target, other: Target, launch: Launch
) -> None:
    port = free_port()
    db = f"sqlite:///{tmp_path}/agent.db"
    config = tmp_path / "agent.yaml"

    def configure(**targets: str) -> None:
        write_config(config, db=db, port=port, targets=targets)

    configure(web=target.url)
    agent = launch(config, port)
    agent.wait_for(lambda m: probes(m, "web") >= 1, "a probe of web")

    # Added: probed, in /metrics and in the store.
    configure(web=target.url, added=other.url)
    agent.signal(signal.SIGHUP)
    metrics = agent.wait_for(lambda m: m.has("probe_success", target="added"), "added probed")
    assert metrics.value(RELOAD_OK) == 1
    with Store.open(db) as store:
        wait_until(lambda: store.sample_count("added") >= 1, "a sample of added stored")

    # Broken: refused, and both targets keep being probed.
    config.write_text(config.read_text().replace("interval: 1s", "interval: 1"))
    agent.signal(signal.SIGHUP)
    refused = agent.wait_for(lambda m: m.value(RELOAD_OK) == 0, "the reload refused")
    agent.wait_for(
        lambda m: all(probes(m, t) >= probes(refused, t) + 2 for t in ("web", "added")),
        "two more probes of each target",
    )
    assert "config reload refused" in agent.log

    # Fixed: accepted again.
    configure(web=target.url, added=other.url)
    agent.signal(signal.SIGHUP)
    fixed = agent.wait_for(lambda m: m.value(RELOAD_OK) == 1, "the reload accepted")
    assert fixed.value(RELOADED_AT) > refused.value(RELOADED_AT)

    # Removed while a probe of it is under way: that probe's sample is still written,
    # its series leave /metrics, it is probed no more, and the agent carries on.
    received = other.received
    wait_until(lambda: other.received > received, "a probe of added under way")
    configure(web=target.url)
    agent.signal(signal.SIGHUP)
    time.sleep(other.delay + 0.1)  # the probe under way ends
    gone = other.received
    web = probes(agent.scrape(), "web")
    metrics = agent.wait_for(lambda m: probes(m, "web") >= web + 2, "two more probes of web")
    assert not metrics.has("probe_success", target="added")
    assert other.received == gone
    log = agent.stop()
    with Store.open(db) as store:
        assert store.sample_count("added") == other.answered, log
        assert store.sample_count("web") == target.answered, log
