"""The SLA counters held by a leader, as stored for the next one (store/counter_holds.py),
over SQLite and PostgreSQL."""

from __future__ import annotations

import threading

from sqlalchemy import Engine

from slawatch.store import counter_holds
from slawatch.store.database import engine_for
from slawatch.store.store import CounterHold, Store

OCTOBER, NOVEMBER = 1_790_812_800, 1_793_491_200


def test_a_hold_of_the_same_period_keeps_each_counters_highest_value(store: Store) -> None:
    store.hold_counters([CounterHold("a", OCTOBER, 100, 50), CounterHold("b", OCTOBER, 7, 0)])
    store.hold_counters([CounterHold("a", OCTOBER, 120, 40)])
    assert store.counter_holds() == {
        "a": CounterHold("a", OCTOBER, 120, 50),
        "b": CounterHold("b", OCTOBER, 7, 0),
    }


def test_a_later_period_replaces_the_hold_and_an_earlier_one_changes_nothing(
    store: Store,
) -> None:
    store.hold_counters([CounterHold("a", OCTOBER, 100, 50)])
    store.hold_counters([CounterHold("a", NOVEMBER, 3, 0)])
    store.hold_counters([CounterHold("a", OCTOBER, 999, 999)])  # a late write of October
    assert store.counter_holds() == {"a": CounterHold("a", NOVEMBER, 3, 0)}


def test_two_writers_at_once_merge_instead_of_failing(db_url: str, store: Store) -> None:
    """Two agents that both believe they lead (until a lost lock is noticed) write the
    same contract's row in overlapping transactions: the second waits, then merges."""
    engine = engine_for(db_url)
    try:
        with engine.begin() as first:
            counter_holds.write(first, [CounterHold("a", OCTOBER, 100, 0)])
            second = threading.Thread(
                target=_write_alone, args=(engine, CounterHold("a", OCTOBER, 0, 50))
            )
            second.start()
            second.join(0.5)  # it waits for the first to commit
        second.join(10)
        assert not second.is_alive()
    finally:
        engine.dispose()
    assert store.counter_holds() == {"a": CounterHold("a", OCTOBER, 100, 50)}


def _write_alone(engine: Engine, hold: CounterHold) -> None:
    with engine.begin() as conn:
        counter_holds.write(conn, [hold])
