"""The store over SQLite and PostgreSQL: migrations, imports and flips, records and audit."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from slawatch.sla.exclusions import (
    Claim,
    ContractRecords,
    Exclusion,
    ExclusionReason,
    MaintenanceKind,
)
from slawatch.sla.timeline import Flip, State, TimelineRule
from slawatch.store import database
from slawatch.store.schema import metadata
from slawatch.store.store import NotFound, SampleConflict, SampleRow, Store, StoreError

T0 = 1_790_000_000  # UTC seconds of the first sample of every history
RULE = TimelineRule(interval=60, confirm_after=2)
RULES = {"web": RULE, "api": RULE}
EVER = (0, 2**40)  # a window holding every flip
Retire = Callable[[Store, int, str], object]
Chunker = Callable[[list[SampleRow]], list[list[SampleRow]]]


def history(pattern: str, target: str = "web", start: int = T0) -> list[SampleRow]:
    """One sample a minute written as a string: ``.`` ok, ``x`` failed, ``s`` ok but
    slow (2,000 ms), ``_`` no sample. Each sample is some milliseconds past its minute."""
    rows = []
    for i, mark in enumerate(pattern):
        if mark == "_":
            continue
        latency = 2000.0 if mark == "s" else 80.0
        at_ms = (start + 60 * i) * 1000 + 7 * i % 1000
        rows.append(SampleRow(target, at_ms, mark != "x", latency, 200, None))
    return rows


def expected_flips(rows: Sequence[SampleRow], rule: TimelineRule = RULE) -> list[Flip]:
    """The core's flips over the whole history, as one import would store them."""
    unique = sorted({row.ts_ms: row for row in reversed(rows)}.values(), key=lambda r: r.ts_ms)
    return rule.flips(
        [r.ts_ms // 1000 for r in unique], [r.ok for r in unique], [r.latency_ms for r in unique]
    )


# -- migrations ------------------------------------------------------------------------------


def test_migrations_create_the_schema_of_schema_py(db_url: str) -> None:
    Store.open(db_url).close()
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn)
            assert context.get_current_revision() == "0008" == database.HEAD
            script = ScriptDirectory.from_config(database._alembic_config())
            assert script.get_current_head() == database.HEAD
            assert compare_metadata(context, metadata) == []
            if conn.dialect.name == "sqlite":
                ddl = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
                without_rowid = {name for name, sql in ddl if "WITHOUT ROWID" in sql}
                assert without_rowid == {"samples", "flips", "support_events", "support_clocks"}
    finally:
        engine.dispose()


