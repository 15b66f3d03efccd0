"""The support report (SPEC sections 6 and 7): every request opened in the period with
each target's clock, and each objective's share against its threshold.

The JSON dict below is what every format is rendered from. It shows the
arithmetic, not only the outcome: where the clock started (the next opening when
a request came in outside support hours), the allowance in seconds of the
target's clock, the paused time that moved the deadline, the business seconds
counted on each business day up to the deadline (they add up to the allowance),
the stop event and the business seconds to it. Shares are exact fractions in
the core, written truncated to 6 decimals beside the exact fraction.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from slawatch.reports.document import csv_table, exact, percent
from slawatch.reports.view import Row, Section, duration
from slawatch.sla.support import AllowanceKind, SupportTarget, SupportTerms
from slawatch.sla.support_assess import (
    Clocked,
    ObjectiveResult,
    RequestResult,
    SupportAssessment,
)

Data = Mapping[str, Any]
REQUEST_COLUMNS = (
    ("ticket", "Ticket"),
    ("priority", "Priority"),
    ("opened", "Opened"),
    ("target", "Target"),
    ("deadline", "Deadline"),
    ("stopped_at", "Stopped at"),
    ("outcome", "Outcome"),
    ("business_seconds", "Business time to stop (s)"),
    ("arithmetic", "How the deadline was computed"),
)
OBJECTIVE_COLUMNS = (
    ("name", "Objective"),
    ("target", "Target"),
    ("period", "Assessed per"),
    ("met_count", "Met"),
    ("breached_count", "Breached"),
    ("pending_count", "Pending"),
    ("share_percent", "Share (%)"),
    ("share_exact", "Share, exact (%)"),
    ("threshold_percent", "Threshold (%)"),
    ("met", "Objective met"),
    ("binding", "Period is the objective's own"),
)


@dataclass(frozen=True, slots=True)
class SupportReport:
    contract: str
    description: str
    terms: SupportTerms
    assessment: SupportAssessment


def to_dict(report: SupportReport) -> dict[str, Any]:
    """The support report's JSON (SPEC section 7 names its fields)."""
    terms, a = report.terms, report.assessment
    iso = Iso(terms)
    return {
        "contract": report.contract,
        "description": report.description,
        "period": {
            "label": a.period.label,
            "kind": str(a.period.kind),
            "start": iso(a.period.start),
            "end": iso(a.period.end),
            "time_zone": terms.zone.key,
        },
        "as_of": iso(a.as_of),
        "complete": a.as_of >= a.period.end,
        "support": terms_dict(terms),
        "requests": [request_dict(r, terms, iso) for r in a.requests],
        "objectives": [_objective(o) for o in a.objectives],
        "clauses": dict(terms.clauses),
    }


class Iso(dict[int | None, str | None]):
    """Instants as ISO 8601 in the contract's zone (``None`` stays ``None``); each
    written once (a clock often starts when its request was opened). A dict that
    fills itself: a yearly report asks 1,000,000 times, mostly for instants it has."""

    def __init__(self, terms: SupportTerms) -> None:
        super().__init__({None: None})
        self._zone = terms.zone

    def __missing__(self, instant: int | None) -> str:
        assert instant is not None  # None is always there
        if len(self) > 4096:  # the instants of the last requests are enough
            self.clear()
            self[None] = None
        text = self[instant] = datetime.fromtimestamp(instant, self._zone).isoformat()
        return text

    __call__ = dict.__getitem__


def terms_dict(terms: SupportTerms) -> dict[str, Any]:
    """The support terms as the report's ``support`` object says them (the API's
    ``GET /contracts/NAME`` shows the same, with the objectives)."""
    holidays = terms.calendar.holidays
    return {
        "start_date": terms.start_date.isoformat(),
        "time_zone": terms.zone.key,
        "calendar": [w.text() for w in terms.calendar.windows],
        "holidays": None if holidays is None else holidays.country,
        "priorities": list(terms.priorities),
        "targets": [target_terms(t, terms) for t in terms.targets],
    }


def target_terms(target: SupportTarget, terms: SupportTerms) -> dict[str, Any]:
    """A target as the report's ``support.targets`` items say it."""
    return {
        "name": target.name,
        "start": str(target.start),
        "stop": str(target.stop),
        "priorities": [p for p in terms.priorities if p in target.priorities],
        "allowance": target.allowance.describe(),
        "allowance_kind": str(target.allowance.kind),
        "allowance_amount": target.allowance.amount,
    }


