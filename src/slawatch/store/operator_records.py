"""The operator's records: maintenance windows, exclusions, claims, and their audit log.

Every record is added, and cancelled or revoked, in the caller's transaction
together with an audit row saying who did it, when, and which fields it set.
Records are never deleted. Instants are UTC epoch seconds.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, Row, Table, insert, select, update

from slawatch.sla.exclusions import (
    Claim,
    Exclusion,
    ExclusionReason,
    MaintenanceKind,
    MaintenanceWindow,
)
from slawatch.store import schema as db
from slawatch.store.database import NotFound

# The records' fields that hold instants (UTC seconds), for those who print them.
INSTANT_FIELDS = frozenset(
    {"start", "end", "at", "declared_at", "created_at", "cancelled_at", "revoked_at", "closed_at"}
)


@dataclass(frozen=True, slots=True)
class MaintenanceRecord:
    id: int
    contract: str
    start: int  # UTC seconds
    end: int  # UTC seconds, exclusive
    kind: MaintenanceKind
    declared_at: int  # when the customer was told
    note: str
    author: str  # who declared it
    created_at: int  # when it was declared in slawatch
    cancelled_at: int | None  # None while the window stands
    cancelled_by: str | None


@dataclass(frozen=True, slots=True)
class ExclusionRecord:
    id: int
    contract: str
    start: int  # UTC seconds
    end: int  # UTC seconds, exclusive
    reason: ExclusionReason
    note: str  # why, in the operator's words, for the customer
    author: str
    created_at: int
    revoked_at: int | None  # None while the exclusion stands
    revoked_by: str | None


@dataclass(frozen=True, slots=True)
class ClaimRecord:
    id: int
    contract: str
    at: int  # an instant inside the claimed outage, UTC seconds
    ticket: str  # the customer's reference
    author: str
    created_at: int


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: int
    at: int  # UTC seconds
    actor: str
    action: str  # e.g. maintenance.add, maintenance.cancel, exclusion.revoke, claim.add
    entity: str  # maintenance, exclusion or claim
    entity_id: int
    contract: str
    detail: str  # JSON object: the fields the action set


@dataclass(frozen=True, slots=True)
class Entity:
    """An audited kind of record."""

    name: str  # in audit rows and messages
    table: Table
    verb: str = ""  # how a record is retired: cancel, revoke (claims are never retired)
    done: str = ""  # the retired state: prefix of the <done>_at and <done>_by columns


MAINTENANCE = Entity("maintenance", db.maintenance, "cancel", "cancelled")
EXCLUSION = Entity("exclusion", db.exclusions, "revoke", "revoked")
CLAIM = Entity("claim", db.claims)
SAMPLES = Entity("samples", db.samples)  # imports, audited per contract whose figures they change


def add(conn: Connection, entity: Entity, values: dict[str, Any], *, actor: str, now: int) -> int:
    """Insert a record of ``entity`` with ``values`` (a ``contract`` among them), audited;
    returns its id."""
    result = conn.execute(insert(entity.table).values(author=actor, created_at=now, **values))
    # A single-row INSERT always reports its key (lastrowid, or RETURNING).
    new_id = int(cast("Row[Any]", result.inserted_primary_key)[0])
    audit(conn, entity, "add", new_id, values["contract"], actor=actor, at=now, detail=values)
    return new_id


def retire(conn: Connection, entity: Entity, record_id: int, *, actor: str, now: int) -> Row[Any]:
    """Cancel or revoke a standing record, audited; returns its row as it is now.

    Raises ``NotFound`` when there is no such record or it was already retired.
    """
    table, done = entity.table, entity.done
    change = {f"{done}_at": now, f"{done}_by": actor}
    updated = conn.execute(
        update(table).where(table.c.id == record_id, table.c[f"{done}_at"].is_(None)).values(change)
    )
    row = conn.execute(select(table).where(table.c.id == record_id)).one_or_none()
    if row is None:
        raise NotFound(f"{entity.name} #{record_id} does not exist")
    if updated.rowcount == 0:
        by, at = row._mapping[f"{done}_by"], _iso(row._mapping[f"{done}_at"])
        raise NotFound(f"{entity.name} #{record_id} was already {done} by {by} at {at}")
    audit(conn, entity, entity.verb, record_id, row.contract, actor=actor, at=now, detail=change)
    return row


def audit_import(
    conn: Connection, changed: Mapping[str, Sequence[str]], *, actor: str, now: int, source: str
) -> None:
    """One ``samples.import`` row per contract in ``changed`` (contract -> the targets
    whose timeline the import changed): late history changes figures, so it is
    evidence too, and what tells a running agent's metrics to recompute them."""
    for contract, targets in changed.items():
        detail = {"source": source, "targets": sorted(targets)}
        audit(conn, SAMPLES, "import", 0, contract, actor=actor, at=now, detail=detail)


