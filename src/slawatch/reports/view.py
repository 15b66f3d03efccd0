"""What the XLSX, PDF and HTML reports show, read from the JSON report's dict.

The three formats lay out the same rows, so one table here says which JSON
field is shown under which label and which contract clause it follows from:
the formats cannot drift from each other, nor from the JSON, because none of
them computes a figure; they only choose how to write the one they are given.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from slawatch.reports.locale import Lang, Style
from slawatch.reports.versions import RECORD_KEYS, Change

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
            ("credit_cap_percent", "Credit cap (percent of the fee)", ("credit_cap",)),
            ("credit_capped", "Credit cut down by the cap", ("credit_cap",)),
            ("credit_percent", "Credit owed (%)", ("credits",)),
            ("credit_percent_all_outages", "Credit if every outage were claimed (%)", ("credits",)),
            ("fee_amount", "Fee for the period", ("fee",)),
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
        "fee_amount",
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
_MONEY = ("fee_amount", "credit_amount", "credit_amount_all_outages")
OUTAGE_NOTE = "Counted seconds make up D; excluded and unknown seconds do not."


_WHAT_IF = frozenset(  # "if every outage were claimed": the customer view asks first
    {
        "tier_all_outages",
        "tier_credit_percent_all_outages",
        "outage_limits_credit_percent_all_outages",
        "credit_percent_all_outages",
        "credit_amount_all_outages",
    }
)
# What only the operator reads: enum names, the exact fraction, hashes, JSON names.
_INTERNAL_ONLY = frozenset(
    {
        "formula.exclusions_count_as",
        "formula.unknown_time",
        "availability_exact",
        "closed.sha256",
        "sha256",
        "previous_sha256",
        "share_exact",
    }
)
_PERCENT = re.compile(r"(?:^|_)percent(?:_all_outages)?$")
_DECIMAL = re.compile(r"\d+\.\d+")
INTERNAL = Style()


def hidden(style: Style) -> frozenset[str]:
    """The fields and columns ``style`` leaves out (by their JSON names)."""
    if style.internal:
        return frozenset()
    return _INTERNAL_ONLY if style.what_if else _INTERNAL_ONLY | _WHAT_IF


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


def sections(data: Data, style: Style = INTERNAL) -> list[Section]:
    """The summary in reading order; a field the table does not name yet (added
    to the JSON later) still shows, under its JSON key, in a last section of the
    internal view. The rows of contract terms the contract does not have
    (``OPTIONAL_TERMS`` with no value) are left out, and so are those ``style``
    hides."""
    left_out = hidden(style)
    fields = {
        key: value
        for key, value in flatten(data)
        if not (value is None and key in OPTIONAL_TERMS) and key not in left_out
    }
    clauses: Mapping[str, str] = data.get("clauses", {})
    lang = style.lang
    found = [
        Section(
            lang(title),
            tuple(
                _row(key, label_in(label, style), fields[key], names, clauses)
                for key, label, names in rows
                if key in fields
            ),
        )
        for title, rows in _SECTIONS
    ]
    named = {key for _, rows in _SECTIONS for key, _, _ in rows}
    rest = tuple(Row(key, key, value, "") for key, value in fields.items() if key not in named)
    other = Section(lang("Other fields"), rest if style.internal else ())
    return [s for s in (*found, other) if s.rows]


def _row(
    key: str, label: str, value: Any, names: tuple[str, ...], clauses: Mapping[str, str]
) -> Row:
    return Row(key, label, value, " ; ".join(clauses[n] for n in names if n in clauses))


def clauses_once(rows: tuple[Row, ...], style: Style = INTERNAL) -> list[str]:
    """The rows' clauses, a repeat of the row above written "as above": a page
    that cites the same article six times in a row hides what changes."""
    texts = [row.clause for row in rows]
    above = style.lang("as above")
    return [above if i and text and text == texts[i - 1] else text for i, text in enumerate(texts)]


def show(
    key: str,
    value: Any,
    style: Style = INTERNAL,
    *,
    spelled: bool = True,
    currency: str | None = None,
) -> str:
    """A JSON value as text for a reader. The internal view writes the JSON's own
    digits (so a figure can be found in the JSON as written), money to the cent;
    the customer view writes figures, money and instants the language's way and
    enum names in words. With ``spelled``, durations of a minute or more are spelled
    out beside their seconds."""
    lang = style.lang
    if value is None:
        return "—"
    if isinstance(value, bool):
        return lang.yes_no(value)
    name = key.rsplit(".", 1)[-1]
    if style.internal:
        return _as_json(name, value, lang, spelled=spelled)
    return _for_customer(name, value, lang, spelled=spelled, currency=currency)


def _for_customer(name: str, value: Any, lang: Lang, *, spelled: bool, currency: str | None) -> str:
    if isinstance(value, str):
        return words(name, value, lang)
    if name in _MONEY:
        return lang.money(value, currency)
    if _PERCENT.search(name):
        return lang.percent(value)
    if name.endswith("_seconds") and isinstance(value, int):
        seconds = lang("{n} s").format(n=lang.number(value)) if spelled else lang.number(value)
        return f"{seconds} ({lang.duration(value)})" if spelled and value >= 60 else seconds
    return lang.number(value)


def _as_json(name: str, value: Any, lang: Lang, *, spelled: bool) -> str:
    if name in _MONEY:
        return f"{value:.2f}"
    if spelled and name.endswith("_seconds") and isinstance(value, int):
        return f"{value} ({lang.duration(value)})" if value >= 60 else str(value)
    if isinstance(value, int | float):
        return json.dumps(value)
    return str(value)


def words(name: str, value: str, lang: Lang) -> str:
    """A JSON text field ``name`` for a customer: enum names and excluders' labels in
    words, instants and dates the language's way, decimals in formulas with the
    language's separator; free text (notes, tickets, clauses) as written."""
    if name in _SENTENCES or (name, value) == ("note", _CONTRACT_NOTE):
        return _sentence(value, lang)
    if name.startswith("tier"):
        return _tier(value, lang)
    if name in _WORDED:
        return "; ".join(_word(part, lang) for part in value.split("; "))
    if name in ("text", "arithmetic", "clause"):
        return _decimals(value, lang)
    return lang.text(value)


