"""The HTML report: the PDF's content as one self-contained page.

Rendered by Jinja2 from the JSON report's dict with autoescaping on (contract
texts and operator notes are data, not markup). The chart is embedded as a
``data:`` PNG and the style is inline, so the file opens offline, from a mail
attachment or a ticket, with nothing to fetch.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from slawatch.reports import support
from slawatch.reports.chart import daily_chart_png
from slawatch.reports.view import (
    AMENDMENT_COLUMNS,
    DAILY_COLUMNS,
    EXCLUSION_COLUMNS,
    Data,
    amendments,
    clause_rows,
    clauses_once,
    headline,
    outage_table,
    sections,
    show,
    table,
    term_tables,
)

TEMPLATE = "report.html.j2"
OUTAGE_NOTE = "Counted seconds make up D; excluded and unknown seconds do not."
_WHEN = ("start", "end", "opened", "deadline", "stopped_at")  # instants: kept on one line


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
    contract, label = data["contract"], data["period"]["label"]
    return _page(
        data,
        title=f"SLA report: {contract}, {label}",
        good=data["met"],
        headline=headline(data),
        sections=sections(data),
        chart=base64.b64encode(chart).decode("ascii"),
        tables=_tables(data),
        daily=(DAILY_COLUMNS, table(data["daily"], DAILY_COLUMNS)),
        footer=f"slawatch SLA report {contract} {label}, as of {data['as_of']}.",
    )


def support_to_html(data: Data) -> str:
    """The HTML page of the support report ``data``: requests and objectives."""
    return _page(
        data,
        title=support.title(data),
        good=support.good(data),
        headline=support.headline(data),
        sections=support.sections(data),
        chart="",
        tables=[
            _table("Requests", support.request_rows(data), support.REQUEST_COLUMNS),
            _table("Objectives", data["objectives"], support.OBJECTIVE_COLUMNS),
        ],
        daily=None,
        footer=(
            f"slawatch support report {data['contract']} {data['period']['label']}, "
            f"as of {data['as_of']}."
        ),
    )


def _page(data: Data, **parts: Any) -> str:
    """The page around a report's parts (title, verdict, summary, tables, clauses)."""
    template = _environment().get_template(TEMPLATE)
    return template.render(data=data, clauses=clause_rows(data), WHEN=_WHEN, **parts)


Table = tuple[str, tuple[tuple[str, str], ...], list[list[str]], str]


def _table(
    title: str,
    records: Sequence[Mapping[str, Any]],
    columns: tuple[tuple[str, str], ...],
    note: str = "",
) -> Table:
    """(title, columns, rows as text, note under the title)."""
    return title, columns, table(list(records), columns), note


def _tables(data: Data) -> list[Table]:
    """The availability report's tables before the clauses."""
    found = [
        _table("Outages", *outage_table(data), OUTAGE_NOTE),
        _table("Exclusions", data["exclusions"], EXCLUSION_COLUMNS),
    ]
    found += [_table(title, rows, columns) for title, rows, columns in term_tables(data)]
    if "closed" in data:
        found.append(_table("Amendments", amendments(data), AMENDMENT_COLUMNS))
    return found
