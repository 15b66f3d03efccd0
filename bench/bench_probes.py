"""The agent issue's probe figures, side by side in one run (issue 3, last bullet):

    .venv/bin/python bench/bench_probes.py [--reps 3] [--seconds 10] [--rates 100 300]
                                           [--lateness-rates 400 800 1200] [--workers 1 2]
                                           [--profile] [--baseline SRC]
                                           [--baseline-loop asyncio]

Starts its own nginx (Debian ``nginx``) on a free 127.0.0.1 port serving a small
static file, and its own ``prometheus-blackbox-exporter`` (module ``http_2xx``),
both from temporary configs, and stops them at the end. Then, at each paced rate
(open loop: probe i starts at t0 + i/rate whatever the others do; one fresh
connection to nginx per probe, as a monitor must):

- slawatch: a child process running ``run_probe(target, context)`` from an
  asyncio loop that paces itself, as the agent does. The child's own CPU
  (utime+stime from ``/proc/PID/stat``) is counted, pacing loop included: that is
  what one agent process spends to probe. Its start-up (imports, TLS contexts)
  and a warm-up are not.
- blackbox_exporter: this process sends it paced ``GET /probe?target=...&module=http_2xx``
  over kept-alive connections (as Prometheus does); only the exporter's CPU is
  counted, its HTTP server and metric encoding included: that is what it spends
  per probe the way it is driven in production. This process's CPU is not counted.

With ``--baseline SRC`` a second slawatch child imports slawatch from ``SRC`` (another
checkout's ``src/``): before and after a change, side by side in the same run. The
children run the probe workers' event loop, uvloop; ``--baseline-loop asyncio`` runs the
baseline child on asyncio's instead (``--baseline src`` then compares the two loops;
a checkout from before uvloop needs it, as its connect asks for asyncio's happy
eyeballs).

Each figure is the median of ``--reps`` runs, the probers alternating so that
drift of the machine's speed hits all. Latency is from a probe's planned start
to its result (so it includes any lateness of the pacing itself).

Then the scheduling lateness search: the agent itself (``slawatch run``, SQLite
store, ``agent.workers`` from ``--workers``) with N http targets at a 2 s interval
against nginx (N = 2 x rate); once every target has run, the agent's own
lateness histogram and probe counters are read from ``/metrics`` before and after
``--seconds``: p99 interpolated within its bucket as ``histogram_quantile`` does,
the share of runs over 1 s late, the rate achieved, and the cores the agent and
its workers kept busy. ``--profile`` adds a cProfile of the slawatch child at the
highest rate.

Only 127.0.0.1 traffic; every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlencode

import uvloop

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
NGINX = ("nginx", "/usr/sbin/nginx")
BLACKBOX = ("prometheus-blackbox-exporter", "/usr/bin/prometheus-blackbox-exporter")
PROBE_TIMEOUT_S = 5
SETTLE_S = 15.0  # at most this long after the last start for the probes under way
STATIC_FILE = "probe.html"
STATIC_BODY = b"<!doctype html><title>ok</title><p>slawatch bench target</p>\n" * 4

# ---------------------------------------------------------------- shared helpers


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads), from /proc."""
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, process: subprocess.Popen[Any], what: str) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{what} exited at start (code {process.returncode})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"{what} did not listen on 127.0.0.1:{port} within 10 s")


def find_binary(names: tuple[str, ...]) -> str | None:
    for name in names:
        found = shutil.which(name) or (name if os.access(name, os.X_OK) else None)
        if found:
            return found
    return None


