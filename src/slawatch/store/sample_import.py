"""Bulk import of probe samples: the fastest insert each database offers, then the flips.

Samples already stored (same target, location and instant, same ``ok``) are skipped; one
that contradicts a stored sample, or one written earlier by the same import, is
a ``SampleConflict`` and the transaction keeps nothing. Only a batch that hit an
existing key pays for that check, so a first import costs nothing more. The
targets that gained samples have their flips recomputed from their earliest new
sample on. A sample's key includes its location: agents at two locations never
collide, and each (target, location) has its own flips.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import compress
from operator import itemgetter, not_
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from sqlalchemy import Connection

from slawatch.errors import UserError
from slawatch.sla.timeline import TimelineRule
from slawatch.store.flips import Where, recompute

if TYPE_CHECKING:
    import sqlite3

    import psycopg


class SampleRow(NamedTuple):
    """One probe sample, as the importer and the agent hand them over."""

    target: str
    ts_ms: int  # UTC epoch milliseconds
    ok: bool  # the probe's own outcome; degraded-as-down is the timeline rule's business
    latency_ms: float | None = None
    status: int | None = None  # e.g. the HTTP status code
    error: str | None = None
    location: str = ""  # the probing agent's agent.location; "" for the unnamed one


class SampleConflict(UserError):
    """A sample that contradicts another of the same target, location and instant: the
    stored one (maybe written earlier by the same import) has the other ``ok``. Which
    one is right is for a person to say; the import that brought it keeps nothing."""

    def __init__(self, where: Where, ts_ms: int, ok: bool, stored_ok: bool) -> None:
        self.target, self.location = where
        self.ts_ms = ts_ms
        self.ok = ok
        self.stored_ok = stored_ok
        at = f" from {where.location}" if where.location else ""
        super().__init__(
            f"{where.target}{at} at {instant_text(ts_ms)}: ok {int(ok)} contradicts "
            f"the stored sample (ok {int(stored_ok)})"
        )


def instant_text(ts_ms: int) -> str:
    """``2026-10-01T12:00:00Z``, with milliseconds when it has some."""
    text = datetime.fromtimestamp(ts_ms / 1000, UTC).isoformat(timespec="milliseconds")
    return text.replace(".000+00:00", "Z").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class TargetImport:
    read: int  # samples of the target (all locations) in the input, duplicates included
    added: int  # of those, samples the database did not hold yet
    flips_changed: bool = False  # a timeline of it changed (not only its closing unknown flip)


@dataclass(frozen=True, slots=True)
class ImportResult:
    targets: Mapping[str, TargetImport]  # per target seen in the input

    @property
    def rows_read(self) -> int:
        return sum(t.read for t in self.targets.values())

    @property
    def rows_added(self) -> int:
        return sum(t.added for t in self.targets.values())

    @classmethod
    def of(cls, tallies: Mapping[Where, _Tally]) -> ImportResult:
        """The per-location tallies summed per target."""
        found: dict[str, TargetImport] = {}
        for (target, _), c in tallies.items():
            was = found.get(target, TargetImport(0, 0))
            found[target] = TargetImport(
                was.read + c.read, was.added + c.added, was.flips_changed or c.flips_changed
            )
        return cls(found)

    @property
    def changed_targets(self) -> list[str]:
        """The targets whose timeline the import changed."""
        return [name for name, t in self.targets.items() if t.flips_changed]


@dataclass(slots=True)
class _Tally:
    """What an import did to one target at one location so far."""

    rule: TimelineRule
    since_ms: int  # earliest sample read: flips are recomputed from there
    read: int = 0
    added: int = 0
    flips_changed: bool = False


class SampleImport:
    """One import inside its transaction: the batches written, then the flips."""

    def __init__(self, conn: Connection, rules: Mapping[str, TimelineRule]) -> None:
        self._conn = conn
        self._rules = rules
        self._writer = _sample_writer(conn)
        self._tallies: dict[Where, _Tally] = {}

    def write(self, batch: Sequence[SampleRow]) -> None:
        """Insert a batch, skipping samples already stored, and tally it per target.

        Raises ``ValueError`` for a target without a rule.
        """
        groups = _by_timeline(batch, self._writer.boolean)
        for where, rows in groups.items():
            earliest = min(map(itemgetter(1), rows))
            tally = self._tallies.get(where) or self._start(where, earliest)
            tally.read += len(rows)
            tally.since_ms = min(tally.since_ms, earliest)
        added = self._writer.write(groups)
        for where, rows in groups.items():
            self._tallies[where].added += added.get(where, 0)
            if added.get(where, 0) < len(rows):  # a key was hit: same sample, or a conflict?
                _check_against_stored(where, rows, self._writer.stored_ok)

    def recompute_flips(self) -> None:
        """Recompute the flips of every (target, location) that gained samples."""
        for where, tally in self._tallies.items():
            if tally.added:
                tally.flips_changed = recompute(
                    self._conn, where, tally.since_ms, tally.rule
                ).changed

    def result(self) -> ImportResult:
        return ImportResult.of(self._tallies)

    def _start(self, where: Where, since_ms: int) -> _Tally:
        if where.target not in self._rules:
            raise ValueError(f"no timeline rule for target {where.target!r}: is it in the config?")
        tally = self._tallies[where] = _Tally(self._rules[where.target], since_ms)
        return tally


class _ExecuteMany:
    """SQLite: one executemany per target, whose row count is what the target added.

    sqlite3 binds plain tuples of ints about 25 % faster than ``SampleRow``
    tuples holding bools, so rows come as 0/1 (how SQLite stores booleans).
    """

    boolean = int

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._driver = cast("sqlite3.Connection", conn.connection.driver_connection)

    def write(self, groups: Mapping[Where, list[tuple[Any, ...]]]) -> dict[Where, int]:
        return {
            where: self._conn.exec_driver_sql(_SQLITE_INSERT_SAMPLES, rows).rowcount
            for where, rows in groups.items()
        }

    def stored_ok(self, where: Where, span: tuple[int, int], failed: bool) -> dict[int, Any]:
        sql = _STORED_FAILED if failed else _STORED_OK
        return dict(self._driver.execute(sql, (*where, *span)))


class _CopyMerge:
    """PostgreSQL: COPY into a temporary table, then one INSERT .. SELECT that
    reports what each target added; twice as fast as psycopg's executemany."""

    boolean = bool

    def __init__(self, conn: Connection) -> None:
        self._driver = cast("psycopg.Connection[Any]", conn.connection.driver_connection)
        self._driver.execute(
            "CREATE TEMPORARY TABLE incoming_samples (LIKE samples) ON COMMIT DROP"
        )

    def write(self, groups: Mapping[Where, list[tuple[Any, ...]]]) -> dict[Where, int]:
        with self._driver.cursor() as cursor:
            with cursor.copy("COPY incoming_samples FROM STDIN") as copy:
                for rows in groups.values():
                    for row in rows:
                        copy.write_row(row)
            cursor.execute(_POSTGRES_MERGE_SAMPLES)
            added = {Where(target, location): n for target, location, n in cursor.fetchall()}
            cursor.execute("TRUNCATE incoming_samples")
        return added

    def stored_ok(self, where: Where, span: tuple[int, int], failed: bool) -> dict[int, Any]:
        sql = _STORED_FAILED if failed else _STORED_OK
        return dict(self._driver.execute(sql.replace("?", "%s"), (*where, *span)))


