"""Flips recomputed for many timelines at once: what the agent's writes touch.

An agent probing 1,200 targets a second writes, at each flush, a sample or two to
hundreds of timelines. Recomputed one by one (``recompute`` in flips.py), each
costs five statements: the anchor, the samples, the state before the anchor, the
delete and the insert. Here each of those steps is one statement over all the
timelines (listed to the database as a table, ``_CHUNK`` at a time), so
a flush costs five statements whatever the number of targets, with the same
results as ``recompute`` timeline by timeline (tests/store/test_recompute.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import groupby
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import Connection

from slawatch.sla.timeline import Flip, State, TimelineRule
from slawatch.store.flips import STATES, Recomputed, Where


class Change(NamedTuple):
    """A timeline whose samples from ``since_ms`` on changed."""

    where: Where
    since_ms: int
    rule: TimelineRule


_FROM_START = -1  # an instant before every sample and flip (none is negative)
_CHUNK = 500  # timelines per statement: 5 parameters each, far below both databases' limits
# SQLite: the VALUES list is padded to a multiple of this with rows that match nothing
# (_NOTHING: no target, i < 0). Python's sqlite3 keeps the last 128 statements prepared,
# a statement per length of the list: up to 128 of each of the three, some hundreds of
# kB each, took some 40 MB of an agent at 50,000 targets. Padded, ten lengths are left.
_BUCKET = 50
_NOTHING = (-1, None, None, _FROM_START, None)
_FIRST = itemgetter(0)

# The timelines as a table: i (their index), target, location, since (ms for the
# anchors, the anchor for the samples, its second for the flips), slow (the rule's
# degraded_above_ms). SQLite gets them as a VALUES list; PostgreSQL as five arrays,
# one a column: the driver parses a statement of more than a few kB at every execution
# (not cached), and a VALUES list of 500 timelines, 40 kB, took a third of a flush's CPU.
_ROW = "(CAST(? AS INTEGER), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS FLOAT))"
_VALUES = "WITH w (i, target, location, since, slow) AS (VALUES {rows}) "
_ARRAYS = (
    "WITH w (i, target, location, since, slow) AS (SELECT * FROM unnest(CAST(%s AS INTEGER[]), "
    "CAST(%s AS TEXT[]), CAST(%s AS TEXT[]), CAST(%s AS BIGINT[]), CAST(%s AS FLOAT[]))) "
)
_SAME = "{t}.target = w.target AND {t}.location = w.location"
# The last sample before ``since`` that counts as ok under the rule (flips.py's _anchor_query).
_ANCHORS = (
    "SELECT w.i, (SELECT s.ts_ms FROM samples s WHERE " + _SAME.format(t="s") + " "
    "AND s.ts_ms < w.since AND s.ok "
    "AND (w.slow IS NULL OR s.latency_ms IS NULL OR s.latency_ms <= w.slow) "
    "ORDER BY s.ts_ms DESC LIMIT 1) FROM w"
)
_SAMPLES = (
    "SELECT w.i, s.ts_ms, s.ok, s.latency_ms FROM w JOIN samples s "
    "ON " + _SAME.format(t="s") + " AND s.ts_ms >= w.since ORDER BY w.i, s.ts_ms"
)
# The flips from the anchor's second on, and the last one before it.
_FLIPS = (
    "SELECT w.i, f.ts, f.state FROM w JOIN flips f ON " + _SAME.format(t="f") + " "
    "AND f.ts >= COALESCE((SELECT max(b.ts) FROM flips b WHERE " + _SAME.format(t="b") + " "
    "AND b.ts < w.since), w.since) ORDER BY w.i, f.ts"
)
_DELETE = "DELETE FROM flips WHERE target = ? AND location = ? AND ts >= ?"
_INSERT = "INSERT INTO flips (target, location, ts, state) VALUES (?, ?, ?, ?)"
# The same on PostgreSQL, a statement for all rows (its columns as arrays): the driver's
# executemany cost some 40 us a row on this side.
_DELETE_ARRAYS = (
    "DELETE FROM flips f USING unnest(CAST(%s AS TEXT[]), CAST(%s AS TEXT[]), "
    "CAST(%s AS BIGINT[])) AS w (target, location, since) "
    "WHERE f.target = w.target AND f.location = w.location AND f.ts >= w.since"
)
_INSERT_ARRAYS = (
    "INSERT INTO flips (target, location, ts, state) SELECT * FROM unnest("
    "CAST(%s AS TEXT[]), CAST(%s AS TEXT[]), CAST(%s AS BIGINT[]), CAST(%s AS TEXT[]))"
)


def recompute_many(conn: Connection, changes: Sequence[Change]) -> list[Recomputed]:
    """``recompute`` (flips.py) of each change, in a few statements for all of them."""
    found: list[Recomputed] = []
    cursor = conn.connection.cursor()
    sqlite = conn.dialect.name == "sqlite"
    try:
        for start in range(0, len(changes), _CHUNK):
            found += _recompute(_Statements(cursor, sqlite), changes[start : start + _CHUNK])
    finally:
        cursor.close()
    return found


class _Statements:
    """The statements, in the database's way (SQLite, or PostgreSQL), on one cursor."""

    def __init__(self, cursor: Any, sqlite: bool) -> None:
        self._cursor = cursor
        self._sqlite = sqlite

    def rows(self, sql: str, timelines: list[tuple[Any, ...]]) -> Iterator[tuple[Any, list[Any]]]:
        """``sql`` over ``timelines`` (the table ``w``, see ``_ROW``): its rows, grouped by i."""
        if self._sqlite:
            padded = [*timelines, *[_NOTHING] * (-len(timelines) % _BUCKET)]
            text = _VALUES.format(rows=", ".join([_ROW] * len(padded))) + sql
            self._cursor.execute(text, [value for row in padded for value in row])
        else:
            self._cursor.execute(_ARRAYS + sql, _columns(timelines))
        found = groupby(self._cursor.fetchall(), _FIRST)
        return ((i, list(rows)) for i, rows in found if i >= 0)

    def many(self, sql: str, arrays: str, rows: list[tuple[Any, ...]]) -> None:
        """``sql`` for each of ``rows`` on SQLite; on PostgreSQL ``arrays``, once for all."""
        if not rows:
            return
        if self._sqlite:
            self._cursor.executemany(sql, rows)
        else:
            self._cursor.execute(arrays, _columns(rows))


