"""A report's workbook read back as a customer's spreadsheet shows it: each formula
computed (by pycel, a spreadsheet engine in Python: openpyxl writes formulas
without a cached result), each date written back as the JSON writes it."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.cell.cell import Cell, MergedCell
from pycel import ExcelCompiler  # type: ignore[import-untyped]  # pycel ships no types

_OFFSET = re.compile(r'"([+-]\d\d:\d\d)"')


class Sheets:
    """The workbook at ``path``, its formulas computed on demand."""

    def __init__(self, path: Path) -> None:
        self.book = load_workbook(path)
        self._excel = ExcelCompiler(filename=str(path))

    def rows(self, sheet: str) -> list[tuple[Any, ...]]:
        """Every row of ``sheet``, each cell as a JSON value."""
        return [
            tuple(self.value(sheet, cell) for cell in row) for row in self.book[sheet].iter_rows()
        ]

    def value(self, sheet: str, cell: Cell | MergedCell) -> Any:
        """A cell as the JSON wrote its value: a formula's result (an empty result
        is ``None``), an instant in ISO 8601 with the offset its format shows, a
        day as ``YYYY-MM-DD``."""
        held = cell.value
        if isinstance(held, str) and held.startswith("="):
            held = self._excel.evaluate(f"{sheet}!{cell.coordinate}")
            return None if held == "" else held
        if isinstance(held, datetime):
            offset = _OFFSET.search(cell.number_format)
            if offset is None:
                return held.date().isoformat()
            return held.isoformat() + offset.group(1)
        if isinstance(held, date):
            return held.isoformat()
        return held

    def check_cached(self, path: Path) -> int:
        """Asserts that each formula computes the result the file at ``path`` (this
        workbook) holds for it, what a viewer that does not compute shows; returns
        how many formulas there are."""
        cached = load_workbook(path, data_only=True)
        formulas = 0
        for sheet in self.book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and cell.value.startswith("="):
                        formulas += 1
                        shown = cached[sheet.title][cell.coordinate].value
                        assert self.value(sheet.title, cell) == shown, (
                            sheet.title,
                            cell.coordinate,
                        )
        return formulas

    def formula(self, sheet: str, coordinate: str) -> str:
        """The formula of a cell, as written."""
        held = self.book[sheet][coordinate].value
        assert isinstance(held, str) and held.startswith("="), (coordinate, held)
        return held

    def recompute(self, sheet: str, coordinate: str, value: Any, result: str) -> Any:
        """``result`` after setting the cell ``coordinate`` to ``value``, as a
        customer who changes a figure sees it."""
        self._excel.set_value(f"{sheet}!{coordinate}", value)
        return self._excel.evaluate(f"{sheet}!{result}")