def duration(seconds: int, style: Style = INTERNAL) -> str:
    """``14220`` -> ``3 h 57 min``: whole days, hours, minutes and leftover seconds."""
    return style.lang.duration(seconds)


def headline(data: Data, style: Style = INTERNAL) -> list[str]:
    """The verdict in a few sentences, each figure as the view writes it."""
    _ = style.lang
    if not data.get("measured", True):  # a frozen report from before the field: measured
        lines = [
            _(
                "Nothing measured: no sample of the contract's targets in this period up to "
                "{as_of}; availability not assessed."
            ).format(as_of=show("as_of", data["as_of"], style)),
            _("All {seconds} s of the reference time are unknown.").format(
                seconds=show("r", data["reference_seconds"], style, spelled=False)
            ),
        ]
    else:
        verdict = _("availability {availability} against a target of {target}: {verdict}.")
        verdict = verdict.format(
            availability=_percent(data["availability_percent"], style),
            target=_percent(data["target_percent"], style),
            verdict=_verdict(data, style),
        )
        label = _indicative(data, style)
        lines = [
            label + verdict if label else verdict[0].upper() + verdict[1:],
            _("Computed as {formula}.").format(formula=_computed(data["formula"], style)),
        ]
    lines[1:1] = monitored(data, style)
    if data.get("credit_basis") is not None or data.get("outage_limits_credit_percent") is not None:
        lines.append(_credit_line(data, style))
    lines += _terms_lines(data, style)
    if not data.get("billable", True):
        lines.append(_("Coverage is below the contract's minimum: not billable without review."))
    return lines


def monitored(data: Data, style: Style = INTERNAL) -> list[str]:
    """Where monitoring began inside the period (``period.monitored_from``): a line
    saying so, since the time before it is not reference time; else none."""
    since = data["period"].get("monitored_from")
    if since is None:
        return []
    line = style.lang("Monitored from {instant}: the time before it is not reference time.")
    return [line.format(instant=show("period.monitored_from", since, style))]


