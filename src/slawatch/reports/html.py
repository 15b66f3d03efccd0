"""The HTML report: the PDF's content as one self-contained page.

Rendered by Jinja2 from the JSON report's dict with autoescaping on (contract
texts and operator notes are data, not markup). The chart and the branding's
logo are embedded as ``data:`` URIs and the style is inline, so the file opens
offline, from a mail attachment or a ticket, with nothing to fetch.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from slawatch.reports import support
from slawatch.reports.chart import daily_chart_png
from slawatch.reports.locale import Branding, Style
from slawatch.reports.view import (
    AMENDMENT_COLUMNS,
    DAILY_COLUMNS,
    EXCLUSION_COLUMNS,
    INTERNAL,
    OUTAGE_NOTE,
    Columns,
    Data,
    amendments,
    clause_rows,
    clauses_once,
    columns_shown,
    headline,
    outage_table,
    sections,
    show,
    table,
    term_tables,
)

TEMPLATE = "report.html.j2"
_HYPHENATED = re.compile(r"\S+-\S+")  # a word with a hyphen inside, not a minus sign
_WHEN = ("start", "end", "opened", "deadline", "stopped_at")  # instants: kept on one line


def whole_words(text: Any) -> Markup:
    """``text`` escaped, each word with a hyphen in a span kept on one line: a
    browser may wrap after a hyphen, which cuts a ticket reference
    (``INC-2026-10-000123``), a date or a compound word in two."""
    return Markup(_HYPHENATED.sub(r'<span class="w">\g<0></span>', str(escape(text))))


def _environment(style: Style, currency: str | None) -> Environment:
    environment = Environment(
        loader=PackageLoader("slawatch.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,  # a misspelt field fails the render, not the customer
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["show"] = lambda key, value: show(key, value, style, currency=currency)
    environment.filters["clauses_once"] = lambda rows: clauses_once(rows, style)
    environment.filters["when"] = lambda text: show("at", text, style)
    environment.filters["whole"] = whole_words
    return environment


def to_html(data: Data, style: Style = INTERNAL) -> str:
    """The HTML page of the JSON report ``data``."""
    style = replace(style, written=True)
    _ = style.lang
    chart = daily_chart_png(data, style.lang) if data["daily"] else b""
    contract, label = data["contract"], data["period"]["label"]
    daily = columns_shown(DAILY_COLUMNS, style)
    return _page(
        data,
        style,
        title=_("SLA report: {contract}, {period}").format(contract=contract, period=label),
        good=data["met"],
        headline=headline(data, style),
        sections=sections(data, style),
        chart=base64.b64encode(chart).decode("ascii"),
        tables=_tables(data, style),
        daily=(daily, table(data["daily"], daily, style)),
        footer=_("slawatch SLA report {contract} {period}, as of {as_of}.").format(
            contract=contract, period=label, as_of=show("as_of", data["as_of"], style)
        ),
    )


def support_to_html(data: Data, style: Style = INTERNAL) -> str:
    """The HTML page of the support report ``data``: requests and objectives."""
    style = replace(style, written=True)
    _ = style.lang
    return _page(
        data,
        style,
        title=support.title(data, style),
        good=support.good(data),
        headline=support.headline(data, style),
        sections=support.sections(data, style),
        chart="",
        tables=[
            _table(
                _("Requests"), support.request_rows(data, style), support.REQUEST_COLUMNS, style
            ),
            _table(_("Objectives"), data["objectives"], support.OBJECTIVE_COLUMNS, style),
        ],
        daily=None,
        footer=_("slawatch support report {contract} {period}, as of {as_of}.").format(
            contract=data["contract"],
            period=data["period"]["label"],
            as_of=show("as_of", data["as_of"], style),
        ),
    )


def _page(data: Data, style: Style, **parts: Any) -> str:
    """The page around a report's parts (title, verdict, summary, tables, clauses)."""
    template = _environment(style, data.get("currency")).get_template(TEMPLATE)
    return template.render(
        data=data,
        clauses=clause_rows(data),
        WHEN=_WHEN,
        t=style.lang,
        lang=style.locale,
        internal=style.internal,
        branding=style.branding,
        logo=_logo(style.branding),
        **parts,
    )


def _logo(branding: Branding | None) -> str:
    """The branding's logo as a ``data:`` URI ("" without one)."""
    if branding is None or branding.logo is None:
        return ""
    kind = mimetypes.guess_type(branding.logo.name)[0] or "image/png"
    encoded = base64.b64encode(branding.logo.read_bytes()).decode("ascii")
    return f"data:{kind};base64,{encoded}"


Table = tuple[str, Columns, list[list[str]], str]


def _table(
    title: str,
    records: Sequence[Mapping[str, Any]],
    columns: Columns,
    style: Style,
    note: str = "",
) -> Table:
    """(title, columns shown, rows as text, note under the title)."""
    shown = columns_shown(columns, style)
    return title, shown, table(list(records), shown, style), note


def _tables(data: Data, style: Style) -> list[Table]:
    """The availability report's tables before the clauses."""
    _ = style.lang
    found = [
        _table(_("Outages"), *outage_table(data), style, _(OUTAGE_NOTE)),
        _table(_("Exclusions"), data["exclusions"], EXCLUSION_COLUMNS, style),
    ]
    found += [_table(title, rows, cols, style) for title, rows, cols in term_tables(data, style)]
    if "closed" in data:
        found.append(_table(_("Amendments"), amendments(data, style), AMENDMENT_COLUMNS, style))
    return found
