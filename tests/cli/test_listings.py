"""Listings show instants in their contract's zone, with the offset; the ``add``
commands echo on stderr how an instant typed without an offset was read, so a DST
fold or gap is visible at entry (Europe/Paris, October and March 2026)."""

from __future__ import annotations

import json
import re
from datetime import datetime

from click.testing import CliRunner, Result

from slawatch.cli import main

from .conftest import SEED

ZULU = re.compile(r"\d{2}:\d{2}:\d{2}Z")


def run(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def test_a_dst_fold_and_gap_are_echoed_as_read_and_listed_in_the_zone(db_url: str) -> None:
    base = ["-c", SEED, "--db", db_url, "--contract", "cegid-portal"]
    # 02:30 on 25 October happens twice: the first one (+02:00) is taken; 03:30 once (+01:00).
    fold = run(
        "exclude",
        "add",
        *base,
        "--reason",
        "other",
        "--note",
        "n",
        "--start",
        "2026-10-25T02:30",
        "--end",
        "2026-10-25T03:30",
    )
    assert fold.stdout == "exclusion #1 added to cegid-portal\n"
    assert fold.stderr == (
        "--start 2026-10-25T02:30 read as 2026-10-25T02:30:00+02:00 (in Europe/Paris)\n"
        "--end 2026-10-25T03:30 read as 2026-10-25T03:30:00+01:00 (in Europe/Paris)\n"
    )
    # 02:30 on 29 March does not exist: it is read as 03:30 CEST (an hour on), and says so.
    gap = run(
        "maintenance",
        "add",
        *base,
        "--kind",
        "planned",
        "--start",
        "2026-03-29T02:30",
        "--end",
        "2026-03-29T04:00+02:00",
        "--declared-at",
        "2026-03-01T09:00+01:00",
    )
    assert gap.stderr.splitlines()[0] == (
        "--start 2026-03-29T02:30 read as 2026-03-29T03:30:00+02:00 (in Europe/Paris)"
    )
    assert "--end" not in gap.stderr and "--declared-at" not in gap.stderr  # offsets typed
    exclusions = run("exclude", "list", "-c", SEED, "--db", db_url).stdout
    assert "2026-10-25T02:30:00+02:00  2026-10-25T03:30:00+01:00" in exclusions
    windows = run("maintenance", "list", "-c", SEED, "--db", db_url).stdout
    assert "2026-03-29T03:30:00+02:00  2026-03-29T04:00:00+02:00" in windows
    assert "2026-03-01T09:00:00+01:00" in windows
    for listing in (exclusions, windows):  # created_at too: every instant has its offset
        assert not ZULU.search(listing), listing


def test_claims_and_closed_periods_are_listed_in_the_contract_zone(loaded: str) -> None:
    base = ["-c", SEED, "--db", loaded]
    claim = run(
        "claim",
        "add",
        *base,
        "--contract",
        "cegid-portal",
        "--at",
        "2026-10-06T07:30Z",
        "--ticket",
        "SUP-1",
    )
    assert "read as" not in claim.stderr  # typed with its offset: nothing to echo
    claims = run("claim", "list", *base).stdout
    assert "2026-10-06T09:30:00+02:00  SUP-1" in claims
    run("period", "close", *base, "--contract", "cegid-portal", "--period", "2026-10")
    closed = run("period", "list", *base).stdout
    shown = run("period", "show", *base, "--contract", "cegid-portal", "--period", "2026-10").stdout
    for listing in (claims, closed, shown):
        assert not ZULU.search(listing), listing
        assert re.search(r"T\d{2}:\d{2}:\d{2}\+0[12]:00", listing), listing


def test_a_yearly_report_of_a_new_install_counts_from_its_first_sample(loaded: str) -> None:
    """The example history starts on 30 September: SMILÉO's year 2026 is assessed from
    there (its coverage is the monitored share, not 25 %), and the report says so."""
    args = ["report", "-c", SEED, "--db", loaded, "--contract", "smileo-backup", "--period", "2026"]
    result = run(*args, "--as-of", "2026-11-01T00:00+01:00")
    data = json.loads(result.stdout)
    assert data["period"]["monitored_from"] == "2026-09-30T02:00:00+02:00"
    assert data["reference_seconds"] == at("2026-11-01T00:00+01:00") - at("2026-09-30T00:00Z")
    assert data["coverage_percent"] == 100.0 and data["billable"] is True
    assert result.stderr.startswith(
        "note: smileo-backup 2026: monitored from 2026-09-30T02:00:00+02:00: the time "
        "before it is not reference time\n"
    )
    month = json.loads(run(*args[:-1], "2026-10").stdout)
    assert "monitored_from" not in month["period"]  # monitored before October began


def at(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp())
