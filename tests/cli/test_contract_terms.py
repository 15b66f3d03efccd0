"""Claim windows, credit caps and outage-count clauses (issue 12) through the store,
the commands and every report format. The history: ``one_day.py`` (one outage on
5 October 2026, 10:00-10:40 UTC, of which 21 minutes down and 19 unknown)."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from debian_tools import debian_tool
from reports.sheets import Sheets
from slawatch.store.store import Store

from .one_day import CREDITS, report, run, setup

OUTAGE_END = datetime(2026, 10, 5, 10, 40, tzinfo=UTC)
IN_OCTOBER = int(datetime(2026, 10, 20, tzinfo=UTC).timestamp())


def claim_made_at(db_url: str, when: int, ticket: str) -> None:
    """A claim of the outage, recorded by a store whose clock says ``when``."""
    with Store.open(db_url, clock=lambda: when) as store:
        store.add_claim("sla", int(OUTAGE_END.timestamp()) - 600, ticket, "am")


@pytest.mark.parametrize(
    ("window", "deadline"),
    [
        ("{days: 30}", "2026-11-04T10:40:00+00:00"),
        ("end_of_next_month", "2026-11-30T23:59:59+00:00"),
    ],
)
def test_a_claim_after_the_window_is_listed_and_not_credited(
    tmp_path: Path, db_url: str, window: str, deadline: str
) -> None:
    base = setup(tmp_path, db_url, f"{CREDITS}claim_window: {window}\n")
    # Made now (the machine's clock): after either deadline, whatever today is.
    made = run("claim", "add", *base, "--contract", "sla", "--at", "2026-10-05T10:05Z", "--ticket", "LATE-1")  # fmt: skip
    assert made.exit_code == 0, made.output
    data = report(base)
    (outage,) = [o for o in data["outages"] if o["start"].startswith("2026-10-05")]
    assert (outage["ticket"], outage["claimed"], outage["claim_late"]) == ("LATE-1", False, True)
    (late,) = data["late_claims"]
    assert (late["ticket"], late["deadline"], late["outage_end"]) == (
        "LATE-1",
        deadline,
        "2026-10-05T10:40:00+00:00",
    )
    assert late["claimed_at"] > deadline
    assert (data["credit_percent"], data["credit_percent_all_outages"]) == (0, 10)
    assert data["claimed_downtime_seconds"] == 0
    # A claim recorded in time for the same outage is credited.
    claim_made_at(db_url, IN_OCTOBER, "SUP-2")
    data = report(base)
    assert (data["credit_percent"], data["late_claims"]) == (10, [])
    assert [o["ticket"] for o in data["outages"] if o["claimed"]] == ["SUP-2"]


CLAUSES = f"""{CREDITS}outage_limits:
  - {{longer_than: 20m, credit: 30}}
  - {{longer_than: 5m, at_most: 1, credit: 15}}
  - {{longer_than: 1h}}
credit_cap: 35
"""


def terms_report(tmp_path: Path, db_url: str) -> tuple[list[str], dict[str, Any]]:
    base = setup(tmp_path, db_url, CLAUSES.replace("claims_required: true\n", ""))
    return base, report(base)


def test_outage_clauses_and_the_cap_in_the_report(tmp_path: Path, db_url: str) -> None:
    _, data = terms_report(tmp_path, db_url)
    (outage,) = [o for o in data["outages"] if o["start"].startswith("2026-10-05")]
    assert (outage["counted_seconds"], outage["length_seconds"]) == (21 * 60, 21 * 60)
    assert [
        (c["clause"], c["outages_longer"], c["longest_seconds"], c["met"], c["credit_percent"])
        for c in data["outage_limits"]
    ] == [
        ("no outage longer than 20 min", 1, 1260, False, 30),
        ("at most 1 outage longer than 5 min", 1, 1260, True, 0),
        ("no outage longer than 1 h", 0, 1260, True, 0),
    ]
    # The tier gives 10 %, the broken clause 30 %: 40 %, capped at 35 %.
    assert (data["tier_credit_percent"], data["outage_limits_credit_percent"]) == (10, 30)
    assert (data["credit_cap_percent"], data["credit_capped"]) == (35, True)
    assert (data["credit_percent"], data["credit_amount"]) == (35, 350)


def test_every_format_shows_the_clauses_and_the_late_claims(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path}/slawatch.db"
    base = setup(tmp_path, db_url, f"{CLAUSES}claim_window: {{days: 30}}\n")
    assert run("claim", "add", *base, "--contract", "sla", "--at", "2026-10-05T10:05Z", "--ticket", "LATE-1").exit_code == 0  # fmt: skip
    data = report(base)
    assert len(data["late_claims"]) == 1
    expected = [
        "no outage longer than 20 min",
        "at most 1 outage longer than 5 min",
        "LATE-1",
        data["late_claims"][0]["deadline"],
        "Outage clauses: 1 of 3 broken (longest outage 21 min).",
    ]
    out = {fmt: tmp_path / f"report.{fmt}" for fmt in ("csv", "html", "xlsx", "pdf")}
    for fmt, path in out.items():
        made = run("report", *base, "--contract", "sla", "--period", "2026-10", "--format", fmt, "-o", str(path), "--view", "internal")  # fmt: skip
        assert made.exit_code == 0, made.output
    csv_text, page = out["csv"].read_text(), out["html"].read_text()
    pdf = _pdf_words(out["pdf"])
    sheets = Sheets(out["xlsx"])  # instants read back as the JSON writes them
    names = sheets.book.sheetnames
    assert names[:4] == ["Summary", "Outages", "Exclusions", "Late claims (not credited)"]
    assert "Outage clauses" in names
    cells = {str(c) for sheet in names for row in sheets.rows(sheet) for c in row}
    for text in expected:
        assert text in page and text in pdf, text
    for text in expected[:4]:
        assert text in csv_text and text in cells, text
    # Claims are required and the only one came late: no credit owed, 35 % (capped) if claimed.
    assert "outage_limits_credit_percent,0.0\n" in csv_text
    assert "outage_limits_credit_percent_all_outages,30.0\n" in csv_text
    assert "credit_percent_all_outages,35.0\n" in csv_text


def _pdf_words(path: Path) -> str:
    pdftotext = debian_tool("pdftotext", "poppler-utils")
    text = subprocess.run(
        [pdftotext, "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(text.split())
