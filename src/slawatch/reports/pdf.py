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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib
from fpdf import FPDF, FontFace, XPos, YPos
from fpdf.enums import PageOrientation

from slawatch.reports import support
from slawatch.reports.chart import daily_chart_png
from slawatch.reports.pdf_layout import (
    Fit,
    fit_table,
    keep_with_next,
    rows_height,
    text_height,
)
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
_WIDTH = 190.0  # A4 portrait less 10 mm margins, in mm: the chart's width
# A table whose longest cell would take more lines than this in portrait is set on
# landscape pages (and what follows it, on the pages it turned).
_MOST_LINES = 8
_HEADING_SPACE, _HEADING_LINE = 3.0, 7.0  # mm: space above a heading, its line
_HEADING_HEIGHT = _HEADING_SPACE + _HEADING_LINE
_NOTE_LINE, _NONE_HEIGHT = 4.0, 5.0  # mm: a line of a table's note, the "none" of an empty one


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


@dataclass(frozen=True, slots=True)
class Grid:
    """A titled table of text as the PDF sets it: its first row is the heading row;
    a table with no other row shows "none"."""

    title: str
    rows: tuple[tuple[str, ...], ...]
    size: float  # pt
    note: str = ""


def to_pdf(data: Data) -> bytes:
    """The PDF of the JSON report ``data``."""
    period = data["period"]["label"]
    pdf = _Document(_footer("SLA", data))
    pdf.set_title(f"SLA report {data['contract']} {period}")
    pdf.add_page()
    _title(pdf, f"SLA report: {data['contract']}, {period}", data, headline(data))
    if data["daily"]:
        pdf.image(io.BytesIO(daily_chart_png(data)), w=_WIDTH, alt_text="Daily availability")
    for grid in grids(data):
        _grid(pdf, grid)
    return bytes(pdf.output())


def grids(data: Data) -> list[Grid]:
    """The availability report's tables, in the order the PDF sets them."""
    found = [_summary(section) for section in sections(data)]
    found.append(_records("Outages", data["outages"], OUTAGE_COLUMNS, _outage_note(data)))
    found.append(_records("Exclusions", data["exclusions"], EXCLUSION_COLUMNS))
    found += [_records(title, rows, columns) for title, rows, columns in term_tables(data)]
    found.append(_clauses(clause_rows(data)))
    found.append(_records("Day by day", data["daily"], DAILY_COLUMNS))
    if "closed" in data:
        found.append(_records("Amendments", amendments(data), AMENDMENT_COLUMNS))
    return found


def support_to_pdf(data: Data) -> bytes:
    """The PDF of the support report ``data``: the objectives' verdicts, the terms,
    every request's clock with its arithmetic, the objectives and the clauses."""
    title = support.title(data)
    pdf = _Document(_footer("support", data))
    pdf.set_title(title)
    pdf.add_page()
    _title(pdf, title, data, support.headline(data))
    for grid in support_grids(data):
        _grid(pdf, grid)
    return bytes(pdf.output())


def support_grids(data: Data) -> list[Grid]:
    """The support report's tables, in the order the PDF sets them."""
    return [
        *(_summary(section) for section in support.sections(data)),
        _records("Requests", support.request_rows(data), support.REQUEST_COLUMNS),
        _records("Objectives", data["objectives"], support.OBJECTIVE_COLUMNS),
        _clauses(clause_rows(data)),
    ]


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


def _summary(section: Section) -> Grid:
    rows = [("Item", "Value", "Contract clause")]
    for row, clause in zip(section.rows, clauses_once(section.rows), strict=True):
        rows.append((row.label, show(row.key, row.value), clause))
    return Grid(section.title, tuple(rows), 8)


def _records(
    title: str,
    records: Sequence[Mapping[str, Any]],
    columns: tuple[tuple[str, str], ...],
    note: str = "",
) -> Grid:
    rows = [tuple(heading for _, heading in columns)]
    rows += [tuple(cells) for cells in table(list(records), columns)]
    return Grid(f"{title} ({len(records)})", tuple(rows), 7, note)


def _clauses(clauses: Sequence[tuple[str, str]]) -> Grid:
    return Grid("Contract clauses", (("Rule", "Clause"), *clauses), 8)


def _grid(pdf: FPDF, grid: Grid) -> None:
    """A heading, a note, and a table whose heading row is repeated on each page
    it runs onto; the heading goes to the next page with the table's first rows
    when they would not fit under it."""
    pdf.set_font(FONT, size=grid.size)
    fit = fit_table(pdf, grid.rows, pdf.epw)
    if fit.lines > _MOST_LINES and pdf.cur_orientation is PageOrientation.PORTRAIT:
        pdf.add_page(orientation="L")
        pdf.set_font(FONT, size=grid.size)
        fit = fit_table(pdf, grid.rows, pdf.epw)
    keep_with_next(
        pdf, _HEADING_HEIGHT + _note_height(pdf, grid, fit) + _first_rows(pdf, grid, fit)
    )
    _heading(pdf, grid.title)
    pdf.set_font(FONT, size=fit.size)
    if grid.note:
        pdf.multi_cell(0, _NOTE_LINE, grid.note, align="L", **_NEXT)
    if len(grid.rows) == 1:
        pdf.cell(0, _NONE_HEIGHT, "none", **_NEXT)
        return
    with pdf.table(
        col_widths=fit.widths, width=pdf.epw, headings_style=_HEADINGS, text_align="LEFT"
    ) as drawn:
        for cells in grid.rows:
            drawn.row(cells)


def _note_height(pdf: FPDF, grid: Grid, fit: Fit) -> float:
    if not grid.note:
        return 0.0
    pdf.set_font(FONT, size=fit.size)
    return text_height(pdf, 0, _NOTE_LINE, grid.note)


def _first_rows(pdf: FPDF, grid: Grid, fit: Fit) -> float:
    """The heading row and the first row, or the "none" of an empty table."""
    return _NONE_HEIGHT if len(grid.rows) == 1 else rows_height(pdf, grid.rows[:2], fit)


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(_HEADING_SPACE)
    pdf.set_font(FONT, "B", 11)
    pdf.cell(0, _HEADING_LINE, text, **_NEXT)


def _outage_note(data: Data) -> str:
    clauses = data.get("clauses", {})
    cited = [clauses[k] for k in ("maintenance", "exclusions", "claims_required") if k in clauses]
    base = "Counted seconds make up D; excluded and unknown seconds do not."
    return f"{base} Clauses: {' ; '.join(cited)}." if cited else base


_NEXT: dict[str, Any] = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}
