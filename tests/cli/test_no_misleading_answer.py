"""Paths that used to give a plausible wrong answer (issue 10), driven through the CLI
on SQLite: a database found from another folder, a period with nothing measured or
not begun, a month of a yearly contract, maintenance that does not qualify, claims
on a contract that does not require them."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook

from debian_tools import debian_tool
from slawatch.cli import common as cli_common
from slawatch.cli import main

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "config" / "seed-contracts.yaml"
HISTORY = str(ROOT / "config" / "examples" / "history-2026-10.csv.gz")
NOW = 1_796_428_800  # 2026-12-05T00:00:00Z: November is over, 2027 has not begun
AS_OF = ("--as-of", "2026-11-23T00:00:00Z")


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def october(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A config folder holding the seed config and its database (``sqlite:///slawatch.db``,
    as the seed writes it) with the October 2026 history, imported once per module."""
    folder = tmp_path_factory.mktemp("october") / "conf"
    folder.mkdir()
    shutil.copy(SEED, folder / "seed.yaml")
    result = run("import", "-c", str(folder / "seed.yaml"), "--results", HISTORY)
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture
def conf(october: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of ``october``'s config folder for one test, run from another folder."""
    folder = tmp_path / "conf"
    shutil.copytree(october, folder)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setattr(cli_common, "now", lambda: NOW)  # the use cases' clock
    return folder / "seed.yaml"


def sw(config: Path, *args: str) -> Result:
    return run(*args, "-c", str(config))


def report(config: Path, contract: str, period: str = "2026-10", *more: str) -> Result:
    view = ("--locale", "en", "--view", "internal")  # the figures as the JSON writes them
    result = sw(config, "report", "--contract", contract, "--period", period, *view, *more)
    assert result.exit_code == 0, result.output
    return result


# -- 1. the database, wherever the command runs from -----------------------------------------


def test_the_configs_relative_sqlite_path_is_read_from_the_configs_folder(conf: Path) -> None:
    data = json.loads(report(conf, "cegid-portal").stdout)
    assert data["availability_percent"] == 98.951048
    assert list(Path.cwd().iterdir()) == []  # no empty database made here


def test_a_db_url_given_on_the_command_line_is_read_from_the_current_folder(conf: Path) -> None:
    result = sw(
        conf, "report", "--contract", "ipfolio", "--period", "2026-10", "--db", "sqlite:///x.db"
    )
    assert (result.exit_code, result.output) == (
        1,
        f"error: database sqlite:///x.db: no such file {Path.cwd() / 'x.db'}; this command only "
        "reads (slawatch import or the agent creates it; check -c, --db or SLAWATCH_DB)\n",
    )


@pytest.mark.parametrize(
    "command",
    [
        "report --contract ipfolio --period 2026-10",
        "maintenance list",
        "exclude list",
        "claim list",
        "period list",
        "period show --contract ipfolio --period 2026-10",
        "period check --all",
    ],
)
def test_a_command_that_only_reads_never_creates_a_database(
    conf: Path, tmp_path: Path, command: str
) -> None:
    missing = tmp_path / "nowhere.db"
    result = run(*command.split(), "-c", str(conf), "--db", f"sqlite:///{missing}")
    assert (result.exit_code, result.output) == (
        1,
        f"error: database sqlite:///{missing}: no such file {missing}; this command only reads "
        "(slawatch import or the agent creates it; check -c, --db or SLAWATCH_DB)\n",
    )
    assert not missing.exists()


# -- 2. nothing measured, a period not begun -------------------------------------------------


def test_a_period_with_no_sample_says_nothing_was_measured(conf: Path, tmp_path: Path) -> None:
    result = report(conf, "cegid-portal", "2026-11")
    data = json.loads(result.stdout)
    assert (data["measured"], data["availability_percent"]) == (False, 100.0)  # 0/0, a number
    assert result.stderr == (
        "warning: cegid-portal 2026-11: nothing measured (no sample of its targets up to "
        "2026-12-01T00:00:00+01:00): availability not assessed\n"
    )
    html = report(conf, "cegid-portal", "2026-11", "--format", "html").stdout
    assert "<p>Nothing measured: no sample of the contract&#39;s targets in this period" in html
    assert "Availability 100.0 %" not in html and "0 / 0 x 100" not in html.split("<table")[0]


@pytest.mark.parametrize(
    ("more", "moment"),
    [
        ((), "now (2026-12-05T01:00:00+01:00)"),
        (("--as-of", "2026-12-01T00:00:00Z"), "--as-of (2026-12-01T01:00:00+01:00)"),
    ],
)
def test_a_period_that_has_not_begun_is_refused(
    conf: Path, more: tuple[str, ...], moment: str
) -> None:
    result = sw(conf, "report", "--contract", "cegid-portal", "--period", "2027-01", *more)
    assert (result.exit_code, result.output) == (
        1,
        f"error: period 2027-01 of cegid-portal begins 2027-01-01T00:00:00+01:00, after {moment}: "
        "nothing to assess yet\n",
    )


# -- 3. a month of a yearly contract ---------------------------------------------------------


def test_a_month_of_a_yearly_contract_is_labelled_indicative_in_every_format(
    conf: Path, tmp_path: Path
) -> None:
    result = report(conf, "smileo-backup", "2026-10", *AS_OF)
    assert json.loads(result.stdout)["period"]["billing_period"] is False
    assert result.stderr == (
        "note: smileo-backup 2026-10: not the contract's billing period: figures indicative only\n"
    )
    first = "Indicative only, 2026-10 is not the contract's billing period: availability"
    html = report(conf, "smileo-backup", "2026-10", "--format", "html", *AS_OF).stdout
    assert f"<p>{first.replace(chr(39), '&#39;')}" in html and ": not met." not in html
    csv = report(conf, "smileo-backup", "2026-10", "--format", "csv", *AS_OF).stdout
    assert "period.billing_period,False\n" in csv
    xlsx, pdf = tmp_path / "r.xlsx", tmp_path / "r.pdf"
    for fmt, path in (("xlsx", xlsx), ("pdf", pdf)):
        report(conf, "smileo-backup", "2026-10", "--format", fmt, "-o", str(path), *AS_OF)
    sheet = load_workbook(xlsx)["Summary"]  # the active sheet
    assert any(str(cell.value).startswith(first) for row in sheet.iter_rows() for cell in row)
    text = subprocess.run(
        [debian_tool("pdftotext", "poppler-utils"), "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Indicative only, 2026-10 is not the contract" in " ".join(text.split())
    assert report(conf, "cegid-portal", "2026-10", *AS_OF).stderr == ""


def test_closing_a_month_for_all_contracts_skips_the_yearly_ones(conf: Path) -> None:
    result = sw(conf, "period", "close", "--all", "--period", "2026-10", "--author", "al")
    assert result.exit_code == 0, result.output
    assert result.stderr == "skipped smileo-backup: 2026-10 is not its billing period (a year)\n"
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == [
        "closed cegid-portal 2026-10",
        "closed ipfolio 2026-10",
    ]
    listed = sw(conf, "period", "list").stdout
    assert "smileo-backup" not in listed
    yearly = sw(conf, "period", "close", "--all", "--period", "2025", "--author", "al")
    assert yearly.exit_code == 0, yearly.output
    assert yearly.stdout.startswith("closed smileo-backup 2025: sha256 ")


# -- 4. records that change nothing ------------------------------------------------------------

LATE = (
    *("maintenance", "add", "--contract", "cegid-portal", "--kind", "planned"),
    *("--start", "2026-10-14T10:00:00+02:00", "--end", "2026-10-14T11:00:00+02:00"),
)


def test_a_late_planned_window_is_warned_of_and_shows_it_counts_for_nothing(conf: Path) -> None:
    late = sw(conf, *LATE, "--declared-at", "2026-10-14T09:00:00+02:00")
    assert late.exit_code == 0, late.output
    assert late.stdout == "maintenance #1 added to cegid-portal\n"
    assert late.stderr == (
        "warning: maintenance #1 does not qualify (declared 1 h before it opened, contract "
        "requires 48 h notice): its downtime counts against the contract\n"
    )
    data = json.loads(report(conf, "cegid-portal", "2026-10", *AS_OF).stdout)
    [window] = [e for e in data["exclusions"] if e["source"].startswith("maintenance #1")]
    assert (data["excluded_seconds"], window["excluded_seconds"]) == (0, 3600)
    assert (window["qualifies"], window["counted_seconds"]) == (False, 0)
    html = report(conf, "cegid-portal", "2026-10", "--format", "html", *AS_OF).stdout
    assert "<th>Within R (s)</th><th>Qualifies</th><th>Counts toward X (s)</th>" in html
    on_time = sw(conf, *LATE, "--declared-at", "2026-10-10T09:00:00+02:00")
    assert (on_time.exit_code, on_time.stderr) == (0, "")
    data = json.loads(report(conf, "cegid-portal", "2026-10", *AS_OF).stdout)
    [window] = [e for e in data["exclusions"] if e["source"].startswith("maintenance #2")]
    assert (data["excluded_seconds"], window["counted_seconds"]) == (3600, 3600)


def test_emergency_maintenance_where_the_contract_does_not_exclude_it_is_warned_of(
    conf: Path,
) -> None:
    result = sw(
        conf,
        *("maintenance", "add", "--contract", "smileo-backup", "--kind", "emergency"),
        *("--start", "2026-10-17T22:00:00+02:00", "--end", "2026-10-17T23:00:00+02:00"),
    )
    assert (result.exit_code, result.stderr) == (
        0,
        "warning: maintenance #1 does not qualify (emergency maintenance is not excluded): "
        "its downtime counts against the contract\n",
    )


def test_a_claim_on_a_contract_without_claims_is_warned_of(conf: Path) -> None:
    claim = ("claim", "add", "--at", "2026-10-05T11:00:00Z", "--ticket", "SUP-1")
    useless = sw(
        conf,
        *claim[:2],
        "--contract",
        "cegid-portal",
        "--at",
        "2026-10-06T09:30:00+02:00",
        *claim[4:],
    )
    assert (useless.exit_code, useless.stdout) == (0, "claim #1 (SUP-1) added to cegid-portal\n")
    assert useless.stderr == (
        "warning: cegid-portal does not require claims (claims_required: false): every outage "
        "is credited whether claimed or not: this claim changes no credit\n"
    )
    needed = sw(conf, *claim[:2], "--contract", "ipfolio", *claim[2:])
    assert (needed.exit_code, needed.stderr) == (0, "")
