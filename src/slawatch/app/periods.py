"""Closed periods: a period's report frozen once the period is over, then amended
only on purpose, each version with its SHA-256, who made it, when and why.

Closing stores the JSON report in canonical form with its hash (reports/versions.py)
as version 0; amendment ``n`` stores the new report, its hash, the previous
version's hash, the changes field by field and the reason. The store keeps the
versions (store/closed_periods.py); this module decides what to store and checks
what it reads back.

Reading verifies: each stored report must still hash to its recorded SHA-256, be
the report of its contract and period, and name its predecessor's hash, and the
numbers must run from 0 without a gap. A period that fails is returned with its
``problems`` and its report is never handed out as valid (``TamperedReport``).

Errors, all ``StoreError`` (store/database.py draws the rest of the tree)::

    AlreadyClosed    the period was closed before (names the hash)
    NothingChanged   an amendment would store the very same report
    TamperedReport   a stored version fails verification
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from slawatch.errors import UserError
from slawatch.reports.versions import canonical, diff, fingerprint, sha256
from slawatch.store.closed_periods import NewVersion, StoredPeriod, Version
from slawatch.store.store import NotFound, Store, StoreError


class CannotClose(UserError, ValueError):
    """A period that is not over yet, or an amendment without a reason."""


class AlreadyClosed(StoreError):
    """The period was closed before: amend it instead."""


class NothingChanged(StoreError):
    """An amendment would store the report that is already frozen."""


class TamperedReport(StoreError):
    """A stored report no longer matches its recorded SHA-256 (or the chain of versions
    is broken): it was changed outside slawatch."""


@dataclass(frozen=True, slots=True)
class ClosedPeriod:
    """A closed period and every version of its report, oldest first, verified."""

    contract: str
    period: str  # the period's label: 2026-10, 2026
    versions: tuple[Version, ...]
    problems: tuple[str, ...]  # what fails verification; empty when every hash checks

    @classmethod
    def of(cls, stored: StoredPeriod) -> ClosedPeriod:
        problems = tuple(_problems(stored))
        return cls(stored.contract, stored.period, stored.versions, problems)

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


def closed(
    store: Store, contracts: Sequence[str] | None = None, period: str | None = None
) -> list[ClosedPeriod]:
    """The closed periods of ``contracts`` (None: all), of one ``period`` label or all,
    by contract and label, each verified."""
    return [ClosedPeriod.of(stored) for stored in store.period_versions(contracts, period)]


def close(store: Store, reports: Sequence[Mapping[str, Any]], actor: str) -> list[ClosedPeriod]:
    """Freeze each report (of a period that is over) as version 0, audited; all or none.

    Raises ``CannotClose`` for a period not over yet and ``AlreadyClosed`` for one
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
        raise CannotClose("\n".join(unfinished))
    found = _matching(store, keys)
    if found:
        raise AlreadyClosed("\n".join(_already_closed(c) for c in found))
    store.add_period_versions([_version(report, previous=None) for report in reports], actor)
    return _matching(store, keys)


def amend(store: Store, report: Mapping[str, Any], reason: str, actor: str) -> ClosedPeriod:
    """Store ``report`` as the next version of its closed period, with the changes
    from the current one and ``reason``, audited; returns the period as it is now.

    Raises ``NotFound`` when the period is not closed, ``TamperedReport`` when its
    versions fail verification, ``NothingChanged`` when ``report`` is the frozen one,
    and ``CannotClose`` for an empty reason.
    """
    contract, period = _key(report)
    if not reason.strip():
        raise CannotClose("an amendment needs a reason (for the customer and the audit log)")
    current = _one(store, contract, period)
    frozen, latest = current.frozen(), current.latest
    if fingerprint(report) == latest.sha256:
        raise NothingChanged(
            f"nothing changed: {contract} {period} still matches version {latest.number} "
            f"(sha256 {latest.sha256})"
        )
    changes = tuple(change.to_json() for change in diff(frozen, report))
    amended = _version(report, previous=latest, reason=reason, changes=changes)
    store.add_period_versions([amended], actor)
    return _one(store, contract, period)


# -- internals ---------------------------------------------------------------------------


def _matching(store: Store, keys: Sequence[tuple[str, str]]) -> list[ClosedPeriod]:
    """The closed periods among ``keys`` (contract, period label)."""
    found = closed(store, sorted({contract for contract, _ in keys}))
    return [period for period in found if (period.contract, period.period) in keys]


def _one(store: Store, contract: str, period: str) -> ClosedPeriod:
    found = closed(store, [contract], period)
    if not found:
        raise NotFound(f"{contract} {period} is not closed (slawatch period close closes it)")
    return found[0]


def _version(
    report: Mapping[str, Any],
    *,
    previous: Version | None,
    reason: str = "",
    changes: tuple[dict[str, Any], ...] = (),
) -> NewVersion:
    """``report`` as the version after ``previous`` (None: version 0), in canonical form."""
    contract, period = _key(report)
    text = canonical(report)
    return NewVersion(
        contract,
        period,
        number=previous.number + 1 if previous else 0,
        report=text,
        sha256=sha256(text),
        previous_sha256=previous.sha256 if previous else None,
        changes=changes,
        reason=reason,
    )


def _problems(stored: StoredPeriod) -> Iterable[str]:
    """Why the stored versions cannot be trusted, if they cannot."""
    key = stored.contract, stored.period
    previous = None
    for expected, version in enumerate(stored.versions):
        name = f"{stored.contract} {stored.period} version {version.number}"
        actual = sha256(version.report)
        if actual != version.sha256:
            yield (
                f"{name}: the stored report hashes to {actual}, not to its recorded sha256 "
                f"{version.sha256}: it was changed outside slawatch"
            )
        elif _identity(version.report) != key:
            yield f"{name}: the stored report is not the report of {key[0]} {key[1]}"
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


def _already_closed(period: ClosedPeriod) -> str:
    latest = period.latest
    return (
        f"{period.contract} {period.period} is already closed (version {latest.number}, "
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
        "changes": list(version.changes),
    }


def _iso(instant: int, zone: ZoneInfo) -> str:
    return datetime.fromtimestamp(instant, zone).isoformat()