def _columns(rows: list[tuple[Any, ...]]) -> list[list[Any]]:
    """``rows``' columns, each a list (PostgreSQL takes it as an array)."""
    return [list(column) for column in zip(*rows, strict=True)]


def _recompute(statements: _Statements, changes: Sequence[Change]) -> list[Recomputed]:
    anchors = _anchors(statements, changes)
    outcomes = _outcomes(statements, changes, anchors)
    seconds = [None if ms is None else ms // 1000 for ms in anchors]
    before, stale = _flips_from(statements, changes, seconds)
    found = []
    for i, change in enumerate(changes):
        fresh = change.rule.flips(*outcomes[i])
        if fresh and before[i] is fresh[0].state:
            fresh = fresh[1:]  # the state already holds: a second flip to it would say nothing
        found.append(Recomputed(fresh, stale[i]))
    _replace(statements, changes, seconds, found)
    return found


def _timelines(changes: Sequence[Change], since: Sequence[int | None]) -> list[tuple[Any, ...]]:
    return [
        (i, *c.where, _FROM_START if s is None else s, c.rule.degraded_above_ms)
        for i, (c, s) in enumerate(zip(changes, since, strict=True))
    ]


def _anchors(statements: _Statements, changes: Sequence[Change]) -> list[int | None]:
    """Each timeline's last ok sample (ms) before its change, None if it has none."""
    anchors: list[int | None] = [None] * len(changes)
    for i, rows in statements.rows(_ANCHORS, _timelines(changes, [c.since_ms for c in changes])):
        anchors[i] = rows[0][1]
    return anchors


def _outcomes(
    statements: _Statements, changes: Sequence[Change], anchors: list[int | None]
) -> list[tuple[list[int], list[bool], list[float | None]]]:
    """Seconds, ok and latency of each timeline's samples from its anchor on."""
    found: list[tuple[list[int], list[bool], list[float | None]]] = [([], [], [])] * len(changes)
    for i, rows in statements.rows(_SAMPLES, _timelines(changes, anchors)):
        found[i] = (
            [ts_ms // 1000 for _, ts_ms, _, _ in rows],
            [bool(ok) for _, _, ok, _ in rows],
            [latency for _, _, _, latency in rows],
        )
    return found


def _flips_from(
    statements: _Statements, changes: Sequence[Change], seconds: list[int | None]
) -> tuple[list[State | None], list[list[Flip]]]:
    """Per timeline: the state before its anchor's second, and its flips from there on."""
    before: list[State | None] = [None] * len(changes)
    stale: list[list[Flip]] = [[] for _ in changes]
    for i, rows in statements.rows(_FLIPS, _timelines(changes, seconds)):
        anchor = seconds[i]
        since = _FROM_START if anchor is None else anchor
        for _, ts, state in rows:
            if ts < since:
                before[i] = STATES[state]
            else:
                stale[i].append(Flip(ts, STATES[state]))
    return before, stale


def _replace(
    statements: _Statements,
    changes: Sequence[Change],
    seconds: list[int | None],
    found: list[Recomputed],
) -> None:
    """Delete each timeline's flips from its anchor's second on; store the fresh ones."""
    statements.many(
        _DELETE,
        _DELETE_ARRAYS,
        [
            (*c.where, _FROM_START if s is None else s)
            for c, s in zip(changes, seconds, strict=True)
        ],
    )
    statements.many(
        _INSERT,
        _INSERT_ARRAYS,
        [
            (*c.where, flip.t, flip.state.value)
            for c, r in zip(changes, found, strict=True)
            for flip in r.flips
        ],
    )
