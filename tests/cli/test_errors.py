"""What the CLI reports as one ``error:`` line, and what it leaves to a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from slawatch.app import records
from slawatch.cli import main

SEED = str(Path(__file__).resolve().parents[2] / "config" / "seed-contracts.yaml")


def report(db_url: str, *args: str) -> list[str]:
    return ["report", "-c", SEED, "--db", db_url, "--period", "2026-10", *args]


def test_input_refused_is_one_error_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, report(f"sqlite:///{tmp_path}/s.db", "--contract", "cegid"))
    assert result.exit_code == 1
    assert result.output.startswith("error: unknown contract 'cegid' (")
    assert len(result.output.splitlines()) == 1


@pytest.mark.parametrize("bug", [KeyError("period"), ValueError("bad thing")], ids=repr)
def test_a_bug_keeps_its_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bug: Exception
) -> None:
    """A ValueError or KeyError from a bug used to pass for a user's mistake."""

    def broken(*_: object, **__: object) -> None:
        raise bug

    monkeypatch.setattr(records, "contract_reports", broken)
    result = CliRunner().invoke(main, report(f"sqlite:///{tmp_path}/s.db", "--contract", "ipfolio"))
    assert result.exception is bug
    assert "error:" not in result.output
