"""Reports an account manager hands to a customer: JSON and CSV (the dict
below is also what the XLSX, PDF and HTML reports are rendered from, and what
a closed period freezes).

Both show the arithmetic, not only the result: reference, excluded, unknown
and counted downtime seconds, the formula with its numbers filled in, every
outage with its counted / excluded / unknown parts and why, the tier and the
money. Percentages are exact fractions in the core; here they are written
truncated to 6 decimals (never rounded up across a target) beside the exact
fraction, so a customer can redo the sum.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from slawatch.reports.locale import Style
from slawatch.reports.report_json import (
    CreditPartsJson,
    CreditTierJson,
    DayJson,
    FormulaJson,
    LateClaimJson,
    OutageJson,
    OutageLimitJson,
    PeriodJson,
    ReportJson,
)
from slawatch.reports.view import (
    AMENDMENT_COLUMNS,
    INTERNAL,
    Section,
    amendments,
    columns_shown,
    outage_table,
    sections,
    show,
    term_tables,
)
from slawatch.sla.assess import Assessment, Outage
from slawatch.sla.contract import ContractTerms, Formula, UnknownPolicy
from slawatch.sla.credits import HUNDRED, DowntimeTier, Tier, round_exact
from slawatch.sla.daily import Day
from slawatch.sla.limits import LimitVerdict
from slawatch.sla.score import Credit

MEANINGS = {
    Formula.AVAILABLE: "excluded time counts as available",
    Formula.REMOVED: "excluded time is left out",
}
UNKNOWN_MEANINGS = {
    UnknownPolicy.EXCLUDED: "unknown time is left out of both sides",
    UnknownPolicy.UP: "unknown time counts as available",
    UnknownPolicy.DOWN: "unknown time counts as downtime",
}


@dataclass(frozen=True, slots=True)
class Report:
    terms: ContractTerms
    assessment: Assessment
    description: str = ""
    days: tuple[Day, ...] = ()  # the period day by day, for the charts (empty: not read)


def measured(assessment: Assessment) -> bool:
    """Some of the reference time was observed: without it (R - U = 0, no sample of
    the targets) the formula divides nothing, and its 100 % is a convention, not a
    measure."""
    return assessment.tally.reference > assessment.tally.unknown


def percent(value: Fraction) -> float:
    """A percentage for display: truncated to 6 decimals, so 99.4999999 never shows as 99.5."""
    return float(round_exact(value, Decimal("0.000001"), half_up=False))


def exact(value: Fraction) -> str:
    return (
        str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    )


def to_dict(report: Report) -> ReportJson:
    """The JSON report (SPEC section 7 names its fields)."""
    terms, a = report.terms, report.assessment
    tally, score = a.tally, a.score
    owed, everything = score.credit, score.credit_all_outages
    return {
        "contract": terms.name,
        "description": report.description,
        "period": _period(report),
        "as_of": _iso(a.until, terms),
        "complete": a.complete,
        "measured": measured(a),
        "reference_seconds": tally.reference,
        "excluded_seconds": tally.excluded,
        "unknown_seconds": tally.unknown,
        "downtime_seconds": tally.downtime,
        "counted_downtime_seconds": score.counted_downtime,
        "availability_percent": percent(score.availability),
        "availability_exact": exact(score.availability),
        "formula": _formula(report),
        "coverage_percent": percent(score.coverage),
        "min_coverage_percent": percent(terms.min_coverage_percent),
        "billable": score.billable,
        "target_percent": percent(terms.target_percent),
        "met": score.met,
        "credit_basis": str(terms.credits.basis) if terms.credits else None,
        "claims_required": terms.claims_required,
        "claimed_downtime_seconds": score.claimed_downtime,
        "claim_window": terms.claim_window.describe() if terms.claim_window else None,
        "tier": owed.tier_text if owed else None,
        "tier_all_outages": everything.tier_text if everything else None,
        **_credit_parts(terms, owed, everything),
        "credit_percent": percent(owed.percent) if owed else 0.0,
        "credit_percent_all_outages": percent(everything.percent) if everything else 0.0,
        "credit_amount": _money(owed),
        "credit_amount_all_outages": _money(everything),
        "currency": terms.fee.currency if terms.fee and _money(owed) is not None else None,
        "fee_amount": float(terms.fee.amount) if terms.fee else None,
        "credit_tiers": [_tier(t) for t in terms.credits.tiers] if terms.credits else [],
        "outages": [_outage(o, report) for o in a.outages],
        "late_claims": [_late_claim(o, report) for o in a.outages if _is_late(o)],
        "outage_limits": [_limit(v) for v in a.limits],
        "exclusions": [
            {
                "source": e.label,
                "reason": e.reason,
                "note": e.note,
                "excluded_seconds": e.excluded_seconds,
                "qualifies": e.qualifies,
                "counted_seconds": e.excluded_seconds if e.qualifies else 0,
                "why_not": e.why_not,
            }
            for e in a.excluders
        ],
        "clauses": dict(terms.clauses),
        "daily": [_day(d) for d in report.days],
    }


def to_json(data: Mapping[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def to_csv(data: Mapping[str, Any], style: Style = INTERNAL) -> str:
    """Summary rows ``field,value`` (in the order the other formats show them), a
    blank line, one row per outage, then the same for the late claims and the outage
    clauses when there are some, and for a closed period one row per amendment."""
    sheet = CsvSheet(style)
    sheet.summary(sections(data, style))
    sheet.table(*outage_table(data))
    for _, records, columns in term_tables(data, style):
        sheet.table(records, columns)
    if "closed" in data:
        sheet.table(amendments(data, style), AMENDMENT_COLUMNS)
    return sheet.text()


class CsvSheet:
    """A CSV report being written in ``style``'s view and dialect.

    The internal view names fields and columns by their JSON names and writes the
    JSON's values; the customer view writes the labels and headings in the report's
    language, yes/no and enum names in words, instants the language's way, and
    numbers as numbers (so a spreadsheet can sum them). Dialects: ``plain`` (commas,
    LF, no BOM: for scripts), ``excel`` (commas, CRLF and a UTF-8 BOM, so Excel reads
    the accents) and ``excel-fr`` (the same with semicolons and decimal commas, what
    a French Excel expects)."""

    def __init__(self, style: Style) -> None:
        self._style = style
        self._out = io.StringIO()
        excel = style.csv_dialect != "plain"
        if excel:
            self._out.write("\ufeff")
        delimiter = ";" if style.csv_dialect == "excel-fr" else ","
        self._writer = csv.writer(
            self._out, delimiter=delimiter, lineterminator="\r\n" if excel else "\n"
        )

    def summary(self, found: Sequence[Section]) -> None:
        """The heading row, then ``field,value`` (internal) or ``label,value`` rows."""
        _ = self._style.lang
        internal = self._style.internal
        self._writer.writerow(["field", "value"] if internal else [_("Item"), _("Value")])
        self._writer.writerows(
            [row.key if internal else row.label, self.cell(row.key, row.value)]
            for s in found
            for row in s.rows
        )

    def table(
        self, records: Sequence[Mapping[str, Any]], columns: tuple[tuple[str, str], ...]
    ) -> None:
        """A blank row, the columns' names, then one row per record."""
        shown = columns_shown(columns, self._style)
        keys = [key for key, _ in shown]
        self._writer.writerow([])
        self._writer.writerow(keys if self._style.internal else [h for _, h in shown])
        for record in records:  # a frozen report may lack a field
            self._writer.writerow([self.cell(key, record.get(key)) for key in keys])

    def cell(self, key: str, value: Any) -> Any:
        if value is None:
            return ""
        if not self._style.internal and isinstance(value, bool | str):
            return show(key, value, self._style)
        if self._style.csv_dialect == "excel-fr" and isinstance(value, float):
            return repr(value).replace(".", ",")
        return value

    def text(self) -> str:
        return self._out.getvalue()


