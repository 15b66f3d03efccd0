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
    outage_table,
    sections,
    show,
    term_tables,
    worded,
)

SUMMARY_HEADINGS = ("Item", "Value", "JSON field", "Contract clause")
SUMMARY_FIRST_ROW = 6  # under the title, three headline lines and a blank row
_BOLD = Font(bold=True)
_MONEY = ("credit_amount", "credit_amount_all_outages")
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
    _summary(sheet, title, headline(data, style)[:3], sections(data, style), style)
    records = _Records(book, style)
    records(_("Outages"), *outage_table(data))
    records(_("Exclusions"), data["exclusions"], EXCLUSION_COLUMNS)
    for heading, found, columns in term_tables(data, style):
        records(heading, found, columns)
    records(_("Daily"), data["daily"], DAILY_COLUMNS)
    _clauses(book.create_sheet(_("Clauses")), data["clauses"], style)
    if "closed" in data:
        records(_("Amendments"), amendments(data), AMENDMENT_COLUMNS)
    return _saved(book)


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
    return _saved(book)


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


def _saved(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _summary(
    sheet: Worksheet, title: str, lines: Sequence[str], found: Sequence[Section], style: Style
) -> None:
    """The title, the verdict's lines and the summary's sections with their clauses
    (and, in the internal view, the JSON field of each row), under the branding."""
    top = sheet.max_row + 1 if style.branding is not None else 0  # a blank row after it
    sheet.cell(row=top + 1, column=1, value=title).font = Font(bold=True, size=14)
    for offset, line in enumerate(lines):
        sheet.cell(row=top + 2 + offset, column=1, value=line)
    row = top + SUMMARY_FIRST_ROW + max(0, len(lines) - 3)
    _headings(sheet, row, summary_headings(style))
    for section in found:
        row += 1
        sheet.cell(row=row, column=1, value=section.title).font = _BOLD
        for item in section.rows:
            row += 1
            value = _value(item.key, item.value, style)
            key = (item.key,) if style.internal else ()
            _put(sheet, row, (item.label, value, *key, item.clause or None))
            if item.key in _MONEY:
                sheet.cell(row=row, column=2).number_format = "0.00"
    _widths(sheet, (48, 34, 30, 90) if style.internal else (48, 34, 90))


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
    ) -> None:
        sheet = self._book.create_sheet(title[:31])  # Excel's longest sheet name
        shown = columns_shown(columns, self._style)
        _headings(sheet, 1, tuple(heading for _, heading in shown))
        for row, record in enumerate(records, start=2):
            _put(sheet, row, tuple(_value(key, record.get(key), self._style) for key, _ in shown))
        _widths(sheet, tuple(_WIDE.get(key, 16) for key, _ in shown))
        sheet.freeze_panes = "A2"


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


def _put(sheet: Worksheet, row: int, values: tuple[Any, ...]) -> None:
    for column, value in enumerate(values, start=1):
        sheet.cell(row=row, column=column, value=value)


def _widths(sheet: Worksheet, widths: tuple[int, ...]) -> None:
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[chr(ord("A") + column - 1)].width = width
