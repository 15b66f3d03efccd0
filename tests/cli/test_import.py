"""``slawatch import`` over SQLite and PostgreSQL: a row either database cannot take,
and a sample contradicting another, are refused with their lines; nothing is kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import slawatch.cli.history
from slawatch.app import history
from slawatch.cli import main
from slawatch.store.store import Store

NOW = 1_800_000_000  # 2027-01-15T08:00:00Z
CONFIG = """\
targets:
  - {name: web, kind: http, url: "http://127.0.0.1:9/", interval: 60s}
  - {name: api, kind: http, url: "http://127.0.0.1:9/", interval: 60s}
"""
HEADER = "target,timestamp,ok,latency_ms,status,error\n"


@pytest.fixture
def importing(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    """Files to import (in ``tmp_path``) and the database; the command's clock says NOW."""
    monkeypatch.setattr(slawatch.cli.history, "now", lambda: NOW)
    (tmp_path / "slawatch.yaml").write_text(CONFIG)
    return tmp_path, db_url


def import_text(importing: tuple[Path, str], name: str, text: str) -> tuple[Result, Path]:
    folder, db = importing
    path = folder / name
    path.write_text(text, encoding="utf-8")
    args = ["import", "-c", str(folder / "slawatch.yaml"), "--db", db, "--results", str(path)]
    return CliRunner().invoke(main, args, catch_exceptions=False), path


def stored(db: str) -> list[tuple[str, int, bool]]:
    with Store.open(db) as store:
        rows = store.samples("web", 0, 2**50) + store.samples("api", 0, 2**50)
    return [(r.target, r.ts_ms, r.ok) for r in rows]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "web,2026-10-01T00:01:00Z,0,12,502,bad\x00gateway",
            "error holds a NUL character (byte 0), which no text may",
        ),
        (
            "web,2026-10-01T00:01:00Z,0,12,2147483648,",
            "status must be a whole number within 0..999: an HTTP status code, "
            "or 0 for no answer (got '2147483648')",
        ),
    ],
    ids=["nul-in-text", "status-over-int32"],
)
def test_what_postgresql_cannot_store_is_refused_on_every_database(
    importing: tuple[Path, str], row: str, message: str
) -> None:
    text = HEADER + "web,2026-10-01T00:00:00Z,1,10,200,\n" + row + "\n"
    result, path = import_text(importing, "h.csv", text)
    assert (result.exit_code, result.output) == (1, f"error: {path}:3: {message}\n")
    assert stored(importing[1]) == []


@pytest.mark.parametrize("batch", [history.BATCH, 2], ids=["one-batch", "two-batches"])
def test_rows_of_one_file_that_contradict_each_other_name_both_lines(
    importing: tuple[Path, str], batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(history, "BATCH", batch)
    text = (
        HEADER
        + "web,2026-10-01T00:00:00Z,1,10,200,\n"
        + "web,2026-10-01T00:01:00Z,1,10,200,\n"
        + "api,2026-10-01T00:01:00Z,1,10,200,\n"
        + "web,2026-10-01T02:01:00+02:00,0,,,timeout\n"
    )
    result, path = import_text(importing, "h.csv", text)
    assert (result.exit_code, result.output) == (
        1,
        f"error: {path}:5: web at 2026-10-01T00:01:00Z: ok 0 contradicts line 3 (ok 1)\n",
    )
    assert stored(importing[1]) == []


def test_a_row_contradicting_a_stored_sample_names_the_stored_value(
    importing: tuple[Path, str],
) -> None:
    first, _ = import_text(importing, "first.csv", "web,2026-10-01T00:00:00.250Z,1\n")
    assert first.exit_code == 0, first.output
    text = "api,2026-10-01T00:00:00Z,1\nweb,2026-10-01T00:00:00.250Z,1\nweb,2026-10-01T00:00:00.250Z,0\n"
    result, path = import_text(importing, "second.csv", text)
    assert (result.exit_code, result.output) == (
        1,
        f"error: {path}:3: web at 2026-10-01T00:00:00.250Z: ok 0 contradicts the stored sample (ok 1)\n",
    )
    assert stored(importing[1]) == [("web", 1_790_812_800_250, True)]


def test_identical_duplicates_are_already_present(importing: tuple[Path, str]) -> None:
    text = (
        "web,2026-10-01T00:00:00Z,1,10,200,\n"
        "web,2026-10-01T00:00:00Z,1,10,200,\n"
        "web,2026-10-01T00:01:00Z,0,,,timeout\n"
    )
    once, path = import_text(importing, "h.csv", text)
    assert once.output == f"imported 2 new samples (1 already present) from {path}\n"
    again, _ = import_text(importing, "h.csv", text)
    assert again.output == f"imported 0 new samples (3 already present) from {path}\n"


def test_contradictions_are_per_location_and_name_it(importing: tuple[Path, str]) -> None:
    text = (
        "location,target,timestamp,ok\n"
        "paris,web,2026-10-01T00:00:00Z,1\n"
        "nyc,web,2026-10-01T00:00:00Z,0\n"  # another location: no contradiction
        ",web,2026-10-01T00:00:00Z,1\n"  # the unnamed location: none either
        "paris,web,2026-10-01T00:00:00Z,0\n"
    )
    result, path = import_text(importing, "h.csv", text)
    assert (result.exit_code, result.output) == (
        1,
        f"error: {path}:5: web from paris at 2026-10-01T00:00:00Z: ok 0 contradicts line 2 (ok 1)\n",
    )
    kept, _ = import_text(importing, "kept.csv", text.rsplit("paris", 1)[0])
    assert kept.exit_code == 0, kept.output
    again, path = import_text(
        importing, "again.csv", "target,timestamp,ok,location\nweb,2026-10-01T00:00:00Z,1,nyc\n"
    )
    assert (again.exit_code, again.output) == (
        1,
        f"error: {path}:2: web from nyc at 2026-10-01T00:00:00Z: ok 1 contradicts the stored sample (ok 0)\n",
    )
