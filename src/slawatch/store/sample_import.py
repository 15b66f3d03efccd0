"""Bulk import of probe samples: the fastest insert each database offers, then the flips.

Samples already stored (same target, location and instant, same ``ok``) are skipped; one
that contradicts a stored sample, or one written earlier by the same import, is
a ``SampleConflict`` and the transaction keeps nothing. Only a batch that hit an
existing key pays for that check, so a first import costs nothing more. The
targets that gained samples have their flips recomputed from their earliest new
sample on; a timeline that gains many, in order, after all it held, keeps them
(``flips.Tail``) and is recomputed from them, without reading them back. A sample's
key includes its location: agents at two locations never collide, and each (target,
location) has its own flips.

Batches come as ``SampleRow`` lists (the agent) or as ``SampleColumns`` (the importer,
which builds no object per sample); both are written column by column, target by
target, with no Python-level work per sample: on SQLite, statements of many rows
that bind the target and location once (half the cost of an ``executemany`` of the same rows).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from itertools import compress, count, islice
from operator import ne, not_
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from sqlalchemy import Connection

from slawatch.errors import UserError
from slawatch.sla.timeline import TimelineRule
from slawatch.store.flips import Recomputed, Tail, TimelineNews, Where, last_stored_ms, recompute
from slawatch.store.recompute import Change, recompute_many

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


class SampleColumns(NamedTuple):
    """A batch of samples column by column, the i-th sample being the i-th of each
    column: a million samples imported without a Python object per sample."""

    target: Sequence[str]
    ts_ms: Sequence[int]
    ok: Sequence[bool]
    latency_ms: Sequence[float | None]
    status: Sequence[int | None]
    error: Sequence[str | None]
    location: Sequence[str]

    @classmethod
    def of(cls, rows: Sequence[SampleRow]) -> SampleColumns:
        """The columns of ``rows``."""
        if not rows:
            return cls((), (), (), (), (), (), ())
        return cls(*zip(*rows, strict=True))

    def part(self, start: int, end: int) -> SampleColumns:
        """The samples ``[start, end)``."""
        return SampleColumns._make(column[start:end] for column in self)

    def picked(self, order: Sequence[int]) -> SampleColumns:
        """The samples at the indexes ``order``, in that order."""
        return SampleColumns._make(list(map(column.__getitem__, order)) for column in self)


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
    flips_changed: bool = False  # a timeline of it changed (Recomputed.changed)
    flips_revived: bool = False  # one was only known again (Recomputed.revived)


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
                was.read + c.read,
                was.added + c.added,
                was.flips_changed or c.flips_changed,
                was.flips_revived or c.flips_revived,
            )
        return cls(found)

    @property
    def changed_targets(self) -> list[str]:
        """The targets whose timeline the import changed."""
        return [name for name, t in self.targets.items() if t.flips_changed]

    @property
    def news(self) -> TimelineNews:
        """What the import tells the readers of the timelines (a target both changed
        and revived, at two locations, is changed)."""
        changed = frozenset(self.changed_targets)
        revived = {name for name, t in self.targets.items() if t.flips_revived}
        return TimelineNews(changed, frozenset(revived - changed))


@dataclass(slots=True)
class _Tally:
    """What an import did to one target at one location so far."""

    rule: TimelineRule
    since_ms: int  # earliest sample read: flips are recomputed from there
    read: int = 0
    added: int = 0
    flips_changed: bool = False
    flips_revived: bool = False
    kept: Tail | None = None  # its samples as written, while they may be all (flips.Tail)


class SampleImport:
    """One import inside its transaction: the batches written, then the flips."""

    def __init__(self, conn: Connection, rules: Mapping[str, TimelineRule], now: int) -> None:
        """``now``: when the import is written, which tells what of it is news to readers
        (``Recomputed.revived``)."""
        self._conn = conn
        self._rules = rules
        self._now = now
        self._writer = _sample_writer(conn)
        self._tallies: dict[Where, _Tally] = {}
        self._room = _KEPT  # samples that may still be kept for the flips

    def write(self, batch: Sequence[SampleRow] | SampleColumns) -> None:
        """Insert a batch, skipping samples already stored, and tally it per target.

        Raises ``ValueError`` for a target without a rule.
        """
        columns = batch if isinstance(batch, SampleColumns) else SampleColumns.of(batch)
        groups = _by_timeline(columns)
        for where, samples in groups.items():
            earliest = min(samples.ts_ms)
            tally = self._tallies.get(where) or self._start(where, samples)
            tally.read += len(samples.ts_ms)
            tally.since_ms = min(tally.since_ms, earliest)
        added = self._writer.write(groups)
        for where, samples in groups.items():
            tally = self._tallies[where]
            tally.added += added.get(where, 0)
            if added.get(where, 0) < len(samples.ts_ms):  # a key was hit: same, or a conflict?
                tally.kept = None
                _check_against_stored(where, samples, self._writer.stored_ok)
            elif tally.kept is not None:
                self._keep(tally, samples)

    def recompute_flips(self) -> None:
        """Recompute the flips of every (target, location) that gained samples: those
        that gained many one by one (reading their samples back is most of the cost),
        the others together, in a few statements for all (recompute.py)."""
        gained = [(where, tally) for where, tally in self._tallies.items() if tally.added]
        few = [(where, tally) for where, tally in gained if tally.added < _MANY]
        changes = [Change(where, tally.since_ms, tally.rule) for where, tally in few]
        for (_, tally), outcome in zip(few, recompute_many(self._conn, changes), strict=True):
            self._tell(tally, outcome)
        for where, tally in gained:
            if tally.added >= _MANY:
                self._tell(
                    tally, recompute(self._conn, where, tally.since_ms, tally.rule, tally.kept)
                )

    def _tell(self, tally: _Tally, outcome: Recomputed) -> None:
        tally.flips_changed = outcome.changed
        tally.flips_revived = outcome.revived(self._now)

    def result(self) -> ImportResult:
        return ImportResult.of(self._tallies)

    def _start(self, where: Where, samples: SampleColumns) -> _Tally:
        if where.target not in self._rules:
            raise ValueError(f"no timeline rule for target {where.target!r}: is it in the config?")
        rule = self._rules[where.target]
        tally = self._tallies[where] = _Tally(rule, min(samples.ts_ms))
        if len(samples.ts_ms) >= _KEEP_FROM and _before(last_stored_ms(self._conn, where), tally):
            tally.kept = Tail(rule.degraded_above_ms is not None)
        return tally

    def _keep(self, tally: _Tally, samples: SampleColumns) -> None:
        """Keep ``samples`` for the flips; stop keeping the timeline's if they are not
        in order after the kept ones, or when ``_KEPT`` samples are kept in all."""
        rows = len(samples.ts_ms)
        if tally.kept is None or rows > self._room:
            tally.kept = None
        elif tally.kept.add(samples.ts_ms, samples.ok, samples.latency_ms):
            self._room -= rows
        else:
            tally.kept = None


def _before(stored_ms: int | None, tally: _Tally) -> bool:
    """Whether the timeline's stored samples all come before the import's first one:
    then the samples it writes, if in order and all new, are all from there on."""
    return stored_ms is None or stored_ms < tally.since_ms


# Samples a timeline gains beyond which its flips are recomputed alone: the
# batched query sorts what it reads, which a long history pays for (recompute.py).
_MANY = 10_000
# A timeline's samples are kept for its flips (flips.Tail) when its first batch brings
# at least _KEEP_FROM (the agent's writes bring one or two, and are spared the query
# of ``_before``), after every stored one, up to _KEPT in all (~34 MB).
_KEEP_FROM = 100
_KEPT = 2_000_000


class _ManyRows:
    """SQLite: statements of up to ``_ROWS`` samples of one (target, location), whose
    row counts add up to what it added.

    The target and location are bound once per statement and the error column only when a sample
    has one; ``ok`` goes as 0/1, how SQLite stores booleans (sqlite3 binds a ``bool``
    through its adapter lookup, a plain ``int`` directly).
    """

    def __init__(self, conn: Connection) -> None:
        self._driver = cast("sqlite3.Connection", conn.connection.driver_connection)

    def write(self, groups: Mapping[Where, SampleColumns]) -> dict[Where, int]:
        cursor = self._driver.cursor()
        try:
            return {where: self._insert(cursor, where, part) for where, part in groups.items()}
        finally:
            cursor.close()

    def _insert(self, cursor: sqlite3.Cursor, where: Where, samples: SampleColumns) -> int:
        columns: list[Sequence[Any]] = [
            samples.ts_ms,
            list(map(int, samples.ok)),
            samples.latency_ms,
            samples.status,
        ]
        if samples.error.count(None) != len(samples.error):
            columns.append(samples.error)
        added = 0
        for start in range(0, len(samples.ts_ms), _ROWS):
            chunk = [column[start : start + _ROWS] for column in columns]
            cursor.execute(_many_rows(len(chunk[0]), len(columns)), _interleaved(where, chunk))
            added += cursor.rowcount
        return added

    def stored_ok(self, where: Where, span: tuple[int, int], failed: bool) -> dict[int, Any]:
        sql = _STORED_FAILED if failed else _STORED_OK
        return dict(self._driver.execute(sql, (*where, *span)))


_ROWS = 200  # samples per SQLite statement: 2 + 5 x 200 parameters, far below its limit


@cache
def _many_rows(rows: int, width: int) -> str:
    """An INSERT of ``rows`` samples of the target ``?1`` at the location ``?2``: ts_ms,
    ok, latency_ms, status and, when ``width`` is 5, error (NULL otherwise) of each
    sample from ``?3`` on."""
    marks = (
        "(?1, "
        + ", ".join(f"?{3 + width * row + i}" for i in range(width))
        + ", NULL" * (5 - width)
        + ", ?2)"
        for row in range(rows)
    )
    return f"{_SQLITE_INSERT_SAMPLES} VALUES {', '.join(marks)} ON CONFLICT DO NOTHING"


def _interleaved(where: Where, columns: list[Sequence[Any]]) -> list[Any]:
    """Target, location, then the columns' values row after row, as ``_many_rows``
    binds them."""
    width = len(columns)
    flat: list[Any] = [None] * (2 + width * len(columns[0]))
    flat[0:2] = where
    for i, column in enumerate(columns):
        flat[2 + i :: width] = column
    return flat


class _CopyMerge:
    """PostgreSQL: COPY into a temporary table, then one INSERT .. SELECT that
    reports what each target added; twice as fast as psycopg's executemany."""

    def __init__(self, conn: Connection) -> None:
        self._driver = cast("psycopg.Connection[Any]", conn.connection.driver_connection)
        self._driver.execute(
            "CREATE TEMPORARY TABLE incoming_samples (LIKE samples) ON COMMIT DROP"
        )

    def write(self, groups: Mapping[Where, SampleColumns]) -> dict[Where, int]:
        with self._driver.cursor() as cursor:
            with cursor.copy("COPY incoming_samples FROM STDIN") as copy:
                for samples in groups.values():
                    for row in zip(*samples, strict=True):
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
    "INSERT INTO samples (target, ts_ms, ok, latency_ms, status, error, location)"
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


