"""The command starts fast: ``slawatch --help`` imports click alone, and a command
imports what it needs, not the whole stack (cli/__init__.py says how). The times
themselves are bench/bench_cli.py's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from slawatch.cli import COMMANDS, main

SEED = str(Path(__file__).resolve().parents[2] / "config" / "seed-contracts.yaml")
TARGET = {"name": "web", "kind": "http", "url": "https://portal.example/"}
# The third-party packages behind the store, the reports, the probes and the agent.
STACK = {
    "alembic",
    "apscheduler",
    "cryptography",
    "fpdf",
    "httpcore",
    "httpx",
    "jinja2",
    "matplotlib",
    "openpyxl",
    "prometheus_client",
    "psycopg",
}
# What loading a config may take (holidays for a holiday calendar, dnspython for a dns
# target), or once took (SQLAlchemy, to read the database URL): never for --help.
CONFIG = {"dateutil", "dns", "holidays", "pydantic", "sqlalchemy", "yaml"}

# Runs the command in a fresh interpreter, then prints the top-level packages it imported.
SCRIPT = """
import json, sys
from slawatch.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exit:
    assert exit.code in (0, None), exit.code
print(json.dumps(sorted({name.partition(".")[0] for name in sys.modules})))
"""


def imported_by(*args: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_help_lists_every_command_and_imports_no_dependency_but_click() -> None:
    assert main.list_commands(None) == sorted(COMMANDS)  # type: ignore[arg-type]
    found = imported_by("--help")
    assert found & (STACK | CONFIG) == set()
    assert "click" in found


@pytest.mark.parametrize(
    "args", [["check-config", "-c", SEED], ["maintenance", "--help"], ["renewal", "--help"]]
)
def test_a_command_imports_what_it_needs_and_not_the_stack(args: list[str]) -> None:
    assert imported_by(*args) & STACK == set()


def test_checking_the_seed_imports_neither_sqlalchemy_nor_dnspython() -> None:
    # The database URL is read without SQLAlchemy (config/database_url.py); dnspython
    # is for dns targets, and the seed has none.
    assert imported_by("check-config", "-c", SEED) & {"sqlalchemy", "dns"} == set()


def test_holidays_are_imported_for_a_config_that_names_a_country(tmp_path: Path) -> None:
    contract = {
        "name": "c",
        "service": {"targets": ["web"]},
        "timezone": "Europe/Paris",
        "period": "month",
        "target": 99,
    }
    config = tmp_path / "slawatch.yaml"
    config.write_text(json.dumps({"targets": [TARGET], "contracts": [contract]}))
    assert "holidays" not in imported_by("check-config", "-c", str(config))
    reference = {"windows": ["mon-fri 07:00-20:00"], "holidays": {"country": "FR"}}
    config.write_text(
        json.dumps({"targets": [TARGET], "contracts": [{**contract, "reference": reference}]})
    )
    assert "holidays" in imported_by("check-config", "-c", str(config))


def test_an_import_into_a_database_at_the_latest_schema_does_without_alembic(
    tmp_path: Path,
) -> None:
    """Alembic is a tenth of a second of imports, for a migration that most runs skip."""
    config = tmp_path / "slawatch.yaml"
    config.write_text(json.dumps({"targets": [TARGET]}))
    results = tmp_path / "h.csv"
    results.write_text("web,2026-10-01T00:00:00Z,1\n")
    args = ["import", "-c", str(config), "--db", f"sqlite:///{tmp_path / 'h.db'}"]
    assert "alembic" in imported_by(*args, "--results", str(results))  # creates the schema
    assert "alembic" not in imported_by(*args, "--results", str(results))
