"""``agent.workers: 2``: real agents whose targets are probed by two worker processes.
A killed worker is started again (and counted) and probing carries on; a reload
gives each worker its new share of the targets; heartbeats stay in the agent,
which holds their pings."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path

import pytest

from slawatch.agent.workers import WORKER_MAIN, shard
from slawatch.probes.records import pack
from slawatch.store.store import Store

from .helpers import AgentProcess, Metrics, Target, free_port, write_config

Launch = Callable[[Path, int], AgentProcess]
WORKERS = "slawatch_probe_workers"
RESTARTS = "slawatch_probe_worker_restarts_total"


def test_a_worker_imports_what_probing_needs_only() -> None:
    """A worker's program imports the module of its ``serve``: not the store
    (SQLAlchemy, Alembic), not the metrics (prometheus_client), nor the HTTP API, nor
    multiprocessing's process machinery, nor the config package (pydantic), nor
    dnspython before a dns target; each costs memory in every worker. The program itself runs, up to the call of ``serve``."""
    call = "serve(settings)\n"
    assert WORKER_MAIN.endswith(call)
    script = WORKER_MAIN.removesuffix(call) + "print(*(n for n, m in sys.modules.items() if m))\n"
    settings = json.dumps({"path": sys.path})
    loaded = subprocess.run(
        [sys.executable, "-c", script, settings],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split()
    unwanted = (
        "sqlalchemy",
        "alembic",
        "prometheus_client",
        "slawatch.store",
        "slawatch.exporters",
        "multiprocessing.spawn",
        "multiprocessing.resource_tracker",
        "pydantic",
        "slawatch.config",
        "dns",
    )
    assert [name for name in loaded if name.startswith(unwanted)] == []
    assert {"slawatch.probes.http", "slawatch.agent.workers"} <= set(loaded)


def test_a_worker_waits_for_the_rest_of_a_command() -> None:
    """A command whose first bytes reach the worker before the rest (the agent's
    thread writes a big one as the pipe drains) is read whole, not taken for the
    agent gone: uvloop made the pipe non-blocking, and such a worker stopped."""
    commands, theirs = os.pipe()
    ours, results = os.pipe()
    settings = {"index": 0, "commands": commands, "results": results, "limit": 1}
    settings |= {"levels": {"": 30}, "path": sys.path}  # type: ignore[dict-item]
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER_MAIN, json.dumps(settings)], pass_fds=(commands, results)
    )
    os.close(commands)
    os.close(results)
    try:
        message = wire(("targets", pack({})))
        os.write(theirs, message[:2])
        with pytest.raises(subprocess.TimeoutExpired):  # it waits for the rest (one that
            worker.wait(timeout=3)  # took the agent gone stopped within 0.4 s of its start)
        os.write(theirs, message[2:] + wire(("stop", 0.0)))
        assert worker.wait(timeout=20) == 0
    finally:
        worker.kill()
        worker.wait()
        os.close(theirs)
        os.close(ours)


def wire(command: object) -> bytes:
    """``command`` as the agent's end of the pipe writes it."""
    reading, writing = os.pipe()
    with Connection(writing, readable=False) as sender:
        sender.send(command)
    with os.fdopen(reading, "rb") as written:
        return written.read()


def children(agent: AgentProcess) -> list[int]:
    """Every process the agent started."""
    found = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError, ValueError):  # not a process, or gone meanwhile
            stat = (entry / "stat").read_text()
            if int(stat[stat.rindex(")") + 2 :].split()[1]) == agent.process.pid:
                found.append(int(entry.name))
    return sorted(found)


def probes(metrics: Metrics, target: str) -> float:
    return metrics.count("slawatch_probes_total", target=target)


def worker_pids(agent: AgentProcess) -> list[int]:
    """The agent's probe workers: its children that run ``workers.serve``."""
    found = []
    for pid in children(agent):
        with contextlib.suppress(OSError):  # gone meanwhile
            if b"slawatch.agent.workers" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
    return found


