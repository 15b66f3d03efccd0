"""``slawatch ticket import|list|show`` end to end, over SQLite and PostgreSQL: the seeds'
numbers through the shipped config, idempotent imports, and bad rows that name their
file, line and column and keep nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from slawatch.cli import main
from slawatch.store.store import Store

ROOT = Path(__file__).resolve().parents[2]
SEED = str(ROOT / "config" / "seed-contracts.yaml")
HEADER = "ticket,contract,event,timestamp,priority,reason,note\n"
GOOD = (
    HEADER
    + "C-1,cegid-portal,opened,2026-10-02T16:50:00+02:00,3,,portail lent\n"
    + "C-1,cegid-portal,responded,2026-10-05T11:00:00+02:00,,,\n"
    + "C-2,cegid-portal,opened,2026-07-14T10:00:00+02:00,1,,\n"
    + "C-2,cegid-portal,paused,2026-07-15T10:00:00+02:00,,waiting_client,the client is away\n"
    + "C-2,cegid-portal,resumed,2026-07-15T15:00:00+02:00,,,\n"
    + "I-1,ipfolio,opened,2026-10-02T20:00:00Z,medium,,\n"
)


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def import_events(db: str, path: Path) -> Result:
    return run("ticket", "import", "-c", SEED, "--db", db, "--events", str(path), "--author", "ops")


@pytest.fixture
def imported(db_url: str, tmp_path: Path) -> str:
    result = import_events(db_url, write(tmp_path, "good.csv", GOOD))
    assert result.exit_code == 0, result.output
    assert result.output.endswith(
        "imported 6 new ticket events (0 already present; 3 new requests) from "
        + str(tmp_path / "good.csv")
        + "\n"
    )
    return db_url


def test_reimporting_adds_nothing_and_each_import_is_audited(imported: str, tmp_path: Path) -> None:
    again = import_events(imported, tmp_path / "good.csv")
    assert "imported 0 new ticket events (6 already present; 0 new requests)" in again.output
    with Store.open(imported) as store:
        log = [(a.action, a.contract, a.actor) for a in store.audit_log()]
    assert log == [("ticket.import", "cegid-portal", "ops"), ("ticket.import", "ipfolio", "ops")]


def test_list_shows_requests_with_their_outcomes_in_the_contracts_zone(imported: str) -> None:
    result = run("ticket", "list", "-c", SEED, "--db", imported)
    lines = result.output.splitlines()
    assert lines[0].split() == [
        "contract",
        "ticket",
        "priority",
        "opened",
        "state",
        "next_deadline",
        "targets",
    ]
    assert lines[1].split() == [
        "cegid-portal",
        "C-2",
        "1",
        "2026-07-14T10:00:00+02:00",
        "open",
        "-",
        "take-in-charge",
        "breached",
    ]
    assert lines[2].split() == [
        "cegid-portal",
        "C-1",
        "3",
        "2026-10-02T16:50:00+02:00",
        "open",
        "-",
        "take-in-charge",
        "met",
    ]
    assert lines[3].split() == [
        "ipfolio",
        "I-1",
        "medium",
        "2026-10-02T20:00:00+00:00",
        "open",
        "-",
        "response-medium",
        "breached",
    ]


def test_show_gives_the_events_and_the_arithmetic(imported: str) -> None:
    result = run(
        "ticket", "show", "-c", SEED, "--db", imported, "--contract", "cegid-portal", "C-1"
    )
    assert result.exit_code == 0, result.output
    assert "2026-10-02T16:50:00+02:00  opened     -       portail lent" in result.output
    assert result.output.splitlines()[-1] == (
        "take-in-charge: clock from Fri 2026-10-02 16:50; 8h of business time = "
        "Fri 2026-10-02 10 min + Mon 2026-10-05 6 h 30 min + Tue 2026-10-06 1 h 20 min; "
        "due Tue 2026-10-06 10:20; responded Mon 2026-10-05 11:00 after 2 h 10 min: met"
    )
    missing = run("ticket", "show", "-c", SEED, "--db", imported, "--contract", "ipfolio", "C-1")
    assert (missing.exit_code, missing.output) == (1, "error: no ticket 'C-1' for ipfolio\n")


NEW_GOOD_ROW = "C-3,cegid-portal,opened,2026-10-06T09:00:00+02:00,2,,\n"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "C-3,cegid-portal,answered,2026-10-06T10:00:00+02:00,,,\n",
            "3: event: unknown event 'answered' (events: opened, responded, qualified, resolved, closed, paused, resumed, reopened)",
        ),
        (
            "C-1,cegid-portal,resumed,2026-10-06T10:00:00+02:00,,,\n",
            "3: event: resumed without paused (ticket C-1)",
        ),
        (
            "C-1,cegid-portal,qualified,2026-10-01T10:00:00+02:00,,,\n",
            "3: timestamp: comes before the ticket is opened (ticket C-1)",
        ),
        (
            "C-4,cegid-portal,responded,2026-10-06T10:00:00+02:00,,,\n",
            "3: event: the ticket has no opened event (it comes first, with the priority) (ticket C-4)",
        ),
        (
            "C-4,cegid-portal,opened,2026-10-06T10:00:00+02:00,urgent,,\n",
            "3: priority: unknown priority 'urgent' for cegid-portal (its priorities: 1, 2, 3)",
        ),
        (
            "C-4,cegid-portal,opened,2026-10-06T10:00:00+02:00,,,\n",
            "3: priority: required on opened (cegid-portal's priorities: 1, 2, 3)",
        ),
        (
            "C-1,cegid-portal,closed,2026-10-06T10:00:00+02:00,2,,\n",
            "3: priority: ticket C-1 was opened with priority 3 (got 2)",
        ),
        (
            "C-4,cegid,opened,2026-10-06T10:00:00+02:00,1,,\n",
            "3: contract: unknown contract 'cegid' (known: acronis-cyber-protect, cegid-portal, ipfolio, smileo-backup)",
        ),
        (
            "C-4,smileo-backup,opened,2026-10-06T10:00:00+02:00,1,,\n",
            "3: contract: contract 'smileo-backup' has no support part (those with one: cegid-portal, ipfolio)",
        ),
        (
            "C-4,cegid-portal,opened,2026-10-06T10:00:00,1,,\n",
            "3: timestamp: '2026-10-06T10:00:00' has no UTC offset (e.g. +02:00 or Z)",
        ),
        (
            "C-2,cegid-portal,paused,2026-10-06T10:00:00+02:00,,,\n",
            "3: reason: required on paused (waiting_client, client_unavailable, postponed_by_client)",
        ),
        (
            "C-1,cegid-portal,closed,2026-10-06T10:00:00+02:00,,waiting_client,\n",
            "3: reason: only paused and resumed take a reason",
        ),
        (
            "C-4,cegid-portal,opened\n",
            "3: expected at least ticket,contract,event,timestamp (got 3 columns)",
        ),
    ],
    ids=[
        "unknown-event",
        "resumed-without-paused",
        "before-opened",
        "never-opened",
        "unknown-priority",
        "no-priority-on-opened",
        "another-priority",
        "unknown-contract",
        "contract-without-support",
        "timestamp-without-offset",
        "pause-without-reason",
        "reason-on-another-event",
        "short-row",
    ],
)
def test_a_bad_row_is_one_line_naming_file_line_and_column_and_keeps_nothing(
    imported: str, tmp_path: Path, row: str, message: str
) -> None:
    bad = write(
        tmp_path, "bad.csv", HEADER + NEW_GOOD_ROW + row + NEW_GOOD_ROW.replace("C-3", "C-5")
    )
    result = import_events(imported, bad)
    assert (result.exit_code, result.output) == (1, f"error: {bad}:{message}\n")
    with Store.open(imported) as store:
        assert sorted(r.ticket for r in store.list_requests()) == ["C-1", "C-2", "I-1"]
        assert len(store.audit_log()) == 2


def test_lines_count_the_header_as_line_1_and_a_quoted_note_may_span_lines(
    imported: str, tmp_path: Path
) -> None:
    text = (
        HEADER
        + 'C-3,cegid-portal,opened,2026-10-06T09:00:00+02:00,2,,"two\nlines"\n'
        + "C-3,cegid-portal,resumed,2026-10-06T10:00:00+02:00,,,\n"
    )
    bad = write(tmp_path, "bad.csv", text)
    result = import_events(imported, bad)
    assert result.output == f"error: {bad}:4: event: resumed without paused (ticket C-3)\n"


def test_a_file_without_header_counts_from_line_1(imported: str, tmp_path: Path) -> None:
    bad = write(
        tmp_path, "bad.csv", NEW_GOOD_ROW + "C-3,cegid-portal,resumed,2026-10-06T10:00:00+02:00\n"
    )
    result = import_events(imported, bad)
    assert result.output == f"error: {bad}:2: event: resumed without paused (ticket C-3)\n"


def test_support_report_through_the_command(imported: str) -> None:
    result = run(
        "support", "report", "-c", SEED, "--db", imported, "--contract", "cegid-portal",
        "--period", "contract-year:2026", "--as-of", "2026-12-01T00:00:00+01:00",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    c1 = next(r for r in data["requests"] if r["ticket"] == "C-1")
    assert c1["targets"][0]["deadline"] == "2026-10-06T10:20:00+02:00"
    (objective,) = data["objectives"]
    assert (objective["met_count"], objective["breached_count"], objective["share_percent"]) == (
        1,
        1,
        50.0,
    )
    assert objective["met"] is False


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--contract", "smileo-backup", "--period", "2026"),
            "error: --contract: smileo-backup has no support part (those with one: cegid-portal, ipfolio)\n",
        ),
        (
            ("--contract", "cegid-portal", "--period", "contract-year:26"),
            "error: --period: period 'contract-year:26': write contract-year:YYYY (e.g. contract-year:2026)\n",
        ),
        (
            ("--contract", "nope", "--period", "2026"),
            "error: unknown contract 'nope' (known: acronis-cyber-protect, cegid-portal, ipfolio, smileo-backup)\n",
        ),
    ],
    ids=["no-support-part", "bad-period", "unknown-contract"],
)
def test_support_report_refusals(db_url: str, args: tuple[str, ...], message: str) -> None:
    result = run("support", "report", "-c", SEED, "--db", db_url, *args)
    assert (result.exit_code, result.output) == (1, message)
