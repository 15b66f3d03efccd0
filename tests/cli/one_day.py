"""One day of history for one target, and a contract over it whose terms a test
writes: what the claim, formula and contract-term tests drive through the commands.

The target is probed every minute on 5 October 2026 (UTC):

- 10:00-10:09 failures, no sample 10:10-10:29, 10:30-10:39 failures: down
  10:00-10:11, unknown 10:11-10:30 (the last failure holds 2 x 60 s), down 10:30-10:40;
  the failures on both sides form one run;
- no sample 14:01-14:59 between good ones: unknown 14:02-15:00, up on both sides;
- every other minute of the day answers; the rest of the month has no sample.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from slawatch.cli import main

DAY = datetime(2026, 10, 5, tzinfo=UTC)
BRIDGED_GAP = "2026-10-05T10:20:00Z"  # between two down spans
LONE_GAP = "2026-10-05T14:30:00Z"  # between two up spans
CONFIG = """\
targets:
  - {name: app, kind: http, url: "http://127.0.0.1:9/", interval: 60s, timeout: 5s}
contracts:
  - name: sla
    service: {targets: [app]}
    timezone: UTC
    period: month
    monitoring_since: 2026-10-01  # the whole month is reference time, unknown but the 5th
    target: 99.9
"""
CREDITS = """\
credits:
  basis: downtime_minutes
  tiers: [{up_to: 0, credit: 0}, {credit: 10}]
claims_required: true
fee: {amount: 1000, currency: EUR}
"""
FAILED = {*range(10 * 60, 10 * 60 + 10), *range(10 * 60 + 30, 10 * 60 + 40)}  # minutes of the day
SILENT = {*range(10 * 60 + 10, 10 * 60 + 30), *range(14 * 60 + 1, 15 * 60)}


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def setup(tmp_path: Path, db_url: str, terms: str = "") -> list[str]:
    """The config (the contract's further ``terms``, as YAML lines), the history
    imported; returns the options every command then takes."""
    config = tmp_path / "slawatch.yaml"
    config.write_text(CONFIG + "".join(f"    {line}\n" for line in terms.splitlines()))
    history = tmp_path / "history.csv"
    rows = ["target,timestamp,ok"]
    for minute in range(24 * 60):
        if minute not in SILENT:
            when = (DAY + timedelta(minutes=minute)).isoformat()
            rows.append(f"app,{when},{0 if minute in FAILED else 1}")
    history.write_text("\n".join(rows) + "\n")
    base = ["-c", str(config), "--db", db_url]
    imported = run("import", *base, "--results", str(history))
    assert imported.exit_code == 0, imported.output
    return base


def report(base: list[str], *more: str) -> dict[str, Any]:
    """The JSON report of October 2026."""
    result = run("report", *base, "--contract", "sla", "--period", "2026-10", *more)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data
