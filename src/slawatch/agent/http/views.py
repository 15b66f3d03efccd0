"""What the API answers with: contracts, records, states and status as JSON objects.

The shapes are those of ``openapi.json``'s schemas (the tests check every answer
against them). Instants are ISO 8601 with an offset: in the contract's time zone
where there is a contract, as reports write them, else in UTC. Figures about
a period come from the JSON report itself (``to_dict``), never recomputed.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, tzinfo
from fractions import Fraction
from typing import Any

from slawatch.app.support import RequestView
from slawatch.config.contracts import Contract
from slawatch.reports.document import Report, percent, to_dict
from slawatch.reports.support import terms_dict
from slawatch.sla.calendar import RRuleWindow, WeeklyWindow, recurring_spans
from slawatch.sla.contract import ContractTerms
from slawatch.sla.exclusions import MaintenanceWindow, maintenance_verdict
from slawatch.sla.periods import PeriodRule
from slawatch.sla.support import SupportTerms
from slawatch.sla.timeline import State
from slawatch.store.operator_records import (
    INSTANT_FIELDS,
    AuditRecord,
    ExclusionRecord,
    MaintenanceRecord,
)

Json = dict[str, Any]
DAY = 86400

# The JSON report's fields that a status shows: the period so far, its verdict and credit.
STATUS_FIELDS = (
    "contract",
    "period",
    "as_of",
    "complete",
    "reference_seconds",
    "excluded_seconds",
    "unknown_seconds",
    "downtime_seconds",
    "availability_percent",
    "coverage_percent",
    "billable",
    "target_percent",
    "met",
    "tier",
    "credit_percent",
    "credit_amount",
    "currency",
)


def iso(instant: int, zone: tzinfo = UTC) -> str:
    return datetime.fromtimestamp(instant, zone).isoformat()


def record(item: Any, zone: tzinfo) -> Json:
    """A store record (maintenance, exclusion, claim) with its instants in ``zone``."""
    return {
        name: iso(value, zone) if name in INSTANT_FIELDS and value is not None else value
        for name, value in dataclasses.asdict(item).items()
    }


def maintenance(item: MaintenanceRecord, terms: ContractTerms) -> Json:
    """A maintenance record, and whether the contract excludes its time."""
    window = MaintenanceWindow(
        item.id, item.start, item.end, item.kind, item.declared_at, item.note
    )
    why_not = maintenance_verdict(window, terms.maintenance)
    return {**record(item, terms.zone), "qualifies": why_not is None, "why_not": why_not}


def audit(entry: AuditRecord) -> Json:
    """An audit row, its detail as the JSON object it was stored as."""
    return {**dataclasses.asdict(entry), "at": iso(entry.at), "detail": json.loads(entry.detail)}


def target_state(name: str, state: State, since: int | None) -> Json:
    """A target's state now (``sla.locations.state_now``; never probed: since null)."""
    return {"name": name, "state": str(state), "since": None if since is None else iso(since)}


def contract_brief(model: Contract) -> Json:
    """A contract's availability part in brief (``PartMissingError`` without one)."""
    terms = model.terms()
    return {
        "name": model.name,
        "description": model.description,
        "timezone": model.timezone.key,
        "period": _period_rule(terms.period),
        "target_percent": percent(terms.target_percent),
        "service": {"targets": list(terms.targets), "rule": str(terms.rule)},
    }


def contract_terms(model: Contract) -> Json:
    """The contract's terms, summed up in the words of its config."""
    credits = model.credits.table() if model.credits is not None else None
    holidays = model.reference.holidays
    return {
        **contract_brief(model),
        "reference": {
            "windows": [w.text() for w in model.reference.windows],
            "holidays": None if holidays is None else holidays.model_dump(),
        },
        "maintenance": {
            "notice_seconds": model.maintenance.notice,
            "emergency_qualifies": model.maintenance.emergency_qualifies,
            "late_notice": str(model.maintenance.late_notice),
            "windows": [_recurring(w.window()) for w in model.maintenance.windows],
        },
        "exclusions_count_as": str(model.exclusions_count_as),
        "unknown_time": str(model.unknown_time),
        "min_coverage_percent": percent(Fraction(model.min_coverage)),
        "credits": None
        if credits is None
        else {
            "basis": str(credits.basis),
            "tiers": [tier.describe() for tier in credits.tiers],
        },
        "claims_required": model.claims_required,
        "fee": None
        if model.fee is None
        else {"amount": str(model.fee.amount), "currency": model.fee.currency},
        "clauses": dict(model.clauses),
        "support": None
        if model.support is None
        else support_terms(model.support.terms(model.timezone)),
    }


def support_terms(terms: SupportTerms) -> Json:
    """The support part as the support report states it, with its objectives and the
    articles each term comes from."""
    return {
        **terms_dict(terms),
        "objectives": [
            {
                "name": o.name,
                "target": o.target,
                "threshold_percent": percent(o.threshold_percent),
                "period": _period_rule(o.period),
            }
            for o in terms.objectives
        ],
        "clauses": dict(terms.clauses),
    }


def contract_status(
    report: Report,
    windows: Iterable[MaintenanceRecord],
    exclusions: Iterable[ExclusionRecord],
    states: list[Json],
) -> Json:
    """A contract's current period so far: the report's figures, and what is open now
    (declared maintenance, the config's recurring windows, exclusions)."""
    data: Mapping[str, Any] = to_dict(report)
    terms, now = report.terms, report.assessment.until
    return {
        **{name: data[name] for name in STATUS_FIELDS},
        "outages": len(data["outages"]),
        "maintenance": [maintenance(w, terms) for w in windows if w.start <= now < w.end],
        "recurring_maintenance": _recurring_now(terms, now),
        "exclusions": [record(x, terms.zone) for x in exclusions if x.start <= now < x.end],
        "targets": states,
    }


def _recurring_now(terms: ContractTerms, now: int) -> Json | None:
    """The config's recurring maintenance window open at ``now``, if one is. Looked for
    within whole days around ``now``, so that the calendar's cache serves every call."""
    if not terms.recurring_maintenance:
        return None
    first = now - now % DAY - 7 * DAY
    spans = recurring_spans(terms.recurring_maintenance, first, first + 15 * DAY, terms.zone)
    for start, end in spans:
        if start <= now < end:
            return {"start": iso(start, terms.zone), "end": iso(end, terms.zone)}
    return None


def _period_rule(rule: PeriodRule) -> Json:
    anchor = rule.anchor
    return {"kind": str(rule.kind), "anchor": None if anchor is None else str(anchor)}


def _recurring(window: WeeklyWindow | RRuleWindow) -> str:
    if isinstance(window, WeeklyWindow):
        return window.text()
    return f"{window.rule} from {window.dtstart:%Y-%m-%dT%H:%M} for {window.duration} s"


def ticket(view: RequestView) -> Json:
    """A support request: its events, and each target's clock as the support report
    writes it (instants in the contract's zone)."""
    data, zone = view.data(), view.terms.zone
    return {
        "contract": view.contract,
        "ticket": data["ticket"],
        "priority": data["priority"],
        "opened": data["opened"],
        "state": "closed" if view.closed() else "open",
        "events": [
            {
                "event": str(e.kind),
                "at": iso(e.at, zone),
                "reason": None if e.reason is None else str(e.reason),
                "note": e.note,
            }
            for e in view.result.request.events
        ],
        "targets": data["targets"],
    }
