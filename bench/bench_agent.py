"""The whole agent against blackbox_exporter, as users run it (issue 14):

    .venv/bin/python bench/bench_agent.py [--targets 5000 50000] [--interval 60]
                                          [--seconds 60] [--workers 2]
                                          [--db sqlite postgresql] [--pg-url URL]

Starts its own nginx (Debian ``nginx``) on a free 127.0.0.1 port and its own
``prometheus-blackbox-exporter``, as bench_probes.py does. Then for each database and
each target count N, one after the other (never two loads at once):

- slawatch: ``slawatch run`` with N http targets at ``--interval`` (``agent.workers``
  from ``--workers``), every target its own URL on nginx. Start time: from the command
  to ``/healthz`` reporting all N targets scheduled. Once every target has run, over
  ``--seconds``: the CPU of the agent and its probe workers together (utime+stime from
  /proc; cores used = CPU / wall), probes run (the lateness histogram's count, from
  ``/metrics?series=agent`` at the window's edges) beside the runs the targets were due in
  the window (from their phases), CPU per 1,000 probes (the whole agent's, and its main
  process's), lateness p50/p99 (the agent's own histogram, as ``histogram_quantile``), the
  resident memory of each of its processes (RSS, and PSS, which counts a page shared by
  several processes once in all: the sum of the PSS is what they take together). Then
  ``GET /metrics`` (size, lines, time, and with ``?series=agent``, the agent's own series
  only), a SIGHUP reload with the same file (time to the ``config reloaded`` log line),
  and, once stopped, a restart on the same database and spool (time to ``/healthz``
  again: the first start also creates the database); and the same config written as JSON
  (as generators write it) timed alike: a reload before the agent stops, a restart after.
- blackbox_exporter, alone, probing the same URLs at the same rate (N / interval per
  second) for as long, driven as Prometheus drives it (``/probe`` over kept-alive
  connections): its CPU per 1,000 probes, the exporter process only.

The ratio is slawatch's CPU per 1,000 probes over blackbox's: the whole agent (store
writes, metrics, scheduling) against blackbox's probe-only cost. Quote CPU figures
(wall time on a busy machine says little); the load average is printed with them.
Every wait is bounded; only 127.0.0.1 traffic.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench_config import json_copy
from bench_probes import (
    BLACKBOX,
    NGINX,
    Scrape,
    blackbox,
    cpu_seconds,
    find_binary,
    free_port,
    lateness_figures,
    nginx,
    rounded,
    run_blackbox,
    stop,
    tree_cpu,
)
from slawatch.agent.scheduler import first_run

PG_URL = os.environ.get(
    "SLAWATCH_TEST_PG_URL", "postgresql+psycopg://slawatch:slawatch@127.0.0.1:5432/slawatch_test"
)
START_LIMIT_S = 300.0  # at most this long for the agent to schedule its targets
RELOAD_LIMIT_S = 300.0  # ... and for a reload


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (the probe workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def memory_mb(pid: int) -> tuple[float, float]:
    """Resident memory of ``pid`` in MB: its RSS, and its PSS (proportional set size:
    the pages it shares with the agent's other processes, the interpreter's own for
    one, divided among them), which adds up to what the processes take together."""
    found = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        key, value = line.split(":", 1)
        found[key] = int(value.split()[0]) / 1024
    return found["Rss"], found["Pss"]


def role(pid: int, agent: int) -> str:
    """What an agent's process is: the agent, a probe worker, or multiprocessing's own."""
    if pid == agent:
        return "main"
    command = Path(f"/proc/{pid}/cmdline").read_bytes()
    return "tracker" if b"resource_tracker" in command else "worker"


def write_config(path: Path, url: str, count: int, db: str, args: argparse.Namespace) -> int:
    """A config of ``count`` http targets at ``args.interval``; returns its port."""
    interval, workers = args.interval, args.workers
    port = free_port()
    targets = "".join(
        f'  - {{name: t{i:06d}, kind: http, url: "{url}?t={i}", interval: {interval}s,'
        " timeout: 5s}\n"
        for i in range(count)
    )
    path.write_text(
        f'database: {{url: "{db}"}}\n'
        f'agent: {{listen: "127.0.0.1:{port}", workers: {workers},'
        f' spool_dir: "{path.parent}/{path.stem}.spool"}}\n'
        f"targets:\n{targets}"
    )
    return port


def get(url: str) -> tuple[bytes, float]:
    """The body and the wall time of one GET."""
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as answer:
        body: bytes = answer.read()
    return body, time.perf_counter() - start


def health(port: int) -> dict[str, Any] | None:
    try:
        body, _ = get(f"http://127.0.0.1:{port}/healthz")
    except OSError:
        return None
    answer: dict[str, Any] = json.loads(body)
    return answer


def ran(before: Scrape, after: Scrape) -> int:
    """Probe runs recorded between two scrapes (the lateness histogram's count: the agent
    records a run within ``BATCH_EVERY`` of its end, whereas it acknowledges samples once a
    second, which blurred a 30 s window's edges by up to 3%)."""
    key = ("slawatch_schedule_lateness_seconds_count", ())
    return round(after[key] - before[key])


def due_runs(count: int, interval: int, start: float, end: float) -> int:
    """Runs the targets of ``write_config`` are due for in ``[start, end)``: their phases are
    not evenly spread, so a window shorter than the interval is due more or fewer runs
    than ``count / interval`` a second (822 to 844 a second in a 30 s window of 50,000)."""
    due = 0
    for i in range(count):
        first = first_run(f"t{i:06d}", interval, start)
        due += len(range(math.ceil((end - first) / interval))) if first < end else 0
    return due


def wait_until(what: str, agent: subprocess.Popen[Any], limit: float, done: Any) -> float:
    """Seconds until ``done()`` is true; exits the bench if the agent dies or ``limit`` passes."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        if agent.poll() is not None:
            raise SystemExit(f"slawatch run exited (code {agent.returncode}) waiting for {what}")
        if done():
            return time.monotonic() - start
        time.sleep(0.1)
    raise SystemExit(f"the agent did not reach {what} within {limit:g} s")


def scrape(port: int) -> Scrape:
    """The agent's ``slawatch_*`` series (only those are parsed: fast at 50,000 targets)."""
    from prometheus_client.parser import text_string_to_metric_families

    body, _ = get(f"http://127.0.0.1:{port}/metrics?series=agent")
    text = "\n".join(line for line in body.decode().splitlines() if "slawatch_" in line)
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text + "\n")
        for sample in family.samples
    }


