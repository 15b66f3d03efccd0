"""Flips recomputed from the samples an import kept (flips.Tail) against the core's
flips over every stored sample, for random histories imported in two rounds, in
order or not, over SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slawatch.sla.timeline import Flip, TimelineRule
from slawatch.store import flips, sample_import
from slawatch.store.store import SampleRow, Store

from .test_recompute import T0_MS, rules

# slot -> (ok, slow, in the second import, in both: the second time with the other latency)
histories = st.dictionaries(
    st.integers(0, 60),
    st.tuples(st.booleans(), st.booleans(), st.booleans(), st.booleans()),
    min_size=1,
)
History = dict[int, tuple[bool, bool, bool, bool]]
orders = st.sampled_from(["sorted", "reversed", "shuffled"])
_names = itertools.count()


@pytest.fixture(autouse=True)
def keep_every_timeline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small histories take the path of long ones: kept, recomputed alone."""
    monkeypatch.setattr(sample_import, "_KEEP_FROM", 1)
    monkeypatch.setattr(sample_import, "_MANY", 1)


def stored_flips(store: Store, target: str) -> list[Flip]:
    return store.flips([target], 0, 2**40)[target].get("", [])


def expected(store: Store, target: str, rule: TimelineRule) -> list[Flip]:
    rows = store.samples(target, 0, 2**50)
    return rule.flips(
        [r.ts_ms // 1000 for r in rows], [r.ok for r in rows], [r.latency_ms for r in rows]
    )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rules, st.tuples(histories, orders, st.integers(1, 8), st.randoms(use_true_random=False)))
def test_flips_from_kept_samples_are_the_flips_of_every_stored_sample(
    store: Store, rule: TimelineRule, case: tuple[History, str, int, random.Random]
) -> None:
    history, order, batch, rng = case
    target = f"t{next(_names)}"
    for second in (False, True):
        rows = [
            SampleRow(
                target,
                T0_MS + slot * rule.interval * 1000 + 7 * slot,
                ok,
                900.0 if slow != (again and second) else 80.0,
                200,
            )
            for slot, (ok, slow, late, again) in sorted(history.items())
            if late == second or (again and not late)
        ]
        if order == "reversed":
            rows.reverse()
        elif order == "shuffled":
            rng.shuffle(rows)
        store.import_samples(
            [rows[i : i + batch] for i in range(0, len(rows), batch)], {target: rule}
        )
        assert stored_flips(store, target) == expected(store, target, rule)


def test_an_import_in_order_into_an_empty_timeline_reads_no_sample_back(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[Any] = []
    outcomes = flips._outcomes

    def spy(*args: Any) -> Any:
        found = outcomes(*args)
        reads.append(len(found[0]))
        return found

    monkeypatch.setattr(flips, "_outcomes", spy)
    rule = TimelineRule(60)
    rows = [SampleRow("web", T0_MS + i * 60_000, i % 50 > 2, 80.0, 200) for i in range(500)]
    store.import_samples([rows[:200], rows[200:]], {"web": rule})
    assert reads == [0]  # the samples before the first new one: none
    assert stored_flips(store, "web") == expected(store, "web", rule)


def test_samples_stored_before_with_another_latency_are_not_taken_from_the_import(
    store: Store,
) -> None:
    """A re-imported sample keeps its stored latency: the flips are not the file's."""
    rule = TimelineRule(60, degraded_above_ms=500.0)
    rows = [SampleRow("web", T0_MS + i * 60_000, True, 80.0, 200) for i in range(10)]
    store.import_samples([rows], {"web": rule})
    slow = [row._replace(latency_ms=900.0) for row in rows]
    store.import_samples([slow], {"web": rule})
    assert stored_flips(store, "web") == expected(store, "web", rule)
    assert [f.state.value for f in stored_flips(store, "web")] == ["up", "unknown"]
