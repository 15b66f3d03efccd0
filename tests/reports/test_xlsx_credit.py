"""The XLSX credit as formulas (issue 10): computed by a spreadsheet engine (pycel),
the tier, the credit and the money are the JSON report's own numbers, for the seed
contracts and for variants of IPfolio's terms (a cap, the ``100 - A`` tier, the
availability basis), with a claimed outage so that what is owed and what every
outage would give differ."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from slawatch.cli import main

from .sheets import Sheets
from .test_formats import HISTORY, SEED

# The claim covers the month's long outage: what is owed is what every outage gives,
# and the recomputation below shows the claimed basis at work.
AS_OF = "2026-12-01T00:00:00+01:00"
TIERS = re.compile(r"      tiers:\n(?:        - .*\n)+")
CLAIMS = "    claims_required: true\n"
REST = "      tiers:\n        - {up_to: 1, credit: 0}\n        - {credit: 100 - A}\n"
PERCENT = (
    "      basis: availability_percent\n      tiers:\n"
    "        - {from: 99.5, to: 100, credit: 0}\n        - {from: 95, to: 99.5, credit: 25}\n"
    "        - {from: 50, to: 95, credit: 50}\n        - {from: 0, to: 50, credit: 100 - A}\n"
)
CLAUSE = "    outage_limits: [{longer_than: 1h, credit: 12.5}]\n"
VARIANTS = {  # name -> (the ipfolio block's tiers, the lines added after claims_required)
    "seed": (None, ""),
    "cap": (None, "    credit_cap: 20\n"),
    "rest": (REST, ""),
    "rest-capped": (REST, "    credit_cap: 0.5\n"),
    "percent": (PERCENT, ""),
    "clause-capped": (None, CLAUSE + "    credit_cap: 30\n"),
    "rest-clause": (REST, CLAUSE),
}
CREDIT_FIELDS = (
    "tier_credit_percent",
    "tier_credit_percent_all_outages",
    "outage_limits_credit_percent",
    "outage_limits_credit_percent_all_outages",
    "credit_percent",
    "credit_percent_all_outages",
    "credit_amount",
    "credit_amount_all_outages",
)


def run(*args: str) -> None:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output


def config(base: Path, name: str) -> str:
    """The seed contracts with IPfolio's credit terms as the variant ``name`` has them."""
    tiers, extra = VARIANTS[name]
    text = Path(SEED).read_text(encoding="utf-8")
    ipfolio = text.index("  - name: ipfolio\n")
    head, tail = text[:ipfolio], text[ipfolio:]
    if tiers is not None:
        tail = TIERS.sub(tiers.replace("      basis: availability_percent\n", ""), tail, count=1)
        if "availability_percent" in tiers:
            tail = tail.replace("basis: downtime_minutes", "basis: availability_percent", 1)
    tail = tail.replace(CLAIMS, CLAIMS + extra, 1)
    path = base / f"{name}.yaml"
    path.write_text(head + tail, encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    base = tmp_path_factory.mktemp("credit")
    url = f"sqlite:///{base}/slawatch.db"
    run("import", "-c", SEED, "--db", url, "--results", HISTORY)
    run("claim", "add", "-c", SEED, "--db", url, "--contract", "ipfolio", "--at",
        "2026-10-05T11:00:00Z", "--ticket", "INC-1", "--author", "alice")  # fmt: skip
    return url


def report(db: str, path: str, case: tuple[str, str], out: Path, view: str) -> tuple[dict[str, Any], Path]:  # fmt: skip
    """The JSON report and the workbook of ``case`` (contract, period) in ``view``."""
    contract, period = case
    common = ("report", "-c", path, "--db", db, "--contract", contract, "--period", period,
              "--as-of", AS_OF, "--view", view, "--locale", "en")  # fmt: skip
    run(*common, "--format", "json", "-o", str(out / f"{contract}-{view}.json"))
    run(*common, "--format", "xlsx", "-o", str(out / f"{contract}-{view}.xlsx"))
    data: dict[str, Any] = json.loads((out / f"{contract}-{view}.json").read_text())
    return data, out / f"{contract}-{view}.xlsx"


def credit_cells(path: Path) -> dict[str, str]:
    """The Summary's cell of each credit field (the internal view names them)."""
    book = load_workbook(path)
    return {
        str(row[2].value): f"B{row[2].row}"
        for row in book["Summary"].iter_rows(min_row=2)
        if row[2].value in CREDIT_FIELDS
    }


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_ipfolio_credit_formulas_give_the_report_numbers(db: str, tmp_path: Path, variant: str) -> None:  # fmt: skip
    data, path = report(db, config(tmp_path, variant), ("ipfolio", "2026-10"), tmp_path, "internal")
    sheets, cached = Sheets(path), load_workbook(path, data_only=True)["Summary"]
    cells = credit_cells(path)
    assert {"credit_percent", "credit_amount", "credit_amount_all_outages"} <= set(cells)
    for field, cell in cells.items():
        if not field.startswith("outage_limits"):  # a count of outages: a value
            assert sheets.formula("Summary", cell).startswith("="), field
        computed = sheets.value("Summary", sheets.book["Summary"][cell])
        assert computed == data[field], (field, computed, data[field])
        assert cached[cell].value == data[field], field
    notes = [c for row in cached.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    said = any("outage clauses' credit is a value" in note for note in notes)
    assert said == (CLAUSE in VARIANTS[variant][1])  # why that cell is no formula


def test_the_credit_follows_a_change_of_downtime(db: str, tmp_path: Path) -> None:
    """A customer who leaves the claimed outage out sees the tier and the money follow."""
    data, path = report(db, SEED, ("ipfolio", "2026-10"), tmp_path, "internal")
    sheets = Sheets(path)
    rows = {row[2]: f"B{n}" for n, row in enumerate(sheets.book["Summary"].iter_rows(values_only=True), 1)}  # fmt: skip
    claimed = rows["claimed_downtime_seconds"]
    assert data["credit_amount"] == 250.0  # past 216 minutes: the 25 % tier of 1,000 EUR
    assert sheets.value("Summary", sheets.book["Summary"][rows["credit_amount"]]) == 250.0
    assert sheets.recompute("Summary", claimed, 216 * 60, rows["credit_amount"]) == 0.0


@pytest.mark.parametrize("view", ["customer", "internal"])
@pytest.mark.parametrize(("contract", "period"), [("cegid-portal", "2026-10"), ("smileo-backup", "2026"), ("ipfolio", "2026-10")])  # fmt: skip
def test_every_formula_of_the_seed_reports_computes_its_cached_result(
    db: str, tmp_path: Path, contract: str, period: str, view: str
) -> None:
    _, path = report(db, SEED, (contract, period), tmp_path, view)
    formulas = Sheets(path).check_cached(path)
    # Availability: the period's 3 and each day's; IPfolio's credit adds its own.
    assert formulas > 3 + 31 if contract == "ipfolio" else formulas in {3 + 31, 3 + 365}
