"""The XLSX report: the JSON report's figures in a workbook a customer can sort,
filter and redo the sums in.

Cells hold the JSON values themselves (seconds as integers, percentages as the
JSON's numbers, ``null`` as an empty cell, instants and days as spreadsheet
dates), never text made from them, with number formats (xlsx_cells.py). The
availability, of the period and of each day, is a formula over the R, X, U and D
cells, so a customer can redo the sums in the sheet; the Daily sheet has a chart
of it. Every sheet is set up to print (A4, one page wide, headings repeated) and
the workbook names slawatch as its creator.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from slawatch.reports import support
from slawatch.reports.locale import Branding, Style
from slawatch.reports.view import (
    AMENDMENT_COLUMNS,
    DAILY_COLUMNS,
    EXCLUSION_COLUMNS,
    INTERNAL,
    Data,
    Section,
    amendments,
    columns_shown,
    headline,
    monitored,
    outage_table,
    sections,
    show,
    term_tables,
    worded,
)
from slawatch.reports.xlsx_cells import (
    LETTERS,
    Results,
    availability,
    cell_value,
    print_setup,
    ratio,
    side,
    with_results,
)
from slawatch.reports.xlsx_credit import credit_formulas

SUMMARY_HEADINGS = ("Item", "Value", "JSON field", "Contract clause")
SUMMARY_FIRST_ROW = 6  # under the title, three headline lines and a blank row
_BOLD = Font(bold=True)
CREATOR = "slawatch"
_WIDE = {  # columns of instants, texts and arithmetic
    **dict.fromkeys(("start", "end", "source", "note", "opened", "deadline", "stopped_at"), 28),
    "arithmetic": 120,
}


def to_xlsx(data: Data, style: Style = INTERNAL) -> bytes:
    """The workbook of the JSON report ``data``: Summary, Outages, Exclusions (then the
    late claims and outage clauses when there are some), Daily and Clauses sheets, and
    Amendments for a closed period (the sheets' names in the report's language)."""
    _ = style.lang
    book = Workbook()
    title = _("SLA report: {contract}, {period}").format(
        contract=data["contract"], period=data["period"]["label"]
    )
    sheet = _first_sheet(book, style)
    lines = headline(data, style)[: 3 + len(monitored(data, style))]  # and where monitoring began
    cells = _summary(sheet, title, lines, sections(data, style), style)
    results = _availability_formulas(sheet, data, cells)
    results.update(credit_formulas(sheet, data, cells, style))
    records = _Records(book, style)
    records(_("Outages"), *outage_table(data))
    records(_("Exclusions"), data["exclusions"], EXCLUSION_COLUMNS)
    for heading, found, columns in term_tables(data, style):
        records(heading, found, columns)
    daily, shown = records(_("Daily"), data["daily"], DAILY_COLUMNS)
    results.update(_daily_formulas(daily, shown, data))
    _clauses(book.create_sheet(_("Clauses")), data["clauses"], style)
    if "closed" in data:
        records(_("Amendments"), amendments(data, style), AMENDMENT_COLUMNS)
    return _saved(book, title, results)


def support_to_xlsx(data: Data, style: Style = INTERNAL) -> bytes:
    """The workbook of the support report ``data``: Summary, Requests (one row per
    request and target, with the arithmetic), Objectives and Clauses sheets."""
    _ = style.lang
    book = Workbook()
    lines = support.headline(data, style)
    sheet = _first_sheet(book, style)
    _summary(sheet, support.title(data, style), lines, support.sections(data, style), style)
    records = _Records(book, style)
    records(_("Requests"), support.request_rows(data, style), support.REQUEST_COLUMNS)
    records(_("Objectives"), data["objectives"], support.OBJECTIVE_COLUMNS)
    _clauses(book.create_sheet(_("Clauses")), data["clauses"], style)
    return _saved(book, support.title(data, style))


def _first_sheet(book: Workbook, style: Style) -> Worksheet:
    """The Summary sheet, its first rows the branding when there is one."""
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # a new workbook always has its first sheet
    sheet.title = style.lang("Summary")
    if style.branding is not None:
        _branding(sheet, style.branding, style)
    return sheet


def _branding(sheet: Worksheet, branding: Branding, style: Style) -> None:
    """Provider, customer and contract reference above the title, the logo at the
    right; the rows are inserted before the summary is written under them."""
    for row, line in enumerate(branding.lines(style.lang), start=1):
        sheet.cell(row=row, column=1, value=line)
    if branding.logo is not None:
        logo = Image(str(branding.logo))
        logo.height, logo.width = 48, round(48 * logo.width / max(logo.height, 1))
        sheet.add_image(logo, "D1")


def _saved(book: Workbook, title: str, results: Results | None = None) -> bytes:
    """The workbook's bytes, each sheet set up to print (the summary's heading is
    not a table's), each formula with the report's number as its ``results``."""
    book.properties.creator = CREATOR
    book.properties.title = title
    book.calculation.fullCalcOnLoad = True
    for number, sheet in enumerate(book.worksheets):
        print_setup(sheet, title_rows="1:1" if number else None)
    out = io.BytesIO()
    book.save(out)
    return with_results(out.getvalue(), book.sheetnames, results or {})


def _summary(
    sheet: Worksheet, title: str, lines: Sequence[str], found: Sequence[Section], style: Style
) -> dict[str, str]:
    """The title, the verdict's lines and the summary's sections with their clauses
    (and, in the internal view, the JSON field of each row), under the branding;
    returns the cell of each JSON field's value (``B20``)."""
    top = sheet.max_row + 1 if style.branding is not None else 0  # a blank row after it
    sheet.cell(row=top + 1, column=1, value=title).font = Font(bold=True, size=14)
    for offset, line in enumerate(lines):
        sheet.cell(row=top + 2 + offset, column=1, value=line)
    row = top + SUMMARY_FIRST_ROW + max(0, len(lines) - 3)
    _headings(sheet, row, summary_headings(style))
    cells: dict[str, str] = {}
    for section in found:
        row += 1
        sheet.cell(row=row, column=1, value=section.title).font = _BOLD
        for item in section.rows:
            row += 1
            value = _value(item.key, item.value, style)
            key = (item.key,) if style.internal else ()
            _put(sheet, row, (item.label, value, *key, item.clause or None), item.key)
            cells[item.key] = f"B{row}"
    _widths(sheet, (48, 34, 30, 90) if style.internal else (48, 34, 90))
    return cells


