"""A claim is accepted exactly where the report would honour it, under every
unknown-time policy (issue 8, item 3): ``claim add`` and the report ask the same core
function which outage an instant belongs to. The history: ``one_day.py``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from .one_day import BRIDGED_GAP, CREDITS, LONE_GAP, report, run, setup


def claim(base: list[str], at: str, ticket: str) -> Result:
    return run("claim", "add", *base, "--contract", "sla", "--at", at, "--ticket", ticket)


def policy(name: str | None) -> str:
    """The contract's credit terms, with ``unknown_time: name`` unless ``None``."""
    return CREDITS if name is None else f"{CREDITS}unknown_time: {name}\n"


def claimed(data: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    """(start, end, ticket) of the outages of 5 October."""
    return [
        (o["start"][11:16], o["end"][11:16], o["ticket"])
        for o in data["outages"]
        if o["start"].startswith("2026-10-05")
    ]


def refused(at: str) -> str:
    return f"error: no outage of sla covers {at}: nothing to claim\n"


def test_unknown_excluded_a_gap_inside_an_outage_is_claimable(tmp_path: Path, db_url: str) -> None:
    base = setup(tmp_path, db_url, policy(None))  # the default policy: unknown time left out
    assert claim(base, BRIDGED_GAP, "T-1").exit_code == 0
    assert claim(base, LONE_GAP, "T-2").output == refused(LONE_GAP)
    data = report(base)
    assert claimed(data) == [("10:00", "10:40", "T-1")]
    # D counts the down spans only; the gap inside the outage is unknown, left out.
    assert (data["downtime_seconds"], data["claimed_downtime_seconds"]) == (21 * 60, 21 * 60)
    assert data["credit_percent"] == 10


def test_unknown_up_a_gap_belongs_to_no_outage(tmp_path: Path, db_url: str) -> None:
    base = setup(tmp_path, db_url, policy("up"))
    # Unknown time is up: the gap splits the failures into two outages and is in neither.
    assert claim(base, BRIDGED_GAP, "T-1").output == refused(BRIDGED_GAP)
    assert claim(base, LONE_GAP, "T-2").output == refused(LONE_GAP)
    assert claimed(report(base)) == [("10:00", "10:11", None), ("10:30", "10:40", None)]
    assert claim(base, "2026-10-05T10:35:00Z", "T-3").exit_code == 0
    data = report(base)
    assert claimed(data) == [("10:00", "10:11", None), ("10:30", "10:40", "T-3")]
    assert data["credit_percent"] == 10


def test_unknown_down_a_lone_gap_is_an_outage(tmp_path: Path, db_url: str) -> None:
    base = setup(tmp_path, db_url, policy("down"))
    assert claim(base, LONE_GAP, "T-2").exit_code == 0
    data = report(base)
    assert claimed(data) == [("10:00", "10:40", None), ("14:02", "15:00", "T-2")]
    # The claimed outage is unknown time, which this contract counts as down.
    assert data["credit_percent"] == 10 and data["credit_amount"] == 100
    assert claim(base, BRIDGED_GAP, "T-1").exit_code == 0
    assert claimed(report(base))[0] == ("10:00", "10:40", "T-1")


@pytest.mark.parametrize("name", [None, "up", "down"])
def test_an_instant_after_now_is_never_claimable(
    tmp_path: Path, db_url: str, name: str | None
) -> None:
    base = setup(tmp_path, db_url, policy(name))
    future = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert claim(base, future, "T-9").output == refused(future)
