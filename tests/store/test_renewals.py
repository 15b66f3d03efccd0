"""Renewals and expiry notices in the store, over SQLite and PostgreSQL."""

import json
from datetime import date
from decimal import Decimal

import pytest

from slawatch.sla.renewals import (
    Delivery,
    LicenceKind,
    Notice,
    RenewalRefused,
    RenewalState,
    RenewalTerms,
    notice_schedule,
)
from slawatch.store import renewal_records
from slawatch.store.store import NoticeRecord, Store, StoreError

D = date.fromisoformat
ACRONIS = RenewalTerms(
    D("2027-03-31"), LicenceKind.PERPETUAL_MAINTENANCE, Decimal(1200), "EUR", D("2026-04-01")
)
C = "acronis-cyber-protect"


def test_a_renewal_is_recorded_with_its_fee_and_audited(store: Store, now: int) -> None:
    record = store.add_renewal(C, ACRONIS, D("2027-05-15"), 1, "alice")
    assert (record.seq, record.renewed_on, record.years, record.state) == (
        1,
        D("2027-05-15"),
        1,
        RenewalState.REINSTATEMENT,
    )
    assert (record.previous_expiry, record.expires) == (D("2027-03-31"), D("2028-03-31"))
    assert (record.price, record.fee, record.currency) == (
        Decimal(1200),
        Decimal("240.00"),
        "EUR",
    )
    assert (record.author, record.created_at) == ("alice", now)
    assert store.renewals(C, D("2027-03-31")) == [record]
    [entry] = store.audit_log(C)
    assert (entry.action, entry.entity_id, entry.actor) == ("renewal.add", record.id, "alice")
    assert json.loads(entry.detail)["fee"] == "240.00"


def test_renewals_count_from_the_original_expiry(store: Store) -> None:
    store.add_renewal(C, ACRONIS, D("2027-03-01"), 1, "a")
    second = store.add_renewal(C, ACRONIS, D("2028-01-10"), 2, "a")
    assert (second.seq, second.previous_expiry, second.expires) == (
        2,
        D("2028-03-31"),
        D("2030-03-31"),
    )
    assert second.state is RenewalState.NOTICE
    # A new purchase, configured with a new expiry, starts afresh.
    assert store.renewals(C, D("2029-06-30")) == []


@pytest.mark.parametrize(
    ("on", "years"),
    [("2028-04-01", 1), ("2027-05-15", 0), ("2026-01-01", 1)],
    ids=["lapsed", "zero-years", "before-the-item-exists"],
)
def test_a_refused_renewal_records_nothing(store: Store, on: str, years: int) -> None:
    with pytest.raises(RenewalRefused):
        store.add_renewal(C, ACRONIS, D(on), years, "a")
    assert store.renewals(C, ACRONIS.expires) == []
    assert store.audit_log() == []


def test_two_people_recording_at_once_cannot_both_win(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.add_renewal(C, ACRONIS, D("2027-03-01"), 1, "alice")
    # Bob's transaction read the renewals before Alice's was committed.
    monkeypatch.setattr(renewal_records, "renewal_rows", lambda *_: [])
    with pytest.raises(StoreError, match="another renewal was recorded meanwhile"):
        store.add_renewal(C, ACRONIS, D("2027-03-02"), 1, "bob")
    monkeypatch.undo()
    assert [r.author for r in store.renewals(C, ACRONIS.expires)] == ["alice"]
    assert len(store.audit_log()) == 1


def ready(store: Store, now: int) -> list[NoticeRecord]:
    """The rows the agent would send at ``now``."""
    return [r for r in store.notices(C) if r.status is Delivery.DUE and r.retry_at <= now]


def _due(*offsets: int) -> list[tuple[Notice, str]]:
    schedule = {n.offset_days: n for n in notice_schedule(ACRONIS.expires)}
    return [(schedule[o], channel) for o in offsets for channel in ("smtp", "webhook")]


def test_due_notices_are_written_once(store: Store, now: int) -> None:
    assert store.add_due_notices(C, ACRONIS.expires, _due(-90, -60), now) == 4
    assert store.add_due_notices(C, ACRONIS.expires, _due(-90, -60, -30), now) == 2
    rows = store.notices(C, ACRONIS.expires)
    assert [(r.offset_days, r.channel, r.due) for r in rows] == [
        (-90, "smtp", D("2026-12-31")),
        (-90, "webhook", D("2026-12-31")),
        (-60, "smtp", D("2027-01-30")),
        (-60, "webhook", D("2027-01-30")),
        (-30, "smtp", D("2027-03-01")),
        (-30, "webhook", D("2027-03-01")),
    ]
    assert {r.status for r in rows} == {Delivery.DUE}
    assert [r.id for r in ready(store, now)] == [r.id for r in rows]


def test_a_notice_moves_due_sending_sent_once(store: Store, now: int) -> None:
    store.add_due_notices(C, ACRONIS.expires, _due(-90), now)
    first = ready(store, now)[0]
    assert store.claim_notice(first.id, now + 1)
    assert not store.claim_notice(first.id, now + 1)  # another agent: too late
    assert store.notice_sent(first.id, now + 2, late=True)
    assert not store.notice_sent(first.id, now + 3, late=False)
    [row] = [r for r in store.notices(C) if r.id == first.id]
    assert (row.status, row.claimed_at, row.sent_at, row.late) == (
        Delivery.SENT,
        now + 1,
        now + 2,
        True,
    )
    assert first.id not in {r.id for r in ready(store, now + 10)}


def test_a_failed_attempt_waits_for_its_retry_time(store: Store, now: int) -> None:
    store.add_due_notices(C, ACRONIS.expires, _due(-90), now)
    row = ready(store, now)[0]
    assert store.notice_failed(row.id, "connection refused", now + 60)
    assert store.claim_notice(row.id, now + 61)
    assert store.notice_failed(row.id, "554 rejected", now + 180)  # refused at DATA
    [again] = [r for r in store.notices(C) if r.id == row.id]
    assert (again.status, again.attempts, again.last_error, again.retry_at) == (
        Delivery.DUE,
        2,
        "554 rejected",
        now + 180,
    )
    assert again.claimed_at is None
    assert row.id not in {r.id for r in ready(store, now + 179)}
    assert row.id in {r.id for r in ready(store, now + 180)}


def test_a_cut_hand_over_is_in_doubt_and_never_ready_again(store: Store, now: int) -> None:
    store.add_due_notices(C, ACRONIS.expires, _due(-90), now)
    row = ready(store, now)[0]
    store.claim_notice(row.id, now)
    assert [r.id for r in store.stuck_notices(now + 1)] == [row.id]
    assert store.stuck_notices(now) == []
    assert store.notice_in_doubt(row.id, "the agent stopped while sending")
    assert store.stuck_notices(now + 1) == []
    assert row.id not in {r.id for r in ready(store, now + 10**6)}
