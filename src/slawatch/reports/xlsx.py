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
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from slawatch.reports import support
from slawatch.reports.view import (
    AMENDMENT_COLUMNS,
    DAILY_COLUMNS,
    EXCLUSION_COLUMNS,
    OUTAGE_COLUMNS,
    Data,
    Section,
    amendments,
    headline,
    sections,
    term_tables,
)
from slawatch.reports.xlsx_cells import (
    Results,
    availability,
    cell_value,
    print_setup,
    ratio,
    side,
    with_results,
)

SUMMARY_HEADINGS = ("Item", "Value", "JSON field", "Contract clause")
SUMMARY_FIRST_ROW = 6  # under the title, three headline lines and a blank row
_BOLD = Font(bold=True)
CREATOR = "slawatch"
# The JSON fields of R, X, U and D, by their letter in the availability formula.
LETTERS = {
    "R": "reference_seconds",
    "X": "excluded_seconds",
    "U": "unknown_seconds",
    "D": "downtime_seconds",
}
_WIDE = {  # columns of instants, texts and arithmetic
    **dict.fromkeys(("start", "end", "source", "note", "opened", "deadline", "stopped_at"), 28),
    "arithmetic": 120,
}


def to_xlsx(data: Data) -> bytes:
    """The workbook of the JSON report ``data``: Summary, Outages, Exclusions (then the
    late claims and outage clauses when there are some), Daily and Clauses sheets, and
    Amendments for a closed period."""
    book = Workbook()
    title = f"SLA report: {data['contract']}, {data['period']['label']}"
    cells = _summary(_first_sheet(book), title, headline(data)[:3], sections(data))
    results = _availability_formulas(_first_sheet(book), data, cells)
    _records(book.create_sheet("Outages"), data["outages"], OUTAGE_COLUMNS)
    _records(book.create_sheet("Exclusions"), data["exclusions"], EXCLUSION_COLUMNS)
    for name, records, columns in term_tables(data):
        _records(book.create_sheet(name), records, columns)
    daily = book.create_sheet("Daily")
    _records(daily, data["daily"], DAILY_COLUMNS)
    results.update(_daily_formulas(daily, data))
    _clauses(book.create_sheet("Clauses"), data["clauses"])
    if "closed" in data:
        _records(book.create_sheet("Amendments"), amendments(data), AMENDMENT_COLUMNS)
    return _saved(book, title, results)


def support_to_xlsx(data: Data) -> bytes:
    """The workbook of the support report ``data``: Summary, Requests (one row per
    request and target, with the arithmetic), Objectives and Clauses sheets."""
    book = Workbook()
    lines = support.headline(data)
    _summary(_first_sheet(book), support.title(data), lines, support.sections(data))
    _records(book.create_sheet("Requests"), support.request_rows(data), support.REQUEST_COLUMNS)
    _records(book.create_sheet("Objectives"), data["objectives"], support.OBJECTIVE_COLUMNS)
    _clauses(book.create_sheet("Clauses"), data["clauses"])
    return _saved(book, support.title(data))


def _first_sheet(book: Workbook) -> Worksheet:
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # a new workbook always has its first sheet
    return sheet


def _saved(book: Workbook, title: str, results: Results | None = None) -> bytes:
    """The workbook's bytes, each sheet set up to print, each formula with the
    report's number as its ``results``."""
    book.properties.creator = CREATOR
    book.properties.title = title
    book.calculation.fullCalcOnLoad = True
    for sheet in book.worksheets:
        print_setup(sheet, title_rows=None if sheet.title == "Summary" else "1:1")
    out = io.BytesIO()
    book.save(out)
    return with_results(out.getvalue(), book.sheetnames, results or {})


def _summary(
    sheet: Worksheet, title: str, lines: Sequence[str], found: Sequence[Section]
) -> dict[str, str]:
    """The title, the verdict's lines and the summary's sections with their clauses;
    returns the cell of each JSON field's value (``B20``)."""
    sheet.title = "Summary"
    sheet["A1"] = title
    sheet["A1"].font = Font(bold=True, size=14)
    for offset, line in enumerate(lines):
        sheet.cell(row=2 + offset, column=1, value=line)
    row = SUMMARY_FIRST_ROW + max(0, len(lines) - 3)
    _headings(sheet, row, SUMMARY_HEADINGS)
    cells: dict[str, str] = {}
    for section in found:
        row += 1
        sheet.cell(row=row, column=1, value=section.title).font = _BOLD
        for item in section.rows:
            row += 1
            _put(sheet, row, (item.label, item.value, item.key, item.clause or None), item.key)
            cells[item.key] = f"B{row}"
    _widths(sheet, (48, 34, 30, 90))
    return cells


def _availability_formulas(sheet: Worksheet, data: Data, cells: Mapping[str, str]) -> Results:
    """The numerator, the denominator and the availability as formulas over the
    R, X, U and D cells of the summary (a report with nothing measured keeps its
    empty availability); returns their results, the report's numbers."""
    if data["availability_percent"] is None or "formula.numerator_seconds" not in cells:
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


def _daily_formulas(sheet: Worksheet, data: Data) -> Results:
    """Each day's availability as a formula over its R, X, U and D cells, and a
    chart of it beside the table; returns their results, the report's numbers."""
    keys = [key for key, _ in DAILY_COLUMNS]
    column = {key: chr(ord("A") + keys.index(key)) for key in keys}
    shape = ratio(data["formula"])
    results: Results = {}
    for row, day in enumerate(data["daily"], start=2):
        letters = {letter: f"{column[key]}{row}" for letter, key in LETTERS.items()}
        target = f"{column['availability_percent']}{row}"
        sheet[target] = availability(side(shape.top, letters), side(shape.bottom, letters))
        results[(sheet.title, target)] = day["availability_percent"]
    if data["daily"]:
        _chart(sheet, keys.index("availability_percent") + 1, len(data["daily"]))
    return results


def _chart(sheet: Worksheet, column: int, days: int) -> None:
    """A bar chart of the daily availability, right of the table."""
    chart = BarChart()
    chart.title = "Daily availability (%)"
    chart.y_axis.title = "availability (%)"
    chart.y_axis.scaling.max = 100
    chart.legend = None
    values = Reference(sheet, min_col=column, min_row=1, max_row=days + 1)
    chart.add_data(values, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=days + 1))
    chart.width, chart.height = 24, 9  # cm
    sheet.add_chart(chart, f"{chr(ord('A') + column + 1)}2")


def _records(
    sheet: Worksheet, records: Sequence[Mapping[str, Any]], columns: tuple[tuple[str, str], ...]
) -> None:
    _headings(sheet, 1, tuple(heading for _, heading in columns))
    for row, record in enumerate(records, start=2):
        for column, (key, _) in enumerate(columns, start=1):
            _put_cell(sheet, row, column, key, record.get(key))
    _widths(sheet, tuple(_WIDE.get(key, 16) for key, _ in columns))
    sheet.freeze_panes = "A2"


def _clauses(sheet: Worksheet, clauses: Mapping[str, str]) -> None:
    _headings(sheet, 1, ("Rule", "Contract clause"))
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