def _period(report: Report) -> PeriodJson:
    terms, p = report.terms, report.assessment.period
    period: PeriodJson = {
        "label": p.label,
        "kind": str(p.kind),
        "start": _iso(p.start, terms),
        "end": _iso(p.end, terms),
        "time_zone": terms.zone.key,
        "billing_period": terms.period.bills(p),
    }
    since = terms.monitoring_since
    if since is not None and p.start < since < p.end:
        period["monitored_from"] = _iso(since, terms)
    return period


def _formula(report: Report) -> FormulaJson:
    terms, score = report.terms, report.assessment.score
    return {
        "exclusions_count_as": str(terms.formula),
        "unknown_time": str(terms.unknown_as),
        "expression": score.ratio.expression(),
        "meaning": MEANINGS[terms.formula],
        "unknown_meaning": UNKNOWN_MEANINGS[terms.unknown_as],
        "arithmetic": score.ratio.arithmetic(report.assessment.tally.figures()),
        "numerator_seconds": score.numerator_seconds,
        "denominator_seconds": score.denominator_seconds,
        "text": (
            f"{score.numerator_seconds} / {score.denominator_seconds} x 100"
            f" = {percent(score.availability)}"
        ),
    }


def _outage(outage: Outage, report: Report) -> OutageJson:
    return {
        "start": _iso(outage.start, report.terms),
        "end": _iso(outage.end, report.terms),
        "counted_seconds": outage.counted_seconds,
        "excluded_seconds": outage.excluded_seconds,
        "unknown_seconds": outage.unknown_seconds,
        "outside_reference_seconds": outage.outside_reference_seconds,
        "length_seconds": outage.length_seconds,
        "reason": "; ".join(outage.reasons) or None,
        "claimed": outage.claimed,
        "ticket": outage.ticket,
        "claimed_at": _claim_time(outage, report),
        "claim_late": _is_late(outage),
        "locations": list(outage.locations),
    }


