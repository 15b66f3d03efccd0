"""Bulk import of probe samples: the fastest insert each database offers, then the flips.

Samples already stored (same target and instant) are skipped; the targets that
gained samples have their flips recomputed from their earliest new sample on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from sqlalchemy import Connection

from slawatch.sla.timeline import TimelineRule
from slawatch.store.flips import recompute

if TYPE_CHECKING:
    import psycopg


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
    flips_changed: bool = False  # its timeline changed (not only its closing unknown flip)


@dataclass(frozen=True, slots=True)
class ImportResult:
    targets: Mapping[str, TargetImport]  # per target seen in the input

    @property
    def rows_read(self) -> int:
        return sum(t.read for t in self.targets.values())

    @property
    def rows_added(self) -> int:
        return sum(t.added for t in self.targets.values())

    @property
    def changed_targets(self) -> list[str]:
        """The targets whose timeline the import changed."""
        return [name for name, t in self.targets.items() if t.flips_changed]


@dataclass(slots=True)
class _Tally:
    """What an import did to one target so far."""

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
        self._tallies: dict[str, _Tally] = {}

    def write(self, batch: Sequence[SampleRow]) -> None:
        """Insert a batch, skipping samples already stored, and tally it per target.

        Raises ``ValueError`` for a target without a rule.
        """
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
                tally.flips_changed = recompute(
                    self._conn, target, tally.since_ms, tally.rule
                ).changed

    def result(self) -> ImportResult:
        return ImportResult(
            {t: TargetImport(c.read, c.added, c.flips_changed) for t, c in self._tallies.items()}
        )

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
