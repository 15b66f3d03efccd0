"""The batched flip recomputation (recompute.py) against the per-timeline one (flips.py),
on random histories written in two rounds, over SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Self

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, create_engine, insert, select

from slawatch.sla.timeline import TimelineRule
from slawatch.store import schema
from slawatch.store.database import Database, engine_for
from slawatch.store.flips import Where, recompute
from slawatch.store.recompute import Change, recompute_many
from slawatch.store.store import Store

T0_MS = 1_790_000_000_000
# A sample: its slot (one per interval), ok, slow (over a degraded rule's limit).
Sample = tuple[int, bool, bool]
rules = st.builds(
    TimelineRule,
    interval=st.sampled_from([30, 60]),
    confirm_after=st.integers(1, 3),
    degraded_above_ms=st.sampled_from([None, 500.0]),
)
# Distinct slots (a stored key is never written twice), each in the first or second round.
histories = st.dictionaries(
    st.integers(0, 40), st.tuples(st.booleans(), st.booleans(), st.booleans()), max_size=25
)
timelines = st.lists(st.tuples(rules, histories), min_size=1, max_size=6)
_names = itertools.count()


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    opened = Database(engine_for(db_url))
    yield opened
    opened.close()


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(timelines)
def test_batched_recomputation_stores_and_returns_what_the_per_timeline_one_does(
    database: Database, cases: list[tuple[TimelineRule, dict[int, tuple[bool, bool, bool]]]]
) -> None:
    run = next(_names)  # each example writes timelines of its own
    pairs = [
        (Where(f"one-{run}-{k}", "a" * (k % 2)), Where(f"many-{run}-{k}", "a" * (k % 2)))
        for k in range(len(cases))
    ]
    for round_ in (False, True):  # the first round's samples, then the second's, late or not
        with database.transaction(write=True) as conn:
            alone, changes = [], []
            for (one, many), (rule, history) in zip(pairs, cases, strict=True):
                samples = [
                    (slot, ok, slow) for slot, (ok, slow, late) in history.items() if late == round_
                ]
                if not samples:
                    continue
                since = _write(conn, [one, many], rule, samples)
                alone.append(recompute(conn, one, since, rule))
                changes.append(Change(many, since, rule))
            assert recompute_many(conn, changes) == alone
            for one, many in pairs:
                assert _stored(conn, many) == _stored(conn, one)


def _write(conn: Connection, places: list[Where], rule: TimelineRule, samples: list[Sample]) -> int:
    """Write the samples to each of ``places``; returns the earliest one's instant (ms)."""
    instants = {slot: T0_MS + slot * rule.interval * 1000 + 7 * slot for slot, _, _ in samples}
    rows = [
        {
            "target": where.target,
            "location": where.location,
            "ts_ms": instants[slot],
            "ok": ok,
            "latency_ms": 900.0 if slow else 80.0,
            "status": 200,
            "error": None,
        }
        for where in places
        for slot, ok, slow in samples
    ]
    conn.execute(insert(schema.samples), rows)
    return min(instants.values())


def _stored(conn: Connection, where: Where) -> list[tuple[int, str]]:
    f = schema.flips.c
    query = select(f.ts, f.state).where(f.target == where.target, f.location == where.location)
    return [(ts, state) for ts, state in conn.execute(query.order_by(f.ts))]


_TEXTS: set[str] = set()  # what _Recording's cursors executed


class _RecordingCursor(sqlite3.Cursor):
    def execute(self, sql: str, parameters: Any = (), /) -> Self:
        _TEXTS.add(sql)
        return super().execute(sql, parameters)


class _Recording(sqlite3.Connection):
    """A real SQLite connection whose cursors note the text of each statement."""

    def cursor(self, factory: Any = None) -> Any:
        return super().cursor(_RecordingCursor)


def test_sqlite_prepares_a_few_statements_whatever_the_number_of_timelines(
    tmp_path: Path,
) -> None:
    """Python's sqlite3 keeps the last 128 statements it prepared, each of some hundreds
    of kB for 500 timelines: one text per number of timelines would keep tens of MB."""
    url = f"sqlite:///{tmp_path}/recompute.db"
    with Store.open(url):
        pass  # the schema
    engine = create_engine(url, connect_args={"factory": _Recording})
    rule = TimelineRule(60)
    with engine.begin() as conn:
        for count in range(1, 121):
            places = [Where(f"t{k}", "") for k in range(count)]
            since = _write(conn, places, rule, [(count, count % 3 == 0, False)])
            changes = [Change(where, since, rule) for where in places]
            found = recompute_many(conn, changes)
            assert len(found) == count
    engine.dispose()
    # three statements (anchors, samples, flips) for each multiple of 50, then the
    # delete and the insert
    assert len(_TEXTS) <= 3 * 3 + 2
