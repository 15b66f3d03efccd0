"""How long a big config takes to load (issue 14: ``check-config`` < 1.5 s at 50,000 targets):

    python bench/bench_config.py [--targets 50000] [--contracts 1000] [--runs 5]
                                 [--stages 3] [--profile] [--keep FILE]

Writes a config of N targets, as bench_probes.py writes them (one flow mapping per http
target) with every fifth target another kind (tcp, tls, dns, heartbeat) in block style,
and M contracts sharing the targets out (half business hours in Europe/Paris with French
holidays and maintenance windows, half 24x7 UTC with credit tiers). Then prints:

- ``slawatch check-config``, the command as users run it: wall and CPU time, medians of
  the runs (CPU time is the figure to quote on a busy machine), and the load average; on
  the file, then on the same config written as JSON (as generators write it), the two
  alternated, with the ratio of each pair's CPU;
- the stages of one load in this process, for each: reading the file, its values
  (Python objects, without the lines, as a load first reads them) and validation;
- with ``--profile``: own time by package and the top functions of one load.

``--keep FILE`` writes the config there and keeps it (to time other commands on it).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from slawatch.config.models import Config
from slawatch.config.values import read_document
from slawatch.config.yaml_lines import read_yaml

T = TypeVar("T")

_OTHER_KINDS = (
    "    kind: tcp\n    host: db{i}.example.com\n    port: 5432\n    interval: 30s\n",
    "    kind: tls\n    host: tls{i}.example.com\n    port: 443\n    min_cert_validity: 14d\n",
    "    kind: dns\n    query_name: n{i}.example.com\n    expected_answers: [192.0.2.10]\n",
    "    kind: heartbeat\n    interval: 1d\n    grace: 1h\n",
)
_PARIS = """\
    timezone: Europe/Paris
    period: month
    reference: {{windows: ["mon-fri 07:00-20:00"], holidays: {{country: FR}}}}
    maintenance: {{notice: 48h, windows: [{{weekly: "sun 02:00-04:00"}}]}}
    target: 99.7
"""
_UTC = """\
    timezone: UTC
    period: month
    target: 99.5
    credits: {{basis: downtime_minutes, tiers: [{{up_to: 216, credit: 0}},
              {{up_to: 2160, credit: 25}}, {{credit: 100 - A}}]}}
    fee: {{amount: 1000, currency: EUR}}