def test_reopening_a_migrated_database_runs_no_migration(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store.open(db_url) as first:
        first.import_samples([history("..")], RULES)

    def fail(*_: object) -> None:
        raise AssertionError("the upgrade ran again")

    monkeypatch.setattr(database, "_upgrade", fail)
    with Store.open(db_url) as second:
        assert second.sample_count() == 2


def test_a_schema_newer_than_this_slawatch_raises_store_error(db_url: str) -> None:
    Store.open(db_url).close()
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    engine.dispose()
    with pytest.raises(StoreError, match=r"cannot migrate the schema: .*'0099'"):
        Store.open(db_url)


# -- imports ---------------------------------------------------------------------------------


def test_import_counts_what_it_read_and_added(store: Store) -> None:
    rows = history("..x..") + history("...", target="api")
    result = store.import_samples([rows[:4], rows[4:]], RULES)
    assert (result.rows_read, result.rows_added) == (8, 8)
    assert {t: (c.read, c.added) for t, c in result.targets.items()} == {
        "web": (5, 5),
        "api": (3, 3),
    }
    assert store.sample_count() == 8
    assert store.sample_count("api") == 3


def test_importing_the_same_samples_twice_adds_nothing(store: Store) -> None:
    rows = history("..xx..x.")
    store.import_samples([rows], RULES)
    again = store.import_samples([rows, rows[:3]], RULES)
    assert (again.rows_read, again.rows_added) == (len(rows) + 3, 0)
    assert store.sample_count() == len(rows)
    assert store.flips(["web"], *EVER)["web"][""] == expected_flips(rows)


def test_duplicates_within_one_batch_are_stored_once(store: Store) -> None:
    rows = history("..x")
    result = store.import_samples([rows + rows[:2]], RULES)
    assert (result.rows_read, result.rows_added) == (5, 3)
    assert store.samples("web", 0, 2**62) == rows


@pytest.mark.parametrize(
    "batches",
    [
        lambda kept, bad: [history("..", target="api"), [bad]],
        lambda kept, bad: [[*history("..", target="api"), bad, *history(".", start=T0 + 900)]],
    ],
    ids=["own-batch", "mid-batch"],
)
def test_a_sample_contradicting_a_stored_one_is_a_conflict_and_keeps_nothing(
    store: Store, batches: Callable[[list[SampleRow], SampleRow], list[list[SampleRow]]]
) -> None:
    kept = history("..x")
    store.import_samples([kept], RULES)
    bad = kept[1]._replace(ok=False, latency_ms=None)
    with pytest.raises(SampleConflict) as err:
        store.import_samples(batches(kept, bad), RULES)
    assert (err.value.target, err.value.ts_ms, err.value.ok, err.value.stored_ok) == (
        "web",
        kept[1].ts_ms,
        False,
        True,
    )
    assert str(err.value) == (
        "web at 2026-09-21T14:14:20.007Z: ok 0 contradicts the stored sample (ok 1)"
    )
    assert store.samples("web", 0, 2**62) == kept
    assert store.sample_count("api") == 0


def test_a_success_contradicting_a_stored_failure_is_a_conflict(store: Store) -> None:
    kept = history(".x.")
    store.import_samples([kept], RULES)
    again = [*kept[:1], kept[1]._replace(ok=True), *kept[2:]]
    with pytest.raises(SampleConflict) as err:
        store.import_samples([again], RULES)
    assert (err.value.ts_ms, err.value.ok, err.value.stored_ok) == (kept[1].ts_ms, True, False)
    assert store.import_samples([kept], RULES).rows_added == 0  # the same again: no conflict


def test_two_samples_of_one_batch_that_disagree_are_a_conflict(store: Store) -> None:
    rows = history("..")
    with pytest.raises(SampleConflict) as err:
        store.import_samples([[*rows, rows[0]._replace(ok=False)]], RULES)
    assert (err.value.target, err.value.ts_ms) == ("web", rows[0].ts_ms)
    assert {err.value.ok, err.value.stored_ok} == {True, False}  # in PostgreSQL, either first
    assert store.sample_count() == 0


def test_an_import_that_fails_midway_keeps_nothing(store: Store) -> None:
    kept = history("...")
    store.import_samples([kept], RULES)

    def batches() -> Iterator[list[SampleRow]]:
        yield history("xx..", start=T0 + 3600)
        yield history("..", target="api")
        raise ValueError("results.csv:900000: ok must be 1, 0, true or false (got 'maybe')")

    with pytest.raises(ValueError, match=r"results\.csv:900000"):
        store.import_samples(batches(), RULES)
    assert store.sample_count() == len(kept)
    assert store.flips(["web", "api"], *EVER) == {"web": {"": expected_flips(kept)}, "api": {}}


def test_an_import_with_an_unknown_target_keeps_nothing(store: Store) -> None:
    with pytest.raises(ValueError, match="no timeline rule for target 'db'"):
        store.import_samples([history(".."), history("..", target="db")], RULES)
    assert store.sample_count() == 0


def test_samples_reads_raw_samples_back(store: Store) -> None:
    rows = history(".x.")
    store.import_samples([rows], RULES)
    assert store.samples("web", rows[1].ts_ms, rows[2].ts_ms) == [rows[1]]
    assert store.samples("web", 0, 2**62) == rows


# -- flips -----------------------------------------------------------------------------------

FULL = "....x....xx...xxxx__...x.x.___xx_x...." + "." * 20 + "xxx" + "..s.."


def test_flips_after_an_import_are_the_cores_flips_of_the_whole_history(store: Store) -> None:
    rows = history(FULL)
    store.import_samples([rows[i : i + 7] for i in range(0, len(rows), 7)], RULES)
    stored = store.flips(["web"], *EVER)["web"][""]
    assert stored == expected_flips(rows)
    assert {f.state for f in stored} == {State.UP, State.DOWN, State.UNKNOWN}


def _halves(rows: list[SampleRow]) -> list[list[SampleRow]]:
    return [rows[: len(rows) // 2], rows[len(rows) // 2 :]]


@pytest.mark.parametrize(
    ("pattern", "chunks"),
    [
        (FULL, _halves),
        (FULL, lambda rows: _halves(rows)[::-1]),
        (FULL, lambda rows: [rows[1::2], rows[::2]]),
        (FULL, lambda rows: [rows[10:30], rows[:15], rows[25:]]),
        (FULL, lambda rows: [[row] for row in reversed(rows)]),
        ("...x", lambda rows: [rows, history("x...", start=T0 + 240)]),
        ("..x", lambda rows: [history("x..", start=T0 + 180), rows]),
        ("..x", lambda rows: [rows, history("x.", start=T0 + 360)]),
    ],
    ids=[
        "in-order",
        "second-chunk-earlier",
        "interleaved",
        "overlapping",
        "one-by-one-backwards",
        "chunk-confirms-a-run-begun-before",
        "earlier-chunk-confirms-a-run",
        "run-confirmed-across-a-gap",
    ],
)
def test_importing_in_chunks_gives_the_flips_of_one_import(
    store: Store, pattern: str, chunks: Chunker
) -> None:
    parts = chunks(history(pattern))
    for part in parts:
        store.import_samples([part], RULES)
    everything = [row for part in parts for row in part]
    assert store.flips(["web"], *EVER)["web"][""] == expected_flips(everything)


def test_a_slow_ok_sample_is_no_anchor_for_degraded_as_down_targets(store: Store) -> None:
    # fail, slow, fail: three failures once slowness counts, which confirm_after=3
    # turns into an outage from the first one; anchoring the second chunk's
    # recomputation on the slow sample (ok in the database) would miss it.
    rule = TimelineRule(interval=60, confirm_after=3, degraded_above_ms=500)
    first, second = history(".xs"), history("x.", start=T0 + 180)
    store.import_samples([first], {"web": rule})
    assert State.DOWN not in {f.state for f in store.flips(["web"], *EVER)["web"][""]}
    store.import_samples([second], {"web": rule})
    assert store.flips(["web"], *EVER)["web"][""] == [
        Flip(T0, State.UP),
        Flip(T0 + 60, State.DOWN),
        Flip(T0 + 240, State.UP),
        Flip(T0 + 240 + 120, State.UNKNOWN),
    ]
    assert expected_flips(first + second, rule) == store.flips(["web"], *EVER)["web"][""]


def test_recompute_flips_returns_the_flips_from_its_anchor(store: Store) -> None:
    store.import_samples([history("..xx..")], RULES)
    assert store.recompute_flips("web", (T0 + 300) * 1000, RULE) == [
        Flip(T0 + 240, State.UP),
        Flip(T0 + 300 + 120, State.UNKNOWN),
    ]
    assert store.flips(["web"], *EVER)["web"][""] == expected_flips(history("..xx.."))


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (T0 + 100, T0 + 200, [(T0 + 60, State.DOWN), (T0 + 180, State.UP)]),
        (T0 + 180, T0 + 300, [(T0 + 180, State.UP)]),
        (T0 + 179, T0 + 180, [(T0 + 60, State.DOWN)]),
        (T0 - 100, T0 + 1, [(T0, State.UP)]),
        (T0 + 430, T0 + 500, [(T0 + 420, State.UNKNOWN)]),
    ],
    ids=[
        "flip-before-start-then-inside",
        "flip-at-start",
        "end-is-exclusive",
        "none-before",
        "after-the-last",
    ],
)
def test_flips_gives_the_flip_before_start_and_those_inside(
    store: Store, start: int, end: int, expected: list[tuple[int, State]]
) -> None:
    store.import_samples([history(".xx...")], RULES)  # up 0, down 60, up 180, unknown 420
    found = store.flips(["web", "api"], start, end)
    assert found == {"web": {"": [Flip(t, state) for t, state in expected]}, "api": {}}


# -- maintenance, exclusions, claims and their audit ------------------------------------------


def _audit(
    store: Store, contract: str | None = None
) -> list[tuple[str, str, int, dict[str, object]]]:
    return [
        (a.actor, a.action, a.entity_id, json.loads(a.detail)) for a in store.audit_log(contract)
    ]


def test_maintenance_is_added_listed_cancelled_and_audited(store: Store, now: int) -> None:
    first = store.add_maintenance(
        "cegid", T0, T0 + 3600, MaintenanceKind.PLANNED, T0 - 86400, "upgrade", "alice"
    )
    second = store.add_maintenance(
        "cegid", T0 + 7200, T0 + 9000, MaintenanceKind.EMERGENCY, T0 + 7000, "", "bob"
    )
    store.add_maintenance("other", T0, T0 + 60, MaintenanceKind.PLANNED, T0, "", "bob")

    windows = _records(store, "cegid", T0 + 3599, T0 + 7201).maintenance
    assert [(w.id, w.start, w.end, w.kind, w.declared_at, w.note) for w in windows] == [
        (first, T0, T0 + 3600, MaintenanceKind.PLANNED, T0 - 86400, "upgrade"),
        (second, T0 + 7200, T0 + 9000, MaintenanceKind.EMERGENCY, T0 + 7000, ""),
    ]
    assert _records(store, "cegid", T0 + 3600, T0 + 7200).maintenance == ()

    cancelled = store.cancel_maintenance(first, "carol")
    assert (cancelled.id, cancelled.author, cancelled.created_at) == (first, "alice", now)
    assert (cancelled.cancelled_at, cancelled.cancelled_by) == (now, "carol")
    assert [w.id for w in _records(store, "cegid", T0, T0 + 9000).maintenance] == [second]
    assert [m.id for m in store.list_maintenance("cegid")] == [second]
    assert store.list_maintenance("cegid", include_cancelled=True) == [
        cancelled,
        *store.list_maintenance("cegid"),
    ]
    assert len(store.list_maintenance()) == 2

    assert _audit(store, "cegid") == [
        (
            "alice",
            "maintenance.add",
            first,
            {
                "contract": "cegid",
                "start_ts": T0,
                "end_ts": T0 + 3600,
                "kind": "planned",
                "declared_at": T0 - 86400,
                "note": "upgrade",
            },
        ),
        (
            "bob",
            "maintenance.add",
            second,
            {
                "contract": "cegid",
                "start_ts": T0 + 7200,
                "end_ts": T0 + 9000,
                "kind": "emergency",
                "declared_at": T0 + 7000,
                "note": "",
            },
        ),
        ("carol", "maintenance.cancel", first, {"cancelled_at": now, "cancelled_by": "carol"}),
    ]
    assert all(a.at == now and a.entity == "maintenance" for a in store.audit_log())


def test_exclusions_are_added_listed_revoked_and_audited(store: Store, now: int) -> None:
    kept = store.add_exclusion("ipfolio", T0, T0 + 600, ExclusionReason.THIRD_PARTY, "OVH", "alice")
    revoked = store.add_exclusion(
        "ipfolio", T0 + 900, T0 + 1200, ExclusionReason.CUSTOMER, "DNS", "alice"
    )

    record = store.revoke_exclusion(revoked, "bob")
    assert (record.reason, record.revoked_at, record.revoked_by) == (
        ExclusionReason.CUSTOMER,
        now,
        "bob",
    )
    assert _records(store, "ipfolio", T0, T0 + 3600).exclusions == (
        Exclusion(kept, T0, T0 + 600, ExclusionReason.THIRD_PARTY, "OVH", "alice", now),
    )
    assert [e.id for e in store.list_exclusions("ipfolio")] == [kept]
    assert [e.id for e in store.list_exclusions(include_revoked=True)] == [kept, revoked]
    assert [(actor, action, entity_id) for actor, action, entity_id, _ in _audit(store)] == [
        ("alice", "exclusion.add", kept),
        ("alice", "exclusion.add", revoked),
        ("bob", "exclusion.revoke", revoked),
    ]
    assert _audit(store)[0][3]["reason"] == "third_party"


def test_claims_are_added_listed_and_audited(store: Store, now: int) -> None:
    late = store.add_claim("smileo", T0 + 600, "TCK-2", "alice")
    early = store.add_claim("smileo", T0, "TCK-1", "alice")
    store.add_claim("other", T0, "X", "bob")
    assert _records(store, "smileo", 0, 1).claims == (
        Claim(early, T0, "TCK-1", now),  # made when recorded: what a claim window reads
        Claim(late, T0 + 600, "TCK-2", now),
    )
    assert [(c.ticket, c.author, c.created_at) for c in store.list_claims("smileo")] == [
        ("TCK-1", "alice", now),
        ("TCK-2", "alice", now),
    ]
    assert len(store.list_claims()) == 3
    assert _audit(store, "smileo")[0] == (
        "alice",
        "claim.add",
        late,
        {"contract": "smileo", "at": T0 + 600, "ticket": "TCK-2"},
    )


def _add_window(store: Store) -> int:
    return store.add_maintenance("c", T0, T0 + 60, MaintenanceKind.PLANNED, T0, "", "alice")


def _add_exclusion(store: Store) -> int:
    return store.add_exclusion("c", T0, T0 + 60, ExclusionReason.OTHER, "", "alice")


RETIRABLE = [
    pytest.param(
        _add_window, Store.cancel_maintenance, "maintenance", "cancelled", id="maintenance"
    ),
    pytest.param(_add_exclusion, Store.revoke_exclusion, "exclusion", "revoked", id="exclusion"),
]


@pytest.mark.parametrize(("add", "retire", "entity", "done"), RETIRABLE)
def test_retiring_an_unknown_id_raises_not_found(
    store: Store, add: Callable[[Store], int], retire: Retire, entity: str, done: str
) -> None:
    add(store)
    with pytest.raises(NotFound) as raised:
        retire(store, 42, "bob")
    assert str(raised.value) == f"{entity} #42 does not exist"
    assert isinstance(raised.value, LookupError)


@pytest.mark.parametrize(("add", "retire", "entity", "done"), RETIRABLE)
def test_retiring_twice_raises_not_found_and_audits_once(
    store: Store, add: Callable[[Store], int], retire: Retire, entity: str, done: str
) -> None:
    record_id = add(store)
    retire(store, record_id, "carol")
    with pytest.raises(NotFound) as raised:
        retire(store, record_id, "bob")
    assert str(raised.value) == (
        f"{entity} #{record_id} was already {done} by carol at 2026-09-21T14:13:20Z"
    )
    assert [a.actor for a in store.audit_log()] == ["alice", "carol"]


@pytest.mark.parametrize(
    "add",
    [
        lambda s: s.add_maintenance("c", T0, T0, MaintenanceKind.PLANNED, T0, "", "a"),
        lambda s: s.add_exclusion("c", T0 + 60, T0, ExclusionReason.OTHER, "", "a"),
    ],
    ids=["maintenance", "exclusion"],
)
def test_a_span_must_end_after_it_starts(store: Store, add: Callable[[Store], int]) -> None:
    with pytest.raises(ValueError, match=r"end \(.*\) must be after start"):
        add(store)
    assert store.audit_log() == []


# -- databases that cannot be used -----------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "not a url",
            "invalid database URL 'not a url' (expected e.g. sqlite:///var/lib/slawatch.db or postgresql+psycopg://user@host/db)",
        ),
        (
            "mysql://root:secret@db/slawatch",
            "database mysql://root:***@db/slawatch: unsupported; use sqlite:///PATH or postgresql+psycopg://...",
        ),
        (
            "postgresql://u:secret@db/slawatch",
            "database postgresql://u:***@db/slawatch: unsupported; use sqlite:///PATH or postgresql+psycopg://...",
        ),
        (
            "sqlite:////nonexistent/dir/slawatch.db",
            "database sqlite:////nonexistent/dir/slawatch.db: directory /nonexistent/dir does not exist",
        ),
    ],
    ids=[
        "not-a-url",
        "unsupported-backend",
        "postgresql-without-psycopg",
        "missing-sqlite-directory",
    ],
)
def test_an_unusable_url_raises_store_error(url: str, message: str) -> None:
    with pytest.raises(StoreError) as raised:
        Store.open(url)
    assert str(raised.value) == message


