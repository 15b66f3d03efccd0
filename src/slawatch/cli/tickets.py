"""Support requests: ``slawatch ticket import|list|show`` and ``slawatch support report``.

Instants are printed in the contract's time zone, as the support report writes
them; the clocks are those known now (the shell's clock).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from slawatch.cli.common import (
    Session,
    binary_needs_a_file,
    config_option,
    contract_option,
    default_author,
    reports_errors,
    write_output,
)
from slawatch.cli.gc_pause import gc_paused
from slawatch.cli.records import local, print_table
from slawatch.cli.report import format_option, style_options
from slawatch.reports.formats import render

if TYPE_CHECKING:
    from slawatch.app.support import RequestView


@click.group()
def ticket() -> None:
    """Import, list and show support requests (tickets) and their deadlines."""


@ticket.command("import")
@config_option
@click.option(
    "--events",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    required=True,
    help="CSV with columns ticket,contract,event,timestamp[,priority,reason,note], "
    "e.g. config/examples/tickets-2026.csv.",
)
@click.option(
    "--author",
    default=default_author,
    metavar="NAME",
    help="Who imports (the audit log's actor), e.g. alice "
    "(default: $SLAWATCH_AUTHOR or the login).",
)
@reports_errors
@gc_paused()  # a million ticket events: see gc_pause.py (about 1 s per 100,000 requests)
def import_events(config_path: Path | None, db_url: str | None, events: Path, author: str) -> None:
    """Load a helpdesk's ticket events; re-importing the same file adds nothing."""
    from slawatch.app.tickets import import_ticket_events

    session = Session(config_path, db_url)
    result = import_ticket_events(session.store(), session.config(), events, author)
    click.echo(
        f"imported {result.added} new ticket events ({result.read - result.added} already "
        f"present; {result.requests_added} new requests) from {events}"
    )


@ticket.command("list")
@config_option
@contract_option("Only this contract (default: every one with a support part)")
@click.option("--open", "open_only", is_flag=True, help="Only requests not closed.")
@reports_errors
def list_tickets(
    config_path: Path | None, db_url: str | None, contract: str | None, open_only: bool
) -> None:
    """Requests with their state and nearest pending deadline, in the contract's zone."""
    from slawatch.app.support import request_views

    views = request_views(Session(config_path, db_url).context(), contract)
    print_table([_row(v) for v in views if not (open_only and v.closed())])


def _row(view: RequestView) -> dict[str, str]:
    request = view.result.request
    outcomes = ", ".join(f"{c.target.name} {c.outcome}" for c in view.result.targets)
    return {
        "contract": view.contract,
        "ticket": request.ticket,
        "priority": request.priority,
        "opened": local(request.opened, view.terms.zone),
        "state": "closed" if view.closed() else "open",
        "next_deadline": local(view.next_deadline(), view.terms.zone),
        "targets": outcomes or "-",
    }


@ticket.command("show")
@config_option
@contract_option(required=True)
@click.argument("reference")
@reports_errors
def show(config_path: Path | None, db_url: str | None, contract: str, reference: str) -> None:
    """A request's events and each target's clock, with the arithmetic."""
    from slawatch.app.support import request_views
    from slawatch.reports.support import arithmetic, target_terms

    session = Session(config_path, db_url)
    views = request_views(session.context(), contract, ticket=reference)
    if not views:
        from slawatch.errors import UserError

        raise UserError(f"no ticket {reference!r} for {contract}")
    (view,) = views
    request = view.result.request
    click.echo(f"{contract} {request.ticket}, priority {request.priority} ({view.terms.zone.key})")
    print_table(
        [
            {
                "at": local(e.at, view.terms.zone),
                "event": str(e.kind),
                "reason": str(e.reason or "-"),
                "note": e.note or "-",
            }
            for e in request.events
        ]
    )
    terms = {t.name: target_terms(t, view.terms) for t in view.terms.targets}
    for target in view.data()["targets"]:
        click.echo(f"{target['name']}: {arithmetic(terms[target['name']], target)}")


@click.group()
def support() -> None:
    """Support-response reports (SPEC section 6)."""


@support.command("report")
@config_option
@contract_option("A contract with a support part", required=True)
@click.option(
    "--period",
    required=True,
    help="A month, a year or a contract year (from the support start date), e.g. 2026-10, "
    "2026 or contract-year:2026.",
)
@format_option
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="File to write, e.g. cegid-support.pdf (required for xlsx and pdf).",
)
@click.option(
    "--as-of",
    metavar="ISO",
    help="Assess as known at this instant, e.g. 2026-12-01T00:00+01:00 (default: now).",
)
@style_options
@reports_errors
@gc_paused()  # a yearly report holds 100,000 requests' events: see gc_pause.py
def report(
    *,
    config_path: Path | None,
    db_url: str | None,
    contract: str,
    period: str,
    fmt: str,
    output: Path | None,
    as_of: str | None,
    locale: str | None,
    view: str,
    csv_dialect: str,
    what_if: bool,
) -> None:
    """Every request opened in the period with its deadlines and outcome, and each
    objective's share against its threshold, with the business-time arithmetic."""
    from slawatch.app.reports import style
    from slawatch.app.support import support_report

    binary_needs_a_file(fmt, output)
    session = Session(config_path, db_url)
    config = session.config()
    data = support_report(session.context(), contract, period, as_of=as_of)
    chosen = style(
        config, contract, locale=locale, view=view, csv_dialect=csv_dialect, what_if=what_if
    )
    write_output(render(fmt, data, "support", chosen), output)
