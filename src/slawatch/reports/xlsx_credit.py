"""The credit as formulas over the Summary sheet's cells (SPEC section 4): the
contract's tier table under the summary, then, for what is owed (and, where the
view shows it, for every outage claimed), the tier applied, its credit, the
credit with the outage clauses and the cap, and the money.

The figures are the report's own, to the last digit, although a spreadsheet
computes in binary floats: percentages are truncated to 6 decimals on integers
(``INT(n x 10^8 / d) / 10^6``, as for the availability), comparisons of the
availability with a tier's bounds are made on integers (``N x 10^8 >= bound x
10^6 x D``), and the money is rounded half up to the cent on whole cents. The
``100 - A`` tier's money is computed from the exact fraction, as the report does,
not from its truncated percentage. Where claims are required, what is owed looks
at the claimed outages only: the numerator and denominator with D replaced by
the claimed downtime (and U by 0 where unknown time counts as down, the claimed
downtime then holding the claimed unknown time).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from slawatch.reports.locale import Style
from slawatch.reports.view import show
from slawatch.reports.xlsx_cells import (
    LETTERS,
    MONEY_FORMAT,
    PERCENT_FORMAT,
    SECONDS_FORMAT,
    Results,
    ratio,
    side,
)
from slawatch.sla.contract import UnknownPolicy

_NEEDED = {
    *LETTERS.values(),
    "formula.numerator_seconds",
    "formula.denominator_seconds",
    "counted_downtime_seconds",
    "claimed_downtime_seconds",
    "credit_percent",
}


@dataclass(frozen=True, slots=True)
class _Basis:
    """What a credit looks at: the availability's numerator and denominator cells,
    the downtime cell the minute tiers compare, and the summary fields it fills."""

    numerator: str
    denominator: str
    downtime: str
    suffix: str  # "" for what is owed, "_all_outages" for every outage claimed


def credit_formulas(
    sheet: Worksheet, data: Mapping[str, Any], cells: Mapping[str, str], style: Style
) -> Results:
    """The credit block under the summary, and the summary's credit cells as
    references to it; returns each formula's result, the report's numbers. Nothing
    when the period owes no credit (no tier, no clause: outside a billing period
    or without credit terms), or for a frozen report older than ``credit_tiers``."""
    if "credit_tiers" not in data or not set(cells) >= _NEEDED:
        return {}
    if data["tier"] is None and data.get("outage_limits_credit_percent") is None:
        return {}
    block = _Block(sheet, data, cells, style)
    for basis in block.bases():
        block.results.update(block.credit(basis))
    return block.results


class _Block:
    """The rows written under the summary, one at a time."""

    def __init__(
        self, sheet: Worksheet, data: Mapping[str, Any], cells: Mapping[str, str], style: Style
    ) -> None:
        self.sheet, self.data, self.cells, self.style = sheet, data, cells, style
        self._ = style.lang
        self.row = sheet.max_row + 1
        self.results: Results = {}
        self._heading(self._("Credit, step by step"))
        self.tiers = self._tier_table(data["credit_tiers"])

    def bases(self) -> list[_Basis]:
        """What is owed, then (where claims are required and the view shows it)
        what every outage claimed would give."""
        cells = self.cells
        every = _Basis(
            cells["formula.numerator_seconds"],
            cells["formula.denominator_seconds"],
            cells["counted_downtime_seconds"],
            "_all_outages",
        )
        if not self.data["claims_required"]:
            return [replace(every, suffix="")]
        owed = self._claimed()
        return [owed, every] if "credit_percent_all_outages" in cells else [owed]

    def credit(self, basis: _Basis) -> Results:
        """The tier, its credit, the credit and its amount of ``basis``; the summary's
        cells of them become references to these rows."""
        _, data, suffix = self._, self.data, basis.suffix
        what_if = self._(", if every outage were claimed") if suffix else ""
        results: Results = {}
        tier_credit, chosen = "0", ""
        if self.tiers:
            chosen = self._put(_("Tier applied") + what_if, self._choose(basis), "0")
            results[(self.sheet.title, chosen)] = self._tier_number(suffix)
            tier_credit = self._put(
                _("Tier credit (%)") + what_if, self._tier_credit(chosen, basis), PERCENT_FORMAT
            )
            known = self._tier_percent(suffix)
            if known is not None:
                results[(self.sheet.title, tier_credit)] = known
        clauses = self.cells.get(f"outage_limits_credit_percent{suffix}", "0")
        cap = (
            f"MIN({self.cells['credit_cap_percent']},100)"
            if "credit_cap_percent" in self.cells
            else "100"
        )
        parts = "+".join(cell for cell in (tier_credit, clauses) if cell != "0") or "0"
        total = f"ROUND(MIN({parts},{cap}),6)"
        percent = self._put(_("Credit (%)") + what_if, "=" + total, PERCENT_FORMAT)
        results[(self.sheet.title, percent)] = data[f"credit_percent{suffix}"]
        if clauses != "0":  # a count of outages against each clause: no cell to compute from
            note = _("The outage clauses' credit is a value: it counts outages (Outage clauses).")
            self.sheet.cell(row=int(percent[1:]), column=3, value=note)
        links = {"credit_percent": percent, "tier_credit_percent": tier_credit}
        if "fee_amount" in self.cells and data[f"credit_amount{suffix}"] is not None:
            amount = self._amount(basis, chosen, (parts, clauses, cap), percent)
            money = self._put(_("Credit amount") + what_if, amount, MONEY_FORMAT)
            results[(self.sheet.title, money)] = data[f"credit_amount{suffix}"]
            links["credit_amount"] = money
        for key, cell in links.items():
            target = self.cells.get(key + suffix)
            if target is not None and cell != "0":
                self.sheet[target] = f"={cell}"
                results[(self.sheet.title, target)] = data[key + suffix]
        return results

    def _claimed(self) -> _Basis:
        """The numerator and denominator as if only the claimed outages had been down."""
        shape = ratio(self.data["formula"])
        letters = {letter: self.cells[key] for letter, key in LETTERS.items()}
        letters["D"] = self.cells["claimed_downtime_seconds"]
        if self.data["formula"]["unknown_time"] == UnknownPolicy.DOWN:
            letters["U"] = "0"  # the claimed downtime holds the claimed unknown time
        _ = self._
        top = self._put(_("Numerator, claimed outages only (s)"), "=" + side(shape.top, letters))
        bottom = self._put(
            _("Denominator, claimed outages only (s)"), "=" + side(shape.bottom, letters)
        )
        figures = {letter: self.data[key] for letter, key in LETTERS.items()}
        figures["D"] = self.data["claimed_downtime_seconds"]
        if self.data["formula"]["unknown_time"] == UnknownPolicy.DOWN:
            figures["U"] = 0
        sides = shape.sides(figures)
        self.results[(self.sheet.title, top)] = sides[0]
        self.results[(self.sheet.title, bottom)] = sides[1]
        return _Basis(top, bottom, self.cells["claimed_downtime_seconds"], "")

    def _tier_table(
        self, tiers: Sequence[Mapping[str, Any]]
    ) -> list[tuple[str, Mapping[str, Any]]]:
        """The contract's tiers: the words, the credit and the bounds; returns the
        row of each (its credit cell) with the JSON row."""
        if not tiers:
            return []
        _ = self._
        minutes = "up_to_minutes" in tiers[0]
        bounds = (_("At most (minutes down)"),) if minutes else (_("From (%)"), _("To (%)"))
        self._headings((_("Credit tiers"), _("Credit (%)"), *bounds))
        rows = []
        for tier in tiers:
            credit = tier["credit_percent"]
            words = tier["text"] if self.style.internal else show("tier", tier["text"], self.style)
            values = [words, "100 - A" if credit is None else credit]
            values += (
                [tier["up_to_minutes"]] if minutes else [tier["from_percent"], tier["to_percent"]]
            )
            for column, value in enumerate(values, start=1):
                self.sheet.cell(row=self.row, column=column, value=value)
            rows.append((f"B{self.row}", tier))
            self.row += 1
        return rows

    def _choose(self, basis: _Basis) -> str:
        """The tier's number: the first minutes row the downtime stays within, or
        the availability row whose lower bound it reaches (highest bound first)."""
        n, d = basis.numerator, basis.denominator
        if "up_to_minutes" in self.tiers[0][1]:
            tests = [
                (number, f"{basis.downtime}<=60*{_bound(cell, 'C')}")
                for number, (cell, tier) in enumerate(self.tiers, start=1)
                if tier["up_to_minutes"] is not None
            ]
            last = len(self.tiers)
        else:
            ordered = sorted(
                enumerate(self.tiers, start=1), key=lambda found: -found[1][1]["from_percent"]
            )
            tests = [
                (number, f"{n}*100000000>=ROUND({_bound(cell, 'C')}*1000000,0)*{d}")
                for number, (cell, _) in ordered[:-1]
            ]
            last = ordered[-1][0]
        formula = str(last)
        for number, test in reversed(tests):
            formula = f"IF({test},{number},{formula})"
        return "=" + formula

    def _tier_credit(self, chosen: str, basis: _Basis) -> str:
        """The chosen tier's credit: its cell, or ``100 - A`` truncated to 6 decimals."""
        n, d = basis.numerator, basis.denominator
        rest = f"IF({d}=0,0,INT(({d}-{n})*100000000/({d}))/1000000)"
        choices = ",".join(
            rest if tier["credit_percent"] is None else cell for cell, tier in self.tiers
        )
        return f"=CHOOSE({chosen},{choices})"

    def _amount(self, basis: _Basis, chosen: str, parts: tuple[str, str, str], percent: str) -> str:
        """The money, half up to the cent on whole cents; under the ``100 - A`` tier
        and below the cap, from the exact fraction."""
        fee = f"ROUND({self.cells['fee_amount']}*100,0)"
        fixed = f"ROUND(ROUND({percent}*1000000,0)*{fee}/100000000,0)"
        formula_rows = [n for n, (_, t) in enumerate(self.tiers, 1) if t["credit_percent"] is None]
        if not formula_rows:
            return f"={fixed}/100"
        n, d = basis.numerator, basis.denominator
        summed, clauses, cap = parts
        rest = f"IF({d}=0,0,({d}-{n})*{fee}/({d}))"
        if clauses != "0":
            rest += f"+ROUND({clauses}*1000000,0)*{fee}/100000000"
        exact = f"ROUND({rest},0)"
        below_cap = f"AND({chosen}={formula_rows[0]},{summed}<{cap})"
        return f"=IF({below_cap},{exact},{fixed})/100"

    def _tier_number(self, suffix: str) -> int:
        text = self.data[f"tier{suffix}"]
        return next(n for n, (_, t) in enumerate(self.tiers, 1) if t["text"] == text)

    def _tier_percent(self, suffix: str) -> float | None:
        """The tier's credit as the report writes it, where the report says it
        (a ``100 - A`` tier's is named only beside a clause or a cap)."""
        credit = self.tiers[self._tier_number(suffix) - 1][1]["credit_percent"]
        named = self.data.get(f"tier_credit_percent{suffix}")
        return float(credit) if credit is not None else named

    def _put(self, label: str, formula: str, number_format: str = SECONDS_FORMAT) -> str:
        self.sheet.cell(row=self.row, column=1, value=label)
        cell = self.sheet.cell(row=self.row, column=2, value=formula)
        cell.number_format = number_format
        self.row += 1
        return f"B{self.row - 1}"

    def _heading(self, text: str) -> None:
        self.row += 1
        self.sheet.cell(row=self.row, column=1, value=text).font = Font(bold=True)
        self.row += 1

    def _headings(self, texts: Sequence[str]) -> None:
        for column, text in enumerate(texts, start=1):
            self.sheet.cell(row=self.row, column=column, value=text).font = Font(bold=True)
        self.row += 1


def _bound(credit_cell: str, column: str) -> str:
    """The cell in ``column`` of the tier row whose credit is ``credit_cell``."""
    return column + credit_cell[1:]