def request_dict(
    result: RequestResult, terms: SupportTerms, iso: Iso | None = None
) -> dict[str, Any]:
    """A request and its targets' clocks, as the report's ``requests`` items."""
    iso = iso or Iso(terms)
    request = result.request
    return {
        "ticket": request.ticket,
        "priority": request.priority,
        "opened": iso(request.opened),
        "targets": [_clocked(c, terms, iso) for c in result.targets],
    }


def _clocked(clocked: Clocked, terms: SupportTerms, iso: Iso) -> dict[str, Any]:
    """A target's clock, with what it takes to redo the deadline."""
    business = clocked.target.allowance.kind is not AllowanceKind.WALL_CLOCK
    end = clocked.deadline if clocked.deadline is not None else clocked.clock_start
    days = terms.clock.by_business_day(clocked.clock_start, end, clocked.pauses) if business else []
    return {  # the target's own terms are in support.targets, by name
        "name": clocked.target.name,
        "started": iso(clocked.started),
        "clock_start": iso(clocked.clock_start),
        "allowance_seconds": clocked.allowance_seconds,
        "paused_seconds": clocked.paused_seconds,
        "business_days": [{"date": d.isoformat(), "seconds": s} for d, s in days],
        "deadline": iso(clocked.deadline),
        "stopped_at": iso(clocked.stopped_at),
        "outcome": str(clocked.outcome),
        "business_seconds": clocked.business_seconds,
    }


def _objective(result: ObjectiveResult) -> dict[str, Any]:
    share = result.share
    return {
        "name": result.objective.name,
        "target": result.objective.target,
        "period": str(result.objective.period.kind),
        "met_count": result.met_count,
        "breached_count": result.breached_count,
        "pending_count": result.pending_count,
        "share_percent": None if share is None else percent(share),
        "share_exact": None if share is None else exact(share),
        "threshold_percent": percent(result.objective.threshold_percent),
        "met": result.met,
        "binding": result.binding,
    }


# -- what every format shows -------------------------------------------------------------


def title(data: Data) -> str:
    return f"Support report: {data['contract']}, {data['period']['label']}"


def good(data: Data) -> bool:
    """No objective missed (the verdict's colour)."""
    return all(o["met"] is not False for o in data["objectives"])


def headline(data: Data) -> list[str]:
    """The verdict: each objective's share in one sentence, then the requests."""
    lines = [_objective_line(o) for o in data["objectives"]]
    outcomes = [t["outcome"] for r in data["requests"] for t in r["targets"]]
    counts = {o: outcomes.count(o) for o in ("met", "breached", "pending")}
    lines.append(
        f"{len(data['requests'])} requests opened in the period; their targets: "
        f"{counts['met']} met, {counts['breached']} breached, {counts['pending']} pending."
    )
    return lines


def _objective_line(o: Data) -> str:
    decided = o["met_count"] + o["breached_count"]
    if o["share_percent"] is None:
        return f"{o['name']}: not assessed, no request decided yet ({o['pending_count']} pending)."
    verdict = "met" if o["met"] else "not met"
    own = "" if o["binding"] else f" (the objective is assessed per {o['period']})"
    return (
        f"{o['name']}: {o['met_count']} of {decided} decided requests met {o['target']} = "
        f"{o['share_percent']} % against a threshold of {o['threshold_percent']} %: "
        f"{verdict}{own}."
    )


def sections(data: Data) -> list[Section]:
    """The summary: the period, then the support terms each with its clause."""
    clauses: Mapping[str, str] = data["clauses"]
    period, support = data["period"], data["support"]
    return [
        Section(
            "Contract and period",
            (
                Row("contract", "Contract", data["contract"], ""),
                Row("description", "Description", data["description"], ""),
                Row("period.label", "Period", period["label"], ""),
                Row("period.start", "Period start", period["start"], ""),
                Row("period.end", "Period end (exclusive)", period["end"], ""),
                Row("period.time_zone", "Time zone", period["time_zone"], ""),
                Row("as_of", "Assessed up to", data["as_of"], ""),
                Row("complete", "Period complete", data["complete"], ""),
            ),
        ),
        Section(
            "Support terms",
            (
                Row("support.start_date", "Support start date", support["start_date"], ""),
                Row(
                    "support.calendar",
                    "Support hours",
                    _hours(support),
                    clauses.get("calendar", ""),
                ),
                Row("support.priorities", "Priorities", ", ".join(support["priorities"]), ""),
                *(
                    Row(
                        f"support.targets.{t['name']}",
                        f"Target {t['name']}",
                        _rule(t),
                        clauses.get(t["name"], ""),
                    )
                    for t in support["targets"]
                ),
                *(
                    Row(
                        f"objectives.{o['name']}",
                        f"Objective {o['name']}",
                        _goal(o),
                        clauses.get(o["name"], ""),
                    )
                    for o in data["objectives"]
                ),
            ),
        ),
    ]


