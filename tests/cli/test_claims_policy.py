"""A claim is accepted exactly where the report would honour it, under every
unknown-time policy (issue 8, item 3): ``claim add`` and the report ask the same core
function which outage an instant belongs to.

The history of one target, probed every minute on 5 October 2026 (UTC):

- 10:00-10:09 failures, no sample 10:10-10:29, 10:30-10:39 failures: down
  10:00-10:11, unknown 10:11-10:30 (the last failure holds 2 x 60 s), down 10:30-10:40;
  the failures on both sides form one run;
- no sample 14:01-14:59 between good ones: unknown 14:02-15:00, up on both sides.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from slawatch.cli import main

DAY = datetime(2026, 10, 5, tzinfo=UTC)
BRIDGED_GAP = "2026-10-05T10:20:00Z"  # between two down spans
LONE_GAP = "2026-10-05T14:30:00Z"  # between two up spans
CONFIG = """\
targets:
  - {{name: app, kind: http, url: "http://127.0.0.1:9/", interval: 60s, timeout: 5s}}
contracts:
  - name: sla
    service: {{targets: [app]}}
    timezone: UTC
    period: month
    target: 99.9
{policy}    credits:
      basis: downtime_minutes
      tiers: [{{up_to: 0, credit: 0}}, {{credit: 10}}]
    claims_required: true
    fee: {{amount: 1000, currency: EUR}}
"""
FAILED = {*range(10 * 60, 10 * 60 + 10), *range(10 * 60 + 30, 10 * 60 + 40)}  # minutes of the day
SILENT = {*range(10 * 60 + 10, 10 * 60 + 30), *range(14 * 60 + 1, 15 * 60)}


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def setup(tmp_path: Path, db_url: str, policy: str | None) -> list[str]:
    """The config (``unknown_time: policy``, or none), the history imported; the
    options every command then takes."""
    line = "" if policy is None else f"    unknown_time: {policy}\n"
    config = tmp_path / "slawatch.yaml"
    config.write_text(CONFIG.format(policy=line))
    history = tmp_path / "history.csv"
    rows = ["target,timestamp,ok"]
    for minute in range(24 * 60):
        if minute not in SILENT:
            when = (DAY + timedelta(minutes=minute)).isoformat()
            rows.append(f"app,{when},{0 if minute in FAILED else 1}")
    history.write_text("\n".join(rows) + "\n")
    base = ["-c", str(config), "--db", db_url]
    assert run("import", *base, "--results", str(history)).exit_code == 0
    return base


def claim(base: list[str], at: str, ticket: str) -> Result:
    return run("claim", "add", *base, "--contract", "sla", "--at", at, "--ticket", ticket)


def report(base: list[str]) -> dict:  # type: ignore[type-arg]
    result = run("report", *base, "--contract", "sla", "--period", "2026-10")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


def claimed(data: dict) -> list[tuple[str, str, str | None]]:  # type: ignore[type-arg]
    """(start, end, ticket) of the outages of 5 October."""
    return [
        (o["start"][11:16], o["end"][11:16], o["ticket"])
        for o in data["outages"]
        if o["start"].startswith("2026-10-05")
    ]


def refused(at: str) -> str:
    return f"error: no outage of sla covers {at}: nothing to claim\n"


def test_unknown_excluded_a_gap_inside_an_outage_is_claimable(tmp_path: Path, db_url: str) -> None:
    base = setup(tmp_path, db_url, None)  # the default policy: unknown time left out
    assert claim(base, BRIDGED_GAP, "T-1").exit_code == 0
    assert claim(base, LONE_GAP, "T-2").output == refused(LONE_GAP)
    data = report(base)
    assert claimed(data) == [("10:00", "10:40", "T-1")]
    # D counts the down spans only; the gap inside the outage is unknown, left out.
    assert (data["downtime_seconds"], data["claimed_downtime_seconds"]) == (21 * 60, 21 * 60)
    assert data["credit_percent"] == 10


def test_unknown_up_a_gap_belongs_to_no_outage(tmp_path: Path, db_url: str) -> None:
    base = setup(tmp_path, db_url, "up")
    # Unknown time is up: the gap splits the failures into two outages and is in neither.
    assert claim(base, BRIDGED_GAP, "T-1").output == refused(BRIDGED_GAP)
    assert claim(base, LONE_GAP, "T-2").output == refused(LONE_GAP)
    assert claimed(report(base)) == [("10:00", "10:11", None), ("10:30", "10:40", None)]
    assert claim(base, "2026-10-05T10:35:00Z", "T-3").exit_code == 0
    data = report(base)
    assert claimed(data) == [("10:00", "10:11", None), ("10:30", "10:40", "T-3")]
    assert data["credit_percent"] == 10


def test_unknown_down_a_lone_gap_is_an_outage(tmp_path: Path, db_url: str) -> None:
    base = setup(tmp_path, db_url, "down")
    assert claim(base, LONE_GAP, "T-2").exit_code == 0
    data = report(base)
    assert claimed(data) == [("10:00", "10:40", None), ("14:02", "15:00", "T-2")]
    # The claimed outage is unknown time, which this contract counts as down.
    assert data["credit_percent"] == 10 and data["credit_amount"] == 100
    assert claim(base, BRIDGED_GAP, "T-1").exit_code == 0
    assert claimed(report(base))[0] == ("10:00", "10:40", "T-1")


@pytest.mark.parametrize("policy", [None, "up", "down"])
def test_an_instant_after_now_is_never_claimable(
    tmp_path: Path, db_url: str, policy: str | None
) -> None:
    base = setup(tmp_path, db_url, policy)
    future = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert claim(base, future, "T-9").output == refused(future)
