"""The ``slawatch`` command: parse, call, print (SPEC section 7 names the commands).

Every expected failure (bad config, bad CSV row, unknown contract, database
away) ends as one ``error: ...`` line naming the problem and its place, with a
non-zero exit status; tracebacks are for bugs only.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

import click

from slawatch.agent.runner import Agent
from slawatch.app.history import read_samples
from slawatch.app.records import contract_reports, option
from slawatch.cli.common import (
    Session,
    binary_needs_a_file,
    chosen_contracts,
    config_option,
    contract_or_all,
    now,
    reports_errors,
    write_output,
)
from slawatch.cli.period import period as period_group
from slawatch.cli.records import claim, default_author, exclude, maintenance
from slawatch.cli.tickets import support, ticket
from slawatch.probes.registry import run_probe
from slawatch.probes.text import format_result
from slawatch.reports.formats import FORMATS, render
from slawatch.store.store import ImportAudit


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="slawatch")
def main() -> None:
    """slawatch: availability monitoring and SLA credits, exact to the second."""


@main.command("check-config")
@config_option
@reports_errors
def check_config(config_path: Path | None, db_url: str | None) -> None:
    """Validate a config file; list every problem with its place."""
    config = Session(config_path, db_url).config()
    click.echo(
        f"ok: {len(config.targets)} targets, {len(config.contracts)} contracts "
        f"({', '.join(c.name for c in config.contracts)})"
    )


@main.command("import")
@config_option
@click.option(
    "--results",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    required=True,
    help="CSV: target,timestamp,ok[,latency_ms,status,error].",
)
@reports_errors
def import_results(config_path: Path | None, db_url: str | None, results: Path) -> None:
    """Load recorded probe samples; re-importing the same file adds nothing."""
    session = Session(config_path, db_url)
    config = session.config()
    rules = config.timeline_rules()
    store = session.store()
    size = results.stat().st_size
    with click.progressbar(
        length=size, label="importing", file=sys.stderr, hidden=size < (8 << 20)
    ) as bar:
        audit = ImportAudit(default_author(), str(results), config.readers())
        outcome = store.import_samples(read_samples(results, rules, bar.update), rules, audit)
    click.echo(
        f"imported {outcome.rows_added} new samples "
        f"({outcome.rows_read - outcome.rows_added} already present) from {results}"
    )


@main.command()
@config_option
@contract_or_all
@click.option("--period", required=True, help="YYYY-MM (a month) or YYYY (a year).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="File to write (required for xlsx and pdf).",
)
@click.option(
    "--out-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="With --all: write CONTRACT-PERIOD.FORMAT files here (created if missing).",
)
@click.option(
    "--as-of",
    help="Assess the period up to this instant (default: now); records are read as stored now.",
)
@reports_errors
def report(
    *,
    config_path: Path | None,
    db_url: str | None,
    contract: str | None,
    every: bool,
    period: str,
    fmt: str,
    output: Path | None,
    out_dir: Path | None,
    as_of: str | None,
) -> None:
    """Availability, verdict and credit of a contract for a period, with the arithmetic.

    A closed period shows its frozen report (see slawatch period)."""
    _check_destination(every, fmt, output, out_dir)
    session = Session(config_path, db_url)
    config = session.config()
    names = chosen_contracts(config, contract, every)
    reports = contract_reports(
        session.store(), config, names, period, as_of=as_of, now=now(), spell=option
    )
    if out_dir is None:
        write_output(render(fmt, reports[0]), output)
        return
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"cannot create {out_dir}: {exc.strerror}") from None
    for data in reports:
        write_output(render(fmt, data), out_dir / f"{data['contract']}-{period}.{fmt}")


def _check_destination(every: bool, fmt: str, output: Path | None, out_dir: Path | None) -> None:
    """One report goes to -o PATH or stdout, those of --all to --out-dir DIR."""
    if every and out_dir is None:
        raise click.UsageError("--all writes one file per contract: give --out-dir DIR")
    if every and output is not None:
        raise click.UsageError("-o PATH writes one report; with --all give --out-dir DIR")
    if out_dir is not None and not every:
        raise click.UsageError("--out-dir goes with --all; for one contract give -o PATH")
    if not every:
        binary_needs_a_file(fmt, output)


@main.command()
@config_option
@reports_errors
def run(config_path: Path | None, db_url: str | None) -> None:
    """The agent: scheduled probes, the store, /metrics, /healthz and /ping/NAME."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    for chatty in ("apscheduler", "httpx", "httpcore"):  # a line per probe at 833 probes/s
        logging.getLogger(chatty).setLevel(logging.WARNING)
    agent = Agent(Session(config_path, db_url).config_file(), db_url)
    asyncio.run(agent.run())


@main.command()
@config_option
@click.argument("target")
@reports_errors
def probe(config_path: Path | None, db_url: str | None, target: str) -> None:
    """Probe TARGET once now and show what was found, phase by phase."""
    model = Session(config_path, db_url).config().target(target)
    result = asyncio.run(run_probe(model))
    click.echo(format_result(result))
    sys.exit(0 if result.ok else 1)


for _group in (maintenance, exclude, claim, period_group, ticket, support):
    main.add_command(_group)
