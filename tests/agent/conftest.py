"""Fixtures of the agent tests: targets and agent processes, always cleaned up."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from .helpers import AgentProcess, Target


@pytest.fixture
def target() -> Iterator[Target]:
    server = Target()
    yield server
    server.close()


@pytest.fixture
def launch(tmp_path: Path) -> Iterator[Callable[..., AgentProcess]]:
    """Starts ``slawatch run`` on a config and a port; any agent still running at the
    end of the test is killed."""
    started: list[AgentProcess] = []

    def start(config: Path, port: int, prefix: Sequence[str] = ()) -> AgentProcess:
        agent = AgentProcess(config, port, tmp_path / f"agent-{len(started)}.log", prefix)
        started.append(agent)
        return agent

    yield start
    for agent in started:
        agent.kill()
