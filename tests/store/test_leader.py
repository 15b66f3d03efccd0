"""The leader lock: one holder per schema, freed when its session ends, and the
notices of changed timelines every agent hears (real PostgreSQL; SQLite always leads)."""

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine

from conftest import PG_URL
from slawatch.sla.timeline import TimelineRule
from slawatch.store.leader import LeaderLock, _payloads
from slawatch.store.store import SampleRow, Store, TimelineNews


def test_on_sqlite_the_agent_always_leads(tmp_path: object) -> None:
    with Store.open(f"sqlite:///{tmp_path}/s.db") as store:
        lock = store.leader_lock()
        assert lock.held and lock.check() and lock.news() == TimelineNews()
        lock.close()


@pytest.fixture
def locks(pg_url: str) -> Iterator[tuple[LeaderLock, LeaderLock]]:
    engine = create_engine(pg_url)
    first, second = LeaderLock(engine), LeaderLock(engine)
    yield first, second
    first.close()
    second.close()
    engine.dispose()


@pytest.mark.postgres
def test_one_holder_and_the_other_takes_over_when_it_ends(
    locks: tuple[LeaderLock, LeaderLock],
) -> None:
    first, second = locks
    assert (first.check(), second.check()) == (True, False)
    assert (first.check(), second.check()) == (True, False)  # held, not taken twice
    first.close()  # its session ends: the server frees the lock once its backend exits
    deadline = time.monotonic() + 5
    while not second.check():
        assert time.monotonic() < deadline, "the lock was not freed within 5 s"
        time.sleep(0.05)
    assert not first.check()  # a new session of the old holder: it follows now


@pytest.mark.postgres
def test_another_schema_has_its_own_leader(locks: tuple[LeaderLock, LeaderLock]) -> None:
    first, _ = locks
    assert first.check()
    other = LeaderLock(create_engine(PG_URL))  # the public schema: another deployment
    try:
        assert other.check()
    finally:
        other.close()


@pytest.mark.postgres
def test_every_agent_hears_the_timelines_an_import_changed_or_revived(
    locks: tuple[LeaderLock, LeaderLock], pg_url: str
) -> None:
    first, second = locks
    first.check()
    second.check()
    assert first.news() == second.news() == TimelineNews()
    rules = {"web": TimelineRule(interval=60, confirm_after=1)}
    t0 = 1_790_000_000  # the timeline turns unknown at t0 + 120 without a later sample
    with Store.open(pg_url, clock=lambda: t0 + 130) as store:
        store.import_samples([[SampleRow("web", t0 * 1000, ok=False)]], rules)
        store.import_samples([[SampleRow("web", t0 * 1000, ok=False)]], rules)  # no change
        time.sleep(0.2)
        for lock in (first, second):
            lock.check()
            assert lock.news() == TimelineNews(changed=frozenset({"web"}))
            assert lock.news() == TimelineNews()
        # The sample of t0 + 60, written at t0 + 130: known again from t0 + 120.
        store.import_samples([[SampleRow("web", (t0 + 60) * 1000, ok=False)]], rules)
    time.sleep(0.2)
    for lock in (first, second):
        lock.check()
        assert lock.news() == TimelineNews(revived=frozenset({"web"}))


def test_notices_are_split_under_the_payload_limit() -> None:
    names = [f"target-{i:05}" for i in range(2000)]
    payloads = list(_payloads(names))
    assert len(payloads) > 1
    assert all(len(p.encode()) <= 7900 for p in payloads)
    assert [n for p in payloads for n in p.split("\n")] == names
