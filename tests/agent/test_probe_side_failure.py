"""The agent's own network breaks: every target fails at once, the control target
too, and the contract records no downtime, only unknown time (SPEC section 2,
probe-side failure). When only the service fails, it is downtime."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from slawatch.cli import main
from slawatch.sla.timeline import State
from slawatch.store.store import Store

from .helpers import AgentProcess, Target, free_port, mid_tick, write_config

Launch = Callable[[Path, int], AgentProcess]
OUTAGE = 3  # seconds: 3 failed probes, confirmed after 2


@pytest.fixture
def control() -> Iterator[Target]:
    """The known-good URL the agent checks its own network with."""
    server = Target()
    yield server
    server.close()


def report(config: Path, as_of: float) -> tuple[int, int]:
    """``slawatch report`` of the contract's year so far at ``as_of``: (downtime, unknown)
    seconds. A year rather than a month: two reports a few seconds apart then fall
    in the same period but on one night a year."""
    instant = datetime.fromtimestamp(as_of, UTC)
    result = CliRunner().invoke(
        main,
        [
            *("report", "-c", str(config), "--contract", "web-sla"),
            *("--period", f"{instant:%Y}", "--as-of", instant.isoformat()),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    return data["downtime_seconds"], data["unknown_seconds"]


def outage(
    tmp_path: Path, launch: Launch, web: Target, control: Target, *, network_down: bool
) -> tuple[Path, float, float]:
    """Run the agent through an ``OUTAGE`` of ``web``: alone, or with ``control``
    when the agent's network is down. Returns the config, when the outage began
    (between two probes) and a moment after it that the samples still cover."""
    port = free_port()
    db = f"sqlite:///{tmp_path}/agent.db"
    targets = {"web": web.url, "network": control.url}
    config = write_config(
        tmp_path / "agent.yaml", db=db, port=port, targets=targets, control=["network"]
    )
    agent = launch(config, port)
    agent.wait_for(lambda m: m.count("slawatch_probes_total", target="web") >= 1, "a probe")
    began = mid_tick()
    if network_down:
        web.reachable = control.reachable = False  # connections reset: nothing answers
    else:
        web.healthy = False  # the service answers 503, the network is fine
    time.sleep(began + OUTAGE - time.time())
    web.reachable = control.reachable = web.healthy = True
    time.sleep(began + OUTAGE + 1 - time.time())  # the first ok probe, half a second ago
    after = time.time()
    agent.stop()
    with Store.open(db) as store:  # the target's own timeline says down, either way
        assert State.DOWN in [f.state for f in store.flips(["web"], 0, 2**40)["web"][""]]
    return config, began, after


def test_network_down_is_unknown_not_downtime(
    tmp_path: Path, launch: Launch, target: Target, control: Target
) -> None:
    config, began, after = outage(tmp_path, launch, target, control, network_down=True)
    down_before, unknown_before = report(config, began)
    down, unknown = report(config, after)
    assert (down_before, down) == (0, 0)
    # The failure is known to the control's sampling: it may have begun up to one control
    # interval (1 s) before its first failed check, and the service's last failed sample
    # stands one service interval (1 s) at most.
    assert OUTAGE <= unknown - unknown_before <= OUTAGE + 2


def test_service_down_alone_is_downtime(
    tmp_path: Path, launch: Launch, target: Target, control: Target
) -> None:
    config, began, after = outage(tmp_path, launch, target, control, network_down=False)
    down_before, unknown_before = report(config, began)
    down, unknown = report(config, after)
    assert (down_before, down) == (0, OUTAGE)
    assert unknown == unknown_before