def _percent(value: float, style: Style) -> str:
    """A percentage with its sign: the JSON's digits then `` %``, or the language's way."""
    return f"{show('p', value)} %" if style.internal else style.lang.percent(value)


def _money(data: Data, key: str, style: Style) -> str:
    if style.internal:
        return f"{show(key, data[key])} {data['currency']}"
    return show(key, data[key], style, currency=data["currency"])


def _indicative(data: Data, style: Style) -> str:
    """The label of a period that is not the contract's billing period (a month of a
    yearly commitment): its figures inform, they decide nothing."""
    if data["period"].get("billing_period", True):
        return ""
    text = style.lang("Indicative only, {period} is not the contract's billing period: ")
    return text.format(period=data["period"]["label"])


def _verdict(data: Data, style: Style) -> str:
    met = data["met"]
    if not data["period"].get("billing_period", True):
        return style.lang("at or above it" if met else "below it")
    return style.lang("met" if met else "not met")


def _computed(formula: Mapping[str, Any], style: Style) -> str:
    """The formula, then its figures, then the result; a frozen report from before
    the arithmetic was shown has only the first and the last."""
    steps = [formula["expression"], formula.get("arithmetic"), formula["text"]]
    return " = ".join(show("formula.text", step, style) for step in steps if step)


def _credit_line(data: Data, style: Style) -> str:
    _ = style.lang
    owed = _("Credit owed: {percent}").format(percent=_percent(data["credit_percent"], style))
    every = _percent(data["credit_percent_all_outages"], style)
    if data.get("currency"):
        owed += f" = {_money(data, 'credit_amount', style)}"
        every += f" = {_money(data, 'credit_amount_all_outages', style)}"
    if data.get("credit_capped"):
        cap = _percent(data["credit_cap_percent"], style)
        owed += _(", capped at {cap} of the fee").format(cap=cap)
    if not data.get("claims_required"):
        return f"{owed}."
    if style.all_outages:
        return _("{owed} (claimed outages only; {every} if every outage were claimed).").format(
            owed=owed, every=every
        )
    return _("{owed} (claimed outages only).").format(owed=owed)


def _terms_lines(data: Data, style: Style) -> list[str]:
    """The outage clauses' verdict and the late claims, when the report has them."""
    _ = style.lang
    lines = []
    judged = [c for c in data.get("outage_limits", []) if c["met"] is not None]
    if judged:
        broken = sum(1 for c in judged if not c["met"])
        longest = duration(judged[0]["longest_seconds"], style)
        lines.append(
            _("Outage clauses: {broken} of {count} broken (longest outage {longest}).").format(
                broken=broken, count=len(judged), longest=longest
            )
        )
    late = len(data.get("late_claims", []))
    if late:
        text = (
            "{n} claim was made after the claim window: listed, not credited."
            if late == 1
            else "{n} claims were made after the claim window: listed, not credited."
        )
        lines.append(_(text).format(n=late))
    return lines


# Enum values and excluders' labels -> their words (English message ids).
_WORDED = frozenset({"kind", "period", "credit_basis", "outcome", "reason", "source", "start"})
_SENTENCES = frozenset({"why_not", "meaning", "unknown_meaning"})  # written by the code
_CONTRACT_NOTE = "declared in the contract"  # sla/assess.py's note of recurring maintenance
_WORDS = {
    "month": "month",
    "year": "year",
    "contract_year": "contract year",
    "downtime_minutes": "minutes of downtime",
    "availability_percent": "availability percentage",
    "met": "met",
    "breached": "breached",
    "pending": "pending",
    "maintenance": "maintenance",
    "planned_maintenance": "planned maintenance",
    "emergency_maintenance": "emergency maintenance",
    "force_majeure": "force majeure",
    "customer": "caused by the customer",
    "third_party": "third party",
    "other": "other",
    "recurring maintenance": "recurring maintenance",
    "planned": "planned",
    "emergency": "emergency",
    "opened": "opened",
    "responded": "responded",
    "qualified": "qualified",
    "resolved": "resolved",
    "closed": "closed",
}
_LABEL = re.compile(r"(maintenance|exclusion) #(\d+) \((\w+)\)")
_LATE = re.compile(r"declared (.+) before it opened, contract requires (.+) notice")


