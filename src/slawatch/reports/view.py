"""What the XLSX, PDF and HTML reports show, read from the JSON report's dict.

The three formats lay out the same rows, so one table here says which JSON
field is shown under which label and which contract clause it follows from:
the formats cannot drift from each other, nor from the JSON, because none of
them computes a figure; they only choose how to write the one they are given.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from slawatch.reports.versions import Change

Data = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Row:
    """One figure of the summary, as every format shows it."""

    key: str  # the JSON field, dotted when nested ("formula.text")
    label: str  # what an account manager reads
    value: Any  # the JSON value itself (None stays None)
    clause: str  # the contract article(s) the figure follows from; "" when none is stated


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    rows: tuple[Row, ...]


# Section title -> (JSON field, label, clause keys). Clause keys are the config's
# rule names (SPEC section 7: ``clauses`` maps a rule to the contract's article).
_SECTIONS: tuple[tuple[str, tuple[tuple[str, str, tuple[str, ...]], ...]], ...] = (
    (
        "Contract and period",
        (
            ("contract", "Contract", ()),
            ("description", "Description", ()),
            ("period.label", "Period", ("period",)),
            ("period.kind", "Period kind", ("period",)),
            ("period.start", "Period start", ("period", "timezone")),
            ("period.end", "Period end (exclusive)", ("period", "timezone")),
            ("period.time_zone", "Time zone", ("timezone",)),
            ("period.billing_period", "Billing period of the contract", ("period",)),
            ("as_of", "Assessed up to", ()),
            ("complete", "Period complete", ()),
            ("measured", "Measured (some of R observed)", ()),
        ),
    ),
    (
        # Only in a closed period's report: the frozen version shown and its hash.
        "Closed period",
        (
            ("closed.at", "Closed at", ()),
            ("closed.by", "Closed by", ()),
            ("closed.version", "Version shown (0: as closed, n: after n amendments)", ()),
            ("closed.sha256", "SHA-256 of this report (its canonical JSON, without closed)", ()),
        ),
    ),
    (
        "Time, in seconds",
        (
            ("reference_seconds", "R: reference time", ("reference",)),
            (
                "excluded_seconds",
                "X: excluded time (maintenance, exclusions)",
                ("maintenance", "exclusions"),
            ),
            ("unknown_seconds", "U: unknown time (not observed)", ("unknown_time",)),
            ("downtime_seconds", "D: downtime (observed down)", ("service",)),
            (
                "counted_downtime_seconds",
                "Downtime the contract counts (D, plus U when unknown time counts as down)",
                ("unknown_time",),
            ),
        ),
    ),
    (
        "Availability",
        (
            ("formula.exclusions_count_as", "Excluded time counts as", ("exclusions_count_as",)),
            ("formula.meaning", "Meaning", ("exclusions_count_as",)),
            ("formula.unknown_time", "Unknown time is", ("unknown_time",)),
            ("formula.unknown_meaning", "Meaning", ("unknown_time",)),
            ("formula.expression", "Formula applied", ("exclusions_count_as", "unknown_time")),
            ("formula.arithmetic", "With this period's figures", ("exclusions_count_as",)),
            ("formula.numerator_seconds", "Numerator (seconds)", ("exclusions_count_as",)),
            ("formula.denominator_seconds", "Denominator (seconds)", ("exclusions_count_as",)),
            ("formula.text", "Computation", ("exclusions_count_as",)),
            ("availability_percent", "Availability (%)", ("exclusions_count_as",)),
            ("availability_exact", "Availability, exact fraction (%)", ("exclusions_count_as",)),
            ("coverage_percent", "Coverage: observed share of R (%)", ("min_coverage",)),
            ("min_coverage_percent", "Minimum coverage to bill (%)", ("min_coverage",)),
            ("billable", "Billable without review", ("min_coverage",)),
        ),
    ),
    (
        "Target and credit",
        (
            ("target_percent", "Target (%)", ("target",)),
            ("met", "Target met", ("target",)),
            ("credit_basis", "Credit tiers based on", ("credits",)),
            ("claims_required", "Customer must report outages", ("claims_required",)),
            ("claim_window", "Claims must be made", ("claim_window",)),
            ("claimed_downtime_seconds", "Claimed downtime (seconds)", ("claims_required",)),
            ("tier", "Tier owed", ("credits",)),
            ("tier_all_outages", "Tier if every outage were claimed", ("credits",)),
            ("tier_credit_percent", "Tier credit owed (%)", ("credits",)),
            (
                "tier_credit_percent_all_outages",
                "Tier credit if every outage were claimed (%)",
                ("credits",),
            ),
            (
                "outage_limits_credit_percent",
                "Outage clauses' credit owed (%)",
                ("outage_limits",),
            ),
            (
                "outage_limits_credit_percent_all_outages",
                "Outage clauses' credit if every outage were claimed (%)",
                ("outage_limits",),
            ),
            ("credit_cap_percent", "Credit cap (% of the fee)", ("credit_cap",)),
            ("credit_capped", "Credit cut down by the cap", ("credit_cap",)),
            ("credit_percent", "Credit owed (%)", ("credits",)),
            ("credit_percent_all_outages", "Credit if every outage were claimed (%)", ("credits",)),
            ("credit_amount", "Credit amount owed", ("fee",)),
            ("credit_amount_all_outages", "Amount if every outage were claimed", ("fee",)),
            ("currency", "Currency", ("fee",)),
        ),
    ),
)

# Summary fields of contract terms most contracts do not have: no row when null.
OPTIONAL_TERMS = frozenset(
    {
        "claim_window",
        "tier_credit_percent",
        "tier_credit_percent_all_outages",
        "outage_limits_credit_percent",
        "outage_limits_credit_percent_all_outages",
        "credit_cap_percent",
        "credit_capped",
    }
)

# The tables' columns: JSON field -> heading.
OUTAGE_COLUMNS = (
    ("start", "Start"),
    ("end", "End"),
    ("counted_seconds", "Counted (s)"),
    ("excluded_seconds", "Excluded (s)"),
    ("unknown_seconds", "Unknown (s)"),
    ("outside_reference_seconds", "Outside R (s)"),
    ("length_seconds", "Length (s)"),
    ("reason", "Excluded because"),
    ("claimed", "Claimed"),
    ("ticket", "Ticket"),
    ("claim_late", "Late claim"),
)
# With probing locations (SPEC section 2): which named locations saw each outage.
LOCATED_OUTAGE_COLUMNS = (*OUTAGE_COLUMNS, ("locations", "Locations"))
LATE_CLAIM_COLUMNS = (
    ("ticket", "Ticket"),
    ("claimed_at", "Claimed at"),
    ("deadline", "Deadline"),
    ("outage_start", "Outage start"),
    ("outage_end", "Outage end"),
)
LIMIT_COLUMNS = (
    ("clause", "Clause"),
    ("outages_longer", "Outages longer"),
    ("claimed_outages_longer", "Of them claimed"),
    ("longest_seconds", "Longest (s)"),
    ("met", "Met"),
    ("credit_if_broken_percent", "Credit if broken (%)"),
    ("credit_percent", "Credit owed (%)"),
    ("credit_percent_all_outages", "If every outage were claimed (%)"),
)
EXCLUSION_COLUMNS = (
    ("source", "Source"),
    ("reason", "Reason"),
    ("note", "Note"),
    ("excluded_seconds", "Within R (s)"),
    ("qualifies", "Qualifies"),
    ("counted_seconds", "Counts toward X (s)"),
    ("why_not", "Why not"),
)
AMENDMENT_COLUMNS = (
    ("version", "Version"),
    ("at", "At"),
    ("by", "By"),
    ("reason", "Reason"),
    ("changes", "Changes"),
    ("previous_sha256", "Previous SHA-256"),
    ("sha256", "SHA-256"),
)
DAILY_COLUMNS = (
    ("date", "Date"),
    ("reference_seconds", "R (s)"),
    ("excluded_seconds", "X (s)"),
    ("unknown_seconds", "U (s)"),
    ("downtime_seconds", "D (s)"),
    ("availability_percent", "Availability (%)"),
)
_MONEY = ("credit_amount", "credit_amount_all_outages")


def flatten(data: Data) -> Iterator[tuple[str, Any]]:
    """Every summary field of the JSON report as (dotted key, value); the lists
    and the clauses are tables of their own."""
    for key, value in data.items():
        if isinstance(value, list) or key == "clauses":
            continue
        if isinstance(value, dict):
            for sub, inner in value.items():
                if not isinstance(inner, list):
                    yield f"{key}.{sub}", inner
        else:
            yield key, value


def sections(data: Data) -> list[Section]:
    """The summary in reading order; a field the table does not name yet (added
    to the JSON later) still shows, under its JSON key, in a last section. The
    rows of contract terms the contract does not have (``OPTIONAL_TERMS`` with no
    value) are left out."""
    fields = {
        key: value for key, value in flatten(data) if not (value is None and key in OPTIONAL_TERMS)
    }
    clauses: Mapping[str, str] = data.get("clauses", {})
    found = [
        Section(
            title,
            tuple(
                _row(key, label, fields[key], names, clauses)
                for key, label, names in rows
                if key in fields
            ),
        )
        for title, rows in _SECTIONS
    ]
    named = {key for _, rows in _SECTIONS for key, _, _ in rows}
    rest = tuple(Row(key, key, value, "") for key, value in fields.items() if key not in named)
    return [s for s in (*found, Section("Other fields", rest)) if s.rows]


def _row(
    key: str, label: str, value: Any, names: tuple[str, ...], clauses: Mapping[str, str]
) -> Row:
    return Row(key, label, value, " ; ".join(clauses[n] for n in names if n in clauses))


def clauses_once(rows: tuple[Row, ...]) -> list[str]:
    """The rows' clauses, a repeat of the row above written "as above": a page
    that cites the same article six times in a row hides what changes."""
    texts = [row.clause for row in rows]
    return [
        "as above" if i and text and text == texts[i - 1] else text for i, text in enumerate(texts)
    ]


def show(key: str, value: Any, *, spelled: bool = True) -> str:
    """A JSON value as text for a reader: the JSON's own digits (so a figure can
    be found in the JSON as written), money to the cent, and, when ``spelled``,
    durations of a minute or more spelled out beside their seconds."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key.rsplit(".", 1)[-1] in _MONEY:
        return f"{value:.2f}"
    if spelled and key.endswith("_seconds") and isinstance(value, int):
        return f"{value} ({duration(value)})" if value >= 60 else str(value)
    if isinstance(value, int | float):
        return json.dumps(value)
    return str(value)


