"""Several shard agents on one PostgreSQL database (issue 13's bench):

    .venv/bin/python bench/bench_shards.py [--targets 100000] [--interval 120]
                                           [--shards 4] [--seconds 120] [--db URL]

Starts its own nginx on 127.0.0.1 (bench_probes.py's), makes a schema of its own on
``--db`` (default: the test server's database), and runs ``--shards`` agents
(``slawatch run``, ``agent.shard: i/N``) over ``--targets`` HTTP targets at
``--interval`` against nginx. Once every agent has written each of its targets once,
it reads every agent's ``/metrics`` before and after ``--seconds`` and prints, over all
agents: probes per second, p99 scheduling lateness (the agents' histograms summed,
interpolated as ``histogram_quantile``), samples stored per second (rows the database
gained over the window), and the CPU the agents used (agents and their workers;
PostgreSQL's own is not counted) per 1,000 probes and in cores. The load average
comes with them: the machine may be shared. The schema is dropped at the end.

Every wait is bounded: the first round at most ``interval + 120`` s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import make_url

from bench_probes import (
    NGINX,
    Scrape,
    find_binary,
    free_port,
    lateness_figures,
    nginx,
    scrape,
    stop,
    tree_cpu,
)

DEFAULT_DB = "postgresql+psycopg://slawatch:slawatch@127.0.0.1:5432/slawatch_test"


@contextmanager
def schema_of_its_own(url: str) -> Any:
    """A fresh schema on ``url``, dropped at the end; yields (agents' URL, admin conninfo)."""
    name = f"bench_shards_{uuid.uuid4().hex[:8]}"
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {name}")
        try:
            options = {"options": f"-csearch_path={name}"}
            yield make_url(url).update_query_dict(options).render_as_string(False), conninfo, name
        finally:
            admin.execute(f"DROP SCHEMA {name} CASCADE")


def write_configs(args: argparse.Namespace, db: str, target_url: str, folder: Path) -> list[Path]:
    targets = "".join(
        f'  - {{name: t{i:06d}, kind: http, url: "{target_url}?t={i}", '
        f"interval: {args.interval}s, timeout: 5s}}\n"
        for i in range(args.targets)
    )
    configs = []
    for shard in range(1, args.shards + 1):
        config = folder / f"shard-{shard}.yaml"
        config.write_text(
            f'database: {{url: "{db}"}}\n'
            f'agent: {{listen: "127.0.0.1:{free_port()}", shard: {shard}/{args.shards},'
            f' spool_dir: "{folder}/spool-{shard}"}}\n'
            "targets:\n" + targets
        )
        configs.append(config)
    return configs


def port_of(config: Path) -> int:
    return int(config.read_text().split('listen: "127.0.0.1:')[1].split('"')[0])


def written(port: int, agent: subprocess.Popen[Any]) -> int:
    """The samples the agent wrote; 0 while it starts (a big config takes seconds)."""
    if agent.poll() is not None:
        raise SystemExit(f"slawatch run exited (code {agent.returncode})")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30) as answer:
            return int(json.load(answer)["samples_written"])
    except OSError:
        return 0


def first_round(args: argparse.Namespace, ports: list[int], agents: list[Any]) -> None:
    """Wait until the agents wrote as many samples as there are targets (each target
    once, give or take), saying how far they are every 10 s."""
    deadline = time.monotonic() + args.interval + 120
    said = time.monotonic()
    while True:
        counts = [written(port, agent) for port, agent in zip(ports, agents, strict=True)]
        if sum(counts) >= args.targets:
            return
        if time.monotonic() > deadline:
            raise SystemExit(f"the agents did not probe every target once in time: {counts}")
        if time.monotonic() - said > 10:
            print(f"first round: {counts} samples written", flush=True)
            said = time.monotonic()
        time.sleep(1)


def stored(conninfo: str, schema: str) -> int:
    with psycopg.connect(conninfo) as conn:
        found = conn.execute(f"SELECT count(*) FROM {schema}.samples").fetchone()
        return int(found[0]) if found else 0


def summed(scrapes: list[Scrape]) -> Scrape:
    total: Scrape = {}
    for one in scrapes:
        for key, value in one.items():
            total[key] = total.get(key, 0.0) + value
    return total


def run(args: argparse.Namespace, target_url: str, folder: Path) -> dict[str, Any]:
    with schema_of_its_own(args.db) as (db, conninfo, schema):
        configs = write_configs(args, db, target_url, folder)
        agents = [
            subprocess.Popen(
                [sys.executable, "-m", "slawatch.cli", "run", "-c", str(config)],
                stdout=(folder / f"{config.stem}.log").open("wb"),
                stderr=subprocess.STDOUT,
            )
            for config in configs
        ]
        try:
            ports = [port_of(config) for config in configs]
            first_round(args, ports, agents)
            rows, start = stored(conninfo, schema), time.monotonic()
            before, cpu = summed([scrape(p) for p in ports]), sum(tree_cpu(a.pid) for a in agents)
            time.sleep(args.seconds)
            after = summed([scrape(p) for p in ports])
            cpu = sum(tree_cpu(a.pid) for a in agents) - cpu
            elapsed = time.monotonic() - start
            rows = stored(conninfo, schema) - rows
        finally:
            for agent in agents:
                stop(agent)
    found = lateness_figures(before, after, elapsed, cpu)
    probes = found["runs_per_s"] * elapsed
    return {
        "targets": args.targets,
        "interval_s": args.interval,
        "shards": args.shards,
        "window_s": round(elapsed, 1),
        "probes_per_s": round(found["runs_per_s"], 1),
        "lateness_p99_s": round(found["lateness_p99_s"], 3),
        "late_over_1s_share": round(found["late_over_1s_share"], 4),
        "samples_stored_per_s": round(rows / elapsed, 1),
        "cpu_s_per_1000_probes": round(cpu / probes * 1000, 3) if probes else None,
        "cores_busy": round(found["cores_busy"], 2),
        "skipped": found["skipped"],
        "write_backlog_samples": after.get(("slawatch_write_buffer_samples", ()), 0.0),
        "loadavg": os.getloadavg(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", type=int, default=100_000)
    parser.add_argument("--interval", type=int, default=120)
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--db", default=os.environ.get("SLAWATCH_TEST_PG_URL", DEFAULT_DB))
    args = parser.parse_args()
    binary = find_binary(NGINX)
    if binary is None:
        raise SystemExit("nginx is needed (Debian package nginx)")
    print(f"load average before: {os.getloadavg()}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "nginx").mkdir()
        with nginx(binary, Path(tmp) / "nginx") as url:
            figures = run(args, url, Path(tmp))
    print(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
