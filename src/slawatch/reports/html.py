"""The HTML report: the PDF's content as one self-contained page.

Rendered by Jinja2 from the JSON report's dict with autoescaping on (contract
texts and operator notes are data, not markup). The chart is embedded as a
``data:`` PNG and the style is inline, so the file opens offline, from a mail
attachment or a ticket, with nothing to fetch.
"""

from __future__ import annotations

import base64

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from slawatch.reports.chart import daily_chart_png
from slawatch.reports.view import (
    AMENDMENT_COLUMNS,
    DAILY_COLUMNS,
    EXCLUSION_COLUMNS,
    OUTAGE_COLUMNS,
    Data,
    amendments,
    clause_rows,
    clauses_once,
    headline,
    sections,
    show,
    table,
)

TEMPLATE = "report.html.j2"


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("slawatch.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,  # a misspelt field fails the render, not the customer
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["show"] = show
    environment.filters["clauses_once"] = clauses_once
    return environment


def to_html(data: Data) -> str:
    """The HTML page of the JSON report ``data``."""
    chart = daily_chart_png(data) if data["daily"] else b""
    return (
        _environment()
        .get_template(TEMPLATE)
        .render(
            data=data,
            headline=headline(data),
            sections=sections(data),
            chart=base64.b64encode(chart).decode("ascii"),
            tables=_tables(data),
            clauses=clause_rows(data),
            daily=(DAILY_COLUMNS, table(data["daily"], DAILY_COLUMNS)),
        )
    )


def _tables(data: Data) -> list[tuple[str, tuple[tuple[str, str], ...], list[list[str]]]]:
    """(title, columns, rows) of each table before the clauses."""
    found = [
        ("Outages", OUTAGE_COLUMNS, table(data["outages"], OUTAGE_COLUMNS)),
        ("Exclusions", EXCLUSION_COLUMNS, table(data["exclusions"], EXCLUSION_COLUMNS)),
    ]
    if "closed" in data:
        found.append(("Amendments", AMENDMENT_COLUMNS, table(amendments(data), AMENDMENT_COLUMNS)))
    return found