def duration(seconds: int) -> str:
    """``14220`` -> ``3 h 57 min``: whole days, hours, minutes and leftover seconds."""
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "min"), (secs, "s")]
    return " ".join(f"{n} {unit}" for n, unit in parts if n) or "0 s"


def headline(data: Data) -> list[str]:
    """The verdict in a few sentences, each figure as the JSON writes it."""
    if not data.get("measured", True):  # a frozen report from before the field: measured
        lines = [
            f"Nothing measured: no sample of the contract's targets in this period up to "
            f"{data['as_of']}; availability not assessed.",
            f"All {show('r', data['reference_seconds'])} s of the reference time are unknown.",
        ]
    else:
        verdict = (
            f"availability {show('a', data['availability_percent'])} % "
            f"against a target of {show('t', data['target_percent'])} %: {_verdict(data)}."
        )
        label = _indicative(data)
        lines = [
            label + verdict if label else verdict[0].upper() + verdict[1:],
            f"Computed as {_computed(data['formula'])}.",
        ]
    if data.get("credit_basis") is not None or data.get("outage_limits_credit_percent") is not None:
        lines.append(_credit_line(data))
    lines += _terms_lines(data)
    if not data.get("billable", True):
        lines.append("Coverage is below the contract's minimum: not billable without review.")
    return lines


