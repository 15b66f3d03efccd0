"""Two agents at two locations on one database: each stores its samples under its own
``agent.location`` and labels its probe series with it (SPEC section 2, "Locations")."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from slawatch.store.store import Store

from .helpers import AgentProcess, Metrics, Target, free_port, wait_until, write_config

Launch = Callable[[Path, int], AgentProcess]


def test_two_locations_share_one_database(
    db_url: str, tmp_path: Path, target: Target, launch: Launch
) -> None:
    agents = {}
    for place in ("paris", "nyc"):
        # One after the other: the second port is chosen once the first agent listens,
        # so that it cannot be the one the first is about to take.
        port = free_port()
        folder = tmp_path / place
        folder.mkdir()
        config = write_config(
            folder / "agent.yaml", db=db_url, port=port, targets={"web": target.url}, location=place
        )
        agents[place] = agent = launch(config, port)
        agent.wait_for(partial(probed_from, place), f"an ok probe from {place}", timeout=30)
        assert not agent.scrape().has("probe_success", target="web", location="elsewhere")
    with Store.open(db_url) as store:
        for place in agents:
            wait_until(partial(stored_from, store, place), f"a sample from {place}", timeout=20)
        assert set(store.flips(["web"], 0, 2**40)["web"]) == {"paris", "nyc"}
        assert not store.samples("web", 0, 2**62, "")  # nothing under the unnamed location


def probed_from(place: str, metrics: Metrics) -> bool:
    return metrics.count("probe_success", target="web", location=place) == 1


def stored_from(store: Store, place: str) -> bool:
    return bool(store.samples("web", 0, 2**62, place))