"""


def target(i: int) -> str:
    """Target ``i``: an http flow mapping, or every fifth one another kind in block style."""
    name = f"t{i:05d}"
    if i % 5:
        return (
            f'  - {{name: {name}, kind: http, url: "http://127.0.0.1:8080/?t={i}",'
            " interval: 60s, timeout: 5s}\n"
        )
    return f"  - name: {name}\n" + _OTHER_KINDS[i // 5 % len(_OTHER_KINDS)].format(i=i)


def contract(j: int, targets: list[str]) -> str:
    body = (_PARIS if j % 2 else _UTC).format()
    return (
        f"  - name: c{j:04d}\n    service: {{targets: [{', '.join(targets)}], rule: any}}\n" + body
    )


def write_config(path: Path, targets: int, contracts: int) -> None:
    names = [f"t{i:05d}" for i in range(targets)]
    share = max(1, targets // max(contracts, 1))
    parts = ['database: {url: "sqlite:///bench.db"}\n', "agent: {workers: 2}\n", "targets:\n"]
    parts += [target(i) for i in range(targets)]
    parts.append("contracts:\n" if contracts else "")
    parts += [
        contract(j, names[j * share : (j + 1) * share] or names[:1]) for j in range(contracts)
    ]
    path.write_text("".join(parts))


def json_copy(text: str) -> str:
    """The config ``text`` written as JSON, as a generator writes it (``json.dumps``): its
    numbers as numbers, its dates as text."""
    values = read_yaml(text, "config", lines=False).data
    return json.dumps(values, indent=1, default=_json_scalar)


def _json_scalar(value: object) -> object:
    return float(value) if isinstance(value, Decimal) else str(value)  # 99.7 is written 99.7


def timed(action: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def check_config(path: Path) -> tuple[float, float]:
    """Wall and CPU seconds of ``slawatch check-config`` as a process; it must say ok.
    CPU time (user + system) is the figure to quote on a busy machine."""
    command = [sys.executable, "-m", "slawatch.cli", "check-config", "-c", str(path)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds, done = timed(
        lambda: subprocess.run(command, check=False, capture_output=True, text=True)
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert isinstance(done, subprocess.CompletedProcess)
    if done.returncode != 0:
        raise SystemExit(f"check-config failed:\n{done.stderr[:2000]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return seconds, cpu


def stages(path: Path) -> dict[str, float]:
    read, text = timed(path.read_text)
    assert isinstance(text, str)
    parse, document = timed(lambda: read_document(text, str(path)))  # as a load first reads
    validate, _ = timed(lambda: Config.model_validate(document.data))
    return {"read": read, "values": parse, "validate": validate}


def profile(path: Path, top: int) -> None:
    from slawatch.config import load_config

    profiler = cProfile.Profile()
    profiler.runcall(load_config, path)
    stats = pstats.Stats(profiler)
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, object]] = stats.stats  # type: ignore[attr-defined]  # typeshed omits the table print_stats reads
    by_package: dict[str, float] = {}
    for (filename, _, _), entry in raw.items():
        name = _package(filename)
        by_package[name] = by_package.get(name, 0.0) + entry[2]
    total = sum(by_package.values())
    print(f"profile of one load ({total:.2f} s under cProfile), own time by package:")
    for name, seconds in sorted(by_package.items(), key=lambda item: -item[1])[:10]:
        print(f"  {name:<28} {seconds:6.2f} s {100 * seconds / total:5.1f} %")
    stats.sort_stats("tottime").print_stats(top)


def _package(filename: str) -> str:
    if filename == "~":
        return "builtins (C)"
    for marker in ("site-packages/", "/src/"):
        if marker in filename:
            return filename.split(marker, 1)[1].split("/", 1)[0]
    return "stdlib " + Path(filename).stem


def report_runs(runs: list[tuple[tuple[float, float], tuple[float, float]]]) -> None:
    """The check-config runs' medians, YAML and JSON, and their ratio pair by pair."""
    if not runs:
        return
    for i, form in enumerate(("YAML", "JSON")):
        for name, values in (
            ("wall", [r[i][0] for r in runs]),
            ("CPU", [r[i][1] for r in runs]),
        ):
            print(
                f"check-config, {form}, {name}: median {statistics.median(values):.2f} s "
                f"(runs: {', '.join(f'{v:.2f}' for v in values)})"
            )
    ratios = [json_run[1] / yaml_run[1] for yaml_run, json_run in runs]
    print(f"CPU, JSON / YAML, pair by pair: median {statistics.median(ratios):.2f}")
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", type=int, default=50_000)
    parser.add_argument("--contracts", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=5, help="check-config runs (0: none)")
    parser.add_argument("--stages", type=int, default=3, help="in-process runs (0: none)")
    parser.add_argument("--profile", action="store_true", help="cProfile one load")
    parser.add_argument("--keep", type=Path, help="write the config here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-config-") as tmp:
        path = args.keep or Path(tmp) / "big.yaml"
        write_config(path, args.targets, args.contracts)
        size = path.stat().st_size
        print(f"{args.targets:,} targets, {args.contracts:,} contracts, {size / 1e6:.1f} MB")
        as_json = path.with_suffix(".json")
        as_json.write_text(json_copy(path.read_text()))
        report_runs([(check_config(path), check_config(as_json)) for _ in range(args.runs)])
        for form, file in (("YAML", path), ("JSON", as_json)):
            parts = [stages(file) for _ in range(min(args.runs, args.stages))]
            if parts:
                print(
                    f"{form} in process (collector running), median of {len(parts)}: "
                    + ", ".join(
                        f"{k} {statistics.median(p[k] for p in parts):.2f} s" for k in parts[0]
                    )
                )
        if args.profile:
            profile(path, 25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