def test_an_unreachable_server_raises_store_error_without_the_password() -> None:
    with pytest.raises(StoreError) as raised:
        Store.open("postgresql+psycopg://slawatch:secret@127.0.0.1:1/slawatch")
    message = str(raised.value)
    assert message.startswith("database postgresql+psycopg://slawatch:***@127.0.0.1:1/slawatch: ")
    assert "connection" in message
    assert "secret" not in message
    assert "\n" not in message


@pytest.mark.postgres
def test_postgres_statements_have_a_deadline_and_url_options_survive(pg_url: str) -> None:
    engine = database.engine_for(pg_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "5min"
        search_path = conn.exec_driver_sql("SHOW search_path").scalar()
    engine.dispose()
    assert search_path is not None and search_path.startswith("test_")  # the URL's options


def test_a_file_that_is_not_a_database_raises_store_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not SQLite" * 100, encoding="utf-8")
    with pytest.raises(StoreError) as raised:
        Store.open(f"sqlite:///{path}")
    assert str(raised.value) == f"database sqlite:///{path}: file is not a database"


def _records(store: Store, contract: str, start: int, end: int) -> ContractRecords:
    return store.contract_records([contract], start, end)[contract]


def test_contract_records_for_many_contracts_at_once(store: Store) -> None:
    store.add_maintenance("a", T0, T0 + 60, MaintenanceKind.PLANNED, T0 - 86400, "", "alice")
    store.add_exclusion("b", T0, T0 + 60, ExclusionReason.CUSTOMER, "", "alice")
    store.add_claim("b", T0 + 10, "T-1", "alice")
    found = store.contract_records(["a", "b", "c"], T0, T0 + 3600)
    assert [len(found["a"].maintenance), len(found["a"].exclusions), len(found["a"].claims)] == [
        1,
        0,
        0,
    ]
    assert [len(found["b"].maintenance), len(found["b"].exclusions), len(found["b"].claims)] == [
        0,
        1,
        1,
    ]
    assert found["c"] == ContractRecords()