def _indicative(data: Data) -> str:
    """The label of a period that is not the contract's billing period (a month of a
    yearly commitment): its figures inform, they decide nothing."""
    if data["period"].get("billing_period", True):
        return ""
    return f"Indicative only, {data['period']['label']} is not the contract's billing period: "


def _verdict(data: Data) -> str:
    met = data["met"]
    if not data["period"].get("billing_period", True):
        return "at or above it" if met else "below it"
    return "met" if met else "not met"


def _computed(formula: Mapping[str, Any]) -> str:
    """The formula, then its figures, then the result; a frozen report from before
    the arithmetic was shown has only the first and the last."""
    steps = [formula["expression"], formula.get("arithmetic"), formula["text"]]
    return " = ".join(step for step in steps if step)


def _credit_line(data: Data) -> str:
    owed = f"Credit owed: {show('c', data['credit_percent'])} %"
    every = f"{show('c', data['credit_percent_all_outages'])} %"
    if data.get("currency"):
        owed += f" = {show('credit_amount', data['credit_amount'])} {data['currency']}"
        every += f" = {show('credit_amount', data['credit_amount_all_outages'])} {data['currency']}"
    if data.get("credit_capped"):
        owed += f", capped at {show('c', data['credit_cap_percent'])} % of the fee"
    if data.get("claims_required"):
        return f"{owed} (claimed outages only; {every} if every outage were claimed)."
    return f"{owed}."


