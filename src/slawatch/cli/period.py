"""``slawatch period``: close a period's reports, amend them, and check them.

Closing freezes the JSON report of a period that is over, with its SHA-256;
from then on ``slawatch report`` shows that frozen report. When a later
exclusion, maintenance change, claim or import moves the figures, ``period
check`` says so (exit status 1) and ``period amend`` records the new report as
the next version, with the reason and what changed field by field. Every close
and amendment is audited with the store's other operator records.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from slawatch.cli.common import (
    Session,
    chosen_contracts,
    config_option,
    contract_option,
    contract_or_all,
    now,
    reports_errors,
)
from slawatch.cli.gc_pause import gc_paused
from slawatch.cli.records import author_option, contract_zones, local, print_records
from slawatch.errors import UserError
from slawatch.reports.versions import Change, diff, fingerprint

if TYPE_CHECKING:
    from slawatch.app.periods import ClosedPeriod
    from slawatch.config import Config
    from slawatch.store.closed_periods import Version

period_option = click.option(
    "--period", "label", required=True, help="A month or a year, e.g. 2026-10 or 2026."
)


@click.group()
def period() -> None:
    """Close periods (freeze their reports), amend and check them."""


@period.command("close")
@config_option
@contract_or_all
@period_option
@author_option
@reports_errors
@gc_paused()  # live reports: see gc_pause.py
def close(
    *,
    config_path: Path | None,
    db_url: str | None,
    contract: str | None,
    every: bool,
    label: str,
    author: str,
) -> None:
    """Freeze the period's report (once it is over).

    With --all, every contract whose billing period PERIOD is gets it closed, or none
    does; the others are skipped (a month of a yearly contract decides nothing)."""
    from slawatch.app import periods
    from slawatch.app.reports import live

    session = Session(config_path, db_url)
    config = session.config()
    names = chosen_contracts(config, contract, every)
    if every:
        names = _billed(config, names, label)
        if not names:
            click.echo(f"(no contract is billed by {label}: nothing closed)")
            return
    store = session.store()
    reports = live(store, config, [(name, label) for name in names], now())
    for closed in periods.close(store, reports, author):
        click.echo(f"closed {closed.contract} {closed.period}: sha256 {closed.latest.sha256}")


@period.command("amend")
@config_option
@contract_option(required=True)
@period_option
@click.option(
    "--reason",
    required=True,
    help='Why the figures changed, for the customer, e.g. "claim SUP-1234 received in time".',
)
@author_option
@reports_errors
@gc_paused()  # live reports: see gc_pause.py
def amend(
    *,
    config_path: Path | None,
    db_url: str | None,
    contract: str,
    label: str,
    reason: str,
    author: str,
) -> None:
    """Record the report as now computed.

    The closed period's next version keeps the reason, the previous hash and the
    changes field by field."""
    from slawatch.app import periods
    from slawatch.app.reports import live

    session = Session(config_path, db_url)
    config = session.config()
    store = session.store()
    [report] = live(store, config, [(config.contract(contract).name, label)], now())
    latest = periods.amend(store, report, reason, author).latest
    click.echo(
        f"amended {contract} {label}: version {latest.number}, sha256 {latest.sha256} "
        f"(was {latest.previous_sha256})"
    )
    _show_changes(latest)


@period.command("show")
@config_option
@contract_option(required=True)
@period_option
@reports_errors
def show(*, config_path: Path | None, db_url: str | None, contract: str, label: str) -> None:
    """Every version of a closed period.

    Hashes, who, when, why and what changed; TAMPERED lines for what fails its check."""
    from slawatch.app import periods

    session = Session(config_path, db_url)
    found = periods.closed(session.store(reads_only=True), [contract], label)
    if not found:
        raise UserError(f"{contract} {label} is not closed")
    closed = found[0]
    for problem in closed.problems:
        click.echo(f"TAMPERED: {problem}")
    zone = contract_zones(session)(closed.contract)
    for version in closed.versions:
        _show_version(version, zone)


@dataclass(frozen=True, slots=True)
class ClosedRow:
    """One line of ``period list``."""

    contract: str
    period: str
    closed_at: int
    closed_by: str
    amendments: int
    sha256: str  # of the latest version
    verified: str  # "ok", or "TAMPERED" when a stored version fails its check


@period.command("list")
@config_option
@contract_option("Only this contract")
@reports_errors
def listing(config_path: Path | None, db_url: str | None, contract: str | None) -> None:
    """List closed periods with their latest hash."""
    from slawatch.app import periods

    contracts = None if contract is None else [contract]
    session = Session(config_path, db_url)
    found = periods.closed(session.store(reads_only=True), contracts)
    print_records([_row(closed) for closed in found], contract_zones(session))


@period.command("check")
@config_option
@contract_or_all
@click.option(
    "--period", "label", help="Only this period, e.g. 2026-10 (default: every closed one)."
)
@reports_errors
@gc_paused()  # live reports: see gc_pause.py
def check(
    *,
    config_path: Path | None,
    db_url: str | None,
    contract: str | None,
    every: bool,
    label: str | None,
) -> None:
    """Do live figures still match frozen reports?

    Exit status 1 when one drifted (the changes are listed) or fails its hash check."""
    from slawatch.app import periods
    from slawatch.app.reports import live

    session = Session(config_path, db_url)
    config = session.config()
    names = chosen_contracts(config, contract, every)
    store = session.store(reads_only=True)
    found = periods.closed(store, names, label)
    if not found and contract is not None and label is not None:
        raise UserError(f"{contract} {label} is not closed")
    intact = [(c.contract, c.period) for c in found if not c.problems]
    computed = iter(live(store, config, intact, now()))
    failed = [_tampered(c) if c.problems else _compare(c, next(computed)) for c in found]
    if not found:
        click.echo("(no closed period)")
    if any(failed):
        sys.exit(1)


# -- internals ---------------------------------------------------------------------------


def _billed(config: Config, names: list[str], label: str) -> list[str]:
    """The contracts of ``names`` whose billing period ``label`` is; each other one is
    named on stderr as skipped."""
    from slawatch.sla.periods import resolve_period

    kept = []
    for name in names:
        terms = config.contract(name).terms()
        if terms.period.bills(resolve_period(label, terms.period, terms.zone)):
            kept.append(name)
        else:
            click.echo(
                f"skipped {name}: {label} is not its billing period (a {terms.period.kind})",
                err=True,
            )
    return kept


def _compare(closed: ClosedPeriod, report: Mapping[str, Any]) -> bool:
    """Print whether ``report`` (live) matches the frozen one; True when it drifted."""
    latest = closed.latest
    name = f"{closed.contract} {closed.period}"
    live_hash = fingerprint(report)
    if live_hash == latest.sha256:
        click.echo(f"{name}: matches version {latest.number} (sha256 {latest.sha256})")
        return False
    click.echo(
        f"{name}: DRIFTED from version {latest.number} (sha256 {latest.sha256}); "
        f"live figures hash to {live_hash}"
    )
    for change in diff(closed.frozen(), report):
        click.echo(f"  {change.text()}")
    click.echo(
        f"  to record them: slawatch period amend --contract {closed.contract} "
        f"--period {closed.period} --reason TEXT"
    )
    return True


def _tampered(closed: ClosedPeriod) -> bool:
    """Print why ``closed`` cannot be trusted; True, it failed."""
    for problem in closed.problems:
        click.echo(f"TAMPERED: {problem}")
    return True


def _show_version(version: Version, zone: tzinfo) -> None:
    what = "closed" if version.number == 0 else f"amended: {version.reason}"
    when = local(version.created_at, zone)
    click.echo(f"version {version.number}  {when}  by {version.author}  {what}")
    click.echo(f"  sha256 {version.sha256}")
    if version.previous_sha256:
        click.echo(f"  previous {version.previous_sha256}")
    _show_changes(version)


def _show_changes(version: Version) -> None:
    for change in version.changes:
        click.echo(f"  {Change.from_json(change).text()}")


def _row(closed: ClosedPeriod) -> ClosedRow:
    first = closed.versions[0]
    return ClosedRow(
        contract=closed.contract,
        period=closed.period,
        closed_at=first.created_at,
        closed_by=first.author,
        amendments=len(closed.versions) - 1,
        sha256=closed.latest.sha256,
        verified="TAMPERED" if closed.problems else "ok",
    )
