"""What the ``slawatch`` commands and the agent's HTTP API both do: one code path each.

A report, a maintenance window, an exclusion and a claim are made from the same
text whether it comes from a command line or a JSON body (ISO 8601 instants,
period labels), checked the same way and handed to the same store and report
code. Only the spelling of a field differs (``--declared-at`` on a command line,
``declared_at`` in JSON): every function takes a ``Spell`` for its messages, and
every error it raises about a field says which one, by its JSON name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slawatch.app.context import Context, Spell
from slawatch.app.evaluate import LOOKBACK, Probing, service_timeline
from slawatch.app.reports import shown
from slawatch.errors import UserError
from slawatch.sla.contract import ContractTerms
from slawatch.sla.exclusions import (
    ExclusionReason,
    MaintenanceKind,
    MaintenanceWindow,
    maintenance_verdict,
)
from slawatch.sla.outages import outage_covering
from slawatch.sla.periods import resolve_period

# Instants accepted: 1970-01-01T00:00Z up to 9999-01-01T00:00Z (exclusive), the years
# periods may have; outside them an instant could not even be written back in every zone.
FIRST_INSTANT, END_INSTANT = 0, 253_370_764_800


def option(field: str) -> str:
    """A field as a command-line option: ``declared_at`` -> ``--declared-at``."""
    return "--" + field.replace("_", "-")


def key(field: str) -> str:
    """A field as a JSON key: itself."""
    return field


class FieldError(UserError, ValueError):
    """A value given for ``field`` (its JSON name) cannot be used; the message says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class NothingToClaim(UserError, LookupError):
    """No outage covers the instant a claim names."""

    field = "at"


def parse_instant(text: str, zone: ZoneInfo | None, field: str, spell: Spell) -> int:
    """An ISO 8601 instant in UTC seconds; one without an offset is read in ``zone``
    (and is an error without one: several contracts, several zones)."""
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise FieldError(
            field,
            f"{spell(field)}: {text!r} is not an ISO 8601 instant (e.g. 2026-10-01T08:00:00+02:00)",
        ) from None
    if instant.tzinfo is None:
        if zone is None:
            raise FieldError(
                field,
                f"{spell(field)}: {text!r} needs an offset (e.g. {text}Z or {text}+01:00): "
                "the contracts have their own time zones",
            )
        instant = instant.replace(tzinfo=zone)
    seconds = int(instant.timestamp())
    if not FIRST_INSTANT <= seconds < END_INSTANT:
        raise FieldError(field, f"{spell(field)}: {text!r} is outside the years 1970..9998")
    return seconds


def span(terms: ContractTerms, start: str, end: str, spell: Spell) -> tuple[int, int]:
    """The ``[start, end)`` a window or an exclusion covers, in UTC seconds, checked."""
    first = parse_instant(start, terms.zone, "start", spell)
    last = parse_instant(end, terms.zone, "end", spell)
    if last <= first:
        raise FieldError("end", f"{spell('end')} ({end}) must be after {spell('start')} ({start})")
    return first, last


def contract_reports(
    context: Context, names: Sequence[str], period: str, *, as_of: str | None
) -> list[Mapping[str, Any]]:
    """The JSON report of each contract for the period labelled ``period`` (``2026-10``,
    ``2026``): frozen where the period is closed, else as known at ``as_of`` (default
    ``now``; an instant without an offset is read in the zone of a single contract).
    Records are read as stored now. The store is opened once the request is checked:
    a bad period is told before a missing database."""
    config, now, spell = context.config, context.now, context.spell
    models = [config.contract(name) for name in names]
    zone = models[0].terms().zone if len(models) == 1 else None
    moment = parse_instant(as_of, zone, "as_of", spell) if as_of is not None else now
    for model in models:
        _check_started(model.terms(), period, moment, spell("as_of") if as_of else "now")
    reports = shown(context.store, config, [m.name for m in models], period, moment)
    closed = [f"{r['contract']} {period}" for r in reports if "closed" in r]
    if as_of is not None and closed:
        raise FieldError(
            "as_of", f"{spell('as_of')} assesses open periods only; closed: {', '.join(closed)}"
        )
    return reports


