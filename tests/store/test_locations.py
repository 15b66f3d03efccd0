"""Samples and flips of several probing locations, over SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from slawatch.sla.timeline import Flip, State
from slawatch.store import database
from slawatch.store.store import SampleConflict, SampleRow, Store

from .test_store import EVER, RULES, T0, expected_flips, history


def at(location: str, rows: list[SampleRow]) -> list[SampleRow]:
    return [row._replace(location=location) for row in rows]


def test_two_locations_store_the_same_instant_without_colliding(store: Store) -> None:
    paris, nyc = at("paris", history("..xx..")), at("nyc", history("......"))
    result = store.import_samples([paris, nyc], RULES)
    assert (result.rows_read, result.rows_added) == (12, 12)
    assert store.sample_count("web") == 12
    assert store.flips(["web"], *EVER) == {
        "web": {"nyc": expected_flips(nyc), "paris": expected_flips(paris)}
    }
    assert store.samples("web", 0, 2**62, "nyc") == nyc
    both = store.samples("web", T0 * 1000, T0 * 1000 + 1)
    assert [row.location for row in both] == ["nyc", "paris"]  # one instant, by location


def test_a_late_sample_of_one_location_recomputes_only_its_own_flips(store: Store) -> None:
    paris, nyc = at("paris", history("......")), at("nyc", history("......"))
    store.import_samples([paris, nyc], RULES)
    late = at("paris", history("xx", start=T0 + 360))
    result = store.import_samples([late], RULES)
    assert result.changed_targets == ["web"]
    found = store.flips(["web"], *EVER)["web"]
    assert found["paris"] == expected_flips(paris + late)
    assert found["nyc"] == expected_flips(nyc)


def test_a_contradiction_is_one_location_and_names_it(store: Store) -> None:
    store.import_samples([at("paris", history("."))], RULES)
    store.import_samples([at("nyc", history("x"))], RULES)  # another location: no conflict
    with pytest.raises(SampleConflict) as caught:
        store.import_samples([at("paris", history("x"))], RULES)
    assert (caught.value.target, caught.value.location) == ("web", "paris")
    assert str(caught.value).startswith("web from paris at ")
    assert store.sample_count() == 2


def test_flips_list_only_the_locations_that_have_some(store: Store) -> None:
    store.import_samples([at("b", history(".")), at("a", history(".")), history(".")], RULES)
    assert list(store.flips(["web", "api"], *EVER)["web"]) == ["", "a", "b"]
    assert store.flips(["api"], *EVER) == {"api": {}}
    store.recompute_flips("web", 0, RULES["web"], "a")
    assert store.flips(["web"], T0 + 1000, T0 + 2000)["web"]["a"] == [Flip(T0 + 120, State.UNKNOWN)]


def test_migration_0005_keeps_older_samples_under_the_unnamed_location(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            config = database._alembic_config()
            config.attributes["connection"] = conn
            command.upgrade(config, "0004")
            conn.execute(text("INSERT INTO samples VALUES ('web', 5000, true, 1.0, 200, NULL)"))
            conn.execute(text("INSERT INTO flips VALUES ('web', 5, 'up')"))
    finally:
        engine.dispose()
    with Store.open(db_url) as store:
        assert store.samples("web", 0, 10_000, "") == [SampleRow("web", 5000, True, 1.0, 200)]
        assert store.flips(["web"], *EVER) == {"web": {"": [Flip(5, State.UP)]}}
        store.import_samples([at("paris", [SampleRow("web", 5000, False)])], RULES)
        assert store.sample_count("web") == 2
