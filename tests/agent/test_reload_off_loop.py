"""A SIGHUP reads the config off the event loop: a config that is slow to parse does not
make what the loop runs late (50,000 targets took 15 s to parse, and a SIGHUP made
8,694 of the next 40,145 probe runs start more than 5 s late).

The agent runs in this process, on a loop that also runs a 20 ms ticker; the part of
the load done in this process (the validation: a child process reads the YAML) is
made slow (one second of Python work) and the ticker's lateness is measured across
the reload. Then the Reloader alone: SIGHUPs during a load
fold into one more load, and a load that fails in any way is refused."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from slawatch.agent.reload import Reloader
from slawatch.agent.runner import Agent
from slawatch.agent.spool import open_spool
from slawatch.config import Config, load_config
from slawatch.config.load import load_values
from slawatch.config.targets import KnownTargets
from slawatch.config.values import read_in_child
from slawatch.store.store import Store

from .helpers import free_port

TICK = 0.02  # seconds
PARSE = 1.0  # seconds of Python work added to each parse
LOAD = "slawatch.agent.reload.load_values"  # a reload's work in this process
READ = "slawatch.agent.reload.read_in_child"  # ... and in its child
RELOADED_AT = "slawatch_config_last_reload_success_timestamp_seconds"


def config_text(port: int, db: str, targets: int) -> str:
    lines = [f'database: {{url: "{db}"}}', f'agent: {{listen: "127.0.0.1:{port}"}}', "targets:"]
    lines += [f"  - {{name: job-{i}, kind: heartbeat, interval: 1h}}" for i in range(targets)]
    return "\n".join(lines) + "\n"


def slow(parse: Callable[..., object]) -> Callable[..., object]:
    def slow_parse(*args: object, **kwargs: object) -> object:
        until = time.thread_time() + PARSE  # CPU time: as slow on a busy machine
        while time.thread_time() < until:
            pass
        return parse(*args, **kwargs)

    return slow_parse


async def ticking_through_a_reload(agent: Agent, registry: CollectorRegistry) -> list[float]:
    """The ticker's lateness from the SIGHUP until the reload is applied."""
    loop = asyncio.get_running_loop()
    running = asyncio.create_task(agent.run())
    await asyncio.sleep(0.2)  # started
    started = registry.get_sample_value(RELOADED_AT)
    late: list[float] = []
    os.kill(os.getpid(), signal.SIGHUP)
    deadline, due = loop.time() + 10 * PARSE + 5, loop.time()
    while registry.get_sample_value(RELOADED_AT) == started and loop.time() < deadline:
        due += TICK
        await asyncio.sleep(max(0.0, due - loop.time()))
        late.append(loop.time() - due)
    agent.stop.set()
    await running
    assert registry.get_sample_value(RELOADED_AT) != started, "the reload was not applied"
    return late


def test_a_slow_parse_does_not_hold_the_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "agent.yaml"
    db = f"sqlite:///{tmp_path}/agent.db"
    port = free_port()
    path.write_text(config_text(port, db, 1))
    registry = CollectorRegistry()
    config = load_config(path)
    with Store.open(db) as store, contextlib.closing(open_spool(config.agent, db)) as spool:
        agent = Agent(path, config, store, spool, registry=registry)
        path.write_text(config_text(port, db, 2))
        monkeypatch.setattr(LOAD, slow(load_values))
        late = asyncio.run(ticking_through_a_reload(agent, registry))
    assert agent.config.target("job-1").interval == 3600
    assert len(late) > PARSE / TICK / 2  # the ticker ran while the file was parsed
    assert max(late) < 0.25, f"the loop stalled {max(late):.2f} s"


def reloads(path: Path, during: Callable[[], object]) -> tuple[list[int], int]:
    """Target counts of the configs a Reloader applied, and its refusals, when SIGHUP
    is asked for once, then ``during`` runs while that load is under way and asks again."""
    applied: list[int] = []
    refused: list[None] = []

    async def scenario() -> None:
        reloader = Reloader(
            path, lambda c: applied.append(len(c.targets)), lambda: refused.append(None)
        )
        reloader.request()
        await asyncio.sleep(0.05)  # the first load is under way
        during()
        reloader.request()
        reloader.request()
        deadline = time.monotonic() + 10
        while (reloader._task is None or not reloader._task.done()) and time.monotonic() < deadline:
            await asyncio.sleep(0.02)

    asyncio.run(scenario())
    return applied, len(refused)


def test_sighups_during_a_load_make_one_more_load_of_the_last_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "agent.yaml"
    path.write_text(config_text(free_port(), "sqlite:///a.db", 1))
    parsed: list[object] = []

    def slow_read(path: Path) -> object:
        parsed.append(read_in_child(path))
        time.sleep(0.3)
        return parsed[-1]

    def change() -> None:
        deadline = time.monotonic() + 10
        while not parsed and time.monotonic() < deadline:  # the first child has read it
            time.sleep(0.01)
        path.write_text(config_text(free_port(), "sqlite:///a.db", 3))

    monkeypatch.setattr(READ, slow_read)
    applied, refused = reloads(path, change)
    assert (applied, refused, len(parsed)) == ([1, 3], 0, 2)


def test_a_load_that_fails_for_any_reason_is_refused_and_the_next_one_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "agent.yaml"
    path.write_text(config_text(free_port(), "sqlite:///a.db", 2))
    calls: list[None] = []

    def buggy_then_fine(path: Path, values: object, known: KnownTargets) -> Config:
        calls.append(None)
        if len(calls) == 1:
            time.sleep(0.2)
            raise RuntimeError("a bug of ours")
        return load_values(path, values, known)

    monkeypatch.setattr(LOAD, buggy_then_fine)
    assert reloads(path, lambda: None) == ([2], 1)
    assert "config reload failed, the old config keeps running" in caplog.text


def test_a_reload_whose_child_cannot_start_loads_in_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "agent.yaml"
    path.write_text(config_text(free_port(), "sqlite:///a.db", 1))
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python"))
    applied, refused = reloads(path, lambda: None)
    assert (applied, refused) == ([1, 1], 0)  # one load, then the one asked for during it


def test_a_reload_takes_again_the_targets_its_start_validated(tmp_path: Path) -> None:
    path = tmp_path / "agent.yaml"
    path.write_text(config_text(free_port(), "sqlite:///a.db", 2))
    known = KnownTargets()
    started = load_values(path, read_in_child(path), known)
    path.write_text(config_text(free_port(), "sqlite:///a.db", 3))  # job-2 added
    applied: list[Config] = []

    async def scenario() -> None:
        reloader = Reloader(path, applied.append, lambda: None, known=known)
        reloader.request()
        deadline = time.monotonic() + 10
        while (reloader._task is None or not reloader._task.done()) and time.monotonic() < deadline:
            await asyncio.sleep(0.02)

    asyncio.run(scenario())
    [reloaded] = applied
    assert reloaded.targets[:2] == started.targets
    assert all(a is b for a, b in zip(reloaded.targets, started.targets, strict=False))
    assert reloaded.target("job-2").name == "job-2"