def metrics_figures(port: int) -> dict[str, Any]:
    full, took = min(
        (get(f"http://127.0.0.1:{port}/metrics") for _ in range(3)), key=lambda x: x[1]
    )
    own, own_took = get(f"http://127.0.0.1:{port}/metrics?series=agent")
    return {
        "metrics_mb": len(full) / 1e6,
        "metrics_lines": full.count(b"\n"),
        "metrics_s": took,
        "agent_series_only_kb": None if b"\nprobe_success{" in own else len(own) / 1e3,
        "agent_series_only_s": own_took,
    }


def run_agent(
    url: str, args: argparse.Namespace, count: int, db: str, workdir: Path
) -> dict[str, Any]:
    config = workdir / f"agent-{count}.yaml"
    log_path = workdir / f"agent-{count}.log"
    port = write_config(config, url, count, db, args)
    agent, start_s = launch(config, log_path, port, count)
    try:

        def all_ran() -> bool:
            state = health(port)
            return state is not None and state["samples_written"] >= count

        wait_until("one run of every target", agent, args.interval * 3 + START_LIMIT_S, all_ran)
        before, main_cpu, cpu = scrape(port), cpu_seconds(agent.pid), tree_cpu(agent.pid)
        begin, wall = time.monotonic(), time.time()
        time.sleep(args.seconds)
        cpu, main_cpu = tree_cpu(agent.pid) - cpu, cpu_seconds(agent.pid) - main_cpu
        elapsed, after = time.monotonic() - begin, scrape(port)
        probes = ran(before, after)
        due = due_runs(count, args.interval, wall, wall + elapsed)
        memory = [
            (role(pid, agent.pid), *memory_mb(pid)) for pid in [agent.pid, *children(agent.pid)]
        ]
        figures = lateness_figures(before, after, elapsed, cpu)
        del figures["ok_share"]  # per-target counters: not in the ?series=agent scrape
        figures |= {
            "runs_per_s": probes / elapsed,
            "due_per_s": due / elapsed,
            "cpu_per_1000": cpu / probes * 1000 if probes else float("nan"),
            "main_cpu_per_1000": main_cpu / probes * 1000 if probes else float("nan"),
            "rss_mb": sum(rss for _, rss, _ in memory),
            "pss_mb": sum(pss for _, _, pss in memory),
            "rss_main_mb": memory[0][1],
            "processes": len(memory),
            "memory_mb": [f"{what} {rss:.0f}/{pss:.0f}" for what, rss, pss in memory],
        }
        figures |= metrics_figures(port)
        figures["start_s"] = start_s
        print(f"  slawatch: {json.dumps(rounded(figures))}", flush=True)
        figures["reload_s"] = reload_time(agent, log_path)
        written = config.read_text()
        config.write_text(json_copy(written))  # the same config: its targets all known
        figures["json_reload_s"] = reload_time(agent, log_path)
    finally:
        stop(agent)
    figures["json_restart_s"] = restart(config, log_path, port, count)
    config.write_text(written)
    figures["restart_s"] = restart(config, log_path, port, count)
    return figures


def restart(config: Path, log_path: Path, port: int, count: int) -> float:
    """Seconds for ``launch`` to schedule the targets again, on the same database and spool."""
    agent, seconds = launch(config, log_path, port, count)
    stop(agent)
    return seconds