def _terms_lines(data: Data) -> list[str]:
    """The outage clauses' verdict and the late claims, when the report has them."""
    lines = []
    judged = [c for c in data.get("outage_limits", []) if c["met"] is not None]
    if judged:
        broken = sum(1 for c in judged if not c["met"])
        longest = duration(judged[0]["longest_seconds"])
        lines.append(
            f"Outage clauses: {broken} of {len(judged)} broken (longest outage {longest})."
        )
    late = len(data.get("late_claims", []))
    if late:
        claims = "claim was" if late == 1 else "claims were"
        lines.append(f"{late} {claims} made after the claim window: listed, not credited.")
    return lines


def amendments(data: Data) -> list[Mapping[str, Any]]:
    """A closed period's amendments, oldest first, each change as a line of text."""
    return [
        {
            **amendment,
            "changes": "; ".join(Change.from_json(c).text() for c in amendment["changes"]),
        }
        for amendment in data.get("closed", {}).get("amendments", [])
    ]


def clause_rows(data: Data) -> list[tuple[str, str]]:
    """(rule, article) for every clause the contract's config cites."""
    return list(data.get("clauses", {}).items())


def term_tables(
    data: Data,
) -> list[tuple[str, list[Mapping[str, Any]], tuple[tuple[str, str], ...]]]:
    """(title, records, columns) of the tables of contract terms this report has:
    the late claims when there are some, the outage clauses when the contract has
    some. Every format shows them after the exclusions."""
    found: list[tuple[str, list[Mapping[str, Any]], tuple[tuple[str, str], ...]]] = []
    if data.get("late_claims"):
        found.append(("Late claims (not credited)", data["late_claims"], LATE_CLAIM_COLUMNS))
    if data.get("outage_limits"):
        found.append(("Outage clauses", data["outage_limits"], LIMIT_COLUMNS))
    return found


def table(
    records: list[Mapping[str, Any]], columns: tuple[tuple[str, str], ...]
) -> list[list[str]]:
    """A list of JSON records as text cells, in ``columns`` order."""
    return [[show(key, record.get(key), spelled=False) for key, _ in columns] for record in records]


def outage_table(data: Data) -> tuple[list[dict[str, Any]], tuple[tuple[str, str], ...]]:
    """The outages' rows and columns for a table: a Locations column (its list as
    text) only when some outage was seen by named locations, so that a single agent
    without ``agent.location`` gets the table it always had."""
    outages = data["outages"]
    if not any(outage.get("locations") for outage in outages):  # a frozen report may lack it
        return outages, OUTAGE_COLUMNS
    rows = [{**o, "locations": ", ".join(o.get("locations", ()))} for o in outages]
    return rows, LOCATED_OUTAGE_COLUMNS
