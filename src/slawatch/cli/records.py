"""Operator commands that move money: maintenance windows, exclusions, claims.

Each write is checked against the config (the contract must exist, the end
must follow the start) before it reaches the store, which audits it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from slawatch.cli.common import Session, config_option, default_author, reports_errors
from slawatch.sla.exclusions import ExclusionReason, MaintenanceKind


def author_option(command: Any) -> Any:
    return click.option(
        "--author",
        default=default_author,
        help="Who makes the change (default: $SLAWATCH_AUTHOR or the login).",
    )(command)


def span_options(command: Any) -> Any:
    """``--contract``, ``--start`` and ``--end``: where a maintenance window or an
    exclusion applies."""
    command = click.option("--end", required=True, help="ISO 8601; must be after --start.")(command)
    command = click.option(
        "--start", required=True, help="ISO 8601; without an offset, in the contract's zone."
    )(command)
    return click.option("--contract", required=True)(command)


def print_records(records: Sequence[Any]) -> None:
    """A plain table of dataclass records, instants in ISO 8601 UTC."""
    print_table([{k: _cell(k, v) for k, v in dataclasses.asdict(r).items()} for r in records])


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


def _cell(name: str, value: Any) -> str:
    from slawatch.store.operator_records import INSTANT_FIELDS

    if value is None:
        return "-"
    if name.removesuffix("_ts") in INSTANT_FIELDS and isinstance(value, int):
        return utc(value)
    return str(value)


def utc(instant: int) -> str:
    """An instant as ISO 8601 UTC: ``2026-10-05T09:00:00Z``."""
    return datetime.fromtimestamp(instant, UTC).isoformat().replace("+00:00", "Z")


@click.group()
def maintenance() -> None:
    """Declare, list and cancel maintenance windows."""


@maintenance.command("add")
@config_option
@span_options
@click.option("--kind", type=click.Choice([k.value for k in MaintenanceKind]), required=True)
@click.option("--declared-at", help="When the customer was told (default: now).")
@click.option("--note", default="")
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

    added = add_maintenance(
        Session(config_path, db_url).context(),
        contract,
        start=start,
        end=end,
        kind=kind,
        declared_at=declared_at,
        note=note,
        actor=author,
    )
    click.echo(f"maintenance #{added.id} added to {contract}")
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
    @click.option("--contract", help="Only this contract.")
    @click.option("--all", "show_all", is_flag=True, help=f"Include {retired} ones.")
    @reports_errors
    def listing(
        config_path: Path | None, db_url: str | None, contract: str | None, show_all: bool
    ) -> None:
        store = Session(config_path, db_url).store(reads_only=True)
        print_records(getattr(store, fetch)(contract, show_all))


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
@click.option("--reason", type=click.Choice([r.value for r in ExclusionReason]), required=True)
@click.option("--note", required=True, help="Why, for the customer and the audit log.")
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

    new_id = add_exclusion(
        Session(config_path, db_url).context(),
        contract,
        start=start,
        end=end,
        reason=reason,
        note=note,
        actor=author,
    )
    click.echo(f"exclusion #{new_id} added to {contract}")


add_list_command(exclude, "exclusions", "revoked", "list_exclusions")
add_retire_command(exclude, ("revoke", "revoked"), "exclusion", "revoke_exclusion")


@click.group()
def claim() -> None:
    """Record the customer's outage reports (contracts that require claims)."""


@claim.command("add")
@config_option
@click.option("--contract", required=True)
@click.option("--at", "at_text", required=True, help="An instant inside the outage.")
@click.option("--ticket", required=True, help="The customer's ticket reference.")
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
    if not config.contract(contract).terms().claims_required:
        click.echo(
            f"warning: {contract} does not require claims (claims_required: false): "
            "every outage is credited whether claimed or not: this claim changes no credit",
            err=True,
        )


@claim.command("list")
@config_option
@click.option("--contract", help="Only this contract.")
@reports_errors
def claim_list(config_path: Path | None, db_url: str | None, contract: str | None) -> None:
    """List claims."""
    print_records(Session(config_path, db_url).store(reads_only=True).list_claims(contract))
