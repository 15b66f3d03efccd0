"""Closed periods, over SQLite and PostgreSQL: versions, hashes, amendments, audit
rows and tamper evidence."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from slawatch.app import periods
from slawatch.app.periods import AlreadyClosed, NothingChanged, TamperedReport
from slawatch.reports.versions import Change, canonical, fingerprint
from slawatch.store.store import NotFound, Store, StoreError


def report(contract: str = "ipfolio", label: str = "2026-10", **figures: Any) -> dict[str, Any]:
    """A JSON report, as small as closing needs."""
    return {
        "contract": contract,
        "period": {"label": label, "end": "2026-11-01T00:00:00+00:00", "time_zone": "UTC"},
        "complete": True,
        "downtime_seconds": 3600,
        "credit_percent": 25.0,
        "outages": [{"start": "2026-10-05T10:00:00+00:00", "counted_seconds": 3600}],
        **figures,
    }


def audit(store: Store, contract: str | None = "ipfolio") -> list[tuple[str, str, dict[str, Any]]]:
    return [(a.actor, a.action, json.loads(a.detail)) for a in store.audit_log(contract)]


def sql(db_url: str, statement: str, **params: Any) -> None:
    """Change the database behind the store's back, as someone with SQL access could."""
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text(statement), params)
    engine.dispose()


def test_closing_freezes_the_canonical_report_and_audits_it(store: Store, now: int) -> None:
    [closed] = periods.close(store, [report()], "alice")
    version = closed.latest
    assert (closed.contract, closed.period, closed.problems) == ("ipfolio", "2026-10", ())
    assert (version.number, version.author, version.created_at) == (0, "alice", now)
    assert version.report == canonical(report())
    assert version.sha256 == fingerprint(report())
    assert (version.previous_sha256, version.changes, version.reason) == (None, (), "")
    assert audit(store) == [
        (
            "alice",
            "period.close",
            {
                "contract": "ipfolio",
                "period": "2026-10",
                "version": 0,
                "sha256": version.sha256,
                "previous_sha256": None,
                "reason": "",
                "changes": [],
            },
        )
    ]
    assert periods.closed(store) == [closed]


def test_the_shown_report_is_the_frozen_one_with_its_closed_block(store: Store) -> None:
    [closed] = periods.close(store, [report()], "alice")
    assert closed.report() == {
        **report(),
        "closed": {
            "at": "2026-09-21T14:13:20+00:00",
            "by": "alice",
            "version": 0,
            "sha256": fingerprint(report()),
            "amendments": [],
        },
    }


def test_closing_twice_names_the_existing_hash_and_closes_nothing(store: Store) -> None:
    periods.close(store, [report()], "alice")
    digest = fingerprint(report())
    with pytest.raises(AlreadyClosed) as raised:
        periods.close(store, [report("cegid-portal"), report(downtime_seconds=0)], "bob")
    assert str(raised.value) == (
        f"ipfolio 2026-10 is already closed (version 0, sha256 {digest}): "
        "amend it with slawatch period amend"
    )
    assert [(c.contract, c.period) for c in periods.closed(store)] == [("ipfolio", "2026-10")]
    assert [action for _, action, _ in audit(store, None)] == ["period.close"]


