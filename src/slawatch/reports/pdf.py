"""The PDF report: what an account manager sends, in the order a customer checks it.

The verdict first, then the chart of daily availability, then the arithmetic
(each figure beside the contract clause it follows from), each outage with its
counted, excluded and unknown parts, the exclusions, the clauses and the days.
Every figure is the JSON report's, written with the JSON's digits.

fpdf2's core fonts are Latin-1 only, and the contracts are French with
typographic apostrophes and dashes, so text is set in DejaVu Sans, the font
that matplotlib ships: no system font is needed.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib
from fpdf import FPDF, FontFace, XPos, YPos

from slawatch.reports import support
from slawatch.reports.chart import daily_chart_png
from slawatch.reports.pdf_layout import Fit, fit_table, keep_with_next
from slawatch.reports.view import (
    AMENDMENT_COLUMNS,
    DAILY_COLUMNS,
    EXCLUSION_COLUMNS,
    OUTAGE_COLUMNS,
    Data,
    Section,
    amendments,
    clause_rows,
    clauses_once,
    headline,
    sections,
    show,
    table,
    term_tables,
)

FONT = "DejaVu"
_FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
_HEADINGS = FontFace(emphasis="BOLD", fill_color=(230, 236, 240))
_WIDTH = 190.0  # A4 less 10 mm margins, in mm
# fontTools logs each table of each font it subsets at INFO (some 50 lines per PDF),
# which the agent's INFO log would print for every report the API serves.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)


class _Document(FPDF):
    """A4 portrait with a footer on every page: the report, the contract's
    reference and "page n / N"."""

    def __init__(self, footer: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self._footer = footer
        self.add_font(FONT, "", str(_FONTS / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(_FONTS / "DejaVuSans-Bold.ttf"))
        self.set_margins(10, 12, 10)
        self.set_auto_page_break(auto=True, margin=14)

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(FONT, size=7)
        self.cell(0, 4, f"{self._footer} \u2013 page {self.page_no()} / {{nb}}", align="C")


def _footer(kind: str, data: Data) -> str:
    """The footer's text: the contract is the reference a customer quotes back."""
    period = data["period"]["label"]
    return f"slawatch {kind} report, contract {data['contract']}, {period}, as of {data['as_of']}"


def to_pdf(data: Data) -> bytes:
    """The PDF of the JSON report ``data``."""
    period = data["period"]["label"]
    pdf = _Document(_footer("SLA", data))
    pdf.set_title(f"SLA report {data['contract']} {period}")
    pdf.add_page()
    _title(pdf, f"SLA report: {data['contract']}, {period}", data, headline(data))
    if data["daily"]:
        pdf.image(io.BytesIO(daily_chart_png(data)), w=_WIDTH, alt_text="Daily availability")
    for section in sections(data):
        _summary(pdf, section)
    outages, exclusions, days = data["outages"], data["exclusions"], data["daily"]
    _records(pdf, "Outages", outages, OUTAGE_COLUMNS, note=_outage_note(data))
    _records(pdf, "Exclusions", exclusions, EXCLUSION_COLUMNS)
    for title, records, columns in term_tables(data):
        _records(pdf, title, records, columns)
    _clauses(pdf, clause_rows(data))
    _records(pdf, "Day by day", days, DAILY_COLUMNS)
    if "closed" in data:
        _records(pdf, "Amendments", amendments(data), AMENDMENT_COLUMNS)
    return bytes(pdf.output())


def support_to_pdf(data: Data) -> bytes:
    """The PDF of the support report ``data``: the objectives' verdicts, the terms,
    every request's clock with its arithmetic, the objectives and the clauses."""
    title = support.title(data)
    pdf = _Document(_footer("support", data))
    pdf.set_title(title)
    pdf.add_page()
    _title(pdf, title, data, support.headline(data))
    for section in support.sections(data):
        _summary(pdf, section)
    requests = support.request_rows(data)
    _records(pdf, "Requests", requests, support.REQUEST_COLUMNS)
    objectives = data["objectives"]
    _records(pdf, "Objectives", objectives, support.OBJECTIVE_COLUMNS)
    _clauses(pdf, clause_rows(data))
    return bytes(pdf.output())