def p99(values: list[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


@dataclass
class Paced:
    asked: int
    done: int
    ok: int
    elapsed: float  # from the first planned start to the last result
    p99_latency: float

    @property
    def rate(self) -> float:
        return self.done / self.elapsed if self.elapsed > 0 else 0.0


async def paced(rate: float, seconds: float, fire: Callable[[], Awaitable[bool]]) -> Paced:
    """Start ``fire()`` at ``rate`` per second for ``seconds`` (open loop), wait for
    the results (at most ``SETTLE_S`` more), and say how it went."""
    loop = asyncio.get_running_loop()
    asked = round(rate * seconds)
    latencies: list[float] = []
    ok = 0
    last = 0.0

    async def one(planned: float) -> None:
        nonlocal ok, last
        good = await fire()
        last = loop.time()
        latencies.append(last - planned)
        ok += good

    tasks = set()
    start = loop.time() + 0.01
    for i in range(asked):
        planned = start + i / rate
        delay = planned - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.add(asyncio.create_task(one(planned)))
    _, pending = await asyncio.wait(tasks, timeout=SETTLE_S)
    for task in pending:
        task.cancel()
    return Paced(asked, len(latencies), ok, last - start, p99(latencies))


# ---------------------------------------------------------------- the servers


@contextmanager
def nginx(binary: str, workdir: Path) -> Iterator[str]:
    """A loopback nginx serving one small static file; yields the file's URL."""
    port = free_port()
    root = workdir / "www"
    root.mkdir()
    (root / STATIC_FILE).write_bytes(STATIC_BODY)
    for path in (workdir, root, root / STATIC_FILE):
        path.chmod(0o755)  # nginx's workers may run as nobody
    conf = workdir / "nginx.conf"
    conf.write_text(
        f"""
worker_processes 1;
worker_rlimit_nofile 8192;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {workdir}/client_body;
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        root {root};
    }}
}}
"""
    )
    command = [binary, "-p", str(workdir), "-c", str(conf), "-e", str(workdir / "nginx-error.log")]
    process = subprocess.Popen([*command, "-g", "daemon off;"])
    try:
        wait_for_port(port, process, "nginx")
        yield f"http://127.0.0.1:{port}/{STATIC_FILE}"
    finally:
        stop(process)


@contextmanager
def blackbox(binary: str, workdir: Path) -> Iterator[subprocess.Popen[Any]]:
    port = free_port()
    conf = workdir / "blackbox.yml"
    conf.write_text(
        f"""
modules:
  http_2xx:
    prober: http
    timeout: {PROBE_TIMEOUT_S}s
    http:
      preferred_ip_protocol: ip4
"""
    )
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={conf}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ]
    )
    process.port = port  # type: ignore[attr-defined]
    try:
        wait_for_port(port, process, "blackbox_exporter")
        yield process
    finally:
        stop(process)


