"""The agent as an SRE runs it: a real process, a real HTTP target on 127.0.0.1
that goes down and up on command, the store and ``/metrics`` read back."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path

from slawatch import version
from slawatch.probes.result import utc_text
from slawatch.sla.timeline import State
from slawatch.store.store import Store

from .helpers import (
    AgentProcess,
    Metrics,
    Target,
    free_port,
    mid_tick,
    stored_outage,
    write_config,
)

Launch = Callable[[Path, int], AgentProcess]


def probes(metrics: Metrics, outcome: str | None = None) -> float:
    labels = {"target": "web"} if outcome is None else {"target": "web", "outcome": outcome}
    return metrics.count("slawatch_probes_total", **labels)


def sla_downtime(metrics: Metrics) -> float:
    return metrics.value("slawatch_sla_downtime_seconds_total", contract="web-sla")


def test_outage_becomes_flips_and_metrics(tmp_path: Path, target: Target, launch: Launch) -> None:
    port = free_port()
    db = f"sqlite:///{tmp_path}/agent.db"
    agent = launch(
        write_config(tmp_path / "agent.yaml", db=db, port=port, targets={"web": target.url}), port
    )
    agent.wait_for(lambda m: probes(m, "ok") >= 1, "an ok probe")
    down_at = mid_tick()
    target.healthy = False
    before = probes(agent.scrape())
    down_metrics = agent.wait_for(lambda m: probes(m) >= before + 3, "three failed probes")
    up_at = mid_tick()
    target.healthy = True
    ok = probes(agent.scrape(), "ok")
    up_metrics = agent.wait_for(lambda m: probes(m, "ok") > ok, "an ok probe")
    # The contract's downtime counter ends up at the stored outage's length, once the
    # series show the recovery's instant (some seconds later: README, /metrics).
    agent.wait_for(lambda _: stored_outage(db) > 0, "the outage ended in the store")
    outage = stored_outage(db)
    agent.wait_for(lambda m: sla_downtime(m) >= outage, "the outage in the SLA series", 20)
    time.sleep(1.5)  # more writes and refreshes: the counter stays
    assert sla_downtime(agent.scrape()) == outage
    log = agent.stop()
    assert down_metrics.value("probe_success", target="web") == 0
    assert down_metrics.value("probe_http_status_code", target="web") == 503
    assert up_metrics.value("probe_success", target="web") == 1
    assert "agent stopped" in log
    assert "exiting without waiting" not in log  # a healthy stop leaves no thread behind
    assert log.count(f"slawatch {version()} agent started: 1 targets") == 1, log
    assert up_metrics.value("slawatch_build_info", version=version()) == 1
    with Store.open(db) as store:
        flips = store.flips(["web"], 0, 2**40)["web"][""]
    assert [f.state for f in flips] == [State.UP, State.DOWN, State.UP, State.UNKNOWN], flips
    # One line per confirmed edge, naming the first failed sample (where the outage starts).
    assert log.count("target web down since ") == 1, log
    assert f"target web down since {utc_text(flips[1].t)} (first failed sample: " in log
    assert f"target web up at {utc_text(flips[2].t)} (down since {utc_text(flips[1].t)})" in log
    # The switches fell between probes: the outage is exactly as long as the 503s.
    assert flips[2].t - flips[1].t == round(up_at - down_at)


def test_kill_9_loses_nothing_reported_written_and_the_gap_is_unknown(
    tmp_path: Path, target: Target, launch: Launch
) -> None:
    port = free_port()
    db = f"sqlite:///{tmp_path}/agent.db"
    config = write_config(tmp_path / "agent.yaml", db=db, port=port, targets={"web": target.url})
    agent = launch(config, port)
    metrics = agent.wait_for(
        lambda m: m.value("slawatch_samples_written_total") >= 2, "two samples written"
    )
    written = metrics.value("slawatch_samples_written_total")
    agent.signal(signal.SIGKILL)
    agent.kill()
    time.sleep(2)  # with the restart, more than 2 x interval without a sample
    restarted = launch(config, port)
    restarted.wait_for(
        lambda m: m.value("slawatch_samples_written_total") >= 2, "two samples written"
    )
    restarted.stop()
    with Store.open(db) as store:
        assert store.sample_count("web") >= written + 2
        flips = store.flips(["web"], 0, 2**40)["web"][""]
    assert [f.state for f in flips] == [State.UP, State.UNKNOWN, State.UP, State.UNKNOWN]
