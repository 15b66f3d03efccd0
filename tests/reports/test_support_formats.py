"""The support report in every format agrees with its JSON, and the JSON carries what
SPEC section 7 names and the arithmetic that gives each deadline."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from slawatch.cli import main
from slawatch.reports.support import OBJECTIVE_COLUMNS, REQUEST_COLUMNS, request_rows

from .rendered import html_text
from .sheets import Sheets
from .test_formats import SEED, tool

EVENTS = """ticket,contract,event,timestamp,priority,reason,note
C-1,cegid-portal,opened,2026-10-02T16:50:00+02:00,3,,
C-1,cegid-portal,responded,2026-10-05T11:00:00+02:00,,,
C-2,cegid-portal,opened,2026-07-14T10:00:00+02:00,1,,
C-2,cegid-portal,paused,2026-07-15T10:00:00+02:00,,waiting_client,
C-2,cegid-portal,resumed,2026-07-15T15:00:00+02:00,,,
C-2,cegid-portal,qualified,2026-07-16T09:30:00+02:00,,,
C-2,cegid-portal,resolved,2026-07-17T11:00:00+02:00,,,
<b>C-3</b>,cegid-portal,opened,2026-11-30T17:00:00+01:00,2,,
C-3,cegid-portal,opened,2026-05-06T10:00:00+02:00,2,,
C-3,cegid-portal,responded,2026-05-06T10:30:00+02:00,,,
C-3,cegid-portal,qualified,2026-05-06T11:00:00+02:00,,,
"""
AS_OF = "2026-12-01T00:00:00+01:00"


class Made:
    """The support report of cegid-portal's contract year 2026, once per format."""

    def __init__(self, db: str, out: Path) -> None:
        self.db, self.out = db, out
        self._paths: dict[str, Path] = {}

    def path(self, fmt: str) -> Path:
        if fmt not in self._paths:
            target = self.out / f"support.{fmt}"
            args = ["support", "report", "-c", SEED, "--db", self.db, "--contract", "cegid-portal",
                    "--period", "contract-year:2026", "--as-of", AS_OF, "--format", fmt, "-o", str(target), "--locale", "en", "--view", "internal"]  # fmt: skip
            result = CliRunner().invoke(main, args, catch_exceptions=False)
            assert result.exit_code == 0, result.output
            self._paths[fmt] = target
        return self._paths[fmt]

    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.path("json").read_text(encoding="utf-8"))
        return data


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Made]:
    base = tmp_path_factory.mktemp("support")
    db = f"sqlite:///{base}/slawatch.db"
    (base / "events.csv").write_text(EVENTS, encoding="utf-8")
    args = ["ticket", "import", "-c", SEED, "--db", db, "--events", str(base / "events.csv")]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    yield Made(db, base)


def test_json_has_the_fields_spec_section_7_names(made: Made) -> None:
    data = made.json()
    assert {"contract", "period", "requests", "objectives"} <= set(data)
    assert set(data["period"]) >= {"label", "start", "end"}
    for request in data["requests"]:
        assert {"ticket", "priority", "opened", "targets"} <= set(request)
        for target in request["targets"]:
            assert {"name", "deadline", "stopped_at", "outcome", "business_seconds"} <= set(target)
            assert target["outcome"] in ("met", "breached", "pending")
    (objective,) = data["objectives"]
    assert objective == objective | {
        "name": "take-in-charge-share",
        "target": "take-in-charge",
        "met_count": 2,
        "breached_count": 1,
        "pending_count": 1,
        "share_percent": 66.666666,
        "share_exact": "200/3",
        "threshold_percent": 75.0,
        "met": False,
    }


def test_the_business_days_add_up_to_the_allowance(made: Made) -> None:
    data = made.json()
    kinds = {t["name"]: t["allowance_kind"] for t in data["support"]["targets"]}
    for request in data["requests"]:
        for target in request["targets"]:
            if target["deadline"] is not None and kinds[target["name"]] != "wall_clock":
                days = sum(d["seconds"] for d in target["business_days"])
                assert days == target["allowance_seconds"]


def test_business_days_target_gives_its_business_time(made: Made) -> None:
    c3 = next(r for r in made.json()["requests"] if r["ticket"] == "C-3")
    workaround = next(t for t in c3["targets"] if t["name"] == "workaround")
    # Qualified Wednesday 6 May 11:00; 8 May and Ascension (14 May) are holidays.
    assert workaround["deadline"] == "2026-05-18T11:00:00+02:00"
    assert workaround["outcome"] == "breached"


def test_csv_has_each_request_target_with_its_arithmetic(made: Made) -> None:
    data = made.json()
    text = made.path("csv").read_text(encoding="utf-8")
    tables = text.split("\n\n")
    rows = list(csv.DictReader(io.StringIO(tables[1])))
    expected = request_rows(data)
    assert [r["arithmetic"] for r in rows] == [r["arithmetic"] for r in expected]
    assert rows[0]["arithmetic"].startswith("clock from Wed 2026-05-06 10:00")
    objectives = list(csv.DictReader(io.StringIO(tables[2])))
    assert [o["share_exact"] for o in objectives] == ["200/3"]


def test_xlsx_rereads_to_the_json(made: Made) -> None:
    data = made.json()
    sheets = Sheets(made.path("xlsx"))
    requests = sheets.rows("Requests")
    assert requests[0] == tuple(heading for _, heading in REQUEST_COLUMNS)
    expected = [tuple(r[k] for k, _ in REQUEST_COLUMNS) for r in request_rows(data)]
    assert requests[1:] == expected
    objectives = sheets.rows("Objectives")
    assert objectives[1] == tuple(data["objectives"][0][k] for k, _ in OBJECTIVE_COLUMNS)
    assert sheets.book.sheetnames == ["Summary", "Requests", "Objectives", "Clauses"]


def test_html_shows_the_arithmetic_and_escapes_tickets(made: Made) -> None:
    page = made.path("html").read_text(encoding="utf-8")
    assert "&lt;b&gt;C-3&lt;/b&gt;" in page and "<b>C-3</b>" not in page
    text = html_text(page)
    for row in request_rows(made.json()):
        assert row["arithmetic"] in text
    assert "take-in-charge-share: 2 of 3 decided requests met take-in-charge" in text


def test_pdf_text_has_the_deadlines_and_verdict(made: Made) -> None:
    pdftotext = tool("pdftotext", "poppler-utils")
    text = subprocess.run(
        [pdftotext, "-enc", "UTF-8", str(made.path("pdf")), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    words = " ".join(text.split())
    assert "Support report: cegid-portal, contract-year:2026" in words
    assert "take-in-charge-share: 2 of 3 decided requests met take-in-charge = 66.666666 %" in words
    assert "C-1" in words and "C-2" in words  # (a 14 mm column wraps longer references)
    assert "art. 13.2 : au moins 75 % des Demandes" in words


def test_json_writes_one_request_a_line(made: Made) -> None:
    text = made.path("json").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.startswith('    {"ticket": ')]
    assert len(lines) == len(made.json()["requests"]) == 4
