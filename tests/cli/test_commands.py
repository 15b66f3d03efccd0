"""The commands end to end, as a user drives them, over SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from slawatch.cli import main
from slawatch.store.store import Store

ROOT = Path(__file__).resolve().parents[2]
SEED = str(ROOT / "config" / "seed-contracts.yaml")
HISTORY = str(ROOT / "config" / "examples" / "history-2026-10.csv.gz")
AS_OF = "2026-11-23T00:00:00Z"


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def report(db: str, contract: str, period: str = "2026-10") -> dict[str, Any]:
    result = run(
        "report",
        "-c",
        SEED,
        "--db",
        db,
        "--contract",
        contract,
        "--period",
        period,
        "--as-of",
        AS_OF,
    )
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_check_config_accepts_the_seed() -> None:
    result = run("check-config", "-c", SEED)
    assert result.exit_code == 0
    assert result.output == (
        "ok: 4 targets, 4 contracts (cegid-portal, smileo-backup, ipfolio, acronis-cyber-protect)\n"
    )


def test_check_config_lists_every_problem_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        Path(SEED)
        .read_text()
        .replace("interval: 300s", "interval: 300")
        .replace("timezone: UTC", "timezone: Mars/Olympus")
    )
    result = run("check-config", "-c", str(bad))
    assert result.exit_code == 1
    assert result.output == (
        f"error: {bad}:46: targets[1].interval: a duration needs a unit: d, h, m, s or ms (got 300; e.g. 300s, 300m or 300h)\n"
        f"error: {bad}:51: targets[2].interval: a duration needs a unit: d, h, m, s or ms (got 300; e.g. 300s, 300m or 300h)\n"
        f"error: {bad}:188: contracts[2].timezone: unknown IANA time zone (got Mars/Olympus; e.g. Europe/Paris)\n"
    )


def test_reimporting_adds_nothing(loaded: str) -> None:
    result = run("import", "-c", SEED, "--db", loaded, "--results", HISTORY)
    assert "imported 0 new samples (113988 already present)" in result.output
    with Store.open(loaded) as store:
        audited = store.audit_log()
    # One audit row per contract whose figures the first import changed; none for the second.
    assert [(a.action, a.contract, json.loads(a.detail)) for a in audited] == [
        ("samples.import", name, {"source": HISTORY, "targets": targets})
        for name, targets in (
            ("cegid-portal", ["cegid-portal-web"]),
            ("ipfolio", ["ipfolio-app"]),
            ("smileo-backup", ["smileo-gateway", "smileo-s3"]),
        )
    ]


def test_report_json_has_the_spec_fields(loaded: str) -> None:
    data = report(loaded, "ipfolio")
    for key in (
        "contract",
        "period",
        "reference_seconds",
        "excluded_seconds",
        "unknown_seconds",
        "downtime_seconds",
        "availability_percent",
        "coverage_percent",
        "target_percent",
        "met",
        "credit_percent",
        "credit_percent_all_outages",
        "credit_amount",
        "currency",
        "outages",
    ):
        assert key in data, key
    assert data["period"] == {
        "label": "2026-10",
        "kind": "month",
        "start": "2026-10-01T00:00:00+00:00",
        "end": "2026-11-01T00:00:00+00:00",
        "time_zone": "UTC",
        "billing_period": True,
    }
    for key in (
        "start",
        "end",
        "counted_seconds",
        "excluded_seconds",
        "unknown_seconds",
        "reason",
        "claimed",
    ):
        assert key in data["outages"][0], key


def test_ipfolio_credit_needs_a_claim(loaded: str) -> None:
    before = report(loaded, "ipfolio")
    assert before["reference_seconds"] == 31 * 86400
    assert before["downtime_seconds"] == (217 + 20) * 60
    assert before["unknown_seconds"] == 59 * 60  # the agent was away 03:00-04:00 on 12 October
    assert (before["credit_percent"], before["credit_percent_all_outages"]) == (0, 25)
    assert before["credit_amount"] == 0 and before["credit_amount_all_outages"] == 250
    claimed = run(
        "claim",
        "add",
        "-c",
        SEED,
        "--db",
        loaded,
        "--contract",
        "ipfolio",
        "--at",
        "2026-10-05T11:00:00Z",
        "--ticket",
        "SUP-1234",
    )
    assert claimed.exit_code == 0, claimed.output
    after = report(loaded, "ipfolio")
    assert (
        after["credit_percent"] == 25
        and after["credit_amount"] == 250
        and after["currency"] == "EUR"
    )
    assert [o["claimed"] for o in after["outages"]] == [True, False]


def test_claim_outside_any_outage_is_refused(loaded: str) -> None:
    result = run(
        "claim",
        "add",
        "-c",
        SEED,
        "--db",
        loaded,
        "--contract",
        "ipfolio",
        "--at",
        "2026-10-07T11:00:00Z",
        "--ticket",
        "SUP-9",
    )
    assert result.exit_code == 1
    assert (
        result.output
        == "error: no outage of ipfolio covers 2026-10-07T11:00:00Z: nothing to claim\n"
    )


def test_cegid_emergency_maintenance_and_dst(loaded: str) -> None:
    before = report(loaded, "cegid-portal")
    assert before["reference_seconds"] == 22 * 13 * 3600
    # 6 Oct 09:00-10:30 (90 min), 14 Oct 10:00-11:00 (60 min), 26 Oct 06:30-07:30 CET (30 min);
    # Saturday 10 October is outside the reference hours.
    assert before["downtime_seconds"] == (90 + 60 + 30) * 60
    added = run(
        "maintenance",
        "add",
        "-c",
        SEED,
        "--db",
        loaded,
        "--contract",
        "cegid-portal",
        "--kind",
        "emergency",
        "--start",
        "2026-10-14T10:00",
        "--end",
        "2026-10-14T11:00",
        "--declared-at",
        "2026-10-14T09:55",
        "--note",
        "failover",
    )
    assert added.stdout == "maintenance #1 added to cegid-portal\n"
    # How each instant was read, on stderr: no offset typed, so in the contract's zone.
    assert added.stderr == (
        "--start 2026-10-14T10:00 read as 2026-10-14T10:00:00+02:00 (in Europe/Paris)\n"
        "--end 2026-10-14T11:00 read as 2026-10-14T11:00:00+02:00 (in Europe/Paris)\n"
        "--declared-at 2026-10-14T09:55 read as 2026-10-14T09:55:00+02:00 (in Europe/Paris)\n"
    )
    after = report(loaded, "cegid-portal")
    assert after["downtime_seconds"] == (90 + 30) * 60
    assert after["excluded_seconds"] == 3600
    emergency = next(o for o in after["outages"] if o["start"].startswith("2026-10-14"))
    assert emergency["reason"] == "maintenance #1 (emergency)"
    assert emergency["excluded_seconds"] == 3600 and emergency["counted_seconds"] == 0


def test_late_planned_maintenance_does_not_qualify(loaded: str) -> None:
    run(
        "maintenance",
        "add",
        "-c",
        SEED,
        "--db",
        loaded,
        "--contract",
        "cegid-portal",
        "--kind",
        "planned",
        "--start",
        "2026-10-06T09:00+02:00",
        "--end",
        "2026-10-06T10:30+02:00",
        "--declared-at",
        "2026-10-05T09:00+02:00",
    )
    data = report(loaded, "cegid-portal")
    assert data["downtime_seconds"] == (90 + 60 + 30) * 60
    window = next(e for e in data["exclusions"] if e["source"] == "maintenance #1 (planned)")
    assert window["qualifies"] is False
    assert window["why_not"] == "declared 24 h before it opened, contract requires 48 h notice"


def test_exclusion_lifecycle_moves_the_numbers(loaded: str) -> None:
    base = ["-c", SEED, "--db", loaded]
    assert report(loaded, "smileo-backup", "2026")["downtime_seconds"] == 3 * 3600
    added = run(
        "exclude",
        "add",
        *base,
        "--contract",
        "smileo-backup",
        "--start",
        "2026-10-17T22:00+02:00",
        "--end",
        "2026-10-18T01:00+02:00",
        "--reason",
        "force_majeure",
        "--note",
        "power cut",
        "--author",
        "alice",
    )
    assert added.stdout == "exclusion #1 added to smileo-backup\n"
    assert report(loaded, "smileo-backup", "2026")["downtime_seconds"] == 0
    listing = run("exclude", "list", *base).output
    assert (
        "force_majeure" in listing and "alice" in listing and "2026-10-17T22:00:00+02:00" in listing
    )
    assert (
        run("exclude", "revoke", *base, "1", "--author", "bob").output == "exclusion #1 revoked\n"
    )
    assert report(loaded, "smileo-backup", "2026")["downtime_seconds"] == 3 * 3600
    with Store.open(loaded) as store:
        actions = [(a.actor, a.action) for a in store.audit_log("smileo-backup")]
    # The history import that changed the contract's figures is audited too.
    assert actions[1:] == [("alice", "exclusion.add"), ("bob", "exclusion.revoke")]
    assert actions[0][1] == "samples.import"


def test_report_csv_to_a_file(loaded: str, tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    result = run(
        "report",
        "-c",
        SEED,
        "--db",
        loaded,
        "--contract",
        "ipfolio",
        "--period",
        "2026-10",
        "--format",
        "csv",
        "-o",
        str(out),
        "--as-of",
        AS_OF,
        "--view",
        "internal",
    )
    assert result.exit_code == 0
    text = out.read_text()
    assert "downtime_seconds,14220\n" in text
    assert (
        "start,end,counted_seconds,excluded_seconds,unknown_seconds,outside_reference_seconds,length_seconds,reason,claimed,ticket,claim_late\n"
        in text
    )


def test_database_from_the_environment(loaded: str) -> None:
    result = CliRunner().invoke(main, ["claim", "list", "-c", SEED], env={"SLAWATCH_DB": loaded})
    assert result.exit_code == 0 and result.output == "(none)\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["report", "--contract", "ipfollio", "--period", "2026-10"],
            "error: unknown contract 'ipfollio' (did you mean 'ipfolio'? known: acronis-cyber-protect, cegid-portal, ipfolio, smileo-backup)\n",
        ),
        (
            ["report", "--contract", "ipfolio", "--period", "2026-13"],
            "error: period '2026-13': month must be 01..12\n",
        ),
        (
            [
                "maintenance",
                "add",
                "--contract",
                "ipfolio",
                "--kind",
                "planned",
                "--start",
                "2026-10-02T10:00Z",
                "--end",
                "2026-10-02T09:00Z",
            ],
            "error: --end (2026-10-02T09:00Z) must be after --start (2026-10-02T10:00Z)\n",
        ),
        (
            [
                "exclude",
                "add",
                "--contract",
                "ipfolio",
                "--reason",
                "other",
                "--note",
                "x",
                "--start",
                "yesterday",
                "--end",
                "2026-10-02T09:00Z",
            ],
            "error: --start: 'yesterday' is not an ISO 8601 instant (e.g. 2026-10-01T08:00:00+02:00)\n",
        ),
        (["maintenance", "cancel", "42"], "error: maintenance #42 does not exist\n"),
        (
            ["report", "--contract", "acronis-cyber-protect", "--period", "2026-10"],
            "error: contract 'acronis-cyber-protect' has no availability part (service, period and target)\n",
        ),
        (
            [
                "maintenance",
                "add",
                "--contract",
                "acronis-cyber-protect",
                "--kind",
                "planned",
                "--start",
                "2026-10-02T10:00Z",
                "--end",
                "2026-10-02T11:00Z",
            ],
            "error: contract 'acronis-cyber-protect' has no availability part (service, period and target)\n",
        ),
    ],
    ids=[
        "unknown-contract",
        "bad-period",
        "end-before-start",
        "bad-instant",
        "unknown-id",
        "report-on-renewal-only",
        "maintenance-on-renewal-only",
    ],
)
def test_bad_input_gives_one_clear_line(db_url: str, args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, [*args, "-c", SEED, "--db", db_url])
    assert (result.exit_code, result.output) == (1, message)
    with Store.open(db_url) as store:
        assert store.list_maintenance(None, True) == [] and store.list_exclusions(None, True) == []


def test_a_bad_row_rejects_the_whole_file(db_url: str, tmp_path: Path) -> None:
    history = tmp_path / "h.csv"
    good = "".join(f"ipfolio-app,2026-10-01T00:{m:02d}:00Z,1\n" for m in range(50))
    history.write_text("target,timestamp,ok\n" + good + "ipfolio-app,2026-10-01T00:50:00Z,maybe\n")
    result = CliRunner().invoke(
        main, ["import", "-c", SEED, "--db", db_url, "--results", str(history)]
    )
    assert (result.exit_code, result.output) == (
        1,
        f"error: {history}:52: ok must be 1, 0, true or false (got 'maybe')\n",
    )
    with Store.open(db_url) as store:
        assert store.sample_count() == 0
        assert store.flips(["ipfolio-app"], 0, 2**40) == {"ipfolio-app": {}}