def _title(pdf: FPDF, title: str, data: Data, lines: Sequence[str]) -> None:
    pdf.set_font(FONT, "B", 15)
    pdf.cell(0, 8, title, **_NEXT)
    pdf.set_font(FONT, size=9)
    if data.get("description"):
        pdf.cell(0, 5, data["description"], **_NEXT)
    pdf.cell(0, 5, f"{data['period']['start']} to {data['period']['end']}", **_NEXT)
    pdf.ln(2)
    pdf.set_font(FONT, "B", 10)
    for line in lines:
        pdf.multi_cell(0, 5, line, align="L", **_NEXT)
    pdf.ln(2)


def _summary(pdf: FPDF, section: Section) -> None:
    rows = [("Item", "Value", "Contract clause")]
    for row, clause in zip(section.rows, clauses_once(section.rows), strict=True):
        rows.append((row.label, show(row.key, row.value), clause))
    _grid(pdf, section.title, rows, size=8)


def _records(
    pdf: FPDF,
    title: str,
    records: Sequence[Mapping[str, Any]],
    columns: tuple[tuple[str, str], ...],
    *,
    note: str = "",
) -> None:
    heading = f"{title} ({len(records)})"
    if not records:
        keep_with_next(pdf, lambda: _none(pdf, heading, note))
        _none(pdf, heading, note)
        return
    rows = [tuple(heading for _, heading in columns)]
    rows += [tuple(cells) for cells in table(list(records), columns)]
    _grid(pdf, heading, rows, size=7, note=note)


def _clauses(pdf: FPDF, clauses: Sequence[tuple[str, str]]) -> None:
    _grid(pdf, "Contract clauses", [("Rule", "Clause"), *clauses], size=8)


def _grid(
    pdf: FPDF,
    title: str,
    rows: Sequence[Sequence[str]],
    *,
    size: float,
    note: str = "",
) -> None:
    """A heading, a note, and a table whose first row is its heading row (repeated
    on each page it runs onto); the heading goes to the next page with the
    table's first rows when they would not fit under it."""
    pdf.set_font(FONT, size=size)
    fit = fit_table(pdf, rows, _WIDTH)
    keep_with_next(pdf, lambda: _table(pdf, title, rows[:2], fit, note))
    _table(pdf, title, rows, fit, note)


def _table(pdf: FPDF, title: str, rows: Sequence[Sequence[str]], fit: Fit, note: str) -> None:
    _heading(pdf, title)
    pdf.set_font(FONT, size=fit.size)
    if note:
        pdf.multi_cell(0, 4, note, align="L", **_NEXT)
    with pdf.table(
        col_widths=fit.widths, width=_WIDTH, headings_style=_HEADINGS, text_align="LEFT"
    ) as grid:
        for cells in rows:
            grid.row(tuple(cells))


def _none(pdf: FPDF, title: str, note: str) -> None:
    """The heading of an empty table, its note and "none"."""
    _heading(pdf, title)
    pdf.set_font(FONT, size=7)
    if note:
        pdf.multi_cell(0, 4, note, align="L", **_NEXT)
    pdf.cell(0, 5, "none", **_NEXT)


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font(FONT, "B", 11)
    pdf.cell(0, 7, text, **_NEXT)


def _outage_note(data: Data) -> str:
    clauses = data.get("clauses", {})
    cited = [clauses[k] for k in ("maintenance", "exclusions", "claims_required") if k in clauses]
    base = "Counted seconds make up D; excluded and unknown seconds do not."
    return f"{base} Clauses: {' ; '.join(cited)}." if cited else base


_NEXT: dict[str, Any] = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}
