"""The XLSX report: the JSON report's figures in a workbook a customer can sort,
filter and redo the sums in.

Cells hold the JSON values themselves (seconds as integers, percentages as the
JSON's numbers, ``null`` as an empty cell), never text made from them, so a
spreadsheet formula over them gives the report's own arithmetic. Instants stay
ISO 8601 text with their offset: an Excel date has no time zone.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from slawatch.reports import support
from slawatch.reports.view import (
    AMENDMENT_COLUMNS,
    DAILY_COLUMNS,
    EXCLUSION_COLUMNS,
    Data,
    Section,
    amendments,
    headline,
    outage_table,
    sections,
    term_tables,
)

SUMMARY_HEADINGS = ("Item", "Value", "JSON field", "Contract clause")
SUMMARY_FIRST_ROW = 6  # under the title, three headline lines and a blank row
_BOLD = Font(bold=True)
_MONEY = ("credit_amount", "credit_amount_all_outages")
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
    _summary(_first_sheet(book), title, headline(data)[:3], sections(data))
    _records(book.create_sheet("Outages"), *outage_table(data))
    _records(book.create_sheet("Exclusions"), data["exclusions"], EXCLUSION_COLUMNS)
    for title, records, columns in term_tables(data):
        _records(book.create_sheet(title), records, columns)
    _records(book.create_sheet("Daily"), data["daily"], DAILY_COLUMNS)
    _clauses(book.create_sheet("Clauses"), data["clauses"])
    if "closed" in data:
        _records(book.create_sheet("Amendments"), amendments(data), AMENDMENT_COLUMNS)
    return _saved(book)


def support_to_xlsx(data: Data) -> bytes:
    """The workbook of the support report ``data``: Summary, Requests (one row per
    request and target, with the arithmetic), Objectives and Clauses sheets."""
    book = Workbook()
    lines = support.headline(data)
    _summary(_first_sheet(book), support.title(data), lines, support.sections(data))
    _records(book.create_sheet("Requests"), support.request_rows(data), support.REQUEST_COLUMNS)
    _records(book.create_sheet("Objectives"), data["objectives"], support.OBJECTIVE_COLUMNS)
    _clauses(book.create_sheet("Clauses"), data["clauses"])
    return _saved(book)


def _first_sheet(book: Workbook) -> Worksheet:
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # a new workbook always has its first sheet
    return sheet


def _saved(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _summary(sheet: Worksheet, title: str, lines: Sequence[str], found: Sequence[Section]) -> None:
    """The title, the verdict's lines and the summary's sections with their clauses."""
    sheet.title = "Summary"
    sheet["A1"] = title
    sheet["A1"].font = Font(bold=True, size=14)
    for offset, line in enumerate(lines):
        sheet.cell(row=2 + offset, column=1, value=line)
    row = SUMMARY_FIRST_ROW + max(0, len(lines) - 3)
    _headings(sheet, row, SUMMARY_HEADINGS)
    for section in found:
        row += 1
        sheet.cell(row=row, column=1, value=section.title).font = _BOLD
        for item in section.rows:
            row += 1
            _put(sheet, row, (item.label, item.value, item.key, item.clause or None))
            if item.key in _MONEY:
                sheet.cell(row=row, column=2).number_format = "0.00"
    _widths(sheet, (48, 34, 30, 90))


def _records(
    sheet: Worksheet, records: Sequence[Mapping[str, Any]], columns: tuple[tuple[str, str], ...]
) -> None:
    _headings(sheet, 1, tuple(heading for _, heading in columns))
    for row, record in enumerate(records, start=2):
        _put(sheet, row, tuple(record.get(key) for key, _ in columns))
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


def _put(sheet: Worksheet, row: int, values: tuple[Any, ...]) -> None:
    for column, value in enumerate(values, start=1):
        sheet.cell(row=row, column=column, value=value)


def _widths(sheet: Worksheet, widths: tuple[int, ...]) -> None:
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[chr(ord("A") + column - 1)].width = width
