"""Under every unknown-time policy a reader redoes the availability from the report
alone (issue 8, item 4; SPEC section 3): D and U are reported as measured (they never
overlap), and the formula shown is the one applied, in every format.

The history (``one_day.py``) has 21 minutes down, unknown gaps inside and outside an
outage, and the rest of the month unobserved; an exclusion removes 10:30-10:35."""

from __future__ import annotations

import re
import subprocess
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from debian_tools import debian_tool

from .one_day import report, run, setup

EXCLUSION = (
    "--contract", "sla", "--start", "2026-10-05T10:30Z", "--end", "2026-10-05T10:35Z",
    "--reason", "third_party", "--note", "carrier",
)  # fmt: skip
D = (11 + 5) * 60  # the down spans, less the excluded 5 minutes
X = 5 * 60
R = 31 * 86400
EXPRESSIONS = {
    ("available", "excluded"): "(R - U - D) / (R - U) x 100",
    ("available", "up"): "(R - D) / R x 100",
    ("available", "down"): "(R - U - D) / R x 100",
    ("removed", "excluded"): "(R - X - U - D) / (R - X - U) x 100",
    ("removed", "up"): "(R - X - D) / (R - X) x 100",
    ("removed", "down"): "(R - X - U - D) / (R - X) x 100",
}


def redo(expression: str, values: dict[str, int]) -> Fraction:
    """What a reader computes: ``(a - b - ...) / (c - ...) x 100``, each letter or
    number replaced by its value."""
    top, bottom = expression.removesuffix(" x 100").split(" / ")

    def side(text: str) -> int:
        first, *rest = (values[t] if t in values else int(t) for t in text.strip("()").split(" - "))
        return first - sum(rest)

    return Fraction(side(top) * 100, side(bottom))


def made(tmp_path: Path, db_url: str, formula: str, policy: str) -> list[str]:
    terms = f"exclusions_count_as: {formula}\nunknown_time: {policy}\n"
    base = setup(tmp_path, db_url, terms)
    assert run("exclude", "add", *base, *EXCLUSION).exit_code == 0
    return base


@pytest.mark.parametrize("policy", ["excluded", "up", "down"])
@pytest.mark.parametrize("formula", ["available", "removed"])
def test_a_reader_redoes_the_availability(
    tmp_path: Path, db_url: str, formula: str, policy: str
) -> None:
    data = report(made(tmp_path, db_url, formula, policy))
    r, x, u, d = (data[f"{k}_seconds"] for k in ("reference", "excluded", "unknown", "downtime"))
    # Measured under every policy: D holds no unknown second, U no down one.
    assert (r, x, d) == (R, X, D)
    # Unobserved: the month but 5 October (its last sample, at 23:59, holds to 00:01),
    # and the day's two gaps.
    assert u == R - (24 * 3600 + 60) + (19 + 58) * 60
    assert d + u + x <= r
    shown = data["formula"]
    assert shown["expression"] == EXPRESSIONS[formula, policy]
    exact = Fraction(data["availability_exact"])
    assert redo(shown["expression"], {"R": r, "X": x, "U": u, "D": d}) == exact
    # The arithmetic is the expression with the report's own numbers in it.
    values = {"R": r, "X": x, "U": u, "D": d}
    numbers = re.sub(r"\b[RXUD]\b", lambda m: str(values[m[0]]), shown["expression"])
    assert shown["arithmetic"] == numbers
    assert redo(shown["arithmetic"], {}) == exact
    assert Fraction(shown["numerator_seconds"] * 100, shown["denominator_seconds"]) == exact
    counted = d + u if policy == "down" else d
    assert data["counted_downtime_seconds"] == counted


def summary_rows(data: dict[str, Any]) -> list[str]:
    """The formula as every format must show it."""
    shown = data["formula"]
    return [shown["expression"], shown["arithmetic"], shown["unknown_meaning"]]


def test_every_format_shows_the_formula_applied(tmp_path: Path) -> None:
    base = made(tmp_path, f"sqlite:///{tmp_path}/slawatch.db", "removed", "down")
    data = report(base)
    assert data["formula"]["expression"] == "(R - X - U - D) / (R - X) x 100"
    expected = summary_rows(data)
    out: dict[str, Path] = {}
    for fmt in ("csv", "html", "xlsx", "pdf"):
        out[fmt] = tmp_path / f"report.{fmt}"
        result = run("report", *base, "--contract", "sla", "--period", "2026-10",
                     "--format", fmt, "-o", str(out[fmt]), "--view", "internal")  # fmt: skip
        assert result.exit_code == 0, result.output
    csv_text = out["csv"].read_text()
    assert f"formula.arithmetic,{data['formula']['arithmetic']}\n" in csv_text
    page = out["html"].read_text()
    book = load_workbook(out["xlsx"])
    cells = {c for row in book["Summary"].iter_rows(values_only=True) for c in row}
    pdf = _pdf_words(out["pdf"])
    for text in expected:
        assert text in csv_text and text in page and text in cells, text
        assert " ".join(text.split()) in pdf, text


def _pdf_words(path: Path) -> str:
    pdftotext = debian_tool("pdftotext", "poppler-utils")
    text = subprocess.run(
        [pdftotext, "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(text.split())
