"""``slawatch report``: a contract's report for a period, in every format.

A closed period's report is its frozen one (cli/period.py closes periods).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import click

from slawatch.cli.common import (
    Session,
    binary_needs_a_file,
    chosen_contracts,
    config_option,
    contract_or_all,
    reports_errors,
    write_output,
)
from slawatch.cli.gc_pause import gc_paused
from slawatch.errors import UserError
from slawatch.reports.formats import CSV_DIALECTS, FORMATS, LOCALES, VIEWS, render

F = TypeVar("F", bound=Callable[..., Any])


def style_options(command: F) -> F:
    """``--locale``, ``--view``, ``--csv-dialect`` and ``--if-all-claimed``: how a report
    is rendered (the JSON never changes with them)."""
    options = [
        click.option(
            "--locale",
            type=click.Choice(LOCALES),
            help="Language of labels, numbers and dates, e.g. --locale fr (default: the "
            "contract's report.locale, else the config's, else en). Not the JSON.",
        ),
        click.option(
            "--view",
            type=click.Choice(VIEWS),
            default="customer",
            show_default=True,
            help="customer: the document to send; internal: with JSON field names, enum "
            "names, SHA-256s and the credit if every outage were claimed, e.g. --view internal.",
        ),
        click.option(
            "--csv-dialect",
            type=click.Choice(CSV_DIALECTS),
            default="plain",
            show_default=True,
            help="plain: commas, no BOM; excel: commas and a UTF-8 BOM; excel-fr: BOM, "
            "semicolons and decimal commas, e.g. --csv-dialect excel-fr.",
        ),
        click.option(
            "--if-all-claimed",
            "what_if",
            is_flag=True,
            help="Customer view: also show the credit if every outage were claimed.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS, case_sensitive=False),
    default="json",
    show_default=True,
    help="Output format (any case: PDF or pdf).",
)


@click.command()
@config_option
@contract_or_all
@click.option("--period", required=True, help="A month or a year, e.g. 2026-10 or 2026.")
@format_option
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="File to write, e.g. ipfolio-2026-10.pdf (required for xlsx and pdf).",
)
@click.option(
    "--out-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="With --all: write CONTRACT-PERIOD.FORMAT files here, e.g. reports/ (created if missing).",
)
@click.option(
    "--as-of",
    metavar="ISO",
    help="Assess the period up to this instant, e.g. 2026-11-05T00:00+01:00 (default: now); "
    "records are read as stored now.",
)
@style_options
@reports_errors
@gc_paused()  # a year of reports holds 400,000 flips: see gc_pause.py
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
    locale: str | None,
    view: str,
    csv_dialect: str,
    what_if: bool,
) -> None:
    """Availability, verdict and credit of a contract for a period, with the arithmetic.

    A closed period shows its frozen report (see slawatch period)."""
    from slawatch.app.records import contract_reports
    from slawatch.app.reports import style

    _check_destination(every, fmt, output, out_dir)
    session = Session(config_path, db_url)
    config = session.config()
    names = chosen_contracts(config, contract, every)
    reports = contract_reports(session.context(reads_only=True), names, period, as_of=as_of)
    for data in reports:
        _note(data)

    def rendered(data: Mapping[str, Any]) -> str | bytes:
        chosen = style(
            config,
            data["contract"],
            locale=locale,
            view=view,
            csv_dialect=csv_dialect,
            what_if=what_if,
        )
        return render(fmt, data, "sla", chosen)

    if out_dir is None:
        write_output(rendered(reports[0]), output)
        return
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create {out_dir}: {exc.strerror}") from None
    for data in reports:
        write_output(rendered(data), out_dir / f"{data['contract']}-{period}.{fmt}")


def _note(data: Mapping[str, Any]) -> None:
    """On stderr, what the figures of ``data`` cannot be taken for: a period in which
    nothing was measured, one that is not the contract's billing period."""
    name = f"{data['contract']} {data['period']['label']}"
    if not data.get("measured", True):
        click.echo(
            f"warning: {name}: nothing measured (no sample of its targets up to "
            f"{data['as_of']}): availability not assessed",
            err=True,
        )
    if "monitored_from" in data["period"]:
        click.echo(
            f"note: {name}: monitored from {data['period']['monitored_from']}: the time "
            "before it is not reference time",
            err=True,
        )
    if not data["period"].get("billing_period", True):
        click.echo(
            f"note: {name}: not the contract's billing period: figures indicative only", err=True
        )


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