def test_a_killed_worker_is_started_again_and_probing_carries_on(
    tmp_path: Path, target: Target, launch: Launch
) -> None:
    names = [f"web-{i}" for i in range(6)]
    assert {shard(name, 2) for name in names} == {0, 1}  # both workers have targets
    port = free_port()
    db = f"sqlite:///{tmp_path}/agent.db"
    config = write_config(
        tmp_path / "agent.yaml",
        db=db,
        port=port,
        targets=dict.fromkeys(names, target.url),
        workers=2,
    )
    agent = launch(config, port)
    started = agent.wait_for(
        lambda m: all(probes(m, name) >= 1 for name in names), "every target probed", 20
    )
    assert (started.value(WORKERS), started.value(RESTARTS)) == (2, 0)
    before = worker_pids(agent)
    assert len(before) == 2
    assert children(agent) == before  # no other process: no resource tracker (12 MB)
    for pid in before:  # their targets came packed: no worker loaded pydantic (11 MB)
        assert "pydantic_core" not in Path(f"/proc/{pid}/maps").read_text()

    os.kill(before[0], signal.SIGKILL)
    back = agent.wait_for(
        lambda m: m.value(RESTARTS) == 1 and m.value(WORKERS) == 2, "the worker started again", 20
    )
    last = agent.wait_for(
        lambda m: all(probes(m, name) >= probes(back, name) + 2 for name in names),
        "two more probes of every target",
        20,
    )
    after = worker_pids(agent)
    assert len(after) == 2 and before[0] not in after and before[1] in after
    log = agent.stop()
    assert "probe worker" in log and "died (exit code -9)" in log
    with Store.open(db) as store:
        assert all(store.sample_count(name) >= probes(last, name) for name in names), log


@pytest.fixture
def pinging() -> Iterator[Callable[[int], None]]:
    """Pings ``/ping/nightly`` on a port every 0.2 s until the test ends."""
    done = threading.Event()

    def start(port: int) -> None:
        def ping() -> None:
            while not done.wait(0.2):
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/ping/nightly", method="POST"
                )
                with contextlib.suppress(OSError):  # not listening yet
                    urllib.request.urlopen(request, timeout=2).close()

        threading.Thread(target=ping, daemon=True).start()

    yield start
    done.set()


def test_a_reload_gives_each_worker_its_new_targets(
    tmp_path: Path, target: Target, launch: Launch, pinging: Callable[[int], None]
) -> None:
    port = free_port()
    db = f"sqlite:///{tmp_path}/agent.db"
    config = tmp_path / "agent.yaml"
    heartbeat = "targets:\n  - {name: nightly, kind: heartbeat, interval: 1s}\n"

    def configure(workers: int, *names: str) -> None:
        targets = dict.fromkeys(names, target.url)
        write_config(config, db=db, port=port, targets=targets, workers=workers)
        config.write_text(config.read_text().replace("targets:\n", heartbeat, 1))

    assert [shard(name, 2) for name in ("a", "b", "c", "d", "e")] == [0, 0, 0, 1, 1]
    configure(2, "a", "b")
    agent = launch(config, port)
    pinging(port)
    agent.wait_for(lambda m: probes(m, "a") >= 1 and probes(m, "b") >= 1, "a and b probed", 20)
    agent.wait_for(
        lambda m: (
            m.has("probe_success", target="nightly")
            and m.value("probe_success", target="nightly") == 1
        ),
        "the heartbeat, probed in the agent, seeing its pings",
    )

    configure(3, "b", "c", "d", "e")  # d and e go to the worker that had nothing
    agent.signal(signal.SIGHUP)
    reloaded = agent.wait_for(
        lambda m: (
            all(probes(m, name) >= 2 for name in "cde") and not m.has("probe_success", target="a")
        ),
        "c, d and e probed twice, a gone",
        20,
    )
    assert (reloaded.value(WORKERS), reloaded.value(RESTARTS)) == (2, 0)
    with Store.open(db) as store:
        kept = store.sample_count("a")
        agent.wait_for(
            lambda m: probes(m, "b") >= probes(reloaded, "b") + 2, "two more probes of b"
        )
        assert store.sample_count("a") == kept
    workers = worker_pids(agent)
    log = agent.stop()
    assert "config reload: agent.workers changed (2 -> 3) and needs a restart of the agent" in log
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]  # stopped, reaped
