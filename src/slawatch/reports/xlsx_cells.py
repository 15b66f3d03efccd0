"""What a workbook's cells hold: spreadsheet dates and numbers with their formats,
the availability as formulas over R, X, U and D, the page set up for printing.

An instant of the JSON (``2026-10-05T12:00:00+02:00``) becomes the date-time a
clock showed where it was measured, and its number format writes the offset
beside it, as the JSON does (an Excel date has no time zone): a customer can sort
and subtract the dates, and still read which zone they are in.

The availability cells are formulas over the R, X, U and D cells beside them,
written from the contract's own ``Ratio`` (the one the report was computed
with), so a customer who changes a figure sees the availability follow. A
spreadsheet computes in binary floats: the formula truncates to 6 decimals as
the report does, on integers (``INT(num x 10^8 / den) / 10^6``; the seconds of
a year times 10^8 stay below 2^53), so the result is the report's own number.
openpyxl writes a formula without its result, which a viewer that does not
compute (a mail preview, a reader of cached values) shows as empty: the report's
number is written in as the formula's cached result (``with_results``), and the
workbook asks the spreadsheet to compute everything again when it opens it.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from slawatch.sla.contract import Formula, UnknownPolicy
from slawatch.sla.ratio import Ratio

_INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?P<offset>[+-]\d\d:\d\d|Z)")
_DATE = re.compile(r"\d{4}-\d\d-\d\d")
DATE_FORMAT = "yyyy-mm-dd"
SECONDS_FORMAT = "#,##0"
PERCENT_FORMAT = "0.0#####"  # the JSON's percentages have at most 6 decimals
MONEY_FORMAT = "#,##0.00"
_MONEY = ("fee_amount", "credit_amount", "credit_amount_all_outages")
_FORMULA_CELL = re.compile(r'<c r="([A-Z]+[0-9]+)"((?: [a-z]+="[^"]*")*)>(<f>[^<]*</f>)<v ?/>')
# The JSON fields of R, X, U and D, by their letter in the availability formula.
LETTERS = {
    "R": "reference_seconds",
    "X": "excluded_seconds",
    "U": "unknown_seconds",
    "D": "downtime_seconds",
}
Results = dict[tuple[str, str], int | float | None]  # (sheet, cell) -> the formula's result
_LANDSCAPE_FROM = 110  # total column width (characters) past which a sheet prints wide


def cell_value(key: str, value: Any) -> tuple[Any, str | None]:
    """The value a cell holds for the JSON field ``key``, and its number format
    (``None``: the cell's default)."""
    if isinstance(value, str):
        instant = _INSTANT.fullmatch(value)
        if instant:
            offset = instant["offset"].replace("Z", "+00:00")
            wall = datetime.fromisoformat(value).replace(tzinfo=None)
            return wall, f'{DATE_FORMAT} hh:mm:ss "{offset}"'
        if _DATE.fullmatch(value):
            return date.fromisoformat(value), DATE_FORMAT
        return value, None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value, None
    return value, number_format(key, value)


def number_format(key: str, value: int | float) -> str:
    """Seconds with thousands separators, money to the cent, the rest with the
    JSON's decimals."""
    field = key.rsplit(".", 1)[-1]
    if field in _MONEY:
        return MONEY_FORMAT
    if isinstance(value, int):
        return SECONDS_FORMAT if field.endswith("_seconds") else "0"
    return PERCENT_FORMAT


def ratio(formula: Mapping[str, Any]) -> Ratio:
    """The ratio the report's ``formula`` block names."""
    return Ratio.of(Formula(formula["exclusions_count_as"]), UnknownPolicy(formula["unknown_time"]))


def side(letters: tuple[str, ...], cells: Mapping[str, str]) -> str:
    """``R - U - D`` with each letter replaced by its cell (``B20-B22-B23``)."""
    return "-".join(cells[letter] for letter in ("R", *letters))


def availability(numerator: str, denominator: str) -> str:
    """The availability (%) truncated to 6 decimals, empty with nothing to divide by."""
    exact = f"INT(({numerator})*100000000/({denominator}))/1000000"
    return f'=IF(({denominator})=0,"",{exact})'


def print_setup(sheet: Worksheet, *, title_rows: str | None) -> None:
    """A4, one page wide, landscape when the columns are wide, the heading rows
    repeated on every printed page, narrow margins."""
    widths = sum(d.width or 13 for d in sheet.column_dimensions.values())
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if widths > _LANDSCAPE_FROM else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as it takes
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.print_options.gridLines = True
    if title_rows:
        sheet.print_title_rows = title_rows


def with_results(workbook: bytes, sheets: Sequence[str], results: Results) -> bytes:
    """``workbook`` (as openpyxl saved it, its sheets named ``sheets`` in order) with
    each formula of ``results`` holding its result: a number, or an empty text for
    ``None``."""
    parts: dict[str, dict[str, int | float | None]] = {}
    for (sheet, cell), value in results.items():
        parts.setdefault(f"xl/worksheets/sheet{sheets.index(sheet) + 1}.xml", {})[cell] = value
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            content = source.read(item)
            if item.filename in parts:
                content = _cached(content.decode("utf-8"), parts[item.filename]).encode("utf-8")
            target.writestr(item, content)
    return out.getvalue()


def _cached(xml: str, values: Mapping[str, int | float | None]) -> str:
    def put(found: re.Match[str]) -> str:
        cell, attributes, formula = found.groups()
        if cell not in values:
            return found.group(0)
        value = values[cell]
        if value is None:
            return f'<c r="{cell}"{attributes} t="str">{formula}<v></v>'
        return f'<c r="{cell}"{attributes}>{formula}<v>{value!r}</v>'

    return _FORMULA_CELL.sub(put, xml)
