"""How long the ``slawatch`` command takes to start (issue 9: < 0.25 s).

    python bench/bench_cli.py [--runs N]

Prints the median wall-clock time of ``slawatch --help`` and of ``slawatch
check-config -c config/seed-contracts.yaml``, each run in a fresh process as a shell
runs it, beside that of an interpreter doing nothing (``python -c pass``), the floor;
and the median CPU time of the process (user + system), which says more than the
wall clock on a shared machine.
The commands may write their bytecode caches (``PYTHONDONTWRITEBYTECODE`` is dropped
for them), as an installed package has them: pip compiles it when it installs it.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SLAWATCH = str(Path(sys.executable).with_name("slawatch"))
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "slawatch --help": [SLAWATCH, "--help"],
    "slawatch check-config": [SLAWATCH, "check-config", "-c", "config/seed-contracts.yaml"],
}


# Without it, an editable install compiles its modules again at every start.
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def started(command: list[str]) -> tuple[float, float]:
    """The command's wall-clock and CPU seconds (its process's user + system time)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=ENV, capture_output=True, check=True, timeout=60)
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    for name, command in COMMANDS.items():
        started(command)  # the first run fills the bytecode and file caches
        walls, cpus = zip(*(started(command) for _ in range(args.runs)), strict=True)
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        print(f"{name:24} {wall:.3f} s ({cpu:.3f} s of CPU)")


if __name__ == "__main__":
    main()
