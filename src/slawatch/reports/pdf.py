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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import matplotlib
from fpdf import FPDF, FontFace, XPos, YPos
from fpdf.enums import PageOrientation

from slawatch.reports import support
from slawatch.reports.chart import daily_chart_png
from slawatch.reports.locale import Branding, Style
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
    INTERNAL,
    OUTAGE_NOTE,
    Data,
    Section,
    amendments,
    clause_rows,
    clauses_once,
    columns_shown,
    headline,
    outage_table,
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
    """A4 with a footer on every page: the report, the contract's reference and
    "page n / N"."""

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
        self.cell(0, 4, self._footer.format(page=self.page_no()), align="C")


def _footer(report: str, data: Data, style: Style) -> str:
    """The footer, ``{page}`` still to fill: the report, the contract's reference
    (the branding's, else the contract's name: what a customer quotes back), then
    ``page n / N`` (``{nb}`` is fpdf2's page count)."""
    _ = style.lang
    reference = style.branding.reference if style.branding is not None else None
    contract = _("contract {reference}").format(reference=reference or data["contract"])
    page = _("page")
    escaped = f"{report} \u2013 {contract}".replace("{", "{{").replace("}", "}}")
    return f"{escaped} \u2013 {page} {{page}} / {{{{nb}}}}"


@dataclass(frozen=True, slots=True)
class Grid:
    """A titled table of text as the PDF sets it: its first row is the heading row;
    a table with no other row shows ``none`` (in the report's language)."""

    title: str
    rows: tuple[tuple[str, ...], ...]
    size: float  # pt
    note: str = ""
    none: str = "none"


def to_pdf(data: Data, style: Style = INTERNAL) -> bytes:
    """The PDF of the JSON report ``data``."""
    style = replace(style, written=True)
    _ = style.lang
    period, contract = data["period"]["label"], data["contract"]
    as_of = show("as_of", data["as_of"], style)
    pdf = _Document(
        _footer(
            _("slawatch SLA report {contract} {period}, as of {as_of}").format(
                contract=contract, period=period, as_of=as_of
            ),
            data,
            style,
        )
    )
    pdf.set_title(_("SLA report {contract} {period}").format(contract=contract, period=period))
    pdf.add_page()
    title = _("SLA report: {contract}, {period}").format(contract=contract, period=period)
    _title(pdf, title, data, headline(data, style), style)
    if data["daily"]:
        alt = _("Daily availability")
        pdf.image(io.BytesIO(daily_chart_png(data, style.lang)), w=_WIDTH, alt_text=alt)
    for grid in grids(data, style):
        _grid(pdf, grid)
    return bytes(pdf.output())


def grids(data: Data, style: Style = INTERNAL) -> list[Grid]:
    """The availability report's tables, in the order the PDF sets them."""
    _ = style.lang
    found = [_summary(section, style, data.get("currency")) for section in sections(data, style)]
    records = _Records(style)
    found.append(records(_("Outages"), *outage_table(data), _outage_note(data, style)))
    found.append(records(_("Exclusions"), data["exclusions"], EXCLUSION_COLUMNS))
    found += [
        records(heading, rows, columns) for heading, rows, columns in term_tables(data, style)
    ]
    found.append(_clauses(clause_rows(data), style))
    found.append(records(_("Day by day"), data["daily"], DAILY_COLUMNS))
    if "closed" in data:
        found.append(records(_("Amendments"), amendments(data, style), AMENDMENT_COLUMNS))
    return found


def support_to_pdf(data: Data, style: Style = INTERNAL) -> bytes:
    """The PDF of the support report ``data``: the objectives' verdicts, the terms,
    every request's clock with its arithmetic, the objectives and the clauses."""
    style = replace(style, written=True)
    _ = style.lang
    period, title = data["period"]["label"], support.title(data, style)
    footer = _("slawatch support report {contract} {period}, as of {as_of}").format(
        contract=data["contract"], period=period, as_of=show("as_of", data["as_of"], style)
    )
    pdf = _Document(_footer(footer, data, style))
    pdf.set_title(title)
    pdf.add_page()
    _title(pdf, title, data, support.headline(data, style), style)
    for grid in support_grids(data, style):
        _grid(pdf, grid)
    return bytes(pdf.output())


