"""The database behind slawatch: probe samples, flips, and the operator's records.

``Store`` is the only way in. It runs over SQLite (default) or PostgreSQL,
chosen by URL, migrates the schema on first use, and speaks in the core's
types (``Flip``, ``MaintenanceWindow``, ``Exclusion``, ``Claim``) plus a few
records of its own. Instants are integers: samples in UTC epoch milliseconds,
everything else in UTC epoch seconds.

Errors (``StoreError`` never wraps a bug, only a database that cannot be used)::

    StoreError          bad URL, missing SQLite directory, server unreachable,
     |                  database locked, schema newer than this slawatch
     +-- NotFound       no such record, or no longer active (also a LookupError)
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import (
    Connection,
    Engine,
    Row,
    Table,
    bindparam,
    create_engine,
    event,
    func,
    insert,
    make_url,
    null,
    select,
    update,
)
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from slawatch.exporters import schema as db
from slawatch.sla.exclusions import (
    Claim,
    Exclusion,
    ExclusionReason,
    MaintenanceKind,
    MaintenanceWindow,
)
from slawatch.sla.timeline import Flip, State, TimelineRule

if TYPE_CHECKING:
    import psycopg

_MIGRATIONS = Path(__file__).with_name("migrations")
_SUPPORTED = {"sqlite", "sqlite+pysqlite", "postgresql+psycopg"}
_WRITE = "slawatch_write"  # execution option: this transaction writes (see _sqlite_begin)
_SQLITE_PRAGMAS = (
    "journal_mode=WAL",
    "synchronous=NORMAL",
    "busy_timeout=30000",
    "foreign_keys=ON",
)
_MIGRATION_LOCK = 0x736C6177  # PostgreSQL advisory lock key: concurrent first starts migrate once
_STATES = {state.value: state for state in State}


class StoreError(Exception):
    """The database cannot be used; the message names it (without password) and why."""


class NotFound(StoreError, LookupError):
    """No record with that id, or it was already cancelled or revoked."""


class SampleRow(NamedTuple):
    """One probe sample, as the importer and the agent hand them over."""

    target: str
    ts_ms: int  # UTC epoch milliseconds
    ok: bool  # the probe's own outcome; degraded-as-down is the timeline rule's business
    latency_ms: float | None = None
    status: int | None = None  # e.g. the HTTP status code
    error: str | None = None


@dataclass(frozen=True, slots=True)
class TargetImport:
    read: int  # samples of the target in the input, duplicates included
    added: int  # of those, samples the database did not hold yet


@dataclass(frozen=True, slots=True)
class ImportResult:
    targets: Mapping[str, TargetImport]  # per target seen in the input

    @property
    def rows_read(self) -> int:
        return sum(t.read for t in self.targets.values())

    @property
    def rows_added(self) -> int:
        return sum(t.added for t in self.targets.values())


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


def _wall_clock() -> int:
    return int(time.time())


class Store:
    """Samples, flips, maintenance windows, exclusions, claims and their audit log."""

    def __init__(self, engine: Engine, clock: Callable[[], int]) -> None:
        """Use ``Store.open``; this takes an engine whose schema is already at head."""
        self._engine = engine
        self._writer = engine.execution_options(**{_WRITE: True})
        self._clock = clock
        self._driver_errors: type[Exception] = engine.dialect.loaded_dbapi.OperationalError
        self.name = engine.url.render_as_string(hide_password=True)  # for messages

    @classmethod
    def open(cls, url: str, clock: Callable[[], int] = _wall_clock) -> Store:
        """Connect to ``url`` and migrate the schema to head if it is behind.

        ``clock`` gives "now" (UTC seconds) for created/cancelled/revoked times.
        Raises ``StoreError`` when the database cannot be used.
        """
        store = cls(_create_engine(url), clock)
        try:
            store._migrate()
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        """Close the database connections."""
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- samples and flips -------------------------------------------------------------------

    def import_samples(
        self, batches: Iterable[Sequence[SampleRow]], rules: Mapping[str, TimelineRule]
    ) -> ImportResult:
        """Store every batch and recompute the touched targets' flips, in one transaction.

        Samples already stored (same target and instant) are skipped. If ``batches``
        raises, or a target has no rule in ``rules`` (``ValueError``), nothing is kept.
        """
        with self._transaction(write=True) as conn:
            work = _Import(conn, rules)
            for batch in batches:
                work.write(batch)
            work.recompute_flips()
        return work.result()

    def recompute_flips(self, target: str, since_ms: int, rule: TimelineRule) -> list[Flip]:
        """Recompute ``target``'s flips after its samples from ``since_ms`` on changed.

        Returns the flips now stored from the recomputation's anchor on.
        """
        with self._transaction(write=True) as conn:
            return _recompute(conn, target, since_ms, rule)

    def flips(self, targets: Sequence[str], start: int, end: int) -> dict[str, list[Flip]]:
        """Per target: its last flip at or before ``start``, then its flips in ``(start, end)``.

        Every target is a key, with an empty list when it has no flips.
        """
        found: dict[str, list[Flip]] = {}
        with self._transaction() as conn:
            for target in targets:
                rows = _driver_rows(conn, _FLIPS_AROUND, target=target, start=start, end=end)
                found[target] = [Flip(ts, _STATES[state]) for ts, state in rows]
        return found

    def sample_count(self, target: str | None = None) -> int:
        """How many samples are stored, of one target or of all."""
        query = select(func.count()).select_from(db.samples)
        if target is not None:
            query = query.where(db.samples.c.target == target)
        with self._transaction() as conn:
            return int(conn.execute(query).scalar_one())

    def samples(self, target: str, start_ms: int, end_ms: int) -> list[SampleRow]:
        """The raw samples of ``target`` in ``[start_ms, end_ms)``, oldest first."""
        query = (
            select(db.samples)
            .where(db.samples.c.target == target, db.samples.c.ts_ms >= start_ms)
            .where(db.samples.c.ts_ms < end_ms)
            .order_by(db.samples.c.ts_ms)
        )
        with self._transaction() as conn:
            return [SampleRow(**row._asdict()) for row in conn.execute(query)]

    # -- maintenance windows -----------------------------------------------------------------

    def add_maintenance(  # noqa: PLR0917 (a record's fields, in their column order)
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
        _check_span(start, end)
        values = {
            "contract": contract,
            "start_ts": start,
            "end_ts": end,
            "kind": MaintenanceKind(kind).value,
            "declared_at": declared_at,
            "note": note,
        }
        return self._add(_MAINTENANCE, values, actor)

    def list_maintenance(
        self, contract: str | None = None, include_cancelled: bool = False
    ) -> list[MaintenanceRecord]:
        """Maintenance windows of one contract or all, by start; cancelled ones on request."""
        query = _listing(db.maintenance, contract, db.maintenance.c.start_ts)
        if not include_cancelled:
            query = query.where(db.maintenance.c.cancelled_at.is_(None))
        with self._transaction() as conn:
            return [_maintenance_record(row) for row in conn.execute(query)]

    def cancel_maintenance(self, window_id: int, actor: str) -> MaintenanceRecord:
        """Cancel a window (it stays listed with ``include_cancelled``). Audited.

        Raises ``NotFound`` when there is no such window or it is already cancelled.
        """
        return _maintenance_record(self._retire(_MAINTENANCE, window_id, actor))

    def maintenance_windows(self, contract: str, start: int, end: int) -> list[MaintenanceWindow]:
        """The contract's standing windows that overlap ``[start, end)``, by start."""
        with self._transaction() as conn:
            rows = conn.execute(
                _overlapping(db.maintenance, contract, start, end, db.maintenance.c.cancelled_at)
            )
            return [
                MaintenanceWindow(
                    id=row.id,
                    start=row.start_ts,
                    end=row.end_ts,
                    kind=MaintenanceKind(row.kind),
                    declared_at=row.declared_at,
                    note=row.note,
                )
                for row in rows
            ]

    # -- exclusions --------------------------------------------------------------------------

    def add_exclusion(  # noqa: PLR0917 (a record's fields, in their column order)
        self,
        contract: str,
        start: int,
        end: int,
        reason: ExclusionReason,
        note: str,
        actor: str,
    ) -> int:
        """Exclude ``[start, end)`` from the contract's downtime; returns its id. Audited."""
        _check_span(start, end)
        values = {
            "contract": contract,
            "start_ts": start,
            "end_ts": end,
            "reason": ExclusionReason(reason).value,
            "note": note,
        }
        return self._add(_EXCLUSION, values, actor)

    def list_exclusions(
        self, contract: str | None = None, include_revoked: bool = False
    ) -> list[ExclusionRecord]:
        """Exclusions of one contract or all, by start; revoked ones on request."""
        query = _listing(db.exclusions, contract, db.exclusions.c.start_ts)
        if not include_revoked:
            query = query.where(db.exclusions.c.revoked_at.is_(None))
        with self._transaction() as conn:
            return [_exclusion_record(row) for row in conn.execute(query)]

    def revoke_exclusion(self, exclusion_id: int, actor: str) -> ExclusionRecord:
        """Revoke an exclusion (it stays listed with ``include_revoked``). Audited.

        Raises ``NotFound`` when there is no such exclusion or it is already revoked.
        """
        return _exclusion_record(self._retire(_EXCLUSION, exclusion_id, actor))

    def exclusions(self, contract: str, start: int, end: int) -> list[Exclusion]:
        """The contract's standing exclusions that overlap ``[start, end)``, by start."""
        with self._transaction() as conn:
            rows = conn.execute(
                _overlapping(db.exclusions, contract, start, end, db.exclusions.c.revoked_at)
            )
            return [
                Exclusion(
                    id=row.id,
                    start=row.start_ts,
                    end=row.end_ts,
                    reason=ExclusionReason(row.reason),
                    note=row.note,
                    author=row.author,
                    created_at=row.created_at,
                )
                for row in rows
            ]

    # -- claims and audit --------------------------------------------------------------------

    def add_claim(self, contract: str, at: int, ticket: str, actor: str) -> int:
        """Record the customer's claim of the outage covering ``at``; returns its id. Audited."""
        return self._add(_CLAIM, {"contract": contract, "at": at, "ticket": ticket}, actor)

    def list_claims(self, contract: str | None = None) -> list[ClaimRecord]:
        """Claims of one contract or all, by instant."""
        with self._transaction() as conn:
            rows = conn.execute(_listing(db.claims, contract, db.claims.c.at))
            return [ClaimRecord(**row._asdict()) for row in rows]

    def claims(self, contract: str) -> list[Claim]:
        """The contract's claims, as the core reads them."""
        return [Claim(c.id, c.at, c.ticket) for c in self.list_claims(contract)]

    def audit_log(self, contract: str | None = None) -> list[AuditRecord]:
        """Every audited change, of one contract or all, oldest first."""
        with self._transaction() as conn:
            rows = conn.execute(_listing(db.audit, contract))
            return [AuditRecord(**row._asdict()) for row in rows]

    # -- internals ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def _transaction(self, write: bool = False) -> Iterator[Connection]:
        """A transaction, committed on success; a database that fails becomes ``StoreError``."""
        try:
            with (self._writer if write else self._engine).begin() as conn:
                yield conn
        except OperationalError as exc:
            raise StoreError(f"database {self.name}: {_cause(exc.orig)}") from exc
        except self._driver_errors as exc:  # from the driver-level paths (COPY)
            raise StoreError(f"database {self.name}: {_cause(exc)}") from exc

    def _migrate(self) -> None:
        """Bring the schema to head; when it is there already, this is one query."""
        try:
            with self._transaction() as conn:
                if _revision(conn) == _head():
                    return
            with self._transaction(write=True) as conn:
                _migration_lock(conn)
                if _revision(conn) != _head():  # another process may have just done it
                    _upgrade(conn)
        except CommandError as exc:
            raise StoreError(f"database {self.name}: cannot migrate the schema: {exc}") from exc
        except DBAPIError as exc:  # e.g. a file that is not an SQLite database
            raise StoreError(f"database {self.name}: {_cause(exc.orig)}") from exc

    def _add(self, entity: _Entity, values: dict[str, Any], actor: str) -> int:
        now = self._clock()
        with self._transaction(write=True) as conn:
            result = conn.execute(
                insert(entity.table).values(author=actor, created_at=now, **values)
            )
            # A single-row INSERT always reports its key (lastrowid, or RETURNING).
            new_id = int(cast("Row[Any]", result.inserted_primary_key)[0])
            _audit(
                conn, entity, "add", new_id, values["contract"], actor=actor, at=now, detail=values
            )
        return new_id

    def _retire(self, entity: _Entity, record_id: int, actor: str) -> Row[Any]:
        """Cancel or revoke a standing record, audited; returns its row as it is now."""
        now = self._clock()
        table, done = entity.table, entity.done
        change = {f"{done}_at": now, f"{done}_by": actor}
        with self._transaction(write=True) as conn:
            updated = conn.execute(
                update(table)
                .where(table.c.id == record_id, table.c[f"{done}_at"].is_(None))
                .values(change)
            )
            row = conn.execute(select(table).where(table.c.id == record_id)).one_or_none()
            if row is None:
                raise NotFound(f"{entity.name} #{record_id} does not exist")
            if updated.rowcount == 0:
                by, at = row._mapping[f"{done}_by"], _iso(row._mapping[f"{done}_at"])
                raise NotFound(f"{entity.name} #{record_id} was already {done} by {by} at {at}")
            _audit(
                conn,
                entity,
                entity.verb,
                record_id,
                row.contract,
                actor=actor,
                at=now,
                detail=change,
            )
        return row


