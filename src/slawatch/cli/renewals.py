"""``slawatch renewal status|add``: where renewable items stand, and renewals made.

Dates are local dates in each contract's zone (``--on`` defaults to today there).
A renewal the policy refuses (lapsed item, ``--years`` < 1, a date before the item
exists) is one ``error:`` line and records nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from slawatch.cli.common import Session, config_option, contract_option, reports_errors
from slawatch.cli.records import author_option, print_table

_TABLE = ("contract", "expires", "state", "next_notice", "renewable", "fee", "currency", "notices")


@click.group()
def renewal() -> None:
    """Renewable items (SPEC section 6): their state, notices, fees and renewals."""


@renewal.command("status")
@config_option
@contract_option("Only this contract (default: every one with a renewal part)")
@click.option(
    "--on",
    metavar="DATE",
    help="The local date to assess, e.g. 2027-04-15 (default: today in each contract's zone).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "table"], case_sensitive=False),
    default="table",
    show_default=True,
    help="Output format (any case).",
)
@reports_errors
def status(
    config_path: Path | None, db_url: str | None, contract: str | None, on: str | None, fmt: str
) -> None:
    """State, next notice, the fee of a renewal made on --on, and the notices sent."""
    from slawatch.app import renewals

    items = renewals.status(Session(config_path, db_url).context(), contract, on)
    if fmt == "json":
        click.echo(json.dumps(items, indent=2, ensure_ascii=False))
    else:
        print_table([_row(item) for item in items], "(no contract has a renewal part)")


@renewal.command("add")
@config_option
@contract_option("A contract with a renewal part", required=True)
@click.option(
    "--on",
    required=True,
    metavar="DATE",
    help="The local date the renewal was made, e.g. 2027-05-15.",
)
@click.option(
    "--years",
    required=True,
    type=int,
    help="Whole years added from the original expiry, e.g. 1.",
)
@author_option
@reports_errors
def add(
    *,
    config_path: Path | None,
    db_url: str | None,
    contract: str,
    on: str,
    years: int,
    author: str,
) -> None:
    """Record a renewal made on --on; prints the new expiry and the fee."""
    from slawatch.app import renewals
    from slawatch.app.records import option

    session = Session(config_path, db_url)
    made = renewals.record(session.config(), session.store(), contract, on, years, author, option)
    unit = "year" if years == 1 else "years"
    click.echo(
        f"renewal #{made.id} of {contract} on {made.renewed_on} ({made.state}): {years} {unit} "
        f"from {made.previous_expiry}, expires {made.expires}; "
        f"price {made.price} {made.currency}, reinstatement fee {made.fee} {made.currency}"
    )


def _row(item: dict[str, Any]) -> dict[str, str]:
    notices = item["notices"]
    sent = [n for n in notices if n["sent_at"] is not None]
    late = sum(1 for n in sent if n["late"])
    shown = {key: item[key] for key in _TABLE[:-1]}
    shown["renewable"] = "yes" if item["renewable"] else "no"
    shown["fee"] = None if item["fee"] is None else f"{item['fee']:.2f}"
    shown["notices"] = f"{len(sent)}/{len(notices)} sent" + (f", {late} late" if late else "")
    return {key: "-" if value is None else str(value) for key, value in shown.items()}
