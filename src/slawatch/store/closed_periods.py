"""Closed periods: a period's report frozen once the period is over, then amended
only on purpose, each version with its SHA-256, who made it, when and why.

Version 0 is the report as closed; amendment ``n`` stores the new report, its
hash, the previous version's hash, the changes field by field and the reason.
Every version is written in the caller's transaction together with its audit
row, and never updated nor deleted.

Reading verifies: each stored report must still hash to its recorded SHA-256,
each version must name its predecessor's hash, and the numbers must run from 0
without a gap. A period that fails is returned with its ``problems`` and its
report is never handed out as valid (``TamperedReport``).

Errors, all ``StoreError`` (database.py draws the rest of the tree)::

    AlreadyClosed    the period was closed before (names the hash)
    NothingChanged   an amendment would store the very same report
    TamperedReport   a stored version fails verification
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Row, insert, select
from sqlalchemy.exc import IntegrityError

from slawatch.reports.versions import Change, canonical, diff, fingerprint, sha256
from slawatch.store import schema as db
from slawatch.store.database import NotFound, StoreError
from slawatch.store.operator_records import Entity, audit

PERIOD = Entity("period", db.period_reports)


class AlreadyClosed(StoreError):
    """The period was closed before: amend it instead."""


class NothingChanged(StoreError):
    """An amendment would store the report that is already frozen."""


class TamperedReport(StoreError):
    """A stored report no longer matches its recorded SHA-256 (or the chain of versions
    is broken): it was changed outside slawatch."""


@dataclass(frozen=True, slots=True)
class Version:
    """One frozen version of a period's report."""

    id: int
    number: int  # 0: the report as closed; n: the n-th amendment
    report: str  # the canonical JSON report, as stored
    sha256: str  # its SHA-256, as recorded
    previous_sha256: str | None  # the version it replaced; None for version 0
    changes: tuple[Change, ...]  # field by field, from the previous version
    reason: str  # why it was amended ("" for version 0)
    author: str
    created_at: int  # UTC seconds


@dataclass(frozen=True, slots=True)
class ClosedPeriod:
    """A closed period and every version of its report, oldest first."""

    contract: str
    period: str  # the period's label: 2026-10, 2026
    versions: tuple[Version, ...]
    problems: tuple[str, ...]  # what fails verification; empty when every hash checks

    @property
    def latest(self) -> Version:
        return self.versions[-1]

    def frozen(self) -> dict[str, Any]:
        """The latest version's report, exactly as frozen; raises ``TamperedReport``
        when the period fails verification."""
        if self.problems:
            raise TamperedReport("\n".join(self.problems))
        return cast(dict[str, Any], json.loads(self.latest.report))

    def report(self) -> dict[str, Any]:
        """The latest report with a ``closed`` block: when and by whom the period
        was closed, the version shown and its SHA-256, and every amendment."""
        data = self.frozen()
        zone = ZoneInfo(data["period"]["time_zone"])
        first = self.versions[0]
        data["closed"] = {
            "at": _iso(first.created_at, zone),
            "by": first.author,
            "version": self.latest.number,
            "sha256": self.latest.sha256,
            "amendments": [_amendment(v, zone) for v in self.versions[1:]],
        }
        return data


def close(
    conn: Connection, reports: Sequence[Mapping[str, Any]], *, actor: str, now: int
) -> list[ClosedPeriod]:
    """Freeze each report (of a period that is over) as version 0, audited; all or none.

    Raises ``ValueError`` for a period not over yet and ``AlreadyClosed`` for one
    closed before, naming every such period.
    """
    keys = [_key(report) for report in reports]
    unfinished = [
        f"{c} {p} has not ended yet (it ends {r['period']['end']}): "
        "only a period that is over can be closed"
        for (c, p), r in zip(keys, reports, strict=True)
        if not r["complete"]
    ]
    if unfinished:
        raise ValueError("\n".join(unfinished))
    found = _matching(conn, keys)
    if found:
        raise AlreadyClosed("\n".join(_already_closed(c) for c in found))
    for report in reports:
        _insert(conn, report, previous=None, reason="", actor=actor, now=now)
    return _matching(conn, keys)


def amend(
    conn: Connection, report: Mapping[str, Any], *, reason: str, actor: str, now: int
) -> ClosedPeriod:
    """Store ``report`` as the next version of its closed period, with the changes
    from the current one and ``reason``, audited; returns the period as it is now.

    Raises ``NotFound`` when the period is not closed, ``TamperedReport`` when its
    versions fail verification, ``NothingChanged`` when ``report`` is the frozen one,
    and ``ValueError`` for an empty reason.
    """
    contract, period = _key(report)
    if not reason.strip():
        raise ValueError("an amendment needs a reason (for the customer and the audit log)")
    closed = _one(conn, contract, period)
    frozen, latest = closed.frozen(), closed.latest
    if fingerprint(report) == latest.sha256:
        raise NothingChanged(
            f"nothing changed: {contract} {period} still matches version {latest.number} "
            f"(sha256 {latest.sha256})"
        )
    changes = diff(frozen, report)
    _insert(conn, report, previous=latest, reason=reason, actor=actor, now=now, changes=changes)
    return _one(conn, contract, period)


