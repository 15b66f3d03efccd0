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

from slawatch.actions import contract_report, option
from slawatch.agent.runner import Agent
from slawatch.cli_common import Session, config_option, now, reports_errors
from slawatch.cli_records import claim, exclude, maintenance
from slawatch.exporters.report_formats import BINARY, FORMATS, render
from slawatch.importer import read_samples
from slawatch.probes.registry import run_probe
from slawatch.probes.text import format_result


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
        outcome = store.import_samples(read_samples(results, rules, bar.update), rules)
    click.echo(
        f"imported {outcome.rows_added} new samples "
        f"({outcome.rows_read - outcome.rows_added} already present) from {results}"
    )


@main.command()
@config_option
@click.option("--contract", required=True, help="Contract name, as in the config.")
@click.option("--period", required=True, help="YYYY-MM (a month) or YYYY (a year).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="File to write (required for xlsx and pdf).",
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
    contract: str,
    period: str,
    fmt: str,
    output: Path | None,
    as_of: str | None,
) -> None:
    """Availability, verdict and credit of a contract for a period, with the arithmetic."""
    if fmt in BINARY and output is None:
        raise click.UsageError(f"--format {fmt} is binary: give -o PATH to write it to a file")
    session = Session(config_path, db_url)
    config = session.config()
    report = contract_report(
        session.store(), config, contract, period, as_of=as_of, now=now(), spell=option
    )
    content = render(fmt, report)
    if output is None:
        click.echo(content, nl=False)
    elif isinstance(content, bytes):
        output.write_bytes(content)
        click.echo(f"wrote {output}", err=True)
    else:
        output.write_text(content, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)


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


for _group in (maintenance, exclude, claim):
    main.add_command(_group)


if __name__ == "__main__":
    main()
