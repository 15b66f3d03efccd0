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
from dataclasses import replace
from pathlib import Path
from typing import Any

import matplotlib
from fpdf import FPDF, FontFace, XPos, YPos

from slawatch.reports import support
from slawatch.reports.chart import daily_chart_png
from slawatch.reports.locale import Branding, Style
from slawatch.reports.view import (
    AMENDMENT_COLUMNS,
    DAILY_COLUMNS,
    EXCLUSION_COLUMNS,
    INTERNAL,
    LATE_CLAIM_COLUMNS,
    LIMIT_COLUMNS,
    LOCATED_OUTAGE_COLUMNS,
    OUTAGE_COLUMNS,
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
_WIDTH = 190.0  # A4 less 10 mm margins, in mm
# The width of each column (mm) of each table, by its columns: they travel together.
_WIDTHS: dict[tuple[tuple[str, str], ...], tuple[float, ...]] = {
    OUTAGE_COLUMNS: (40, 40, 12, 12, 12, 12, 12, 16, 10, 14, 10),  # an ISO instant on one line
    LOCATED_OUTAGE_COLUMNS: (36, 36, 12, 12, 12, 12, 12, 14, 10, 12, 10, 12),
    EXCLUSION_COLUMNS: (36, 22, 56, 16, 14, 16, 30),
    LATE_CLAIM_COLUMNS: (30, 40, 40, 40, 40),
    LIMIT_COLUMNS: (46, 18, 18, 20, 12, 24, 24, 28),
    DAILY_COLUMNS: (30, 32, 32, 32, 32, 32),
    AMENDMENT_COLUMNS: (15, 25, 16, 28, 48, 29, 29),  # a SHA-256 on four lines
    support.REQUEST_COLUMNS: (14, 12, 26, 20, 26, 26, 15, 13, 38),  # an instant on two lines
    support.OBJECTIVE_COLUMNS: (22, 20, 18, 12, 14, 14, 16, 20, 16, 16, 22),
}


class _Document(FPDF):
    """A4 portrait with a footer naming the report and the page."""

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
        self.cell(0, 4, f"{self._footer}, page {self.page_no()}/{{nb}}", align="C")


def to_pdf(data: Data, style: Style = INTERNAL) -> bytes:
    """The PDF of the JSON report ``data``."""
    style = replace(style, written=True)
    _ = style.lang
    period, contract = data["period"]["label"], data["contract"]
    as_of = show("as_of", data["as_of"], style)
    pdf = _Document(
        _("slawatch SLA report {contract} {period}, as of {as_of}").format(
            contract=contract, period=period, as_of=as_of
        )
    )
    pdf.set_title(_("SLA report {contract} {period}").format(contract=contract, period=period))
    pdf.add_page()
    title = _("SLA report: {contract}, {period}").format(contract=contract, period=period)
    _title(pdf, title, data, headline(data, style), style)
    if data["daily"]:
        alt = _("Daily availability")
        pdf.image(io.BytesIO(daily_chart_png(data)), w=_WIDTH, alt_text=alt)
    for section in sections(data, style):
        _summary(pdf, section, style, data.get("currency"))
    records = _Records(pdf, style)
    records(_("Outages"), *outage_table(data), note=_outage_note(data, style))
    records(_("Exclusions"), data["exclusions"], EXCLUSION_COLUMNS)
    for heading, found, columns in term_tables(data, style):
        records(heading, found, columns)
    _clauses(pdf, clause_rows(data), style)
    records(_("Day by day"), data["daily"], DAILY_COLUMNS)
    if "closed" in data:
        records(_("Amendments"), amendments(data), AMENDMENT_COLUMNS)
    return bytes(pdf.output())


def support_to_pdf(data: Data, style: Style = INTERNAL) -> bytes:
    """The PDF of the support report ``data``: the objectives' verdicts, the terms,
    every request's clock with its arithmetic, the objectives and the clauses."""
    style = replace(style, written=True)
    _ = style.lang
    period, title = data["period"]["label"], support.title(data, style)
    footer = _("slawatch support report {contract} {period}, as of {as_of}").format(
        contract=data["contract"], period=period, as_of=show("as_of", data["as_of"], style)
    )
    pdf = _Document(footer)
    pdf.set_title(title)
    pdf.add_page()
    _title(pdf, title, data, support.headline(data, style), style)
    for section in support.sections(data, style):
        _summary(pdf, section, style, None)
    records = _Records(pdf, style)
    records(_("Requests"), support.request_rows(data, style), support.REQUEST_COLUMNS)
    records(_("Objectives"), data["objectives"], support.OBJECTIVE_COLUMNS)
    _clauses(pdf, clause_rows(data), style)
    return bytes(pdf.output())


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


def _summary(pdf: FPDF, section: Section, style: Style, currency: str | None) -> None:
    _ = style.lang
    _heading(pdf, section.title)
    pdf.set_font(FONT, size=8)
    with pdf.table(
        col_widths=(55, 55, 80), width=_WIDTH, headings_style=_HEADINGS, text_align="LEFT"
    ) as grid:
        grid.row((_("Item"), _("Value"), _("Contract clause")))
        for row, clause in zip(section.rows, clauses_once(section.rows, style), strict=True):
            grid.row((row.label, show(row.key, row.value, style, currency=currency), clause))


class _Records:
    """Writes tables of records into ``pdf`` with the columns ``style`` shows."""

    def __init__(self, pdf: FPDF, style: Style) -> None:
        self._pdf, self._style = pdf, style

    def __call__(
        self,
        title: str,
        records: Sequence[Mapping[str, Any]],
        columns: tuple[tuple[str, str], ...],
        *,
        note: str = "",
    ) -> None:
        pdf = self._pdf
        _heading(pdf, f"{title} ({len(records)})")
        pdf.set_font(FONT, size=7)
        if note:
            pdf.multi_cell(0, 4, note, align="L", **_NEXT)
        if not records:
            pdf.cell(0, 5, self._style.lang("none"), **_NEXT)
            return
        shown = columns_shown(columns, self._style)
        keys = {key for key, _ in shown}
        widths = tuple(
            w for (key, _), w in zip(columns, _WIDTHS[columns], strict=True) if key in keys
        )
        with pdf.table(
            col_widths=widths, width=_WIDTH, headings_style=_HEADINGS, text_align="LEFT"
        ) as grid:
            grid.row(tuple(heading for _, heading in shown))
            for cells in table(list(records), shown, self._style):
                grid.row(tuple(cells))


def _clauses(pdf: FPDF, clauses: Sequence[tuple[str, str]], style: Style) -> None:
    """The clauses cited; the internal view names the config's rule of each."""
    _ = style.lang
    _heading(pdf, _("Contract clauses"))
    pdf.set_font(FONT, size=8)
    widths = (40, 150) if style.internal else (190,)
    with pdf.table(
        col_widths=widths, width=_WIDTH, headings_style=_HEADINGS, text_align="LEFT"
    ) as grid:
        grid.row((_("Rule"), _("Clause")) if style.internal else (_("Clause"),))
        for rule, text in clauses:
            grid.row((rule, text) if style.internal else (text,))


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font(FONT, "B", 11)
    pdf.cell(0, 7, text, **_NEXT)


def _outage_note(data: Data, style: Style) -> str:
    clauses = data.get("clauses", {})
    cited = [clauses[k] for k in ("maintenance", "exclusions", "claims_required") if k in clauses]
    base = style.lang(OUTAGE_NOTE)
    return (
        base + style.lang(" Clauses: {cited}.").format(cited=" ; ".join(cited)) if cited else base
    )


_NEXT: dict[str, Any] = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}