def check_span(start: int, end: int) -> None:
    """Raises ``ValueError`` unless ``[start, end)`` holds at least one second."""
    if end <= start:
        raise ValueError(f"end ({_iso(end)}) must be after start ({_iso(start)})")


def listing(table: Table, contract: str | None, *order: Any) -> Any:
    """The rows of ``table``, of one contract or all, by ``order`` then id."""
    query = select(table).order_by(*order, table.c.id)
    return query if contract is None else query.where(table.c.contract == contract)


def overlapping(table: Table, contracts: Sequence[str], start: int, end: int, retired: Any) -> Any:
    """The contracts' standing rows (``retired`` is NULL) that overlap ``[start, end)``."""
    return (
        select(table)
        .where(table.c.contract.in_(contracts), retired.is_(None))
        .where(table.c.start_ts < end, table.c.end_ts > start)
        .order_by(table.c.start_ts, table.c.id)
    )


T = TypeVar("T")


def maintenance_record(row: Row[Any]) -> MaintenanceRecord:
    return MaintenanceRecord(
        id=row.id,
        contract=row.contract,
        start=row.start_ts,
        end=row.end_ts,
        kind=MaintenanceKind(row.kind),
        declared_at=row.declared_at,
        note=row.note,
        author=row.author,
        created_at=row.created_at,
        cancelled_at=row.cancelled_at,
        cancelled_by=row.cancelled_by,
    )


def exclusion_record(row: Row[Any]) -> ExclusionRecord:
    return ExclusionRecord(
        id=row.id,
        contract=row.contract,
        start=row.start_ts,
        end=row.end_ts,
        reason=ExclusionReason(row.reason),
        note=row.note,
        author=row.author,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        revoked_by=row.revoked_by,
    )


def maintenance_window(row: Row[Any]) -> MaintenanceWindow:
    """A maintenance row as the core reads it."""
    return MaintenanceWindow(
        id=row.id,
        start=row.start_ts,
        end=row.end_ts,
        kind=MaintenanceKind(row.kind),
        declared_at=row.declared_at,
        note=row.note,
    )


def claim(row: Row[Any]) -> Claim:
    """A claim row as the core reads it."""
    return Claim(row.id, row.at, row.ticket, row.created_at)


def by_contract(rows: Iterable[Row[Any]], convert: Callable[[Row[Any]], T]) -> dict[str, list[T]]:
    """Rows converted and grouped by their ``contract`` column, in row order."""
    grouped: dict[str, list[T]] = defaultdict(list)
    for row in rows:
        grouped[row.contract].append(convert(row))
    return grouped


def exclusion(row: Row[Any]) -> Exclusion:
    """An exclusion row as the core reads it."""
    return Exclusion(
        id=row.id,
        start=row.start_ts,
        end=row.end_ts,
        reason=ExclusionReason(row.reason),
        note=row.note,
        author=row.author,
        created_at=row.created_at,
    )


def audit(  # noqa: PLR0913 (one per column of the audit row)
    conn: Connection,
    entity: Entity,
    verb: str,
    entity_id: int,
    contract: str,
    *,
    actor: str,
    at: int,
    detail: dict[str, Any],
) -> None:
    """Record who did what to which record, and the fields it set."""
    conn.execute(
        insert(db.audit).values(
            at=at,
            actor=actor,
            action=f"{entity.name}.{verb}",
            entity=entity.name,
            entity_id=entity_id,
            contract=contract,
            detail=json.dumps(detail, sort_keys=True),
        )
    )


def _iso(instant: int) -> str:
    return datetime.fromtimestamp(instant, UTC).isoformat().replace("+00:00", "Z")