def read(
    conn: Connection, contracts: Sequence[str] | None = None, period: str | None = None
) -> list[ClosedPeriod]:
    """The closed periods of ``contracts`` (None: all), of one ``period`` label or all,
    by contract and label, each verified."""
    table = db.period_reports
    query = select(table).order_by(table.c.contract, table.c.period, table.c.version)
    if contracts is not None:
        query = query.where(table.c.contract.in_(contracts))
    if period is not None:
        query = query.where(table.c.period == period)
    rows = conn.execute(query)
    return [_closed(key, group) for key, group in groupby(rows, lambda r: (r.contract, r.period))]


# -- internals ---------------------------------------------------------------------------


def _matching(conn: Connection, keys: Sequence[tuple[str, str]]) -> list[ClosedPeriod]:
    """The closed periods among ``keys`` (contract, period label)."""
    found = read(conn, sorted({contract for contract, _ in keys}))
    return [closed for closed in found if (closed.contract, closed.period) in keys]


def _one(conn: Connection, contract: str, period: str) -> ClosedPeriod:
    found = read(conn, [contract], period)
    if not found:
        raise NotFound(f"{contract} {period} is not closed (slawatch period close closes it)")
    return found[0]


def _insert(
    conn: Connection,
    report: Mapping[str, Any],
    *,
    previous: Version | None,
    reason: str,
    actor: str,
    now: int,
    changes: Sequence[Change] = (),
) -> None:
    """Store ``report`` as the version after ``previous`` (None: version 0), audited."""
    contract, period = _key(report)
    number = previous.number + 1 if previous else 0
    text = canonical(report)
    listed = [change.to_json() for change in changes]
    detail = {
        "contract": contract,
        "period": period,
        "version": number,
        "sha256": sha256(text),
        "previous_sha256": previous.sha256 if previous else None,
        "reason": reason,
    }
    row = {**detail, "report": text, "changes": json.dumps(listed, ensure_ascii=False)}
    try:
        result = conn.execute(insert(db.period_reports).values(author=actor, created_at=now, **row))
    except IntegrityError:  # the unique (contract, period, version) index: a race lost
        raise StoreError(
            f"{contract} {period} was closed or amended by someone else meanwhile: "
            "run the command again"
        ) from None
    new_id = int(cast("Row[Any]", result.inserted_primary_key)[0])
    verb = "amend" if number else "close"
    detail["changes"] = listed
    audit(conn, PERIOD, verb, new_id, contract, actor=actor, at=now, detail=detail)


def _closed(key: tuple[str, str], rows: Iterable[Row[Any]]) -> ClosedPeriod:
    versions = tuple(_version(row) for row in rows)
    return ClosedPeriod(key[0], key[1], versions, tuple(_problems(key, versions)))


def _version(row: Row[Any]) -> Version:
    return Version(
        id=row.id,
        number=row.version,
        report=row.report,
        sha256=row.sha256,
        previous_sha256=row.previous_sha256,
        changes=tuple(Change.from_json(c) for c in json.loads(row.changes)),
        reason=row.reason,
        author=row.author,
        created_at=row.created_at,
    )


def _problems(key: tuple[str, str], versions: Sequence[Version]) -> Iterable[str]:
    """Why the stored versions cannot be trusted, if they cannot."""
    contract, period = key
    previous = None
    for expected, version in enumerate(versions):
        name = f"{contract} {period} version {version.number}"
        actual = sha256(version.report)
        if actual != version.sha256:
            yield (
                f"{name}: the stored report hashes to {actual}, not to its recorded sha256 "
                f"{version.sha256}: it was changed outside slawatch"
            )
        elif _identity(version.report) != key:
            yield f"{name}: the stored report is not the report of {contract} {period}"
        if version.number != expected:
            yield f"{name}: expected version {expected}: a version is missing"
        if version.previous_sha256 != previous:
            yield (
                f"{name}: records previous sha256 {version.previous_sha256}, but the version "
                f"before it has {previous}"
            )
        previous = version.sha256


def _identity(text: str) -> tuple[str, str] | None:
    try:
        return _key(json.loads(text))
    except (ValueError, KeyError, TypeError):
        return None


def _key(report: Mapping[str, Any]) -> tuple[str, str]:
    """The (contract, period label) a report is about."""
    return report["contract"], report["period"]["label"]


def _already_closed(closed: ClosedPeriod) -> str:
    latest = closed.latest
    return (
        f"{closed.contract} {closed.period} is already closed (version {latest.number}, "
        f"sha256 {latest.sha256}): amend it with slawatch period amend"
    )


def _amendment(version: Version, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "version": version.number,
        "at": _iso(version.created_at, zone),
        "by": version.author,
        "reason": version.reason,
        "sha256": version.sha256,
        "previous_sha256": version.previous_sha256,
        "changes": [change.to_json() for change in version.changes],
    }


def _iso(instant: int, zone: ZoneInfo) -> str:
    return datetime.fromtimestamp(instant, zone).isoformat()
