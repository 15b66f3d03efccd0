"""Closed periods as stored: every version of a period's frozen report, oldest first.

Version 0 is the report as closed; version ``n`` is the ``n``-th amendment. Each
version is written in the caller's transaction together with its audit row, and
never updated nor deleted. The store keeps what it is given (the canonical text,
its SHA-256, the changes) and hands it back as it finds it: freezing, hashing,
diffing and verifying are app/periods.py's, over reports/versions.py.

A unique index on (contract, period, version) makes two writers that both read
version ``n`` unable to both write ``n + 1``: the second gets a ``StoreError``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any, cast

from sqlalchemy import Connection, Row, insert, select
from sqlalchemy.exc import IntegrityError

from slawatch.store import schema as db
from slawatch.store.database import StoreError
from slawatch.store.operator_records import Entity, audit

PERIOD = Entity("period", db.period_reports)
Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class NewVersion:
    """A version of a period's report to store."""

    contract: str
    period: str  # the period's label: 2026-10, 2026
    number: int  # 0: the report as closed; n: the n-th amendment
    report: str  # the canonical JSON report
    sha256: str  # its SHA-256
    previous_sha256: str | None  # the version it replaces; None for version 0
    changes: tuple[Json, ...] = ()  # field by field from the previous version, as JSON objects
    reason: str = ""  # why it was amended ("" for version 0)


@dataclass(frozen=True, slots=True)
class Version:
    """One stored version of a period's report, as found."""

    id: int
    number: int  # 0: the report as closed; n: the n-th amendment
    report: str  # the canonical JSON report, as stored
    sha256: str  # its SHA-256, as recorded
    previous_sha256: str | None  # the version it replaced; None for version 0
    changes: tuple[Json, ...]  # field by field, from the previous version, as JSON objects
    reason: str  # why it was amended ("" for version 0)
    author: str
    created_at: int  # UTC seconds


@dataclass(frozen=True, slots=True)
class StoredPeriod:
    """A closed period's versions, oldest first, as found."""

    contract: str
    period: str  # the period's label: 2026-10, 2026
    versions: tuple[Version, ...]


def write(conn: Connection, versions: Sequence[NewVersion], *, actor: str, now: int) -> None:
    """Store each version with its audit row. Raises ``StoreError`` when one of them
    exists already: someone else closed or amended the period meanwhile."""
    for version in versions:
        _insert(conn, version, actor=actor, now=now)


def read(
    conn: Connection, contracts: Sequence[str] | None = None, period: str | None = None
) -> list[StoredPeriod]:
    """The closed periods of ``contracts`` (None: all), of one ``period`` label or all,
    by contract and label."""
    table = db.period_reports
    query = select(table).order_by(table.c.contract, table.c.period, table.c.version)
    if contracts is not None:
        query = query.where(table.c.contract.in_(contracts))
    if period is not None:
        query = query.where(table.c.period == period)
    rows = conn.execute(query)
    return [_stored(key, group) for key, group in groupby(rows, lambda r: (r.contract, r.period))]


def _insert(conn: Connection, version: NewVersion, *, actor: str, now: int) -> None:
    contract, period = version.contract, version.period
    listed = list(version.changes)
    detail = {
        "contract": contract,
        "period": period,
        "version": version.number,
        "sha256": version.sha256,
        "previous_sha256": version.previous_sha256,
        "reason": version.reason,
    }
    row = {**detail, "report": version.report, "changes": json.dumps(listed, ensure_ascii=False)}
    try:
        result = conn.execute(insert(db.period_reports).values(author=actor, created_at=now, **row))
    except IntegrityError:  # the unique (contract, period, version) index: a race lost
        raise StoreError(
            f"{contract} {period} was closed or amended by someone else meanwhile: "
            "run the command again"
        ) from None
    new_id = int(cast("Row[Any]", result.inserted_primary_key)[0])
    verb = "amend" if version.number else "close"
    detail["changes"] = listed
    audit(conn, PERIOD, verb, new_id, contract, actor=actor, at=now, detail=detail)


def _stored(key: tuple[str, str], rows: Iterable[Row[Any]]) -> StoredPeriod:
    return StoredPeriod(key[0], key[1], tuple(_version(row) for row in rows))


def _version(row: Row[Any]) -> Version:
    return Version(
        id=row.id,
        number=row.version,
        report=row.report,
        sha256=row.sha256,
        previous_sha256=row.previous_sha256,
        changes=tuple(json.loads(row.changes)),
        reason=row.reason,
        author=row.author,
        created_at=row.created_at,
    )
