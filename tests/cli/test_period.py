"""Reports of every contract at once, and closed periods, as an SRE and an account
manager drive them, over SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook
from sqlalchemy import create_engine, text

from slawatch.cli import main
from slawatch.cli import period as cli_period
from slawatch.reports.formats import FORMATS
from slawatch.reports.versions import fingerprint
from slawatch.store.store import Store

ROOT = Path(__file__).resolve().parents[2]
SEED = str(ROOT / "config" / "seed-contracts.yaml")
HISTORY = str(ROOT / "config" / "examples" / "history-2026-10.csv.gz")
CONTRACTS = ("cegid-portal", "smileo-backup", "ipfolio")
IPFOLIO = "--contract ipfolio --period 2026-10"
AS_OF = ("--as-of", "2026-11-23T00:00:00Z")


def sw(db: str, line: str, *more: str) -> Result:
    """``slawatch LINE MORE...`` on the seed config and ``db`` (LINE is split on spaces)."""
    args = [*line.split(), *more, "-c", SEED, "--db", db]
    return CliRunner().invoke(main, args, catch_exceptions=False)


def report(db: str, contract: str = "ipfolio") -> dict[str, Any]:
    result = sw(db, f"report --contract {contract} --period 2026-10")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


def close_ipfolio(db: str) -> str:
    """Close ipfolio's October; returns its hash."""
    result = sw(db, f"period close {IPFOLIO} --author al")
    assert result.exit_code == 0, result.output
    return result.output.split("sha256 ")[1].strip()


def claim_the_long_outage(db: str) -> None:
    result = sw(db, "claim add --contract ipfolio --at 2026-10-05T11:00:00Z --ticket SUP-1234")
    assert result.exit_code == 0, result.output


