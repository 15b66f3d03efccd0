"""The agent's parts at N targets, in one process, CPU time (issue 14):

    .venv/bin/python bench/bench_agent_parts.py [--targets 50000]

(``PYTHONPATH=OTHER/src`` runs it over another checkout: before and after a change.)

What bench_agent.py measures from outside, taken apart without a network or a database,
so that the figures hold on a busy machine: loading the config; the per-target series
(memory for N targets, CPU per probe result recorded, CPU and size of their text for
``/metrics``); the scheduler (CPU to add N targets, the loop blocked meanwhile, and its
memory). The config's memory is the growth of this process's resident set (VmRSS, the
parse's garbage included); the others' are the Python objects they keep (tracemalloc, in
a pass of their own: it slows what it traces).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import tracemalloc
from pathlib import Path

from prometheus_client import CollectorRegistry, disable_created_metrics, generate_latest

from slawatch.agent.scheduler import Schedule
from slawatch.config import Config, load_config
from slawatch.exporters.agent_metrics import AgentMetrics
from slawatch.probes.result import Outcome, ProbeResult


def measured(i: int) -> ProbeResult:
    """A result with durations as probes measure them, in full double precision: a round
    0.01 writes 4 characters on /metrics, a measured 0.012345678901234567 some 20 (the
    text is 16 % bigger, and takes a fifth more CPU, than with round figures)."""
    took = 0.005 + (i * 7919 % 10007) / 1_000_003
    phases = {"connect": took / 7, "processing": took / 3, "transfer": took / 11}
    return ProbeResult(Outcome.OK, took, 200, phases=phases)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def config_of(count: int, directory: Path) -> tuple[Config, float]:
    """A config of ``count`` http targets at 60 s, and the CPU seconds its load took."""
    path = directory / "agent.yaml"
    path.write_text(
        f'database: {{url: "sqlite:///{directory}/agent.db"}}\ntargets:\n'
        + "".join(
            f'  - {{name: t{i:06d}, kind: http, url: "http://127.0.0.1:1/p?t={i}",'
            " interval: 60s, timeout: 5s}\n"
            for i in range(count)
        )
    )
    start = time.process_time()
    config = load_config(path)
    return config, time.process_time() - start


def series(names: list[str]) -> None:
    disable_created_metrics()  # type: ignore[no-untyped-call]  # as the agent does
    results = [(name, measured(i)) for i, name in enumerate(names)]

    def observe_all(metrics: AgentMetrics) -> None:
        for name, result in results:
            metrics.observe(name, result, 0.01)

    tracemalloc.start()
    kept = AgentMetrics(CollectorRegistry())
    observe_all(kept)
    grown = tracemalloc.get_traced_memory()[0] / 1e6
    tracemalloc.stop()
    del kept
    registry = CollectorRegistry()
    metrics = AgentMetrics(registry)
    observe_all(metrics)
    start = time.process_time()
    observe_all(metrics)
    per_probe = (time.process_time() - start) / len(names)
    start = time.process_time()
    # Before issue 14 the per-target series were in the registry (PYTHONPATH=an older src/).
    own = metrics.targets.exposition() if hasattr(metrics, "targets") else b""
    text = own + generate_latest(registry)
    took = time.process_time() - start
    print(
        f"per-target series: {grown:.0f} MB, {per_probe * 1e6:.2f} us a result,"
        f" /metrics text {len(text) / 1e6:.1f} MB in {took:.2f} s CPU"
    )


def scheduler(intervals: dict[str, int]) -> None:
    async def idle(name: str, late: float) -> None:
        pass

    async def add() -> None:
        start = time.process_time()
        Schedule(idle).apply(intervals, time.time())
        took = time.process_time() - start
        tracemalloc.start()
        kept = Schedule(idle)
        kept.apply(intervals, time.time())
        grown = tracemalloc.get_traced_memory()[0] / 1e6
        tracemalloc.stop()
        print(f"scheduler: {len(intervals)} targets added in {took:.2f} s CPU, {grown:.0f} MB")

    asyncio.run(add())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", type=int, default=50000)
    args = parser.parse_args()
    print(f"{args.targets} targets; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="bench-parts-") as tmp:
        before = rss_mb()
        config, took = config_of(args.targets, Path(tmp))
        print(f"config: loaded in {took:.2f} s CPU, {rss_mb() - before:.0f} MB")
    series([target.name for target in config.targets])
    scheduler({target.name: target.interval for target in config.targets})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
