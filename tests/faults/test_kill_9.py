"""SIGKILL at random moments (seeded), 20 times on SQLite and 20 on PostgreSQL, each
agent reloaded (SIGHUP) once before: every sample an agent acknowledged (spooled)
is in the database once a last agent has written what they left, and the time they
were away is unknown, never down.

The two series run side by side (each agent spends most of its short life
starting: two at a time halve the wall time on two cores)."""

from __future__ import annotations

import random
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from agent.helpers import Target

from .harness import Agents, Figures

pytestmark = pytest.mark.faults

KILLS = 20
LONGEST_LIFE = 2.5  # seconds an agent serves before its kill, at most


def kill_series(agents: Agents, seed: str) -> Figures:
    """``KILLS`` agents killed at random moments, then one that writes what they left."""
    rng = random.Random(seed)
    try:
        for _ in range(KILLS):
            agent = agents.start()
            agent.wait_for(lambda m: m.has("slawatch_probes_total"), "probing", 30)
            life = rng.uniform(0, LONGEST_LIFE)
            reload_at = rng.uniform(0, life)
            agents.scrape_until(time.monotonic() + reload_at)
            agents.reload()
            agents.scrape_until(time.monotonic() + life - reload_at)
            agents.kill()
        agents.finish()
    finally:
        agents.close()
    return agents.check()


def test_kill_9_at_random_moments_loses_no_acknowledged_sample(
    tmp_path: Path, faults_pg_url: str, target: Target
) -> None:
    (tmp_path / "sqlite").mkdir()
    (tmp_path / "postgresql").mkdir()
    series = {
        "sqlite": Agents(tmp_path / "sqlite", f"sqlite:///{tmp_path}/sqlite/agent.db", target.url),
        "postgresql": Agents(tmp_path / "postgresql", faults_pg_url, target.url),
    }
    with ThreadPoolExecutor(len(series)) as pool:
        running = {
            name: pool.submit(kill_series, agents, f"kill-9 {name}")
            for name, agents in series.items()
        }
        figures = {name: future.result() for name, future in running.items()}
    for name, found in figures.items():
        print(f"kill -9 on {name}: {found}")
        assert (found.runs, found.reloads, found.lost) == (KILLS + 1, KILLS, 0)
        assert found.acknowledged > 10 * KILLS  # the agents did spool, a sample a target a second