def _sample_writer(conn: Connection) -> _ManyRows | _CopyMerge:
    """The fastest way into this database (the only place where the two differ)."""
    return _ManyRows(conn) if conn.dialect.name == "sqlite" else _CopyMerge(conn)


StoredOk = Callable[[Where, tuple[int, int], bool], dict[int, Any]]
"""``stored_ok(where, (first_ms, last_ms), failed)``: the timeline's stored ``ok`` by
instant within the span, only the failed samples if ``failed``."""


def _check_against_stored(where: Where, samples: SampleColumns, stored_ok: StoredOk) -> None:
    """Raise ``SampleConflict`` for the first of ``samples`` whose ``ok`` is not the
    stored one. Called after the insert, when some of them hit a stored key: every
    sample's key is stored then (those added agree with themselves). Failures are
    rare, so when the instants are distinct, comparing the failed instants on both
    sides decides it without reading every stored sample back (a re-import stays fast)."""
    instants = set(samples.ts_ms)
    span = (min(instants), max(instants))
    if len(instants) == len(samples.ts_ms):
        failed = set(compress(samples.ts_ms, map(not_, samples.ok)))
        if instants.intersection(stored_ok(where, span, True)) == failed:
            return
    stored = stored_ok(where, span, False)
    for ts_ms, ok in zip(samples.ts_ms, samples.ok, strict=True):
        if bool(stored[ts_ms]) != bool(ok):
            raise SampleConflict(where, ts_ms, bool(ok), bool(stored[ts_ms]))


def _by_timeline(batch: SampleColumns) -> dict[Where, SampleColumns]:
    """The batch's samples per (target, location). A file lists a target's samples
    together, or by instant across targets: in the second case they are sorted first.
    A batch from one location (most are) is split by target alone: no pair to build
    per sample."""
    location = batch.location
    if not location:
        return {}
    keys: Sequence[Any]
    if location.count(location[0]) == len(location):
        keys, place = batch.target, location[0]
    else:
        keys, place = list(zip(batch.target, location, strict=True)), None
    starts = [0, *compress(count(1), map(ne, islice(keys, 1, None), keys))]
    if len(starts) > len({keys[start] for start in starts}):  # a timeline in several runs
        return _by_timeline(batch.picked(sorted(range(len(keys)), key=keys.__getitem__)))
    ends = [*starts[1:], len(keys)]
    return {
        Where(keys[a], place) if place is not None else Where(*keys[a]): batch.part(a, b)
        for a, b in zip(starts, ends, strict=True)
        if b > a
    }