def _word(text: str, lang: Lang) -> str:
    """One enum value or excluder label in words; anything else (an instant, an
    operator's reason) as ``Lang.text`` writes it."""
    if text in _WORDS:
        return lang(_WORDS[text])
    label = _LABEL.fullmatch(text)
    if label is None:
        return lang.text(text)
    kind, number, why = label.groups()
    what = lang(_WORDS.get(f"{why}_maintenance" if kind == "maintenance" else why, why))
    return lang("{what} (no. {number})").format(what=what, number=number)


def _sentence(text: str, lang: Lang) -> str:
    """A sentence the core writes (why a window does not qualify, what a formula
    means) in the language."""
    late = _LATE.fullmatch(text)
    if late is None:
        return lang(text)
    given, needed = late.groups()
    return lang("declared {given} before it started, the contract requires {needed}").format(
        given=_decimals(given, lang), needed=_decimals(needed, lang)
    )


_TIERS = (  # sla/credits.py's describe(): (pattern, message id)
    (re.compile(r"<= (\S+) min down: (.+)"), "up to {0} min of downtime: {1}"),
    (re.compile(r"more: (.+)"), "beyond: {0}"),
    (re.compile(r"(\S+) % <= A < (\S+) %: (.+)"), "{0} <= A < {1}: {2}"),
)


def _tier(text: str, lang: Lang) -> str:
    """A credit tier (``<= 216 min down: 0 %``) in words, its figures the language's way."""
    for pattern, message in _TIERS:
        found = pattern.fullmatch(text)
        if found:
            return lang(message).format(*(_figure(part, lang) for part in found.groups()))
    return text


def _figure(text: str, lang: Lang) -> str:
    """``25 %`` or ``2160`` the language's way; a formula (``100 - A``) as written."""
    number = text.removesuffix(" %")
    if not re.fullmatch(r"\d+(\.\d+)?", number):
        return text
    value = float(number) if "." in number else int(number)
    return lang.percent(value) if text.endswith("%") else lang.number(value)


def worded(key: str) -> bool:
    """The customer view writes this field's text in words (an enum, a reason, a
    tier), not as the JSON has it."""
    name = key.rsplit(".", 1)[-1]
    return name in _WORDED or name in _SENTENCES or name.startswith("tier")


def _decimals(text: str, lang: Lang) -> str:
    """The decimals written in ``text`` with the language's separator."""
    return _DECIMAL.sub(lambda m: lang.number(float(m.group())), text)


def amendments(data: Data, style: Style = INTERNAL) -> list[Mapping[str, Any]]:
    """A closed period's amendments, oldest first, each change as a line of text: the
    internal view's names the JSON field, the customer view's says it in words."""
    separator = "; " if style.internal else style.lang("; ")
    left_out = hidden(style)
    return [
        {
            **amendment,
            "changes": separator.join(
                change_words(change, style, data.get("currency"))
                for change in map(Change.from_json, amendment["changes"])
                if _field_name(change.field) not in left_out
            ),
        }
        for amendment in data.get("closed", {}).get("amendments", [])
    ]


def _field_name(path: str) -> str:
    """The JSON field a change's path ends in: ``daily[2026-10-05].excluded_seconds``
    is ``excluded_seconds``, ``formula.text`` stays itself (the summary's key)."""
    record = _RECORD_FIELD.fullmatch(path)
    return path if record is None else record["field"] or record["list"]


_RECORD_FIELD = re.compile(r"(?P<list>\w+)\[(?P<key>[^\]]*)\](?:\.(?P<field>.+))?")
_RECORDS: dict[str, tuple[str, Columns]] = {  # a list of the JSON -> one record's name, columns
    "outages": ("Outage of {key}", LOCATED_OUTAGE_COLUMNS),
    "exclusions": ("Exclusion: {key}", EXCLUSION_COLUMNS),
    "late_claims": ("Late claim {key}", LATE_CLAIM_COLUMNS),
    "outage_limits": ("Outage clause {key}", LIMIT_COLUMNS),
    "daily": ("Day {key}", DAILY_COLUMNS),
}
_LABELS = {key: label for _, rows in _SECTIONS for key, label, _ in rows}