def _availability_formulas(sheet: Worksheet, data: Data, cells: Mapping[str, str]) -> Results:
    """The numerator, the denominator and the availability as formulas over the
    R, X, U and D cells of the summary (a report with nothing measured keeps its
    empty availability); returns their results, the report's numbers."""
    needed = {*LETTERS.values(), "formula.numerator_seconds", "formula.denominator_seconds"}
    if data["availability_percent"] is None or not needed | {"availability_percent"} <= set(cells):
        return {}
    shape = ratio(data["formula"])
    letters = {letter: cells[key] for letter, key in LETTERS.items()}
    top, bottom = cells["formula.numerator_seconds"], cells["formula.denominator_seconds"]
    result = cells["availability_percent"]
    sheet[top] = "=" + side(shape.top, letters)
    sheet[bottom] = "=" + side(shape.bottom, letters)
    sheet[result] = availability(top, bottom)
    return {
        (sheet.title, top): data["formula"]["numerator_seconds"],
        (sheet.title, bottom): data["formula"]["denominator_seconds"],
        (sheet.title, result): data["availability_percent"],
    }


def _daily_formulas(sheet: Worksheet, shown: Sequence[str], data: Data) -> Results:
    """Each day's availability as a formula over its R, X, U and D cells (the
    columns ``shown``), and a chart of it beside the table; returns their results,
    the report's numbers."""
    if not {*LETTERS.values(), "availability_percent"} <= set(shown) or not data["daily"]:
        return {}
    column = {key: chr(ord("A") + number) for number, key in enumerate(shown)}
    shape = ratio(data["formula"])
    results: Results = {}
    for row, day in enumerate(data["daily"], start=2):
        letters = {letter: f"{column[key]}{row}" for letter, key in LETTERS.items()}
        target = f"{column['availability_percent']}{row}"
        sheet[target] = availability(side(shape.top, letters), side(shape.bottom, letters))
        results[(sheet.title, target)] = day["availability_percent"]
    _chart(sheet, shown.index("availability_percent") + 1, len(data["daily"]))
    return results