# ON CONFLICT DO NOTHING, unlike SQLite's INSERT OR IGNORE, skips only duplicate
# keys, never a NULL or a failed CHECK.
_SQLITE_INSERT_SAMPLES = (
    "INSERT INTO samples (target, ts_ms, ok, latency_ms, status, error, location) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
)
_POSTGRES_MERGE_SAMPLES = (
    "WITH added AS (INSERT INTO samples SELECT * FROM incoming_samples "
    "ON CONFLICT DO NOTHING RETURNING target, location) "
    "SELECT target, location, count(*) FROM added GROUP BY target, location"
)
_STORED_OK = (
    "SELECT ts_ms, ok FROM samples WHERE target = ? AND location = ? AND ts_ms BETWEEN ? AND ?"
)
_STORED_FAILED = _STORED_OK + " AND NOT ok"
_TS_MS, _OK = itemgetter(1), itemgetter(2)  # of the rows that writers bind


def _sample_writer(conn: Connection) -> _ExecuteMany | _CopyMerge:
    """The fastest way into this database (the only place where the two differ)."""
    return _ExecuteMany(conn) if conn.dialect.name == "sqlite" else _CopyMerge(conn)


StoredOk = Callable[[Where, tuple[int, int], bool], dict[int, Any]]
"""``stored_ok(where, (first_ms, last_ms), failed)``: the timeline's stored ``ok`` by
instant within the span, only the failed samples if ``failed``."""


def _check_against_stored(where: Where, rows: list[tuple[Any, ...]], stored_ok: StoredOk) -> None:
    """Raise ``SampleConflict`` for the first of ``rows`` whose ``ok`` is not the stored
    one. Called after the insert, when some of them hit a stored key: every row's key
    is stored then (those added agree with themselves). Failures are rare, so when
    the rows' instants are distinct, comparing the failed instants on both sides
    decides it without reading every stored sample back (a re-import stays fast)."""
    instants = set(map(_TS_MS, rows))
    span = (min(instants), max(instants))
    if len(instants) == len(rows):
        failed = set(compress(map(_TS_MS, rows), map(not_, map(_OK, rows))))
        if instants.intersection(stored_ok(where, span, True)) == failed:
            return
    stored = stored_ok(where, span, False)
    for _, ts_ms, ok, *_ in rows:
        if stored[ts_ms] != ok:
            raise SampleConflict(where, ts_ms, bool(ok), bool(stored[ts_ms]))


def _by_timeline(
    batch: Sequence[SampleRow], boolean: Callable[[bool], int | bool]
) -> dict[Where, list[tuple[Any, ...]]]:
    """The batch's rows per (target, location), as the plain tuples the driver binds
    fastest, in the samples table's column order."""
    groups: defaultdict[tuple[str, str], list[tuple[Any, ...]]] = defaultdict(list)
    for target, ts_ms, ok, latency_ms, status, error, location in batch:
        groups[target, location].append(
            (target, ts_ms, boolean(ok), latency_ms, status, error, location)
        )
    return {Where(*key): rows for key, rows in groups.items()}