def change_words(change: Change, style: Style, currency: str | None = None) -> str:
    """A change between two versions of a report, as a line: ``downtime_seconds:
    3600 -> 1800`` (internal), ``Interruption du 5 oct. 2026 12:00, Réclamée : non ->
    oui`` (customer: the labels, values and instants as the report writes them)."""
    if style.internal:
        return change.text()
    lang = style.lang
    record = _RECORD_FIELD.fullmatch(change.field)
    if record is None:
        name, what = change.field, label_in(_LABELS.get(change.field, change.field), style)
    else:
        template, columns = _RECORDS.get(record["list"], ("{key}", ()))
        key = show(RECORD_KEYS.get(record["list"], "key"), record["key"], style)
        name, what = record["field"] or "", lang(template).format(key=key)
        if name:
            what += ", " + lang(dict(columns).get(name, name))
    if change.kind == "changed":
        old, new = (show(name, v, style, currency=currency) for v in (change.old, change.new))
        return lang("{field}: {old} -> {new}").format(field=what, old=old, new=new)
    value = change.new if change.kind == "added" else change.old
    line = lang("{field}: added") if change.kind == "added" else lang("{field}: removed")
    if not isinstance(value, dict | list):
        line += f" ({show(name, value, style, currency=currency)})"
    return line.format(field=what)


def clause_rows(data: Data) -> list[tuple[str, str]]:
    """(rule, article) for every clause the contract's config cites."""
    return list(data.get("clauses", {}).items())


def term_tables(
    data: Data, style: Style = INTERNAL
) -> list[tuple[str, list[Mapping[str, Any]], tuple[tuple[str, str], ...]]]:
    """(title, records, columns) of the tables of contract terms this report has:
    the late claims when there are some, the outage clauses when the contract has
    some. Every format shows them after the exclusions."""
    found: list[tuple[str, list[Mapping[str, Any]], tuple[tuple[str, str], ...]]] = []
    if data.get("late_claims"):
        title = style.lang("Late claims (not credited)")
        found.append((title, data["late_claims"], LATE_CLAIM_COLUMNS))
    if data.get("outage_limits"):
        found.append((style.lang("Outage clauses"), data["outage_limits"], LIMIT_COLUMNS))
    return found


Columns = tuple[tuple[str, str], ...]


def columns_shown(columns: Columns, style: Style = INTERNAL) -> Columns:
    """The columns ``style`` shows, with their headings in its language."""
    left_out = hidden(style)
    return tuple((key, label_in(heading, style)) for key, heading in columns if key not in left_out)


def label_in(label: str, style: Style) -> str:
    """A label in the style's language; without `` (%)`` where the customer view
    writes percentages with their sign (HTML, PDF)."""
    text = style.lang(label)
    return text.removesuffix(" (%)") if style.written and not style.internal else text


def table(
    records: list[Mapping[str, Any]], columns: Columns, style: Style = INTERNAL
) -> list[list[str]]:
    """A list of JSON records as text cells, in ``columns`` order."""
    return [
        [show(key, record.get(key), style, spelled=False) for key, _ in columns]
        for record in records
    ]


def outage_table(data: Data) -> tuple[list[dict[str, Any]], tuple[tuple[str, str], ...]]:
    """The outages' rows and columns for a table: a Locations column (its list as
    text) only when some outage was seen by named locations, so that a single agent
    without ``agent.location`` gets the table it always had."""
    outages = data["outages"]
    if not any(outage.get("locations") for outage in outages):  # a frozen report may lack it
        return outages, OUTAGE_COLUMNS
    rows = [{**o, "locations": ", ".join(o.get("locations", ()))} for o in outages]
    return rows, LOCATED_OUTAGE_COLUMNS
