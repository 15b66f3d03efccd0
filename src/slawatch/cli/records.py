"""Operator commands that move money: maintenance windows, exclusions, claims.

Each write is checked against the config (the contract must exist, the end
must follow the start) before it reaches the store, which audits it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

import click

from slawatch.cli.common import (
    Session,
    config_option,
    contract_option,
    default_author,
    reports_errors,
)
from slawatch.sla.exclusions import ExclusionReason, MaintenanceKind

Zones = Callable[[str], tzinfo]  # a contract's name -> its time zone


def author_option(command: Any) -> Any:
    return click.option(
        "--author",
        default=default_author,
        metavar="NAME",
        help="Who makes the change, for the audit log, e.g. alice "
        "(default: $SLAWATCH_AUTHOR or the login).",
    )(command)


def span_options(command: Any) -> Any:
    """``--contract``, ``--start`` and ``--end``: where a maintenance window or an
    exclusion applies."""
    command = click.option(
        "--end",
        required=True,
        metavar="ISO",
        help="Where it ends (excluded), after --start, e.g. 2026-10-14T11:00+02:00.",
    )(command)
    command = click.option(
        "--start",
        required=True,
        metavar="ISO",
        help="Where it starts, e.g. 2026-10-14T10:00+02:00; without an offset, read in "
        "the contract's zone (echoed on stderr).",
    )(command)
    return contract_option(required=True)(command)


def print_records(records: Sequence[Any], zones: Zones) -> None:
    """A plain table of dataclass records, each instant in its contract's zone, with
    the offset (``2026-10-14T10:00:00+02:00``), as the reports write them."""
    print_table([_cells(dataclasses.asdict(r), zones(r.contract)) for r in records])


def print_table(rows: Sequence[dict[str, str]], empty: str = "(none)") -> None:
    """Rows of text under their keys, in columns as wide as their widest cell."""
    if not rows:
        click.echo(empty)
        return
    columns = list(rows[0])
    widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in columns}
    click.echo("  ".join(c.ljust(widths[c]) for c in columns).rstrip())
    for row in rows:
        click.echo("  ".join(row[c].ljust(widths[c]) for c in columns).rstrip())


def _cells(record: dict[str, Any], zone: tzinfo) -> dict[str, str]:
    from slawatch.store.operator_records import INSTANT_FIELDS

    def cell(name: str, value: Any) -> str:
        if value is None:
            return "-"
        if name.removesuffix("_ts") in INSTANT_FIELDS and isinstance(value, int):
            return local(value, zone)
        return str(value)

    return {name: cell(name, value) for name, value in record.items()}


def local(instant: int | None, zone: tzinfo) -> str:
    """An instant in ``zone``, with its offset: ``2026-10-05T11:00:00+02:00``; "-" for none."""
    if instant is None:
        return "-"
    return datetime.fromtimestamp(instant, zone).isoformat()


def contract_zones(session: Session) -> Zones:
    """Each contract's time zone by name; UTC for a name the config no longer has (a
    record outlives its contract's removal from the config)."""
    config = session.config()
    known = {model.name: model.timezone for model in config.contracts}
    return lambda name: known.get(name, UTC)


def echo_read(session: Session, contract: str, given: dict[str, str | None]) -> None:
    """On stderr, how each instant typed without an offset was read: in the contract's
    zone, which chose its offset (``--start 2026-10-14T10:00 read as
    2026-10-14T10:00:00+02:00 (in Europe/Paris)``), so a DST fold or gap shows. One
    typed with its offset needs no echo."""
    from slawatch.app.records import option, parse_instant

    zone = session.config().contract(contract).timezone
    for field, text in given.items():
        if text is None or datetime.fromisoformat(text).tzinfo is not None:
            continue
        instant = parse_instant(text, zone, field, option)
        click.echo(
            f"{option(field)} {text} read as {local(instant, zone)} (in {zone.key})", err=True
        )


@click.group()
def maintenance() -> None:
    """Declare, list and cancel maintenance windows."""


@maintenance.command("add")
@config_option
@span_options
@click.option(
    "--kind",
    type=click.Choice([k.value for k in MaintenanceKind], case_sensitive=False),
    required=True,
    help="planned (excluded with the contract's notice) or emergency.",
)
@click.option(
    "--declared-at",
    metavar="ISO",
    help="When the customer was told, e.g. 2026-10-12T09:00+02:00 (default: now).",
)
@click.option("--note", default="", help='For the audit log, e.g. "database failover".')
@author_option
@reports_errors
def maintenance_add(
    *,
    config_path: Path | None,
    db_url: str | None,
    contract: str,
    start: str,
    end: str,
    kind: str,
    declared_at: str | None,
    note: str,
    author: str,
) -> None:
    """Declare a maintenance window (planned windows need the contract's notice)."""
    from slawatch.app.records import add_maintenance

    session = Session(config_path, db_url)
    added = add_maintenance(
        session.context(),
        contract,
        start=start,
        end=end,
        kind=kind,
        declared_at=declared_at,
        note=note,
        actor=author,
    )
    click.echo(f"maintenance #{added.id} added to {contract}")
    echo_read(session, contract, {"start": start, "end": end, "declared_at": declared_at})
    if added.why_not is not None:
        click.echo(
            f"warning: maintenance #{added.id} does not qualify ({added.why_not}): "
            "its downtime counts against the contract",
            err=True,
        )