def _hours(support: Data) -> str:
    windows = ", ".join(support["calendar"])
    holidays = support["holidays"]
    return f"{windows} ({support['time_zone']})" + (
        f", minus {holidays} holidays" if holidays else ""
    )


def _rule(target: Data) -> str:
    return (
        f"{target['start']} -> {target['stop']} within {target['allowance']} "
        f"(priorities {', '.join(target['priorities'])})"
    )


def _goal(objective: Data) -> str:
    return (
        f"at least {objective['threshold_percent']} % of requests meet {objective['target']}, "
        f"per {objective['period']}"
    )


def request_rows(data: Data) -> list[dict[str, Any]]:
    """One row per request and target, with the arithmetic written out."""
    terms = {t["name"]: t for t in data["support"]["targets"]}
    return [
        {
            "ticket": request["ticket"],
            "priority": request["priority"],
            "opened": request["opened"],
            "target": target["name"],
            "deadline": target["deadline"],
            "stopped_at": target["stopped_at"],
            "outcome": target["outcome"],
            "business_seconds": target["business_seconds"],
            "arithmetic": arithmetic(terms[target["name"]], target),
        }
        for request in data["requests"]
        for target in request["targets"]
    ]


def arithmetic(terms: Data, target: Data) -> str:
    """How a target's deadline follows from its clock's start and its allowance
    (``terms``: the target as ``support.targets`` says it), and the stop."""
    start = target["clock_start"]
    parts = [f"clock from {_when(start)}"]
    if start != target["started"]:
        parts[0] += f" (next opening after {_when(target['started'])})"
    days = " + ".join(
        f"{_day(d['date'])} {duration(d['seconds'])}" for d in target["business_days"]
    )
    allowance = terms["allowance"]
    if terms["allowance_kind"] == AllowanceKind.BUSINESS_DAYS:
        allowance += f" ({duration(target['allowance_seconds'])} of business time)"
    parts.append(f"{allowance} = {days}" if days else allowance)
    if target["paused_seconds"]:
        parts.append(f"plus {duration(target['paused_seconds'])} paused")
    parts.append(
        f"due {_when(target['deadline'])}" if target["deadline"] else "no deadline while paused"
    )
    if target["stopped_at"]:
        spent = duration(target["business_seconds"])
        parts.append(f"{terms['stop']} {_when(target['stopped_at'])} after {spent}")
    return "; ".join(parts) + f": {target['outcome']}"


def _when(text: str) -> str:
    """``Fri 2026-10-02 16:50`` (seconds when there are some) from an ISO instant."""
    moment = datetime.fromisoformat(text)
    return moment.strftime("%a %Y-%m-%d %H:%M" + (":%S" if moment.second else ""))


def _day(text: str) -> str:
    return date.fromisoformat(text).strftime("%a %Y-%m-%d")


# One encoder for every request: ``json.dumps`` with an option builds a new one per call.
_ONE_LINE = json.JSONEncoder(ensure_ascii=False)


def to_json(data: Data) -> str:
    """The JSON text: indented, but each request on one line of its own, so that a
    year of 100,000 requests is written by the C encoder and reads as one line a
    request (grep, diff)."""
    parts = []
    for name, value in data.items():
        if name == "requests" and value:
            rows = ",\n    ".join(map(_ONE_LINE.encode, value))
            text = f"[\n    {rows}\n  ]"
        else:
            text = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  ")
        parts.append(f"  {json.dumps(name)}: {text}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def to_csv(data: Data) -> str:
    """Summary rows ``field,value``, then the requests (one row per target), then the
    objectives, each after a blank line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["field", "value"])
    writer.writerows([row.key, row.value] for s in sections(data) for row in s.rows)
    csv_table(writer, request_rows(data), REQUEST_COLUMNS)
    csv_table(writer, data["objectives"], OBJECTIVE_COLUMNS)
    return out.getvalue()