def _claim_time(outage: Outage, report: Report) -> str | None:
    made = None if outage.marking is None else outage.marking.claim.made_at
    return None if made is None else _iso(made, report.terms)


def _is_late(outage: Outage) -> bool:
    return outage.marking is not None and outage.marking.late


def _late_claim(outage: Outage, report: Report) -> LateClaimJson:
    """A claim made after the contract's claim window: listed, credited nothing."""
    assert outage.marking is not None and outage.marking.deadline is not None  # a late one
    claim = outage.marking.claim
    return {
        "ticket": claim.ticket,
        "at": _iso(claim.at, report.terms),
        "claimed_at": _claim_time(outage, report),
        "deadline": _iso(outage.marking.deadline, report.terms),
        "outage_start": _iso(outage.start, report.terms),
        "outage_end": _iso(outage.end, report.terms),
    }


def _limit(verdict: LimitVerdict) -> OutageLimitJson:
    limit = verdict.limit
    return {
        "clause": limit.describe(),
        "longer_than_seconds": limit.longer_than,
        "at_most": limit.at_most,
        "credit_if_broken_percent": None if limit.credit is None else percent(limit.credit),
        "outages_longer": verdict.longer,
        "claimed_outages_longer": verdict.claimed_longer,
        "longest_seconds": verdict.longest,
        "met": verdict.met,
        "credit_percent": percent(verdict.credit),
        "credit_percent_all_outages": percent(verdict.credit_all_outages),
    }


def _credit_parts(
    terms: ContractTerms, owed: Credit | None, everything: Credit | None
) -> CreditPartsJson:
    """How the credit adds up: the tier's part and the outage clauses' part, then the
    cap (each ``None`` where the contract has no such term, or there is no credit;
    the tier's part alone is the credit itself, so it is shown beside a clause or a cap)."""
    clauses = any(limit.credit for limit in terms.outage_limits)
    tiers = terms.credits is not None and (clauses or terms.credit_cap is not None)

    def tier(credit: Credit | None) -> float | None:
        return percent(credit.tier_percent) if credit is not None and tiers else None

    def clause(credit: Credit | None) -> float | None:
        return percent(credit.clauses_percent) if credit is not None and clauses else None

    return {
        "tier_credit_percent": tier(owed),
        "tier_credit_percent_all_outages": tier(everything),
        "outage_limits_credit_percent": clause(owed),
        "outage_limits_credit_percent_all_outages": clause(everything),
        "credit_cap_percent": None if terms.credit_cap is None else percent(terms.credit_cap),
        "credit_capped": owed.capped if owed is not None and terms.credit_cap is not None else None,
    }


def _tier(tier: Tier) -> CreditTierJson:
    """A row of the credit table, its bounds as numbers (XLSX looks the tier up in them)."""
    credit = None if tier.credit is None else percent(tier.credit)
    if isinstance(tier, DowntimeTier):
        up_to = None if tier.up_to is None else percent(tier.up_to)
        return {"text": tier.describe(), "up_to_minutes": up_to, "credit_percent": credit}
    return {
        "text": tier.describe(),
        "from_percent": percent(tier.lower or Fraction(0)),
        "to_percent": percent(tier.upper or HUNDRED),
        "credit_percent": credit,
    }


def _day(day: Day) -> DayJson:
    return {
        "date": day.day.isoformat(),
        "reference_seconds": day.reference_seconds,
        "excluded_seconds": day.excluded_seconds,
        "unknown_seconds": day.unknown_seconds,
        "downtime_seconds": day.downtime_seconds,
        "availability_percent": None if day.availability is None else percent(day.availability),
    }


def _money(credit: Credit | None) -> float | None:
    return None if credit is None or credit.amount is None else float(credit.amount)


def _iso(instant: int, terms: ContractTerms) -> str:
    return datetime.fromtimestamp(instant, terms.zone).isoformat()
