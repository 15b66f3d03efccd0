"""Report formats by name: what ``slawatch report --format`` (and later the HTTP
API) picks from.

Renderers are imported when used: matplotlib, fpdf2 and openpyxl take most of
a second to import, which ``slawatch --help`` and the agent need not pay.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import cast

from slawatch.exporters.report import Report

# name -> (module, function); each function takes a Report and returns str or bytes.
_RENDERERS = {
    "json": ("slawatch.exporters.report", "to_json"),
    "csv": ("slawatch.exporters.report", "to_csv"),
    "xlsx": ("slawatch.exporters.report_xlsx", "to_xlsx"),
    "pdf": ("slawatch.exporters.report_pdf", "to_pdf"),
    "html": ("slawatch.exporters.report_html", "to_html"),
}
FORMATS = tuple(_RENDERERS)
BINARY = frozenset({"xlsx", "pdf"})  # no stdout: a terminal is no place for them
MEDIA_TYPES = {  # what an HTTP answer says it carries
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
}


def render(fmt: str, report: Report) -> str | bytes:
    """``report`` in format ``fmt`` (one of ``FORMATS``): text, or bytes for ``BINARY``."""
    module, name = _RENDERERS[fmt]
    renderer = getattr(importlib.import_module(module), name)
    return cast(Callable[[Report], str | bytes], renderer)(report)