def test_a_close_that_loses_a_race_is_an_error_not_a_second_version(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    periods.close(store, [report()], "alice")
    monkeypatch.setattr(periods, "_matching", lambda *_: [])  # as if read before it
    with pytest.raises(StoreError, match="closed or amended by someone else meanwhile"):
        periods.close(store, [report(downtime_seconds=0)], "bob")
    monkeypatch.undo()
    [closed] = periods.closed(store)
    assert [v.author for v in closed.versions] == ["alice"]


def test_a_period_not_over_is_not_closed(store: Store) -> None:
    running = report(label="2026-11", complete=False)
    running["period"]["end"] = "2026-12-01T00:00:00+00:00"
    with pytest.raises(ValueError, match=r"^ipfolio 2026-11 has not ended yet \(it ends "):
        periods.close(store, [report(), running], "alice")
    assert periods.closed(store) == []


def test_an_amendment_records_the_changes_the_reason_and_the_chain(store: Store, now: int) -> None:
    periods.close(store, [report()], "alice")
    lower = report(downtime_seconds=1800, credit_percent=0.0)
    lower["outages"][0]["counted_seconds"] = 1800
    closed = periods.amend(store, lower, "force majeure accepted", "bob")
    first, second = closed.versions
    assert (second.number, second.author, second.created_at) == (1, "bob", now)
    assert (second.sha256, second.previous_sha256) == (fingerprint(lower), first.sha256)
    assert second.reason == "force majeure accepted"
    assert [Change.from_json(c).text() for c in second.changes] == [
        "downtime_seconds: 3600 -> 1800",
        "credit_percent: 25.0 -> 0.0",
        "outages[2026-10-05T10:00:00+00:00].counted_seconds: 3600 -> 1800",
    ]
    assert closed.problems == () and closed.frozen() == lower
    block = closed.report()["closed"]
    assert (block["version"], block["sha256"], block["by"]) == (1, second.sha256, "alice")
    assert block["amendments"] == [
        {
            "version": 1,
            "at": "2026-09-21T14:13:20+00:00",
            "by": "bob",
            "reason": "force majeure accepted",
            "sha256": second.sha256,
            "previous_sha256": first.sha256,
            "changes": list(second.changes),
        }
    ]
    actor, action, detail = audit(store)[-1]
    assert (actor, action, detail["version"], detail["reason"]) == (
        "bob",
        "period.amend",
        1,
        "force majeure accepted",
    )
    assert detail["changes"][0] == {
        "field": "downtime_seconds",
        "kind": "changed",
        "old": 3600,
        "new": 1800,
    }


def test_amending_with_nothing_changed_is_refused(store: Store) -> None:
    periods.close(store, [report()], "alice")
    digest = fingerprint(report())
    with pytest.raises(NothingChanged) as raised:
        periods.amend(store, report(), "recheck", "bob")
    assert str(raised.value) == (
        f"nothing changed: ipfolio 2026-10 still matches version 0 (sha256 {digest})"
    )
    assert len(periods.closed(store)[0].versions) == 1


def test_amending_needs_a_closed_period_and_a_reason(store: Store) -> None:
    with pytest.raises(NotFound, match=r"^ipfolio 2026-10 is not closed"):
        periods.amend(store, report(), "why", "bob")
    periods.close(store, [report()], "alice")
    with pytest.raises(ValueError, match="needs a reason"):
        periods.amend(store, report(downtime_seconds=0), "  ", "bob")


def test_a_report_changed_in_the_database_is_reported_not_shown(store: Store, db_url: str) -> None:
    periods.close(store, [report()], "alice")
    forged = canonical(report(credit_percent=0.0))
    sql(db_url, "UPDATE period_reports SET report = :forged", forged=forged)
    [closed] = periods.closed(store)
    assert closed.problems == (
        f"ipfolio 2026-10 version 0: the stored report hashes to {fingerprint(json.loads(forged))}, "
        f"not to its recorded sha256 {fingerprint(report())}: it was changed outside slawatch",
    )
    with pytest.raises(TamperedReport, match="changed outside slawatch"):
        closed.report()
    with pytest.raises(TamperedReport):
        periods.amend(store, report(downtime_seconds=0), "fix", "bob")


def test_a_version_rewritten_with_its_hash_breaks_the_chain(store: Store, db_url: str) -> None:
    periods.close(store, [report()], "alice")
    periods.amend(store, report(downtime_seconds=0), "exclusion", "bob")
    forged = report(downtime_seconds=60)
    sql(
        db_url,
        "UPDATE period_reports SET report = :text, sha256 = :digest WHERE version = 0",
        text=canonical(forged),
        digest=fingerprint(forged),
    )
    [closed] = periods.closed(store)
    assert closed.problems == (
        f"ipfolio 2026-10 version 1: records previous sha256 {fingerprint(report())}, "
        f"but the version before it has {fingerprint(forged)}",
    )


def test_a_report_moved_to_another_period_or_a_version_removed_is_reported(
    store: Store, db_url: str
) -> None:
    periods.close(store, [report()], "alice")
    periods.amend(store, report(downtime_seconds=0), "exclusion", "bob")
    periods.amend(store, report(downtime_seconds=60), "exclusion revoked", "bob")
    sql(db_url, "DELETE FROM period_reports WHERE version = 1")
    sql(db_url, "UPDATE period_reports SET period = '2026-09' WHERE version = 0")
    problems = [c.problems for c in periods.closed(store)]
    assert problems == [
        ("ipfolio 2026-09 version 0: the stored report is not the report of ipfolio 2026-09",),
        (
            "ipfolio 2026-10 version 2: expected version 0: a version is missing",
            "ipfolio 2026-10 version 2: records previous sha256 "
            f"{fingerprint(report(downtime_seconds=0))}, but the version before it has None",
        ),
    ]
