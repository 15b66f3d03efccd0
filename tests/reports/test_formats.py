"""XLSX, PDF and HTML reports agree with the JSON report to the second.

Each report is made by the command, as an account manager makes it, over the
example October 2026 history with a claim and an exclusion added, then read
back with the tools a customer would use: openpyxl, ``pdftotext`` (Debian
poppler-utils) and headless Chromium (Debian chromium). Without those tools
the tests that need them skip, except under CI (``CI`` set), where they fail.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from PIL import Image

from slawatch.cli import main
from slawatch.reports.view import (
    DAILY_COLUMNS,
    EXCLUSION_COLUMNS,
    OPTIONAL_TERMS,
    OUTAGE_COLUMNS,
)
from slawatch.reports.xlsx import SUMMARY_HEADINGS

from .sheets import Sheets

ROOT = Path(__file__).resolve().parents[2]
SEED = str(ROOT / "config" / "seed-contracts.yaml")
HISTORY = str(ROOT / "config" / "examples" / "history-2026-10.csv.gz")
AS_OF = "2026-11-23T00:00:00Z"
CASES = [
    ("ipfolio", "2026-10"),
    ("cegid-portal", "2026-10"),
    ("smileo-backup", "2026-10"),
    ("smileo-backup", "2026"),
]
# An operator's note with French typography (a curly apostrophe, an en dash) and markup.
NOTE = "Coupure <fibre> de l\u2019op\u00e9rateur \u2013 r\u00e9par\u00e9e \u00e0 11:00"
IDS = [f"{contract}-{period}" for contract, period in CASES]


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def tool(name: str, package: str) -> str:
    """The path of a Debian tool; skip without it, but fail under CI."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} not found (Debian package {package}: apt-get install -y {package})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


class Reports:
    """Every report the tests read, made once per (contract, period, format)."""

    def __init__(self, db: str, out: Path) -> None:
        self.db, self.out = db, out
        self._made: dict[tuple[str, str, str], Path] = {}

    def path(self, contract: str, period: str, fmt: str) -> Path:
        key = (contract, period, fmt)
        if key not in self._made:
            target = self.out / f"{contract}-{period}.{fmt}"
            result = run(*self.args(contract, period), "--format", fmt, "-o", str(target))
            assert result.exit_code == 0, result.output
            self._made[key] = target
        return self._made[key]

    def json(self, contract: str, period: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.path(contract, period, "json").read_text())
        return data

    def args(self, contract: str, period: str) -> tuple[str, ...]:
        # The internal view in English: every figure as the JSON writes it, beside its field.
        return ("report", "-c", SEED, "--db", self.db, "--contract", contract, "--period", period, "--as-of", AS_OF, "--locale", "en", "--view", "internal")  # fmt: skip


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reports]:
    """The example history, plus a claim (IPfolio) and a third-party exclusion
    with French typography in its note (Cegid), so that every column has data."""
    base = tmp_path_factory.mktemp("reports")
    db = f"sqlite:///{base}/slawatch.db"
    steps = [
        (("import",), ("--results", HISTORY)),
        (("claim", "add"), ("--contract", "ipfolio", "--at", "2026-10-05T11:00:00Z", "--ticket", "SUP-1234")),
        (
            ("exclude", "add"), ("--contract", "cegid-portal", "--start", "2026-10-14T10:30:00+02:00",
            "--end", "2026-10-14T11:00:00+02:00", "--reason", "third_party",
            "--note", NOTE, "--author", "alice"),
        ),
    ]  # fmt: skip
    for command, args in steps:
        result = run(*command, "-c", SEED, "--db", db, *args)
        assert result.exit_code == 0, result.output
    yield Reports(db, base)


def flat(data: dict[str, Any]) -> dict[str, Any]:
    """The JSON's summary fields, nested ones dotted (``formula.text``)."""
    fields: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict) and key != "clauses":
            fields.update({f"{key}.{sub}": inner for sub, inner in value.items()})
        elif not isinstance(value, list | dict):
            fields[key] = value
    return fields


def test_the_example_exercises_every_part(reports: Reports) -> None:
    ipfolio = reports.json("ipfolio", "2026-10")
    assert (ipfolio["credit_percent"], ipfolio["credit_amount"], ipfolio["currency"]) == (
        25.0,
        250.0,
        "EUR",
    )
    assert ipfolio["outages"][0]["ticket"] == "SUP-1234"
    cegid = reports.json("cegid-portal", "2026-10")
    assert [o["excluded_seconds"] for o in cegid["outages"]] == [0, 0, 1800, 0]
    assert cegid["outages"][2]["reason"] == "exclusion #1 (third_party)"


@pytest.mark.parametrize(("contract", "period"), CASES, ids=IDS)
def test_daily_series_adds_up_to_the_period(reports: Reports, contract: str, period: str) -> None:
    data = reports.json(contract, period)
    assert len(data["daily"]) == (31 if period == "2026-10" else 365)
    for field in ("reference_seconds", "excluded_seconds", "unknown_seconds", "downtime_seconds"):
        assert sum(day[field] for day in data["daily"]) == data[field], field