def _check_started(terms: ContractTerms, label: str, moment: int, moment_name: str) -> None:
    """A period must exist, and have begun by ``moment``: a report "up to" an instant
    before its start would assess nothing (``2027-01`` typed for ``2026-01``)."""
    try:
        start = resolve_period(label, terms.period, terms.zone).start
    except ValueError as exc:
        raise FieldError("period", str(exc)) from None
    if start >= moment:
        begins = datetime.fromtimestamp(start, terms.zone).isoformat()
        raise FieldError(
            "period",
            f"period {label} of {terms.name} begins {begins}, after {moment_name} "
            f"({datetime.fromtimestamp(moment, terms.zone).isoformat()}): nothing to assess yet",
        )


def contract_report(
    context: Context, contract: str, period: str, *, as_of: str | None
) -> Mapping[str, Any]:
    """``contract_reports`` for one contract."""
    [report] = contract_reports(context, [contract], period, as_of=as_of)
    return report


@dataclass(frozen=True, slots=True)
class NewMaintenance:
    id: int
    why_not: str | None  # why its time is not excluded (late notice...); None: it is


def add_maintenance(  # noqa: PLR0913 (the context, the contract; the record's fields by keyword)
    context: Context,
    contract: str,
    *,
    start: str,
    end: str,
    kind: str,
    declared_at: str | None = None,
    note: str,
    actor: str,
) -> NewMaintenance:
    """Declare a maintenance window (``declared_at`` defaults to now); returns its id
    and why the contract does not exclude its time (as the report will say), if not."""
    terms = context.config.contract(contract).terms()
    first, last = span(terms, start, end, context.spell)
    declared = (
        parse_instant(declared_at, terms.zone, "declared_at", context.spell)
        if declared_at is not None
        else context.now
    )
    new_id = context.store.add_maintenance(
        contract=contract,
        start=first,
        end=last,
        kind=MaintenanceKind(kind),
        declared_at=declared,
        note=note,
        actor=actor,
    )
    window = MaintenanceWindow(new_id, first, last, MaintenanceKind(kind), declared, note)
    return NewMaintenance(new_id, maintenance_verdict(window, terms.maintenance))


def add_exclusion(  # noqa: PLR0913 (the context, the contract; the record's fields by keyword)
    context: Context,
    contract: str,
    *,
    start: str,
    end: str,
    reason: str,
    note: str,
    actor: str,
) -> int:
    """Exclude ``[start, end)`` from the contract's downtime; returns its id."""
    terms = context.config.contract(contract).terms()
    first, last = span(terms, start, end, context.spell)
    return context.store.add_exclusion(
        contract=contract,
        start=first,
        end=last,
        reason=ExclusionReason(reason),
        note=note,
        actor=actor,
    )


def add_claim(context: Context, contract: str, *, at: str, ticket: str, actor: str) -> int:
    """Mark the outage covering ``at`` as reported by the customer; returns the claim's id.

    Raises ``NothingToClaim`` when no outage of the contract covers ``at`` as the
    report sees it (after the contract's unknown-time policy; nothing after ``now``).
    """
    terms = context.config.contract(contract).terms()
    instant = parse_instant(at, terms.zone, "at", context.spell)
    end = min(instant + LOOKBACK, context.now)
    probing = Probing.of(context.config)
    timeline = service_timeline(context.store, terms, probing, instant - LOOKBACK, end)
    if instant >= end or outage_covering(timeline, terms.unknown_as, instant) is None:
        raise NothingToClaim(f"no outage of {contract} covers {at}: nothing to claim")
    return context.store.add_claim(contract, instant, ticket, actor)