def _chart(sheet: Worksheet, column: int, days: int) -> None:
    """A bar chart of the daily availability, right of the table."""
    chart = BarChart()
    chart.title = str(sheet.cell(row=1, column=column).value)  # the column's heading
    chart.legend = None
    chart.y_axis.scaling.max = 100
    values = Reference(sheet, min_col=column, min_row=1, max_row=days + 1)
    chart.add_data(values, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=days + 1))
    chart.width, chart.height = 24, 9  # cm
    sheet.add_chart(chart, f"{chr(ord('A') + column + 1)}2")


def summary_headings(style: Style) -> tuple[str, ...]:
    """The Summary sheet's headings: the JSON field only in the internal view."""
    shown = (
        SUMMARY_HEADINGS
        if style.internal
        else tuple(h for h in SUMMARY_HEADINGS if h != "JSON field")
    )
    return tuple(style.lang(heading) for heading in shown)


def _value(key: str, value: Any, style: Style) -> Any:
    """A cell's value: the JSON's own (numbers and instants stay what a spreadsheet
    computes with); the customer view writes yes/no, enum names and reasons in words."""
    if style.internal or not (isinstance(value, bool) or (isinstance(value, str) and worded(key))):
        return value
    return show(key, value, style)


class _Records:
    """Adds a sheet per table of records, with the columns ``style`` shows."""

    def __init__(self, book: Workbook, style: Style) -> None:
        self._book, self._style = book, style

    def __call__(
        self, title: str, records: Sequence[Mapping[str, Any]], columns: tuple[tuple[str, str], ...]
    ) -> tuple[Worksheet, list[str]]:
        """The sheet, and the JSON fields of its columns."""
        sheet = self._book.create_sheet(title[:31])  # Excel's longest sheet name
        shown = columns_shown(columns, self._style)
        _headings(sheet, 1, tuple(heading for _, heading in shown))
        for row, record in enumerate(records, start=2):
            for column, (key, _) in enumerate(shown, start=1):
                _put_cell(sheet, row, column, key, _value(key, record.get(key), self._style))
        _widths(sheet, tuple(_WIDE.get(key, 16) for key, _ in shown))
        sheet.freeze_panes = "A2"
        return sheet, [key for key, _ in shown]


def _clauses(sheet: Worksheet, clauses: Mapping[str, str], style: Style) -> None:
    """The clauses cited; the internal view names the config's rule of each."""
    _ = style.lang
    if not style.internal:
        _headings(sheet, 1, (_("Contract clause"),))
        for row, text in enumerate(clauses.values(), start=2):
            _put(sheet, row, (text,))
        _widths(sheet, (110,))
        return
    _headings(sheet, 1, (_("Rule"), _("Contract clause")))
    for row, (rule, text) in enumerate(clauses.items(), start=2):
        _put(sheet, row, (rule, text))
    _widths(sheet, (22, 110))


def _headings(sheet: Worksheet, row: int, headings: tuple[str, ...]) -> None:
    for column, heading in enumerate(headings, start=1):
        cell = sheet.cell(row=row, column=column, value=heading)
        cell.font = _BOLD
        cell.alignment = Alignment(wrap_text=True)


def _put(sheet: Worksheet, row: int, values: tuple[Any, ...], key: str = "") -> None:
    """A row of cells; the one that holds the JSON field ``key``'s value (the
    second) gets that field's format."""
    for column, value in enumerate(values, start=1):
        _put_cell(sheet, row, column, key if column == 2 else "", value)


def _put_cell(sheet: Worksheet, row: int, column: int, key: str, value: Any) -> None:
    held, number_format = cell_value(key, value)
    cell = sheet.cell(row=row, column=column, value=held)
    if number_format:
        cell.number_format = number_format


def _widths(sheet: Worksheet, widths: tuple[int, ...]) -> None:
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[chr(ord("A") + column - 1)].width = width
