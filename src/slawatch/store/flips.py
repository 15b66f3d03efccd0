"""Stored flips: recomputed from the samples after they change, read back per target.

Flips are what reports read; they are derived from the samples with the
target's ``TimelineRule`` (sla/timeline.py) and stored in UTC epoch seconds, one
timeline per (target, location): the store never combines locations, the core does
(sla/locations.py), so a late sample of one location recomputes only its own flips.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from itertools import repeat
from operator import floordiv, itemgetter
from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, case, func, insert, select, text
from sqlalchemy.sql.compiler import SQLCompiler

from slawatch.sla.timeline import Flip, State, TimelineRule
from slawatch.store import schema as db
from slawatch.store.database import driver_rows

STATES = {state.value: state for state in State}
_new_flip = tuple.__new__
_FIRST, _SECOND, _THIRD = itemgetter(0), itemgetter(1), itemgetter(2)
_BY_NUMBER = tuple(State)  # flips are read with their state as its index here (_FLIPS_AROUND)


COMMIT_MARGIN = 2  # seconds a write may take from its clock reading to its commit


class Recomputed(NamedTuple):
    flips: list[Flip]  # the flips now stored from the recomputation's anchor on
    stale: list[Flip]  # the flips they replaced

    @property
    def changed(self) -> bool:
        """Whether the timeline changed other than by its closing unknown flip moving
        later, which every new sample of a live target does."""
        return settled(self.stale) != settled(self.flips)

    def revived(self, now: int) -> bool:
        """Whether only the closing unknown flip moved, once a reader could have reached
        it: the samples came late, and readers since then saw the target unknown where it
        is known now. A forecast that continued it unknown is wrong; any other is not.
        ``now`` is when the write began; readers read through their current second
        (exporters/sla_metrics.py) and may read before the write commits, up to
        ``COMMIT_MARGIN`` seconds later."""
        if self.changed or not self.stale or self.flips == self.stale:
            return False
        closing = self.stale[-1]
        return closing.state is State.UNKNOWN and closing.t <= now + COMMIT_MARGIN


class TimelineNews(NamedTuple):
    """What a write tells the readers of timelines: which ones changed, and which
    were only known again (``Recomputed.changed`` and ``revived``)."""

    changed: frozenset[str] = frozenset()
    revived: frozenset[str] = frozenset()

    def __or__(self, other: TimelineNews) -> TimelineNews:
        return TimelineNews(self.changed | other.changed, self.revived | other.revived)

    @property
    def empty(self) -> bool:
        return not (self.changed or self.revived)


class Where(NamedTuple):
    """One timeline: a target as probed from one location (``""``: the unnamed one)."""

    target: str
    location: str = ""


class Tail:
    """A timeline's samples as an import wrote them, in order, from its first one
    (``since_ms``) on, when they are all the samples stored from there on: the flips
    are recomputed from them, without reading them back (a sixth of a million-row
    import's time)."""

    __slots__ = ("_last_ms", "latencies", "oks", "times")

    def __init__(self, degraded: bool) -> None:
        self.times = array("q")  # seconds; 8 bytes a sample, not a Python int
        self.oks: list[bool] = []
        self.latencies: list[float | None] | None = [] if degraded else None
        self._last_ms = -1

    def __len__(self) -> int:
        return len(self.times)

    def add(
        self, ts_ms: Sequence[int], oks: Sequence[bool], latencies: Sequence[float | None]
    ) -> bool:
        """Append samples that come after the last, in order; False (and nothing
        appended) when they do not. (An instant written twice is not added twice,
        and the caller keeps no tail then: ``sorted`` needs not check that.)"""
        if ts_ms[0] <= self._last_ms or sorted(ts_ms) != list(ts_ms):
            return False
        self.times.extend(map(floordiv, ts_ms, repeat(1000)))
        self.oks.extend(oks)
        if self.latencies is not None:
            self.latencies.extend(latencies)
        self._last_ms = ts_ms[-1]
        return True


def recompute(
    conn: Connection, where: Where, since_ms: int, rule: TimelineRule, tail: Tail | None = None
) -> Recomputed:
    """Recompute ``where``'s flips from the last effective ok sample before ``since_ms``.

    No failure run crosses an ok sample (sla/timeline.py), so the flips before that
    anchor stand; without an anchor the whole history is recomputed. ``tail``: every
    sample stored from ``since_ms`` on, if the caller has them (``last_stored_ms``).
    """
    keys = where._asdict()
    anchor_ms = conn.execute(_anchor_query(rule), {**keys, "since": since_ms}).scalar()
    if tail is None:
        fresh = rule.flips(*_outcomes(conn, where, anchor_ms, rule))
    else:
        fresh = rule.flips(*_joined(_outcomes(conn, where, anchor_ms, rule, since_ms), tail))
    anchor = None if anchor_ms is None else anchor_ms // 1000
    if fresh and anchor is not None and _state_before(conn, where, anchor) is fresh[0].state:
        fresh = fresh[1:]  # the state already holds: a second flip to it would say nothing
    stale = _replace_flips(conn, where, anchor, fresh)
    return Recomputed(fresh, stale)


def settled(flips: list[Flip]) -> list[Flip]:
    """``flips`` without the closing unknown flip that only says when samples stopped."""
    return flips[:-1] if flips and flips[-1].state is State.UNKNOWN else flips


def flips_around(
    conn: Connection, targets: Sequence[str], start: int, end: int
) -> dict[str, dict[str, list[Flip]]]:
    """Per target, per location that has flips: its last flip at or before ``start``,
    then its flips in ``(start, end)``.

    A year of a thousand targets is 400,000 flips: they are read with the driver's
    own cursor, the queries compiled once, their state as a small number (no string
    to decode), and built with ``tuple.__new__`` (no Python-level ``Flip.__new__``);
    SQLAlchemy's results cost as much as the read. A target's locations are found by
    skipping through the primary key, one seek per location, not by reading its history.
    """
    around = _FLIPS_AROUND.compile(dialect=conn.dialect)
    places = _LOCATIONS.compile(dialect=conn.dialect)
    around_sql, places_sql = str(around), str(places)
    cursor = conn.connection.cursor()
    try:
        found: dict[str, dict[str, list[Flip]]] = {}
        for target in targets:
            cursor.execute(places_sql, _parameters(places, {"target": target}))
            found[target] = per_location = {}
            for (location,) in cursor.fetchall():
                values = {"target": target, "location": location, "start": start, "end": end}
                cursor.execute(around_sql, _parameters(around, values))
                rows = cursor.fetchall()
                per_location[location] = [
                    _new_flip(Flip, (ts, _BY_NUMBER[state])) for ts, state in rows
                ]
        return found
    finally:
        cursor.close()


def _parameters(compiled: SQLCompiler, values: dict[str, Any]) -> Any:
    """``values`` and the query's own literals as the driver takes them: in query
    order for ``?`` placeholders."""
    every = compiled.construct_params(values)
    if compiled.positiontup is None:
        return every
    return [every[name] for name in compiled.positiontup]


def last_stored_ms(conn: Connection, where: Where) -> int | None:
    """The instant of ``where``'s last stored sample (one seek in the primary key)."""
    s = db.samples.c
    query = select(func.max(s.ts_ms)).where(s.target == where.target, s.location == where.location)
    return conn.execute(query).scalar()


def _joined(
    head: tuple[list[int], list[bool], list[float | None]], tail: Tail
) -> tuple[Sequence[int], list[bool], list[float | None]]:
    """The samples read back (``head``), then ``tail``'s."""
    times, oks, latencies = head
    return (
        array("q", times) + tail.times,
        oks + tail.oks,
        latencies + (tail.latencies if tail.latencies is not None else [None] * len(tail)),
    )


def _outcomes(
    conn: Connection,
    where: Where,
    from_ms: int | None,
    rule: TimelineRule,
    until_ms: int | None = None,
) -> tuple[list[int], list[bool], list[float | None]]:
    """Seconds, ok and latency of ``where``'s samples from ``from_ms`` on (all when
    None), and before ``until_ms`` if given.

    The latency is read only when the rule looks at it (a million samples are read
    back after a bulk import: an extra column costs a tenth of the read), the
    seconds are divided by the database, and the columns taken apart in C.
    """
    s = db.samples.c
    degraded = rule.degraded_above_ms is not None
    query = select(s.ts_ms // 1000, s.ok, *([s.latency_ms] if degraded else [])).where(
        s.target == where.target, s.location == where.location
    )
    if from_ms is not None:
        query = query.where(s.ts_ms >= from_ms)
    if until_ms is not None:
        query = query.where(s.ts_ms < until_ms)
    rows = driver_rows(conn, query.order_by(s.ts_ms))
    latencies = list(map(_THIRD, rows)) if degraded else [None] * len(rows)
    return list(map(_FIRST, rows)), list(map(_SECOND, rows)), latencies


def _anchor_query(rule: TimelineRule) -> Any:
    """The last sample before ``:since`` that counts as ok under ``rule``."""
    query = select(db.samples.c.ts_ms).where(
        db.samples.c.target == bindparam("target"),
        db.samples.c.location == bindparam("location"),
        db.samples.c.ts_ms < bindparam("since"),
        db.samples.c.ok.is_(True),
    )
    if rule.degraded_above_ms is not None:  # a slow ok sample counts as failed
        query = query.where(
            db.samples.c.latency_ms.is_(None) | (db.samples.c.latency_ms <= rule.degraded_above_ms)
        )
    return query.order_by(db.samples.c.ts_ms.desc()).limit(1)


def _state_before(conn: Connection, where: Where, ts: int) -> State | None:
    query = (
        select(db.flips.c.state)
        .where(db.flips.c.target == where.target, db.flips.c.location == where.location)
        .where(db.flips.c.ts < ts)
        .order_by(db.flips.c.ts.desc())
        .limit(1)
    )
    state = conn.execute(query).scalar()
    return None if state is None else STATES[state]


def _replace_flips(
    conn: Connection, where: Where, since: int | None, fresh: list[Flip]
) -> list[Flip]:
    """Delete ``where``'s flips from ``since`` on (all when None) and store ``fresh``;
    returns the deleted flips in order."""
    stale = db.flips.delete().where(
        db.flips.c.target == where.target, db.flips.c.location == where.location
    )
    if since is not None:
        stale = stale.where(db.flips.c.ts >= since)
    deleted = conn.execute(stale.returning(db.flips.c.ts, db.flips.c.state)).all()
    if fresh:
        conn.execute(
            insert(db.flips),
            [{**where._asdict(), "ts": f.t, "state": f.state.value} for f in fresh],
        )
    return sorted(Flip(ts, STATES[state]) for ts, state in deleted)


_HERE = (db.flips.c.target == bindparam("target"), db.flips.c.location == bindparam("location"))

# A target's locations, smallest first: each step is one seek in the primary key
# (a loose index scan), so the cost is the number of locations, not of flips.
_LOCATIONS = text(
    "WITH RECURSIVE steps(location) AS ("
    " SELECT min(location) FROM flips WHERE target = :target"
    " UNION ALL SELECT (SELECT min(f.location) FROM flips f"
    "  WHERE f.target = :target AND f.location > steps.location)"
    " FROM steps WHERE steps.location IS NOT NULL)"
    " SELECT location FROM steps WHERE location IS NOT NULL"
)

# One timeline's flips in [its last flip at or before :start, :end): both bounds are
# ranges of the primary key, so the cost does not grow with the target's history.
_LAST_FLIP_BEFORE = (
    select(func.max(db.flips.c.ts)).where(*_HERE, db.flips.c.ts <= bindparam("start"))
).scalar_subquery()
_FLIPS_AROUND = (
    select(
        db.flips.c.ts,
        case({state.value: i for i, state in enumerate(_BY_NUMBER)}, value=db.flips.c.state),
    )
    .where(*_HERE)
    .where(db.flips.c.ts >= func.coalesce(_LAST_FLIP_BEFORE, bindparam("start")))
    .where(db.flips.c.ts < bindparam("end"))
    .order_by(db.flips.c.ts)
)
