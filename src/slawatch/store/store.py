"""The database behind slawatch: probe samples, flips, and the operator's records.

``Store`` is the only way in. It runs over SQLite (default) or PostgreSQL,
chosen by URL, migrates the schema on first use, and speaks in the core's
types (``Flip``, ``MaintenanceWindow``, ``Exclusion``, ``Claim``) plus a few
records of its own. Instants are integers: samples in UTC epoch milliseconds,
everything else in UTC epoch seconds. It raises ``StoreError`` when the
database cannot be used and ``NotFound`` for a missing record (database.py
draws the tree).

Behind it, one module per concern:

    database.py          URL checks, engine, transactions, migrations, the errors
    sample_import.py     bulk insert of samples per database, ``SampleRow``, ``ImportResult``
    flips.py             flips recomputed from the samples, and read back
    operator_records.py  maintenance windows, exclusions and claims, written with their
                         audit row; their records
    closed_periods.py    the versions of closed periods' frozen reports, as stored
    renewal_records.py   renewals recorded (checked by the core, audited) and expiry
                         notices moved along their delivery states
    tickets.py           support requests and their events, imported once, audited
    clocks.py            support requests' settled clocks, stored for reports
    counter_holds.py     the SLA counters a leader held above the data, for the next one
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Row, func, select

from slawatch.sla.exclusions import (
    ContractRecords,
    ExclusionReason,
    MaintenanceKind,
)
from slawatch.sla.renewals import Delivery, Notice, RenewalTerms
from slawatch.sla.support import Request, SupportTerms
from slawatch.sla.support_assess import RequestResult, Written
from slawatch.sla.timeline import Flip, TimelineRule
from slawatch.store import clocks, closed_periods, counter_holds, renewal_records, tickets
from slawatch.store import schema as db
from slawatch.store.clocks import Computed
from slawatch.store.closed_periods import NewVersion, StoredPeriod
from slawatch.store.counter_holds import CounterHold
from slawatch.store.database import (
    Database,
    NotFound,
    StoreError,
    Unavailable,
    engine_for,
    schema_lock,
)
from slawatch.store.flips import TimelineNews, Where, flips_around, recompute
from slawatch.store.leader import LeaderLock, notify_changed
from slawatch.store.operator_records import (
    CLAIM,
    EXCLUSION,
    MAINTENANCE,
    AuditRecord,
    ClaimRecord,
    Entity,
    ExclusionRecord,
    MaintenanceRecord,
    add,
    audit_import,
    by_contract,
    check_span,
    claim,
    exclusion,
    exclusion_record,
    listing,
    maintenance_record,
    maintenance_window,
    overlapping,
    retire,
)
from slawatch.store.renewal_records import NoticeRecord, RenewalRecord
from slawatch.store.sample_import import (
    ImportResult,
    SampleColumns,
    SampleConflict,
    SampleImport,
    SampleRow,
    TargetImport,
)
from slawatch.store.tickets import Check, TicketEvent, TicketImport, Unclocked

# What an import's caller makes of the requests that gained events: the settled ones'
# clocks, under the terms of their contract (a pair per contract).
Settle = Callable[[Sequence[Unclocked]], Iterable[tuple[SupportTerms, Sequence[Computed]]]]

T = TypeVar("T")

__all__ = [
    "AuditRecord",
    "ClaimRecord",
    "Computed",
    "CounterHold",
    "ExclusionRecord",
    "ImportAudit",
    "ImportResult",
    "MaintenanceRecord",
    "NewVersion",
    "NotFound",
    "NoticeRecord",
    "RenewalRecord",
    "SampleColumns",
    "SampleConflict",
    "SampleRow",
    "Settle",
    "Store",
    "StoreError",
    "StoredPeriod",
    "TargetImport",
    "TicketEvent",
    "TicketImport",
    "TimelineNews",
    "Unavailable",
    "Unclocked",
]


@dataclass(frozen=True, slots=True)
class ImportAudit:
    """How to audit an import: who, from where, and which contracts read which targets."""

    actor: str
    source: str  # e.g. the file's path
    readers: Mapping[str, Sequence[str]]  # target -> the contracts whose figures read it


_SAMPLES_LOCK = 0x736C6179  # PostgreSQL advisory lock class: sample imports take turns


def _wall_clock() -> int:
    return int(time.time())


class Store:
    """Samples, flips, maintenance windows, exclusions, claims, closed periods, renewals
    and their notices, and the audit log."""

    def __init__(self, engine: Engine, clock: Callable[[], int]) -> None:
        """Use ``Store.open``; this takes an engine whose schema is already at head."""
        self._database = Database(engine)
        self._clock = clock
        self.name = self._database.name  # for messages

    @classmethod
    def open(
        cls,
        url: str,
        clock: Callable[[], int] = _wall_clock,
        *,
        unavailable_ok: bool = False,
        existing: bool = False,
    ) -> Store:
        """Connect to ``url`` and migrate the schema to head if it is behind.

        ``clock`` gives "now" (UTC seconds) for created/cancelled/revoked times.
        Raises ``StoreError`` when the database cannot be used; with
        ``unavailable_ok``, not for one that is only unavailable for now (the
        agent starts while its database is away): the schema is migrated at the
        first transaction that finds it there. ``existing`` refuses to create an
        SQLite file (for the commands that only read).
        """
        store = cls(engine_for(url, existing), clock)
        try:
            store._database.migrate()
        except Unavailable:
            if not unavailable_ok:
                store.close()
                raise
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        """Close the database connections."""
        self._database.close()

    def leader_lock(self) -> LeaderLock:
        """The lock that makes one of the agents on this database the leader, on a
        session of its own (store/leader.py); the caller closes it."""
        return LeaderLock(self._database.engine)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- samples and flips -------------------------------------------------------------------

    def import_samples(
        self,
        batches: Iterable[Sequence[SampleRow] | SampleColumns],
        rules: Mapping[str, TimelineRule],
        audit: ImportAudit | None = None,
    ) -> ImportResult:
        """Store every batch and recompute the touched targets' flips, in one transaction.

        Samples already stored (same target and instant, same ``ok``) are skipped; one
        with the other ``ok`` raises ``SampleConflict``. On PostgreSQL, imports into
        one schema take turns (two agents of a pair for high availability write the
        same targets: their flips must not be recomputed at once), and the agents
        listening hear which targets changed (store/leader.py). If ``batches`` raises, or a
        target has no rule in ``rules`` (``ValueError``), nothing is kept either.
        With ``audit``, each contract whose figures the import changed gets an audit row.
        """
        with self._database.transaction(write=True) as conn:
            schema_lock(conn, _SAMPLES_LOCK)
            work = SampleImport(conn, rules, self._clock())
            for batch in batches:
                work.write(batch)
            work.recompute_flips()
            result = work.result()
            notify_changed(conn, result.news)
            if audit is not None:
                changed = _by_reader(result.changed_targets, audit.readers)
                audit_import(
                    conn, changed, actor=audit.actor, now=self._clock(), source=audit.source
                )
        return result

    def recompute_flips(
        self, target: str, since_ms: int, rule: TimelineRule, location: str = ""
    ) -> list[Flip]:
        """Recompute ``target``'s flips at ``location`` after its samples from ``since_ms``
        on changed. Returns the flips now stored from the recomputation's anchor on.
        """
        with self._database.transaction(write=True) as conn:
            return recompute(conn, Where(target, location), since_ms, rule).flips

    def flips(
        self, targets: Sequence[str], start: int, end: int
    ) -> dict[str, dict[str, list[Flip]]]:
        """Per target, per location that has flips: its last flip at or before ``start``,
        then its flips in ``(start, end)``. Every target is a key, with an empty mapping
        when it has no flips; locations are combined by the core (sla/locations.py).
        """
        with self._database.transaction() as conn:
            return flips_around(conn, targets, start, end)

    def sample_count(self, target: str | None = None) -> int:
        """How many samples are stored, of one target or of all."""
        query = select(func.count()).select_from(db.samples)
        if target is not None:
            query = query.where(db.samples.c.target == target)
        with self._database.transaction() as conn:
            return int(conn.execute(query).scalar_one())

    def samples(
        self, target: str, start_ms: int, end_ms: int, location: str | None = None
    ) -> list[SampleRow]:
        """The raw samples of ``target`` in ``[start_ms, end_ms)``, from one location or
        all, oldest first (by location for one instant)."""
        query = (
            select(db.samples)
            .where(db.samples.c.target == target, db.samples.c.ts_ms >= start_ms)
            .where(db.samples.c.ts_ms < end_ms)
            .order_by(db.samples.c.ts_ms, db.samples.c.location)
        )
        if location is not None:
            query = query.where(db.samples.c.location == location)
        with self._database.transaction() as conn:
            return [SampleRow(**row._asdict()) for row in conn.execute(query)]

    # -- maintenance windows -----------------------------------------------------------------

    def add_maintenance(  # noqa: PLR0913, PLR0917 (a record's fields, in their column order)
        self,
        contract: str,
        start: int,
        end: int,
        kind: MaintenanceKind,
        declared_at: int,
        note: str,
        actor: str,
    ) -> int:
        """Declare a maintenance window ``[start, end)``; returns its id. Audited."""
        check_span(start, end)
        values = {
            "contract": contract,
            "start_ts": start,
            "end_ts": end,
            "kind": MaintenanceKind(kind).value,
            "declared_at": declared_at,
            "note": note,
        }
        return self._add(MAINTENANCE, values, actor)

    def list_maintenance(
        self, contract: str | None = None, include_cancelled: bool = False
    ) -> list[MaintenanceRecord]:
        """Maintenance windows of one contract or all, by start; cancelled ones on request."""
        return self._spans(MAINTENANCE, contract, include_cancelled, maintenance_record)

    def cancel_maintenance(self, window_id: int, actor: str) -> MaintenanceRecord:
        """Cancel a window (it stays listed with ``include_cancelled``). Audited.

        Raises ``NotFound`` when there is no such window or it is already cancelled.
        """
        return maintenance_record(self._retire(MAINTENANCE, window_id, actor))

    # -- exclusions --------------------------------------------------------------------------

    def add_exclusion(  # noqa: PLR0913, PLR0917 (a record's fields, in their column order)
        self,
        contract: str,
        start: int,
        end: int,
        reason: ExclusionReason,
        note: str,
        actor: str,
    ) -> int:
        """Exclude ``[start, end)`` from the contract's downtime; returns its id. Audited."""
        check_span(start, end)
        values = {
            "contract": contract,
            "start_ts": start,
            "end_ts": end,
            "reason": ExclusionReason(reason).value,
            "note": note,
        }
        return self._add(EXCLUSION, values, actor)

    def list_exclusions(
        self, contract: str | None = None, include_revoked: bool = False
    ) -> list[ExclusionRecord]:
        """Exclusions of one contract or all, by start; revoked ones on request."""
        return self._spans(EXCLUSION, contract, include_revoked, exclusion_record)

    def revoke_exclusion(self, exclusion_id: int, actor: str) -> ExclusionRecord:
        """Revoke an exclusion (it stays listed with ``include_revoked``). Audited.

        Raises ``NotFound`` when there is no such exclusion or it is already revoked.
        """
        return exclusion_record(self._retire(EXCLUSION, exclusion_id, actor))

    # -- claims and audit --------------------------------------------------------------------

    def add_claim(self, contract: str, at: int, ticket: str, actor: str) -> int:
        """Record the customer's claim of the outage covering ``at``; returns its id. Audited."""
        return self._add(CLAIM, {"contract": contract, "at": at, "ticket": ticket}, actor)

    def list_claims(self, contract: str | None = None) -> list[ClaimRecord]:
        """Claims of one contract or all, by instant."""
        with self._database.transaction() as conn:
            rows = conn.execute(listing(db.claims, contract, db.claims.c.at))
            return [ClaimRecord(**row._asdict()) for row in rows]

    def contract_records(
        self, contracts: Sequence[str], start: int, end: int
    ) -> dict[str, ContractRecords]:
        """Per contract (every one a key), as the core reads them: the standing
        maintenance windows and exclusions overlapping ``[start, end)``, by start,
        and every claim, by instant. Three queries, whatever the number of contracts."""
        m, x = db.maintenance, db.exclusions
        with self._database.transaction() as conn:
            windows = by_contract(
                conn.execute(overlapping(m, contracts, start, end, m.c.cancelled_at)),
                maintenance_window,
            )
            excluded = by_contract(
                conn.execute(overlapping(x, contracts, start, end, x.c.revoked_at)), exclusion
            )
            claimed = by_contract(
                conn.execute(
                    select(db.claims)
                    .where(db.claims.c.contract.in_(contracts))
                    .order_by(db.claims.c.at, db.claims.c.id)
                ),
                claim,
            )
        return {
            c: ContractRecords(
                tuple(windows.get(c, ())), tuple(excluded.get(c, ())), tuple(claimed.get(c, ()))
            )
            for c in contracts
        }

    def audit_log(self, contract: str | None = None) -> list[AuditRecord]:
        """Every audited change, of one contract or all, oldest first."""
        with self._database.transaction() as conn:
            rows = conn.execute(listing(db.audit, contract))
            return [AuditRecord(**row._asdict()) for row in rows]

    def audit_after(self, after_id: int) -> list[AuditRecord]:
        """The audit rows newer than ``after_id`` (0: all), oldest first: what a reader
        that saw up to ``after_id`` has missed."""
        query = select(db.audit).where(db.audit.c.id > after_id).order_by(db.audit.c.id)
        with self._database.transaction() as conn:
            return [AuditRecord(**row._asdict()) for row in conn.execute(query)]

    def audit_head(self) -> int:
        """The newest audit row's id (0 when there is none)."""
        with self._database.transaction() as conn:
            return int(conn.execute(select(func.max(db.audit.c.id))).scalar() or 0)

    # -- SLA counters held ---------------------------------------------------------------------

    def hold_counters(self, holds: Sequence[CounterHold]) -> None:
        """Keep the counters the leader exported above the data (store/counter_holds.py)."""
        with self._database.transaction(write=True) as conn:
            counter_holds.write(conn, holds)

    def counter_holds(self) -> dict[str, CounterHold]:
        """Every contract's counters held by a leader, by contract."""
        with self._database.transaction() as conn:
            return counter_holds.read(conn)

    # -- closed periods ----------------------------------------------------------------------

    def add_period_versions(self, versions: Sequence[NewVersion], actor: str) -> None:
        """Store versions of closed periods' reports, each audited, at the clock's now;
        all or none. Raises ``StoreError`` when one exists already: someone else closed
        or amended that period meanwhile (app/periods.py decides what to store)."""
        now = self._clock()
        with self._database.transaction(write=True) as conn:
            closed_periods.write(conn, versions, actor=actor, now=now)

    def period_versions(
        self, contracts: Sequence[str] | None = None, period: str | None = None
    ) -> list[StoredPeriod]:
        """Closed periods of some contracts (None: all), of one period label or all, by
        contract and label, every version as stored (unverified: see app/periods.py)."""
        with self._database.transaction() as conn:
            return closed_periods.read(conn, contracts, period)

    # -- renewals and their notices ----------------------------------------------------------

    def add_renewal(
        self, contract: str, terms: RenewalTerms, on: date, years: int, actor: str
    ) -> RenewalRecord:
        """Record a renewal of ``years`` made on the local date ``on``, checked by the
        core against the item's renewals so far; audited. Raises ``RenewalRefused`` (a
        ``ValueError``) when the policy refuses it, and then records nothing."""
        now = self._clock()
        with self._database.transaction(write=True) as conn:
            return renewal_records.add_renewal(conn, contract, terms, on, years, actor, now)

    def renewals(self, contract: str, original_expiry: date) -> list[RenewalRecord]:
        """The renewals of the item that expired first on ``original_expiry``, in order."""
        with self._database.transaction() as conn:
            return renewal_records.renewal_rows(conn, contract, original_expiry)

    def notices(
        self, contract: str | None = None, expires: date | None = None
    ) -> list[NoticeRecord]:
        """Notice rows of one expiry, one contract or all, by contract and due date."""
        with self._database.transaction() as conn:
            return renewal_records.notice_rows(conn, contract, expires)

    def add_due_notices(
        self, contract: str, expires: date, due: Iterable[tuple[Notice, str]], now: int
    ) -> int:
        """Write a ``due`` row for each (notice, channel) not written yet; how many were."""
        with self._database.transaction(write=True) as conn:
            return renewal_records.add_due(conn, contract, expires, due, now)

    def claim_notice(self, notice_id: int, now: int) -> bool:
        """``due -> sending``, committed before the message is handed over; false when
        another agent claimed it first (or it is no longer due)."""
        with self._database.transaction(write=True) as conn:
            return renewal_records.move(
                conn, notice_id, Delivery.DUE, Delivery.SENDING, claimed_at=now
            )

    def notice_sent(self, notice_id: int, now: int, late: bool) -> bool:
        """``sending -> sent`` at ``now``."""
        with self._database.transaction(write=True) as conn:
            return renewal_records.move(
                conn, notice_id, Delivery.SENDING, Delivery.SENT, sent_at=now, late=late
            )

    def notice_failed(self, notice_id: int, error: str, retry_at: int) -> bool:
        """An attempt that delivered nothing: ``due`` again, retried from ``retry_at``."""
        with self._database.transaction(write=True) as conn:
            return renewal_records.fail(conn, notice_id, error, retry_at)

    def notice_in_doubt(self, notice_id: int, error: str) -> bool:
        """``sending -> in_doubt``: the hand-over was cut; it is never sent again."""
        with self._database.transaction(write=True) as conn:
            return renewal_records.move(
                conn, notice_id, Delivery.SENDING, Delivery.IN_DOUBT, last_error=error
            )

    def stuck_notices(self, claimed_before: int) -> list[NoticeRecord]:
        """Rows left ``sending`` since before ``claimed_before``: their sender stopped."""
        with self._database.transaction() as conn:
            return renewal_records.stuck(conn, claimed_before)

    # -- support requests --------------------------------------------------------------------

    def import_ticket_events(
        self,
        rows: Sequence[TicketEvent],
        check: Check,
        *,
        actor: str,
        source: str,
        settle: Settle | None = None,
    ) -> TicketImport:
        """Add the ticket events of ``rows`` not stored yet, in one transaction.

        ``check`` sees what the store holds for the tickets ``rows`` name (their stored
        events, for sequence checks) and raises to refuse the input: nothing is kept.
        Each contract whose requests gained events gets an audit row naming ``source``.
        ``settle`` gets the requests that gained events; the clocks it gives back are
        stored in the same transaction (the first report then reads them).
        """
        now = self._clock()

        def store(conn: Connection, gained: list[Unclocked]) -> None:
            assert settle is not None
            for terms, computed in settle(gained):
                clocks.store_clocks(conn, terms, computed)

        with self._database.transaction(write=True) as conn:
            return tickets.import_events(
                conn, rows, check, actor=actor, now=now, source=source,
                gained=None if settle is None else store,
            )  # fmt: skip

    def requests_opened(self, contract: str, start: int, end: int) -> list[Request]:
        """The contract's support requests opened in ``[start, end)``, by arrival, with
        their events (without notes: reports do not show them)."""
        with self._database.transaction() as conn:
            return tickets.requests_opened(conn, contract, start, end)

    def clocked_requests(
        self, contract: str, start: int, end: int, terms: SupportTerms, as_of: int
    ) -> tuple[list[RequestResult], list[Unclocked]]:
        """The contract's requests opened in ``[start, end)``: those whose stored
        clocks hold as of ``as_of`` under ``terms``, read; the others with their events
        (store.clocks says when clocks hold)."""
        with self._database.transaction() as conn:
            return clocks.clocked_requests(conn, contract, start, end, terms=terms, as_of=as_of)

    def written_requests(
        self, contract: str, start: int, end: int, terms: SupportTerms, as_of: int
    ) -> tuple[list[Written], list[Unclocked]]:
        """``clocked_requests`` as a report reads them: the requests whose stored clocks
        hold and keep their JSON text, as that text and what orders and counts them."""
        with self._database.transaction() as conn:
            return clocks.written_requests(conn, contract, start, end, terms=terms, as_of=as_of)

    def store_clocks(self, terms: SupportTerms, computed: Sequence[Computed]) -> None:
        """Store the clocks the core computed under ``terms`` for requests whose clocks
        are settled (``sla.support_assess.settled``), replacing older ones."""
        with self._database.transaction(write=True) as conn:
            clocks.store_clocks(conn, terms, computed)

    def open_requests(self, contract: str) -> list[Request]:
        """The contract's support requests not closed (or reopened since)."""
        with self._database.transaction() as conn:
            return tickets.open_requests(conn, contract)

    def list_requests(
        self, contract: str | None = None, ticket: str | None = None
    ) -> list[Request]:
        """Support requests of one contract or all (one ticket, if named), by opening,
        with their events' notes."""
        with self._database.transaction() as conn:
            return tickets.tickets(conn, contract, ticket)

    # -- internals ---------------------------------------------------------------------------

    def _add(self, entity: Entity, values: dict[str, Any], actor: str) -> int:
        """Add a record of ``entity`` at the clock's now, audited; returns its id."""
        now = self._clock()
        with self._database.transaction(write=True) as conn:
            return add(conn, entity, values, actor=actor, now=now)

    def _spans(
        self,
        entity: Entity,
        contract: str | None,
        include_retired: bool,
        convert: Callable[[Row[Any]], T],
    ) -> list[T]:
        """Records of ``entity`` (a span kind) of one contract or all, by start."""
        table = entity.table
        query = listing(table, contract, table.c.start_ts)
        if not include_retired:
            query = query.where(table.c[f"{entity.done}_at"].is_(None))
        with self._database.transaction() as conn:
            return [convert(row) for row in conn.execute(query)]

    def _retire(self, entity: Entity, record_id: int, actor: str) -> Row[Any]:
        """Cancel or revoke a record at the clock's now, audited; returns its row."""
        now = self._clock()
        with self._database.transaction(write=True) as conn:
            return retire(conn, entity, record_id, actor=actor, now=now)


def _by_reader(
    targets: Iterable[str], readers: Mapping[str, Sequence[str]]
) -> dict[str, list[str]]:
    """Contract -> which of ``targets`` it reads."""
    found: dict[str, list[str]] = {}
    for target in targets:
        for contract in readers.get(target, ()):
            found.setdefault(contract, []).append(target)
    return found
