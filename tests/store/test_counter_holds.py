"""The SLA counters held by a leader, as stored for the next one (store/counter_holds.py),
over SQLite and PostgreSQL."""

from __future__ import annotations

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