# -- engine and migrations -------------------------------------------------------------------


def _create_engine(text: str) -> Engine:
    """An engine for ``text``; raises ``StoreError`` for what no connection could fix."""
    try:
        url = make_url(text)
    except ArgumentError:
        raise StoreError(
            f"invalid database URL {_redact(text)!r} "
            "(expected e.g. sqlite:///var/lib/slawatch.db or postgresql+psycopg://user@host/db)"
        ) from None
    name = url.render_as_string(hide_password=True)
    if url.drivername not in _SUPPORTED:
        raise StoreError(
            f"database {name}: unsupported; use sqlite:///PATH or postgresql+psycopg://..."
        )
    if url.get_backend_name() == "sqlite":
        _check_sqlite_directory(url, name)
    engine = create_engine(url, connect_args=_connect_args(url))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _check_sqlite_directory(url: URL, name: str) -> None:
    """SQLite would fail later with "unable to open database file"; say which directory."""
    database = url.database or ""
    if database in ("", ":memory:") or url.query.get("uri") or database.startswith("file:"):
        return
    directory = Path(database).parent
    if not directory.is_dir():
        raise StoreError(f"database {name}: directory {directory} does not exist")


def _connect_args(url: URL) -> dict[str, Any]:
    """A server that does not answer must fail the command, not hang it."""
    if url.get_backend_name() == "postgresql" and "connect_timeout" not in url.query:
        return {"connect_timeout": 10}
    return {}