def launch(
    config: Path, log_path: Path, port: int, count: int
) -> tuple[subprocess.Popen[Any], float]:
    """``slawatch run -c config``, logging to ``log_path``, and the seconds until its
    ``/healthz`` counts all ``count`` targets scheduled."""
    started = time.monotonic()
    with log_path.open("ab") as log:
        agent = subprocess.Popen(
            [sys.executable, "-m", "slawatch.cli", "run", "-c", str(config)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def scheduled() -> bool:
        state = health(port)
        return state is not None and state["targets"] == count

    try:
        wait_until("its targets scheduled", agent, START_LIMIT_S, scheduled)
    except BaseException:
        stop(agent)
        raise
    return agent, time.monotonic() - started


def reload_time(agent: subprocess.Popen[Any], log_path: Path) -> float:
    """SIGHUP with the same file: seconds until the agent logs the swap."""
    with log_path.open("rb") as log:
        log.seek(0, os.SEEK_END)  # only what the agent logs from now on
        seen = b""

        def reloaded() -> bool:
            nonlocal seen
            seen = seen[-100:] + log.read()
            return b"config reloaded" in seen

        agent.send_signal(signal.SIGHUP)
        return wait_until("a reload", agent, RELOAD_LIMIT_S, reloaded)


@contextmanager
def database(kind: str, workdir: Path, count: int) -> Iterator[str]:
    """An empty database of ``kind``: a SQLite file, or a PostgreSQL schema dropped after."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir}/agent-{count}.db"
        return
    from sqlalchemy import create_engine, make_url, text

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


def run_exporter(
    exporter: subprocess.Popen[Any], url: str, rate: float, seconds: float
) -> dict[str, Any]:
    port: int = exporter.port  # type: ignore[attr-defined]
    run = asyncio.run(run_blackbox(port, url, rate, seconds, exporter.pid))
    run["cores_busy"] = run["cpu_s"] / seconds
    return run


def show(db: str, count: int, rate: float, agent: dict[str, Any], theirs: dict[str, Any]) -> None:
    ratio = agent["cpu_per_1000"] / theirs["cpu_per_1000"]
    print(
        f"\n{db}, {count} targets, {rate:g} probes/s asked (load average {load()}):\n"
        f"  slawatch  {agent['runs_per_s']:7.1f}/s (due {agent['due_per_s']:.1f}/s)"
        f"  {agent['cores_busy']:.3f} cores  {agent['cpu_per_1000']:.3f} CPU-s/1k"
        f" (main process {agent['main_cpu_per_1000']:.3f})\n"
        f"            lateness p50 {agent['lateness_p50_s']:.3f} s"
        f" p99 {agent['lateness_p99_s']:.3f} s  skipped {agent['skipped']:g}\n"
        f"  blackbox  {theirs['rate']:7.1f}/s  {theirs['cores_busy']:.3f} cores"
        f"  {theirs['cpu_per_1000']:.3f} CPU-s/1k  (ok {theirs['ok']}/{theirs['asked']})\n"
        f"  ratio slawatch/blackbox CPU per 1,000 probes: {ratio:.2f}\n"
        f"  RSS {agent['rss_mb']:.0f} MB over {agent['processes']} processes"
        f" (main {agent['rss_main_mb']:.0f} MB; {agent['rss_mb'] / count * 1000:.1f} MB per 1,000"
        f" targets); PSS {agent['pss_mb']:.0f} MB\n"
        f"  per process, RSS/PSS MB: {', '.join(agent['memory_mb'])}\n"
        f"  /metrics {agent['metrics_mb']:.2f} MB, {agent['metrics_lines']} lines,"
        f" {agent['metrics_s']:.2f} s; ?series=agent {agent['agent_series_only_kb']} kB,"
        f" {agent['agent_series_only_s']:.3f} s\n"
        f"  start {agent['start_s']:.2f} s (a new database), reload {agent['reload_s']:.2f} s,"
        f" restart {agent['restart_s']:.2f} s (the same database and spool);"
        f" the same config as JSON: restart {agent['json_restart_s']:.2f} s,"
        f" reload {agent['json_reload_s']:.2f} s"
    )


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--interval", type=int, default=60, help="seconds between two runs")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each measure")
    parser.add_argument("--workers", type=int, default=2, help="agent.workers")
    parser.add_argument("--db", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite"])
    args = parser.parse_args()
    nginx_bin, blackbox_bin = find_binary(NGINX), find_binary(BLACKBOX)
    if nginx_bin is None or blackbox_bin is None:
        print("missing: apt-get install nginx prometheus-blackbox-exporter", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # so that the servers are stopped
    _, most = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (most, most))  # blackbox's driver at 833/s
    with tempfile.TemporaryDirectory(prefix="bench-agent-") as tmp:
        workdir = Path(tmp)
        with nginx(nginx_bin, workdir) as url, blackbox(blackbox_bin, workdir) as exporter:
            print(f"target {url}; {os.cpu_count()} cores; load average {load()}")
            for db in args.db:
                for count in args.targets:
                    rate = count / args.interval
                    with database(db, workdir, count) as db_url:
                        agent = run_agent(url, args, count, db_url, workdir)
                    theirs = run_exporter(exporter, url, rate, args.seconds)
                    show(db, count, rate, agent, theirs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