def stop(process: subprocess.Popen[Any]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


class KeepAliveClient:
    """A minimal HTTP/1.1 GET client over kept-alive asyncio connections (h11):
    cheap, so that the driver disturbs the exporter as little as it can."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, Any]] = []
        self.opened = 0

    async def get(self, target: str) -> tuple[int, bytes]:
        import h11

        if self.idle:
            reader, writer, conn = self.idle.pop()
        else:
            reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
            conn = h11.Connection(h11.CLIENT)
            self.opened += 1
        headers = [("Host", f"127.0.0.1:{self.port}")]
        writer.write(conn.send(h11.Request(method="GET", target=target, headers=headers)))
        writer.write(conn.send(h11.EndOfMessage()))
        status, body = 0, bytearray()
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                conn.receive_data(await reader.read(65536))
            elif isinstance(event, h11.Response):
                status = event.status_code
            elif isinstance(event, h11.Data):
                body += event.data
            elif isinstance(event, h11.EndOfMessage):
                break
            elif isinstance(event, h11.ConnectionClosed):
                raise ConnectionError("exporter closed the connection")
        if conn.our_state is h11.DONE and conn.their_state is h11.DONE:
            conn.start_next_cycle()
            self.idle.append((reader, writer, conn))
        else:
            writer.close()
        return status, bytes(body)

    def close(self) -> None:
        for _, writer, _ in self.idle:
            writer.close()
        self.idle.clear()


async def run_blackbox(
    port: int, url: str, rate: float, seconds: float, pid: int
) -> dict[str, Any]:
    client = KeepAliveClient(port)
    path = "/probe?" + urlencode({"target": url, "module": "http_2xx"})

    async def fire() -> bool:
        try:
            status, body = await client.get(path)
        except OSError:
            return False
        return status == 200 and b"\nprobe_success 1" in body

    await fire()  # warm-up, and a check that it probes at all
    before = cpu_seconds(pid)
    result = await paced(rate, seconds, fire)
    cpu = cpu_seconds(pid) - before
    client.close()
    return {**figures(result, cpu), "driver_connections": client.opened}


def figures(result: Paced, cpu: float) -> dict[str, Any]:
    return {
        "asked": result.asked,
        "done": result.done,
        "ok": result.ok,
        "rate": result.rate,
        "p99_ms": result.p99_latency * 1000,
        "cpu_s": cpu,
        "cpu_per_1000": cpu / result.done * 1000 if result.done else float("nan"),
    }


# ---------------------------------------------------------------- the slawatch child


def http_target(url: str, name: str = "bench", interval: int = 60, timeout: str = "5s") -> Any:
    from pydantic import TypeAdapter

    from slawatch.config.targets import Target

    settings = {"name": name, "kind": "http", "url": url, "interval": f"{interval}s"}
    settings["timeout"] = timeout
    return TypeAdapter(Target).validate_python(settings)


def probe_worker(url: str, loop_name: str) -> None:
    """Child: paces ``run_probe`` on command (one JSON line in, one out)."""
    from slawatch.probes.context import open_context
    from slawatch.probes.registry import run_probe
    from slawatch.probes.result import Outcome

    target = http_target(url)
    loop = uvloop.new_event_loop() if loop_name == "uvloop" else asyncio.new_event_loop()
    stack = AsyncExitStack()
    context = loop.run_until_complete(stack.enter_async_context(open_context()))

    async def fire() -> bool:
        result = await run_probe(target, context)
        return result.outcome is Outcome.OK

    loop.run_until_complete(paced(200, 0.5, fire))  # warm-up
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        profiler = cProfile.Profile() if command.get("profile") else None
        if profiler:
            profiler.enable()
        result = loop.run_until_complete(paced(command["rate"], command["seconds"], fire))
        if profiler:
            profiler.disable()
            profiler.dump_stats(command["profile"])
        print(json.dumps(figures(result, 0.0)), flush=True)
    loop.run_until_complete(stack.aclose())
    loop.close()


class ProbeChild:
    def __init__(self, url: str, src: str | None = None, loop: str = "uvloop") -> None:
        """``src``: import slawatch from there (a checkout's ``src/``), not as installed;
        ``loop``: the event loop, ``uvloop`` (the probe workers') or ``asyncio``."""
        env = dict(os.environ)
        if src is not None:
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--worker", url, "--worker-loop", loop],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        ready = self._read()
        if not ready.get("ready"):
            raise SystemExit(f"slawatch child did not start: {ready}")

    def _read(self) -> dict[str, Any]:
        stdout: IO[str] = self.process.stdout  # type: ignore[assignment]
        line = stdout.readline()
        if not line:
            raise SystemExit("slawatch child exited")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def run(self, rate: float, seconds: float, profile: str | None = None) -> dict[str, Any]:
        stdin: IO[str] = self.process.stdin  # type: ignore[assignment]
        before = cpu_seconds(self.process.pid)
        stdin.write(json.dumps({"rate": rate, "seconds": seconds, "profile": profile}) + "\n")
        stdin.flush()
        answer = self._read()
        cpu = cpu_seconds(self.process.pid) - before
        answer["cpu_s"] = cpu
        answer["cpu_per_1000"] = cpu / answer["done"] * 1000 if answer["done"] else float("nan")
        return answer

    def close(self) -> None:
        stdin: IO[str] = self.process.stdin  # type: ignore[assignment]
        stdin.close()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            stop(self.process)


# ---------------------------------------------------------------- the lateness search


Scrape = dict[tuple[str, tuple[tuple[str, str], ...]], float]  # (name, labels) -> value


def agent_lateness(
    url: str, rate: int, seconds: float, workers: int, workdir: Path
) -> dict[str, Any]:
    """The agent itself (``slawatch run``, ``agent.workers: workers``, SQLite store)
    with 2 x ``rate`` http targets at a 2 s interval against nginx; lateness is the
    agent's own histogram, read from ``/metrics`` before and after ``seconds``."""
    interval = 2
    name = f"agent-{rate}-{workers}"
    port = free_port()
    targets = [
        f'  - {{name: t{i:05d}, kind: http, url: "{url}?t={i}", interval: {interval}s,'
        " timeout: 1500ms}"
        for i in range(rate * interval)
    ]
    config = workdir / f"{name}.yaml"
    config.write_text(
        f'database: {{url: "sqlite:///{workdir}/{name}.db"}}\n'
        f'agent: {{listen: "127.0.0.1:{port}", workers: {workers}}}\n'
        "targets:\n" + "\n".join(targets) + "\n"
    )
    with (workdir / f"{name}.log").open("wb") as log:
        agent = subprocess.Popen(
            [sys.executable, "-m", "slawatch.cli", "run", "-c", str(config)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(port, agent, "slawatch run")
            wait_for_samples(port, len(targets), agent)  # every target has run once
            before, cpu, start = scrape(port), tree_cpu(agent.pid), time.monotonic()
            time.sleep(seconds)
            after, cpu = scrape(port), tree_cpu(agent.pid) - cpu
            elapsed = time.monotonic() - start
        finally:
            stop(agent)
    return {"rate": rate, "workers": workers, "targets": len(targets)} | lateness_figures(
        before, after, elapsed, cpu
    )


def wait_for_samples(port: int, count: int, agent: subprocess.Popen[Any]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if agent.poll() is not None:
            raise SystemExit(f"slawatch run exited (code {agent.returncode})")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as answer:
            if json.load(answer)["samples_written"] >= count:
                return
        time.sleep(0.5)
    raise SystemExit(f"the agent did not write {count} samples within 60 s")


def scrape(port: int) -> Scrape:
    from prometheus_client.parser import text_string_to_metric_families

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as answer:
        text = answer.read().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name.startswith("slawatch_")
    }


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its children (the probe workers)."""
    total = cpu_seconds(pid)
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
        except (OSError, ValueError):
            continue
        if entry.name.isdigit() and int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
            total += cpu_seconds(int(entry.name))
    return total


def lateness_figures(before: Scrape, after: Scrape, elapsed: float, cpu: float) -> dict[str, Any]:
    def delta(name: str, **labels: str) -> float:
        return sum(
            value - before.get(key, 0.0)
            for key, value in after.items()
            if key[0] == name and labels.items() <= dict(key[1]).items()
        )

    histogram = "slawatch_schedule_lateness_seconds"
    buckets = sorted(
        (float(dict(key[1])["le"]), delta(histogram + "_bucket", le=dict(key[1])["le"]))
        for key in after
        if key[0] == histogram + "_bucket"
    )
    runs = delta(histogram + "_count")
    probes = delta("slawatch_probes_total")
    return {
        "runs_per_s": probes / elapsed,
        "ok_share": delta("slawatch_probes_total", outcome="ok") / max(probes, 1),
        "lateness_p50_s": quantile(0.5, buckets),
        "lateness_p99_s": quantile(0.99, buckets),
        "late_over_1s_share": 1 - dict(buckets)[1.0] / runs if runs else float("nan"),
        "cores_busy": cpu / elapsed,
        "skipped": delta("slawatch_probe_runs_skipped_total"),
        "worker_restarts": delta("slawatch_probe_worker_restarts_total"),
    }


def quantile(q: float, buckets: list[tuple[float, float]]) -> float:
    """Prometheus' ``histogram_quantile``: linear within the bucket it falls in."""
    total = buckets[-1][1] if buckets else 0.0
    if not total:
        return float("nan")
    rank, lower, below = q * total, 0.0, 0.0
    for upper, count in buckets:
        if count >= rank:
            if upper == float("inf"):
                return lower
            return lower + (upper - lower) * (rank - below) / max(count - below, 1e-9)
        lower, below = upper, count
    return lower


# ---------------------------------------------------------------- the report


def median_of(runs: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(run[key] for run in runs))


def compare(args: argparse.Namespace, url: str, exporter: subprocess.Popen[Any]) -> None:
    children = {"slawatch": ProbeChild(url)}
    if args.baseline:
        children["baseline"] = ProbeChild(url, args.baseline, args.baseline_loop)
    probers = [*children, "blackbox"]
    rows: dict[int, dict[str, list[dict[str, Any]]]] = {
        rate: {who: [] for who in probers} for rate in args.rates
    }
    try:
        for rep in range(args.reps):
            for rate in args.rates:
                shift = rep % len(probers)  # each prober goes first in turn
                for who in probers[shift:] + probers[:shift]:
                    if who in children:
                        run = children[who].run(rate, args.seconds)
                    else:
                        port: int = exporter.port  # type: ignore[attr-defined]
                        run = asyncio.run(run_blackbox(port, url, rate, args.seconds, exporter.pid))
                    rows[rate][who].append(run)
                    print(f"  rep {rep + 1} {rate:>4}/s {who:<8} {json.dumps(rounded(run))}")
        if args.profile:
            for who, child in children.items():
                path = str(Path(tempfile.gettempdir()) / f"{who}-{os.getpid()}.prof")
                rate = max(args.rates)
                print(f"\nprofiling the {who} child at {rate}/s for {args.seconds:g} s ...")
                run = child.run(rate, args.seconds, profile=path)
                print(f"  (under cProfile: {json.dumps(rounded(run))})")
                profile_summary(path)
                os.unlink(path)
    finally:
        for child in children.values():
            child.close()
    report(args.reps, rows)


def report(reps: int, rows: dict[int, dict[str, list[dict[str, Any]]]]) -> None:
    print(f"\nCPU per 1,000 HTTP probes, medians of {reps} (prober process only):")
    header = f"{'rate/s':>7} {'prober':<9} {'cpu s/1000':>10} {'achieved/s':>10} {'p99 ms':>8}"
    print(header + f" {'ok/asked':>12}")
    for rate, by in rows.items():
        for who, runs in by.items():
            print(
                f"{rate:>7} {who:<9} {median_of(runs, 'cpu_per_1000'):>10.3f}"
                f" {median_of(runs, 'rate'):>10.1f} {median_of(runs, 'p99_ms'):>8.1f}"
                f" {sum(r['ok'] for r in runs):>6}/{sum(r['asked'] for r in runs)}"
            )
        for who, runs in by.items():
            if who == "blackbox":
                continue
            ratios = [
                mine["cpu_per_1000"] / theirs["cpu_per_1000"]
                for mine, theirs in zip(runs, by["blackbox"], strict=True)
            ]
            print(
                f"{rate:>7} ratio {who}/blackbox: median {statistics.median(ratios):.2f}"
                f" (runs: {', '.join(f'{r:.2f}' for r in ratios)})"
            )


def lateness_search(args: argparse.Namespace, url: str, workdir: Path) -> None:
    print("\nscheduling lateness, the agent (slawatch run), 2 x rate targets at 2 s, SQLite:")
    best: dict[int, dict[str, Any]] = {}
    for workers in args.workers:
        for rate in args.lateness_rates:
            run = agent_lateness(url, rate, args.seconds, workers, workdir)
            print(f"  {json.dumps(rounded(run))}")
            kept_up = run["lateness_p99_s"] < 1 and not run["skipped"]  # skipped: overload
            if kept_up and run["rate"] > best.get(workers, {}).get("rate", 0):
                best[workers] = run
    for workers, run in best.items():
        print(
            f"  workers: {workers}: every run started, lateness p99 under 1 s, up to"
            f" {run['rate']} probes/s asked: {run['runs_per_s']:.0f}/s achieved,"
            f" {run['cores_busy']:.2f} cores busy"
        )


def rounded(run: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in run.items()}


def profile_summary(path: str, top: int = 22) -> None:
    """Own time by package and the top functions; cProfile times the wall clock, so
    the time the loop sleeps in ``epoll.poll`` (idle, not CPU) is left out."""
    stats = pstats.Stats(path)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    idle = sum(entry[2] for key, entry in raw.items() if "epoll" in key[2])
    total = sum(entry[2] for entry in raw.values()) - idle
    by_package: dict[str, float] = {}
    for (filename, _, function), entry in raw.items():
        if "epoll" not in function:
            name = package_of(filename)
            by_package[name] = by_package.get(name, 0.0) + entry[2]
    print(f"  own time by package (cProfile, {total:.2f} s busy; {idle:.2f} s idle in epoll):")
    for name, seconds in sorted(by_package.items(), key=lambda item: -item[1])[:14]:
        print(f"    {name:<28} {seconds:6.2f} s {100 * seconds / total:5.1f} %")
    print(f"  top {top} functions by own time:")
    stats.sort_stats("tottime").print_stats(top)


def package_of(filename: str) -> str:
    if filename == "~":
        return "builtins (C)"
    for marker in ("site-packages/", "/src/"):
        if marker in filename:
            return filename.split(marker, 1)[1].split("/", 1)[0]
    if "asyncio" in filename:
        return "asyncio"
    return "stdlib " + Path(filename).stem


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rates", type=int, nargs="+", default=[100, 300])
    parser.add_argument("--lateness-rates", type=int, nargs="*", default=[400, 800, 1200])
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1, 2], help="agent.workers of the lateness runs"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the slawatch child")
    parser.add_argument(
        "--baseline",
        metavar="SRC",
        help="also run a slawatch child that imports slawatch from SRC, e.g. main's src/ from"
        " 'git archive main src | tar -x -C /tmp/main': before and after in one run",
    )
    parser.add_argument(
        "--baseline-loop",
        choices=("uvloop", "asyncio"),
        default="uvloop",
        help="the baseline child's event loop (default: uvloop, the probe workers')",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--worker-loop", default="uvloop", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        probe_worker(args.worker, args.worker_loop)
        return 0

    nginx_bin, blackbox_bin = find_binary(NGINX), find_binary(BLACKBOX)
    missing = [
        package
        for package, binary in (
            ("nginx", nginx_bin),
            ("prometheus-blackbox-exporter", blackbox_bin),
        )
        if binary is None
    ]
    if missing or nginx_bin is None or blackbox_bin is None:
        print(
            f"missing: {', '.join(missing)}; install with: apt-get install {' '.join(missing)}",
            file=sys.stderr,
        )
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # so that the servers are stopped
    with tempfile.TemporaryDirectory(prefix="bench-probes-") as tmp:
        workdir = Path(tmp)
        with nginx(nginx_bin, workdir) as url, blackbox(blackbox_bin, workdir) as exporter:
            print(f"target {url}; {os.cpu_count()} cores; {args.seconds:g} s per run")
            compare(args, url, exporter)
            if args.lateness_rates:
                lateness_search(args, url, workdir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
