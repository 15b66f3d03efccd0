"""Closed periods' versions in the store, over SQLite and PostgreSQL: written with their
audit row, all or none, read back as written. What is written, and the checks on what
is read, are app/periods.py's (tests/app/test_periods.py)."""

from __future__ import annotations

import json

import pytest
from alembic import command
from sqlalchemy import create_engine

from slawatch.store.closed_periods import NewVersion, StoredPeriod, Version
from slawatch.store.database import _alembic_config
from slawatch.store.store import Store, StoreError

CLOSE = NewVersion("ipfolio", "2026-10", 0, '{"a":1}', "1" * 64, None)
AMEND = NewVersion(
    "ipfolio",
    "2026-10",
    1,
    '{"a":2}',
    "2" * 64,
    "1" * 64,
    ({"field": "a", "kind": "changed", "old": 1, "new": 2},),
    "exclusion",
)


def test_versions_are_read_back_as_written_and_audited(store: Store, now: int) -> None:
    store.add_period_versions([CLOSE], "alice")
    store.add_period_versions([AMEND], "bob")
    [stored] = store.period_versions()
    first, second = stored.versions
    assert (stored.contract, stored.period) == ("ipfolio", "2026-10")
    assert first == Version(first.id, 0, '{"a":1}', "1" * 64, None, (), "", "alice", now)
    assert second == Version(
        second.id, 1, '{"a":2}', "2" * 64, "1" * 64, AMEND.changes, "exclusion", "bob", now
    )
    rows = [(a.actor, a.action, a.entity_id, json.loads(a.detail)) for a in store.audit_log()]
    assert rows[-1] == (
        "bob",
        "period.amend",
        second.id,
        {
            "contract": "ipfolio",
            "period": "2026-10",
            "version": 1,
            "sha256": "2" * 64,
            "previous_sha256": "1" * 64,
            "reason": "exclusion",
            "changes": list(AMEND.changes),
        },
    )


def test_a_version_written_twice_is_an_error_and_writes_nothing(store: Store) -> None:
    store.add_period_versions([CLOSE], "alice")
    other = NewVersion("cegid-portal", "2026-10", 0, "{}", "3" * 64, None)
    with pytest.raises(StoreError, match="closed or amended by someone else meanwhile"):
        store.add_period_versions([other, CLOSE], "bob")
    assert [(p.contract, len(p.versions)) for p in store.period_versions()] == [("ipfolio", 1)]
    assert [a.actor for a in store.audit_log()] == ["alice"]


def test_period_versions_filter_by_contract_and_period(store: Store) -> None:
    for contract, label in [
        ("ipfolio", "2026-10"),
        ("cegid-portal", "2026-10"),
        ("ipfolio", "2026-09"),
    ]:
        store.add_period_versions([NewVersion(contract, label, 0, "{}", "0" * 64, None)], "alice")

    def keys(found: list[StoredPeriod]) -> list[tuple[str, str]]:
        return [(p.contract, p.period) for p in found]

    assert keys(store.period_versions(["ipfolio"])) == [
        ("ipfolio", "2026-09"),
        ("ipfolio", "2026-10"),
    ]
    assert keys(store.period_versions(None, "2026-10")) == [
        ("cegid-portal", "2026-10"),
        ("ipfolio", "2026-10"),
    ]
    assert store.period_versions(["smileo-backup"]) == []


def test_a_database_at_0001_is_migrated_to_closed_periods(db_url: str) -> None:
    engine = create_engine(db_url)
    with engine.begin() as conn:
        config = _alembic_config()
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
    engine.dispose()
    with Store.open(db_url) as store:
        store.add_period_versions([CLOSE], "alice")
        assert len(store.period_versions()) == 1