def support_grids(data: Data, style: Style = INTERNAL) -> list[Grid]:
    """The support report's tables, in the order the PDF sets them."""
    _ = style.lang
    records = _Records(style)
    return [
        *(_summary(section, style, None) for section in support.sections(data, style)),
        records(_("Requests"), support.request_rows(data, style), support.REQUEST_COLUMNS),
        records(_("Objectives"), data["objectives"], support.OBJECTIVE_COLUMNS),
        _clauses(clause_rows(data), style),
    ]


def _title(pdf: FPDF, title: str, data: Data, lines: Sequence[str], style: Style) -> None:
    if style.branding is not None:
        _branding(pdf, style.branding, style)
    pdf.set_font(FONT, "B", 15)
    pdf.cell(0, 8, title, **_NEXT)
    pdf.set_font(FONT, size=9)
    if data.get("description"):
        pdf.cell(0, 5, data["description"], **_NEXT)
    start, end = (show("at", data["period"][k], style) for k in ("start", "end"))
    pdf.cell(0, 5, style.lang("{start} to {end}").format(start=start, end=end), **_NEXT)
    pdf.ln(2)
    pdf.set_font(FONT, "B", 10)
    for line in lines:
        pdf.multi_cell(0, 5, line, align="L", **_NEXT)
    pdf.ln(2)


def _branding(pdf: FPDF, branding: Branding, style: Style) -> None:
    """The provider, customer and contract reference, the logo at the right."""
    top = pdf.get_y()
    if branding.logo is not None:
        pdf.image(str(branding.logo), x=_WIDTH + 10 - 40, y=top, h=14, keep_aspect_ratio=True)
    pdf.set_font(FONT, size=9)
    for line in branding.lines(style.lang):
        pdf.cell(0, 5, line, **_NEXT)
    pdf.set_y(max(pdf.get_y(), top + (16 if branding.logo is not None else 0)))


def _summary(section: Section, style: Style, currency: str | None) -> Grid:
    _ = style.lang
    rows = [(_("Item"), _("Value"), _("Contract clause"))]
    for row, clause in zip(section.rows, clauses_once(section.rows, style), strict=True):
        rows.append((row.label, show(row.key, row.value, style, currency=currency), clause))
    return Grid(section.title, tuple(rows), 8)


class _Records:
    """Tables of records with the columns ``style`` shows."""

    def __init__(self, style: Style) -> None:
        self._style = style

    def __call__(
        self,
        title: str,
        records: Sequence[Mapping[str, Any]],
        columns: tuple[tuple[str, str], ...],
        note: str = "",
    ) -> Grid:
        shown = columns_shown(columns, self._style)
        rows = [tuple(heading for _, heading in shown)]
        rows += [tuple(cells) for cells in table(list(records), shown, self._style)]
        none = self._style.lang("none")
        return Grid(f"{title} ({len(records)})", tuple(rows), 7, note, none)


def _clauses(clauses: Sequence[tuple[str, str]], style: Style) -> Grid:
    """The clauses cited; the internal view names the config's rule of each."""
    _ = style.lang
    if style.internal:
        return Grid(_("Contract clauses"), ((_("Rule"), _("Clause")), *clauses), 8)
    return Grid(_("Contract clauses"), ((_("Clause"),), *((text,) for _, text in clauses)), 8)


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
    start = _HEADING_HEIGHT + _note_height(pdf, grid, fit) + _first_rows(pdf, grid, fit)
    keep_with_next(pdf, start)
    _heading(pdf, grid.title)
    pdf.set_font(FONT, size=fit.size)
    if grid.note:
        pdf.multi_cell(0, _NOTE_LINE, grid.note, align="L", **_NEXT)
    if len(grid.rows) == 1:
        pdf.cell(0, _NONE_HEIGHT, grid.none, **_NEXT)
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


def _outage_note(data: Data, style: Style) -> str:
    clauses = data.get("clauses", {})
    cited = [clauses[k] for k in ("maintenance", "exclusions", "claims_required") if k in clauses]
    base = style.lang(OUTAGE_NOTE)
    return (
        base + style.lang(" Clauses: {cited}.").format(cited=" ; ".join(cited)) if cited else base
    )


_NEXT: dict[str, Any] = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}
