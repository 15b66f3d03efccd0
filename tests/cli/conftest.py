"""What the command tests share: a database holding the example history."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from slawatch.cli import main

ROOT = Path(__file__).resolve().parents[2]
SEED = str(ROOT / "config" / "seed-contracts.yaml")
HISTORY = str(ROOT / "config" / "examples" / "history-2026-10.csv.gz")


@pytest.fixture
def collector_running() -> Iterator[None]:
    """The cyclic collector on before and after the test, whatever a pause left."""
    gc.enable()
    yield
    gc.enable()


@pytest.fixture
def loaded(db_url: str) -> str:
    """A database holding the example October 2026 history."""
    args = ["import", "-c", SEED, "--db", db_url, "--results", HISTORY]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "imported 113988 new samples (0 already present)" in result.output
    return db_url