def _sqlite_connect(dbapi_connection: Any, _record: object) -> None:
    # WAL lets reports read while the agent writes; NORMAL is durable enough with WAL.
    # isolation_level=None stops sqlite3 from starting transactions behind our back:
    # _sqlite_begin starts them, so that DDL and reads are transactional too.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in _SQLITE_PRAGMAS:
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    # A deferred transaction that reads, then writes, fails at once (no busy wait)
    # when another writer committed in between; writers take the lock up front.
    write = conn.get_execution_options().get(_WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


@functools.cache
def _head() -> str | None:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def _revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _migration_lock(conn: Connection) -> None:
    """Serialise migrations (SQLite's BEGIN IMMEDIATE already does)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")


def _upgrade(conn: Connection) -> None:
    config = _alembic_config()
    config.attributes["connection"] = conn
    command.upgrade(config, "head")


# -- imports and flips -----------------------------------------------------------------------


@dataclass(slots=True)
class _Tally:
    """What an import did to one target so far."""

    rule: TimelineRule
    since_ms: int  # earliest sample read: flips are recomputed from there
    read: int = 0
    added: int = 0


class _Import:
    """One import inside its transaction: the batches written, then the flips."""

    def __init__(self, conn: Connection, rules: Mapping[str, TimelineRule]) -> None:
        self._conn = conn
        self._rules = rules
        self._writer = _sample_writer(conn)
        self._tallies: dict[str, _Tally] = {}

    def write(self, batch: Sequence[SampleRow]) -> None:
        """Insert a batch, skipping samples already stored, and tally it per target."""
        groups = _by_target(batch, self._writer.boolean)
        for target, rows in groups.items():
            earliest = min(map(itemgetter(1), rows))
            tally = self._tallies.get(target) or self._start(target, earliest)
            tally.read += len(rows)
            tally.since_ms = min(tally.since_ms, earliest)
        for target, added in self._writer.write(groups).items():
            self._tallies[target].added += added

    def recompute_flips(self) -> None:
        """Recompute the flips of every target that gained samples."""
        for target, tally in self._tallies.items():
            if tally.added:
                _recompute(self._conn, target, tally.since_ms, tally.rule)

    def result(self) -> ImportResult:
        return ImportResult({t: TargetImport(c.read, c.added) for t, c in self._tallies.items()})

    def _start(self, target: str, since_ms: int) -> _Tally:
        if target not in self._rules:
            raise ValueError(f"no timeline rule for target {target!r}: is it in the config?")
        tally = self._tallies[target] = _Tally(self._rules[target], since_ms)
        return tally


class _ExecuteMany:
    """SQLite: one executemany per target, whose row count is what the target added.

    sqlite3 binds plain tuples of ints about 25 % faster than ``SampleRow``
    tuples holding bools, so rows come as 0/1 (how SQLite stores booleans).
    """

    boolean = int

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def write(self, groups: Mapping[str, list[tuple[Any, ...]]]) -> dict[str, int]:
        return {
            target: self._conn.exec_driver_sql(_SQLITE_INSERT_SAMPLES, rows).rowcount
            for target, rows in groups.items()
        }


class _CopyMerge:
    """PostgreSQL: COPY into a temporary table, then one INSERT .. SELECT that
    reports what each target added; twice as fast as psycopg's executemany."""

    boolean = bool

    def __init__(self, conn: Connection) -> None:
        self._driver = cast("psycopg.Connection[Any]", conn.connection.driver_connection)
        self._driver.execute(
            "CREATE TEMPORARY TABLE incoming_samples (LIKE samples) ON COMMIT DROP"
        )

    def write(self, groups: Mapping[str, list[tuple[Any, ...]]]) -> dict[str, int]:
        with self._driver.cursor() as cursor:
            with cursor.copy("COPY incoming_samples FROM STDIN") as copy:
                for rows in groups.values():
                    for row in rows:
                        copy.write_row(row)
            cursor.execute(_POSTGRES_MERGE_SAMPLES)
            added = {target: count for target, count in cursor.fetchall()}
            cursor.execute("TRUNCATE incoming_samples")
        return added


# ON CONFLICT DO NOTHING, unlike SQLite's INSERT OR IGNORE, skips only duplicate
# keys, never a NULL or a failed CHECK.
_SQLITE_INSERT_SAMPLES = (
    "INSERT INTO samples (target, ts_ms, ok, latency_ms, status, error) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
)
_POSTGRES_MERGE_SAMPLES = (
    "WITH added AS (INSERT INTO samples SELECT * FROM incoming_samples "
    "ON CONFLICT DO NOTHING RETURNING target) "
    "SELECT target, count(*) FROM added GROUP BY target"
)


def _sample_writer(conn: Connection) -> _ExecuteMany | _CopyMerge:
    """The fastest way into this database (the only place where the two differ)."""
    return _ExecuteMany(conn) if conn.dialect.name == "sqlite" else _CopyMerge(conn)


def _by_target(
    batch: Sequence[SampleRow], boolean: Callable[[bool], int | bool]
) -> dict[str, list[tuple[Any, ...]]]:
    """The batch's rows per target, as the plain tuples the driver binds fastest."""
    groups: defaultdict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for target, ts_ms, ok, latency_ms, status, error in batch:
        groups[target].append((target, ts_ms, boolean(ok), latency_ms, status, error))
    return groups


def _recompute(conn: Connection, target: str, since_ms: int, rule: TimelineRule) -> list[Flip]:
    """Recompute ``target``'s flips from the last effective ok sample before ``since_ms``.

    No failure run crosses an ok sample (sla/timeline.py), so the flips before that
    anchor stand; without an anchor the whole history is recomputed.
    """
    anchor_ms = conn.execute(_anchor_query(rule), {"target": target, "since": since_ms}).scalar()
    fresh = rule.flips(*_outcomes(conn, target, anchor_ms, rule))
    anchor = None if anchor_ms is None else anchor_ms // 1000
    if fresh and anchor is not None and _state_before(conn, target, anchor) is fresh[0].state:
        fresh = fresh[1:]  # the state already holds: a second flip to it would say nothing
    _replace_flips(conn, target, anchor, fresh)
    return fresh


def _outcomes(
    conn: Connection, target: str, from_ms: int | None, rule: TimelineRule
) -> tuple[list[int], list[bool], list[float | None]]:
    """Seconds, ok and latency of ``target``'s samples from ``from_ms`` on (all when None).

    The latency is read only when the rule looks at it.
    """
    latency = db.samples.c.latency_ms if rule.degraded_above_ms is not None else null()
    query = select(db.samples.c.ts_ms, db.samples.c.ok, latency).where(
        db.samples.c.target == target
    )
    if from_ms is not None:
        query = query.where(db.samples.c.ts_ms >= from_ms)
    rows = _driver_rows(conn, query.order_by(db.samples.c.ts_ms))
    return [row[0] // 1000 for row in rows], [row[1] for row in rows], [row[2] for row in rows]


def _driver_rows(conn: Connection, query: Any, **params: Any) -> Sequence[Any]:
    """The rows of ``query`` as the driver returns them, plain tuples.

    SQLAlchemy's row objects cost about 1 µs each: as much as the timeline
    computation itself when a million samples are recomputed.
    """
    with conn.execute(query, params) as result:
        return result.cursor.fetchall()


def _anchor_query(rule: TimelineRule) -> Any:
    """The last sample before ``:since`` that counts as ok under ``rule``."""
    query = select(db.samples.c.ts_ms).where(
        db.samples.c.target == bindparam("target"),
        db.samples.c.ts_ms < bindparam("since"),
        db.samples.c.ok.is_(True),
    )
    if rule.degraded_above_ms is not None:  # a slow ok sample counts as failed
        query = query.where(
            db.samples.c.latency_ms.is_(None) | (db.samples.c.latency_ms <= rule.degraded_above_ms)
        )
    return query.order_by(db.samples.c.ts_ms.desc()).limit(1)


def _state_before(conn: Connection, target: str, ts: int) -> State | None:
    query = (
        select(db.flips.c.state)
        .where(db.flips.c.target == target, db.flips.c.ts < ts)
        .order_by(db.flips.c.ts.desc())
        .limit(1)
    )
    state = conn.execute(query).scalar()
    return None if state is None else _STATES[state]


def _replace_flips(conn: Connection, target: str, since: int | None, fresh: list[Flip]) -> None:
    """Delete ``target``'s flips from ``since`` on (all when None) and store ``fresh``."""
    stale = db.flips.delete().where(db.flips.c.target == target)
    if since is not None:
        stale = stale.where(db.flips.c.ts >= since)
    conn.execute(stale)
    if fresh:
        conn.execute(
            insert(db.flips), [{"target": target, "ts": f.t, "state": f.state.value} for f in fresh]
        )


# One target's flips in [its last flip at or before :start, :end): both bounds are
# ranges of the primary key, so the cost does not grow with the target's history.
_LAST_FLIP_BEFORE = (
    select(func.max(db.flips.c.ts))
    .where(db.flips.c.target == bindparam("target"), db.flips.c.ts <= bindparam("start"))
    .scalar_subquery()
)
_FLIPS_AROUND = (
    select(db.flips.c.ts, db.flips.c.state)
    .where(db.flips.c.target == bindparam("target"))
    .where(db.flips.c.ts >= func.coalesce(_LAST_FLIP_BEFORE, bindparam("start")))
    .where(db.flips.c.ts < bindparam("end"))
    .order_by(db.flips.c.ts)
)


# -- records and audit -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Entity:
    """An audited kind of record."""

    name: str  # in audit rows and messages
    table: Table
    verb: str = ""  # how a record is retired: cancel, revoke (claims are never retired)
    done: str = ""  # the retired state: prefix of the <done>_at and <done>_by columns


_MAINTENANCE = _Entity("maintenance", db.maintenance, "cancel", "cancelled")
_EXCLUSION = _Entity("exclusion", db.exclusions, "revoke", "revoked")
_CLAIM = _Entity("claim", db.claims)


def _check_span(start: int, end: int) -> None:
    if end <= start:
        raise ValueError(f"end ({_iso(end)}) must be after start ({_iso(start)})")


def _listing(table: Table, contract: str | None, *order: Any) -> Any:
    query = select(table).order_by(*order, table.c.id)
    return query if contract is None else query.where(table.c.contract == contract)


def _overlapping(table: Table, contract: str, start: int, end: int, retired: Any) -> Any:
    return (
        select(table)
        .where(table.c.contract == contract, retired.is_(None))
        .where(table.c.start_ts < end, table.c.end_ts > start)
        .order_by(table.c.start_ts, table.c.id)
    )


def _audit(
    conn: Connection,
    entity: _Entity,
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


def _maintenance_record(row: Row[Any]) -> MaintenanceRecord:
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


def _exclusion_record(row: Row[Any]) -> ExclusionRecord:
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


def _iso(instant: int) -> str:
    return datetime.fromtimestamp(instant, UTC).isoformat().replace("+00:00", "Z")


def _cause(error: object) -> str:
    """The driver's message on one line (psycopg spreads it over several)."""
    return " ".join(line.strip() for line in str(error).splitlines() if line.strip())


def _redact(text: str) -> str:
    """``text`` with any password between ``user:`` and ``@`` masked."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", text)
