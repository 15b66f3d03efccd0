"""``slawatch report``: a contract's report for a period, in every format.

A closed period's report is its frozen one (cli/period.py closes periods).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

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
from slawatch.cli.gc_pause import gc_paused
from slawatch.errors import UserError
from slawatch.reports.formats import FORMATS, render


@click.command()
@config_option
@contract_or_all
@click.option("--period", required=True, help="A month or a year, e.g. 2026-10 or 2026.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS, case_sensitive=False),
    default="json",
    show_default=True,
    help="Output format (any case: PDF or pdf).",
)
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
) -> None:
    """Availability, verdict and credit of a contract for a period, with the arithmetic.

    A closed period shows its frozen report (see slawatch period)."""
    from slawatch.app.records import contract_reports, option

    _check_destination(every, fmt, output, out_dir)
    session = Session(config_path, db_url)
    config = session.config()
    names = chosen_contracts(config, contract, every)
    reports = contract_reports(
        lambda: session.store(reads_only=True),
        config,
        names,
        period,
        as_of=as_of,
        now=now(),
        spell=option,
    )
    for data in reports:
        _note(data)
    if out_dir is None:
        write_output(render(fmt, reports[0]), output)
        return
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create {out_dir}: {exc.strerror}") from None
    for data in reports:
        write_output(render(fmt, data), out_dir / f"{data['contract']}-{period}.{fmt}")


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