def add_list_command(group: click.Group, what: str, retired: str, fetch: str) -> None:
    """``GROUP list [--contract NAME] [--all]``, the same for every kind of record;
    ``fetch`` names the ``Store`` method that lists them."""

    @group.command("list", help=f"List {what}.")
    @config_option
    @contract_option("Only this contract")
    @click.option("--all", "show_all", is_flag=True, help=f"Include {retired} ones.")
    @reports_errors
    def listing(
        config_path: Path | None, db_url: str | None, contract: str | None, show_all: bool
    ) -> None:
        session = Session(config_path, db_url)
        store = session.store(reads_only=True)
        print_records(getattr(store, fetch)(contract, show_all), contract_zones(session))


def add_retire_command(group: click.Group, verbs: tuple[str, str], noun: str, retire: str) -> None:
    """``GROUP VERB ID``: withdraw a record; it stays in the audit log. ``retire``
    names the ``Store`` method that does it."""

    verb, done = verbs

    @group.command(verb, help=f"{verb.capitalize()} {noun} ID (it stays in the audit log).")
    @config_option
    @click.argument("record_id", metavar="ID", type=int)
    @author_option
    @reports_errors
    def retiring(config_path: Path | None, db_url: str | None, record_id: int, author: str) -> None:
        getattr(Session(config_path, db_url).store(), retire)(record_id, author)
        click.echo(f"{noun} #{record_id} {done}")


add_list_command(maintenance, "maintenance windows", "cancelled", "list_maintenance")
add_retire_command(maintenance, ("cancel", "cancelled"), "maintenance", "cancel_maintenance")


@click.group()
def exclude() -> None:
    """Exclude time from a contract (force majeure, customer, third party)."""


@exclude.command("add")
@config_option
@span_options
@click.option(
    "--reason",
    type=click.Choice([r.value for r in ExclusionReason], case_sensitive=False),
    required=True,
    help="Why the time does not count against the provider.",
)
@click.option(
    "--note",
    required=True,
    help='Why, for the customer and the audit log, e.g. "regional power cut".',
)
@author_option
@reports_errors
def exclude_add(
    *,
    config_path: Path | None,
    db_url: str | None,
    contract: str,
    start: str,
    end: str,
    reason: str,
    note: str,
    author: str,
) -> None:
    """Exclude a span of time from a contract's downtime."""
    from slawatch.app.records import add_exclusion

    session = Session(config_path, db_url)
    new_id = add_exclusion(
        session.context(),
        contract,
        start=start,
        end=end,
        reason=reason,
        note=note,
        actor=author,
    )
    click.echo(f"exclusion #{new_id} added to {contract}")
    echo_read(session, contract, {"start": start, "end": end})


add_list_command(exclude, "exclusions", "revoked", "list_exclusions")
add_retire_command(exclude, ("revoke", "revoked"), "exclusion", "revoke_exclusion")


@click.group()
def claim() -> None:
    """Record the customer's outage reports (contracts that require claims)."""


@claim.command("add")
@config_option
@contract_option(required=True)
@click.option(
    "--at",
    "at_text",
    required=True,
    metavar="ISO",
    help="An instant inside the outage, e.g. 2026-10-05T11:00Z; without an offset, read "
    "in the contract's zone.",
)
@click.option("--ticket", required=True, help="The customer's ticket reference, e.g. SUP-1234.")
@author_option
@reports_errors
def claim_add(
    *,
    config_path: Path | None,
    db_url: str | None,
    contract: str,
    at_text: str,
    ticket: str,
    author: str,
) -> None:
    """Mark the outage covering ``--at`` as reported by the customer."""
    from slawatch.app.records import add_claim

    session = Session(config_path, db_url)
    config = session.config()
    new_id = add_claim(session.context(), contract, at=at_text, ticket=ticket, actor=author)
    click.echo(f"claim #{new_id} ({ticket}) added to {contract}")
    echo_read(session, contract, {"at": at_text})
    if not config.contract(contract).terms().claims_required:
        click.echo(
            f"warning: {contract} does not require claims (claims_required: false): "
            "every outage is credited whether claimed or not: this claim changes no credit",
            err=True,
        )


@claim.command("list")
@config_option
@contract_option("Only this contract")
@reports_errors
def claim_list(config_path: Path | None, db_url: str | None, contract: str | None) -> None:
    """List claims."""
    session = Session(config_path, db_url)
    claims = session.store(reads_only=True).list_claims(contract)
    print_records(claims, contract_zones(session))
