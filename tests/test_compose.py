"""The compose example (config/compose/): agents of three locations on PostgreSQL and
Prometheus. No container engine runs here, so what is checked is that its files agree:
every agent's config is valid, they share targets and contracts, each location's
shards are 1..N exactly once, and Prometheus scrapes every agent."""

from __future__ import annotations

import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from slawatch.config import load_config

COMPOSE = Path(__file__).resolve().parents[1] / "config" / "compose"


def agents() -> dict[str, Path]:
    """Service name -> its config file, as compose.yaml mounts it."""
    services = yaml.safe_load((COMPOSE / "compose.yaml").read_text())["services"]
    found = {}
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source, _, rest = volume.partition(":")
            if rest.startswith("/etc/slawatch/slawatch.yaml"):
                found[name] = COMPOSE / source
    return found


def test_every_agent_config_is_valid_and_they_agree() -> None:
    configs = {name: load_config(path) for name, path in agents().items()}
    assert len(configs) == 4
    first = next(iter(configs.values()))
    assert all(
        c.targets == first.targets and c.contracts == first.contracts for c in configs.values()
    )
    shards: dict[str, list[str]] = defaultdict(list)
    for config in configs.values():
        shards[config.agent.location].append(str(config.agent.shard))
    assert {loc: sorted(s) for loc, s in shards.items()} == {
        "paris": ["1/2", "2/2"],
        "frankfurt": ["1/1"],
        "virginia": ["1/1"],
    }


def test_prometheus_scrapes_every_agent() -> None:
    scraped = yaml.safe_load((COMPOSE / "prometheus.yml").read_text())["scrape_configs"][0]
    targets = {t for group in scraped["static_configs"] for t in group["targets"]}
    assert targets == {f"{name}:9115" for name in agents()}


def test_compose_validates_it_when_docker_compose_is_there() -> None:
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("no docker here")
    if subprocess.run([docker, "compose", "version"], check=False, capture_output=True).returncode:
        pytest.skip("no docker compose here")
    subprocess.run([docker, "compose", "config", "-q"], cwd=COMPOSE, check=True, timeout=60)