@pytest.fixture
def sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An SQLite database in a fresh working directory."""
    monkeypatch.chdir(tmp_path)
    return f"sqlite:///{tmp_path}/slawatch.db"


# -- report --all ----------------------------------------------------------------------------


def test_report_all_writes_each_contracts_report_reading_the_store_once(
    loaded: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "reports" / "october"
    calls: list[Sequence[str]] = []
    flips = Store.flips

    def counted(*args: Any) -> Any:
        calls.append(args[1])
        return flips(*args)

    monkeypatch.setattr(Store, "flips", counted)
    result = sw(loaded, "report --all --period 2026-10 --out-dir", str(out), *AS_OF)
    assert result.exit_code == 0, result.output
    assert len(calls) == 1 and set(calls[0]) >= {"ipfolio-app", "smileo-s3", "cegid-portal-web"}
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{c}-2026-10.json" for c in CONTRACTS)
    for contract in CONTRACTS:
        single = sw(loaded, f"report --contract {contract} --period 2026-10", *AS_OF)
        assert (out / f"{contract}-2026-10.json").read_text() == single.stdout


@pytest.mark.parametrize("fmt", FORMATS)
def test_report_all_in_every_format(fmt: str, sqlite: str, tmp_path: Path) -> None:
    assert sw(sqlite, "import --results", HISTORY).exit_code == 0
    result = sw(sqlite, f"report --all --period 2026-10 --format {fmt} --out-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    for contract in CONTRACTS:
        assert (tmp_path / f"{contract}-2026-10.{fmt}").stat().st_size > 1000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            "--all --contract ipfolio --out-dir x",
            "--contract and --all are mutually exclusive: give one of them",
        ),
        ("", "give --contract NAME, or --all for every contract"),
        ("--all", "--all writes one file per contract: give --out-dir DIR"),
        ("--all --out-dir x -o y", "-o PATH writes one report; with --all give --out-dir DIR"),
        (
            "--contract ipfolio --out-dir x",
            "--out-dir goes with --all; for one contract give -o PATH",
        ),
    ],
    ids=["both", "neither", "all-without-out-dir", "all-with-output", "out-dir-without-all"],
)
def test_report_says_which_contracts_and_where(args: str, message: str, sqlite: str) -> None:
    result = CliRunner().invoke(
        main, ["report", "--period", "2026-10", *args.split(), "-c", SEED, "--db", sqlite]
    )
    assert result.exit_code == 2
    assert result.output.endswith(f"Error: {message}\n")
    assert not Path("x").exists()


def test_an_as_of_without_offset_is_ambiguous_for_all_contracts(sqlite: str) -> None:
    result = sw(sqlite, "report --all --period 2026-10 --out-dir x --as-of 2026-11-01T00:00")
    assert (result.exit_code, result.output) == (
        1,
        "error: --as-of: '2026-11-01T00:00' needs an offset (e.g. 2026-11-01T00:00Z or "
        "2026-11-01T00:00+01:00): the contracts have their own time zones\n",
    )


# -- closing -----------------------------------------------------------------------------------


def test_a_closed_period_shows_its_frozen_report_never_recomputed(
    loaded: str, tmp_path: Path
) -> None:
    live = report(loaded)
    digest = close_ipfolio(loaded)
    frozen = report(loaded)
    closed = frozen.pop("closed")
    assert frozen == live  # the same figures, and the same hash: it is stable
    assert (closed["by"], closed["version"], closed["sha256"]) == ("al", 0, digest)
    assert digest == fingerprint(live) and closed["amendments"] == []
    datetime.fromisoformat(closed["at"])
    claim_the_long_outage(loaded)
    assert report(loaded)["credit_percent"] == 0.0  # the claim waits for an amendment
    assert report(loaded, "cegid-portal").get("closed") is None
    assert sw(loaded, "report --all --period 2026-10 --out-dir", str(tmp_path)).exit_code == 0
    written = {c: json.loads((tmp_path / f"{c}-2026-10.json").read_text()) for c in CONTRACTS}
    assert written["ipfolio"] == report(loaded) and written["ipfolio"]["closed"]["sha256"] == digest
    assert written["cegid-portal"] == report(loaded, "cegid-portal")


def test_check_passes_until_the_figures_move(loaded: str) -> None:
    digest = close_ipfolio(loaded)
    assert sw(loaded, "period check --all").output == (
        f"ipfolio 2026-10: matches version 0 (sha256 {digest})\n"
    )
    claim_the_long_outage(loaded)
    result = sw(loaded, f"period check {IPFOLIO}")
    assert result.exit_code == 1
    head, *changes, made_at, hint = result.output.splitlines()
    assert head.startswith(f"ipfolio 2026-10: DRIFTED from version 0 (sha256 {digest}); ")
    assert changes == [
        "  claimed_downtime_seconds: 0 -> 13020",
        '  tier: "<= 216 min down: 0 %" -> "<= 2160 min down: 25 %"',
        "  credit_percent: 0.0 -> 25.0",
        "  credit_amount: 0.0 -> 250.0",
        "  outages[2026-10-05T10:00:00+00:00].claimed: false -> true",
        '  outages[2026-10-05T10:00:00+00:00].ticket: null -> "SUP-1234"',
    ]
    assert made_at.startswith("  outages[2026-10-05T10:00:00+00:00].claimed_at: null -> ")
    assert hint == f"  to record them: slawatch period amend {IPFOLIO} --reason TEXT"


def test_an_exclusion_after_closing_is_an_amendment_that_moves_the_credit(loaded: str) -> None:
    claim_the_long_outage(loaded)
    first = close_ipfolio(loaded)
    assert report(loaded)["credit_percent"] == 25.0
    span = "--start 2026-10-05T10:00Z --end 2026-10-05T11:00Z"
    excluded = sw(loaded, f"exclude add --contract ipfolio {span} --reason third_party --note cut")
    assert excluded.exit_code == 0
    amend = f"period amend {IPFOLIO} --author bo --reason"
    result = sw(loaded, amend, "carrier outage accepted as third party")
    assert result.exit_code == 0, result.output
    shown = report(loaded)
    closed = shown.pop("closed")
    assert result.output.splitlines()[0] == (
        f"amended ipfolio 2026-10: version 1, sha256 {fingerprint(shown)} (was {first})"
    )
    figures = shown["downtime_seconds"], shown["credit_percent"], shown["credit_amount"]
    assert figures == (10620, 0.0, 0.0)
    [amendment] = closed["amendments"]
    assert (closed["version"], closed["sha256"]) == (1, amendment["sha256"])
    assert (amendment["by"], amendment["previous_sha256"]) == ("bo", first)
    assert amendment["reason"] == "carrier outage accepted as third party"
    changed = {c["field"]: (c["old"], c["new"]) for c in amendment["changes"]}
    assert changed["downtime_seconds"] == (14220, 10620)
    assert changed["credit_percent"] == (25.0, 0.0)
    assert changed["outages[2026-10-05T10:00:00+00:00].counted_seconds"] == (13020, 9420)
    assert changed["daily[2026-10-05].downtime_seconds"] == (13020, 9420)
    again = sw(loaded, amend, "again")
    assert (again.exit_code, again.output) == (
        1,
        f"error: nothing changed: ipfolio 2026-10 still matches version 1 "
        f"(sha256 {amendment['sha256']})\n",
    )
    with Store.open(loaded) as store:
        actions = [a.action for a in store.audit_log("ipfolio")]
    assert actions[-3:] == ["period.close", "exclusion.add", "period.amend"]


def test_list_and_show_tell_the_history(loaded: str) -> None:
    first = close_ipfolio(loaded)
    claim_the_long_outage(loaded)
    amended = sw(loaded, f"period amend {IPFOLIO} --author bo --reason", "claim received in time")
    second = amended.output.split("sha256 ")[1].split()[0]
    header, row = sw(loaded, "period list").output.splitlines()
    assert header.split() == [
        *("contract", "period", "closed_at", "closed_by", "amendments", "sha256", "verified")
    ]
    assert row.split()[:2] + row.split()[3:] == ["ipfolio", "2026-10", "al", "1", second, "ok"]
    lines = sw(loaded, f"period show {IPFOLIO}").output.splitlines()
    assert lines[0].startswith("version 0  ") and lines[0].endswith("  by al  closed")
    assert lines[1] == f"  sha256 {first}"
    assert lines[2].endswith("  by bo  amended: claim received in time")
    assert lines[3:6] == [
        f"  sha256 {second}",
        f"  previous {first}",
        "  claimed_downtime_seconds: 0 -> 13020",
    ]


def test_closing_twice_names_the_hash_and_all_closes_all_or_none(loaded: str) -> None:
    digest = close_ipfolio(loaded)
    result = sw(loaded, "period close --all --period 2026-10")
    assert (result.exit_code, result.output) == (
        1,
        "skipped smileo-backup: 2026-10 is not its billing period (a year)\n"
        f"error: ipfolio 2026-10 is already closed (version 0, sha256 {digest}): "
        "amend it with slawatch period amend\n",
    )
    assert report(loaded, "cegid-portal").get("closed") is None


def test_a_period_not_over_cannot_be_closed(loaded: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_period, "now", lambda: 1_792_000_000)  # 2026-10-14T15:06:40Z
    result = sw(loaded, "period close --contract cegid-portal --period 2026-10")
    assert (result.exit_code, result.output) == (
        1,
        "error: cegid-portal 2026-10 has not ended yet (it ends 2026-11-01T00:00:00+01:00): "
        "only a period that is over can be closed\n",
    )
    assert sw(loaded, "period list").output == "(none)\n"


def test_as_of_does_not_apply_to_a_closed_period(loaded: str) -> None:
    close_ipfolio(loaded)
    result = sw(loaded, f"report {IPFOLIO} --as-of 2026-10-20T00:00Z")
    assert result.exit_code == 1
    assert result.output == "error: --as-of assesses open periods only; closed: ipfolio 2026-10\n"


def test_a_report_changed_in_the_database_is_reported_everywhere(
    loaded: str, tmp_path: Path
) -> None:
    digest = close_ipfolio(loaded)
    engine = create_engine(loaded)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE period_reports SET report = replace(report, :was, :forged)"),
            {"was": '"credit_percent":0.0', "forged": '"credit_percent":100.0'},
        )
    engine.dispose()
    result = sw(loaded, f"report {IPFOLIO}")
    assert result.exit_code == 1
    assert result.output.startswith("error: ipfolio 2026-10 version 0: the stored report hashes ")
    assert result.output.endswith(f"sha256 {digest}: it was changed outside slawatch\n")
    out = tmp_path / "out"
    assert sw(loaded, "report --all --period 2026-10 --out-dir", str(out)).exit_code == 1
    assert not out.exists()
    check = sw(loaded, "period check --all")
    assert check.exit_code == 1
    assert check.output.startswith("TAMPERED: ipfolio 2026-10 version 0: ")
    assert sw(loaded, "period list").output.splitlines()[1].endswith("TAMPERED")
    assert sw(loaded, f"period show {IPFOLIO}").output.startswith("TAMPERED: ")


def test_a_frozen_report_renders_in_every_format_with_its_amendments(
    loaded: str, tmp_path: Path
) -> None:
    first = close_ipfolio(loaded)
    claim_the_long_outage(loaded)
    assert sw(loaded, f"period amend {IPFOLIO} --reason", "claim in time").exit_code == 0
    second = report(loaded)["closed"]["sha256"]
    made = {}
    for fmt in FORMATS:
        made[fmt] = tmp_path / f"r.{fmt}"
        internal = "--locale en --view internal"  # the hashes are internal
        assert (
            sw(loaded, f"report {IPFOLIO} {internal} --format {fmt} -o", str(made[fmt])).exit_code
            == 0
        )
    csv_tail = made["csv"].read_text().split("\n\n")[-1].splitlines()
    assert csv_tail[0] == "version,at,by,reason,changes,previous_sha256,sha256"
    assert csv_tail[1].startswith("1,") and csv_tail[1].endswith(f",{first},{second}")
    assert "claimed_downtime_seconds: 0 -> 13020; " in csv_tail[1]
    page = made["html"].read_text()
    assert "<h2>Closed period</h2>" in page and "<h2>Amendments (1)</h2>" in page
    assert page.count(second) == 2 and first in page
    sheet = load_workbook(made["xlsx"])["Amendments"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Version", "At", "By", "Reason", "Changes", "Previous SHA-256", "SHA-256")
    assert (rows[1][0], rows[1][3], rows[1][5:]) == (1, "claim in time", (first, second))
    assert made["pdf"].read_bytes().startswith(b"%PDF")