@pytest.mark.parametrize(("contract", "period"), CASES, ids=IDS)
def test_xlsx_rereads_to_the_json_numbers(reports: Reports, contract: str, period: str) -> None:
    data = reports.json(contract, period)
    sheets = Sheets(reports.path(contract, period, "xlsx"))
    assert sheets.book.sheetnames == ["Summary", "Outages", "Exclusions", "Daily", "Clauses"]
    summary = sheets.rows("Summary")
    field = SUMMARY_HEADINGS.index("JSON field")
    start = summary.index(SUMMARY_HEADINGS) + 1
    # The credit, step by step, follows the summary's fields (test_xlsx_credit.py).
    end = next((n for n, row in enumerate(summary) if row[0] == "Credit, step by step"), None)
    found = {row[field]: row[1] for row in summary[start:end] if row[field] is not None}
    # Every summary field, but the terms these contracts do not have (no row when null).
    shown = {k: v for k, v in flat(data).items() if not (v is None and k in OPTIONAL_TERMS)}
    assert found == shown
    for sheet, columns, records in (
        ("Outages", OUTAGE_COLUMNS, data["outages"]),
        ("Exclusions", EXCLUSION_COLUMNS, data["exclusions"]),
        ("Daily", DAILY_COLUMNS, data["daily"]),
    ):
        rows = sheets.rows(sheet)
        assert rows[0] == tuple(heading for _, heading in columns)
        keys = [key for key, _ in columns]
        assert [dict(zip(keys, row, strict=True)) for row in rows[1:]] == [
            {key: record[key] for key in keys} for record in records
        ], sheet
    clauses = sheets.rows("Clauses")
    assert dict(clauses[1:]) == data["clauses"]


def figures(data: dict[str, Any]) -> list[str]:
    """The figures a customer checks first, written as the JSON writes them."""
    shown = [
        str(data["reference_seconds"]),
        str(data["excluded_seconds"]),
        str(data["unknown_seconds"]),
        str(data["downtime_seconds"]),
        json.dumps(data["availability_percent"]),
        json.dumps(data["target_percent"]),
        json.dumps(data["credit_percent"]),
        data["formula"]["text"],
    ]
    if data["credit_amount"] is not None:
        shown += [f"{data['credit_amount']:.2f} {data['currency']}"]
    for outage in data["outages"]:
        shown += [outage["start"], outage["end"], str(outage["counted_seconds"])]
    return shown


@pytest.mark.parametrize(("contract", "period"), CASES, ids=IDS)
def test_pdf_text_has_the_figures(reports: Reports, contract: str, period: str) -> None:
    pdftotext = tool("pdftotext", "poppler-utils")
    data = reports.json(contract, period)
    pdf = reports.path(contract, period, "pdf")
    text = subprocess.run(
        [pdftotext, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = " ".join(text.split())
    for figure in figures(data):
        assert figure in words, figure
    assert data["description"] in words  # é, É: DejaVu Sans, not a Latin-1 core font
    for clause in data["clauses"].values():
        assert " ".join(clause.split()) in words, clause


def test_pdf_renders_french_typography(reports: Reports) -> None:
    pdftotext = tool("pdftotext", "poppler-utils")
    pdf = reports.path("cegid-portal", "2026-10", "pdf")
    text = subprocess.run(
        [pdftotext, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = " ".join(text.split())
    assert NOTE in words


@pytest.mark.parametrize(("contract", "period"), CASES, ids=IDS)
def test_html_has_the_figures(reports: Reports, contract: str, period: str) -> None:
    data = reports.json(contract, period)
    page = html.unescape(reports.path(contract, period, "html").read_text(encoding="utf-8"))
    for figure in figures(data):
        assert figure in page, figure
    for clause in data["clauses"].values():
        assert clause in page, clause
    for day in data["daily"]:
        assert f'<td class="when">{day["date"]}</td>' in page
    assert 'src="data:image/png;base64,' in page  # the chart travels inside the file


def test_html_escapes_operator_text(reports: Reports) -> None:
    page = reports.path("cegid-portal", "2026-10", "html").read_text(encoding="utf-8")
    assert "Coupure &lt;fibre&gt; de" in page
    assert "<fibre>" not in page


def test_html_screenshot_in_headless_chromium(reports: Reports, tmp_path: Path) -> None:
    chromium = tool("chromium", "chromium")
    page = reports.path("ipfolio", "2026-10", "html")
    shot = tmp_path / "report.png"
    command = [
        chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,2000",
        f"--screenshot={shot}", page.as_uri(),
    ]  # fmt: skip
    subprocess.run(command, capture_output=True, timeout=120, check=True)
    assert shot.stat().st_size > 50_000
    with Image.open(shot) as image:
        assert image.size == (1280, 2000)
        colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
    # A blank or error page has a handful of colours; the report has text, tables and a chart.
    assert colours is None or len(colours) > 200


@pytest.mark.parametrize(
    ("fmt", "magic"), [("xlsx", b"PK\x03\x04"), ("pdf", b"%PDF-"), ("html", b"<!DOCTYPE html>")]
)
def test_report_command_writes_each_format(
    reports: Reports, tmp_path: Path, fmt: str, magic: bytes
) -> None:
    out = tmp_path / f"r.{fmt}"
    result = run(*reports.args("ipfolio", "2026-10"), "--format", fmt, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {out}\n"
    assert out.read_bytes().startswith(magic)


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_binary_formats_need_an_output_file(reports: Reports, fmt: str) -> None:
    result = run(*reports.args("ipfolio", "2026-10"), "--format", fmt)
    assert result.exit_code == 2
    assert f"Error: --format {fmt} is binary: give -o PATH to write it to a file" in result.output


def test_html_goes_to_stdout_without_an_output_file(reports: Reports) -> None:
    result = run(*reports.args("ipfolio", "2026-10"), "--format", "html")
    assert result.exit_code == 0
    assert result.output.startswith("<!DOCTYPE html>")
    assert "2660640 / 2674860 x 100 = 99.468383" in result.output
