"""How long the ``slawatch`` command takes to start (issue 9: < 0.25 s).

    python bench/bench_cli.py [--runs N]

Prints the median wall-clock time of ``slawatch --help`` and of ``slawatch
check-config -c config/seed-contracts.yaml``, each run in a fresh process as a shell
runs it, beside that of an interpreter doing nothing (``python -c pass``), the floor.
The commands may write their bytecode caches (``PYTHONDONTWRITEBYTECODE`` is dropped
for them), as an installed package has them: pip compiles it when it installs it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from functools import partial
from pathlib import Path

from run import median_of

ROOT = Path(__file__).resolve().parents[1]
SLAWATCH = str(Path(sys.executable).with_name("slawatch"))
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "slawatch --help": [SLAWATCH, "--help"],
    "slawatch check-config": [SLAWATCH, "check-config", "-c", "config/seed-contracts.yaml"],
}


# Without it, an editable install compiles its modules again at every start.
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def started(command: list[str]) -> None:
    subprocess.run(command, cwd=ROOT, env=ENV, capture_output=True, check=True, timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    for name, command in COMMANDS.items():
        started(command)  # the first run fills the bytecode and file caches
        seconds = median_of(args.runs, partial(started, command))
        print(f"{name:24} {seconds:.3f} s")


if __name__ == "__main__":
    main()
