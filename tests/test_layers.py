"""The layering is executable: ``lint-imports`` keeps pyproject's contracts (each
package imports only those below it; the core only the standard library, holidays
and dateutil), and breaks them on a deliberate back edge in a copy of the source."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` run on the project at ``root``, its package found under root/src."""
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_contracts_are_kept() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken", "shown"),
    [
        (
            "store/closed_periods.py",
            "from slawatch.reports import versions",
            "Each package imports only the packages below it BROKEN",
            "slawatch.store.closed_periods -> slawatch.reports.versions",
        ),
        (
            "sla/intervals.py",
            "from slawatch.config import durations",
            "Each package imports only the packages below it BROKEN",
            "slawatch.sla.intervals -> slawatch.config.durations",
        ),
        (
            "sla/intervals.py",
            "import sqlalchemy",
            "The core imports only the standard library, holidays and dateutil BROKEN",
            "slawatch.sla.intervals -> sqlalchemy",
        ),
    ],
    ids=["store-to-reports", "sla-to-config", "sla-to-sqlalchemy"],
)
def test_a_back_edge_breaks_a_contract(
    tmp_path: Path, module: str, line: str, broken: str, shown: str
) -> None:
    shutil.copytree(ROOT / "src" / "slawatch", tmp_path / "src" / "slawatch")
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "tests").mkdir()
    shutil.copy(ROOT / "tests" / "import_contracts.py", tmp_path / "tests")
    with (tmp_path / "src" / "slawatch" / module).open("a", encoding="utf-8") as source:
        source.write(f"\n{line}\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert broken in result.stdout
    assert shown in result.stdout
