"""Report formats by name: what ``slawatch report --format`` (and later the HTTP
API) picks from. Every format is rendered from the JSON report's dict
(``report.to_dict``, or a closed period's frozen report), never from the
assessment itself, so a frozen report renders like a live one.

Renderers are imported when used: matplotlib, fpdf2 and openpyxl take most of
a second to import, which ``slawatch --help`` and the agent need not pay. They
come with the ``reports`` extra (``pip install 'slawatch[reports]'``), which the
agent's image leaves out: JSON and CSV need nothing more, and the other formats
say which extra to install when their library is missing.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

from slawatch.errors import UserError

if TYPE_CHECKING:
    from slawatch.reports.locale import Style

# report kind -> format name -> (module, function); each function takes the JSON
# report's dict and returns str or bytes. "sla": availability reports; "support": the
# support report (SPEC section 6).
_RENDERERS = {
    "sla": {
        "json": ("slawatch.reports.document", "to_json"),
        "csv": ("slawatch.reports.document", "to_csv"),
        "xlsx": ("slawatch.reports.xlsx", "to_xlsx"),
        "pdf": ("slawatch.reports.pdf", "to_pdf"),
        "html": ("slawatch.reports.html", "to_html"),
    },
    "support": {
        "json": ("slawatch.reports.support", "to_json"),
        "csv": ("slawatch.reports.support", "to_csv"),
        "xlsx": ("slawatch.reports.xlsx", "support_to_xlsx"),
        "pdf": ("slawatch.reports.pdf", "support_to_pdf"),
        "html": ("slawatch.reports.html", "support_to_html"),
    },
}
FORMATS = tuple(_RENDERERS["sla"])
# How the formats but JSON are written (reports/locale.py: ``Style``).
LOCALES = ("fr", "en")
VIEWS = ("customer", "internal")
CSV_DIALECTS = ("plain", "excel", "excel-fr")
BINARY = frozenset({"xlsx", "pdf"})  # no stdout: a terminal is no place for them
MEDIA_TYPES = {  # what an HTTP answer says it carries
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
}


EXTRA = "reports"  # pyproject.toml's optional dependencies of the xlsx, pdf and html renderers


class MissingExtra(UserError):
    """A format whose library is not installed: the extra to install says how."""


def render(
    fmt: str, data: Mapping[str, Any], kind: str = "sla", style: Style | None = None
) -> str | bytes:
    """The JSON report ``data`` of ``kind`` (``sla`` or ``support``) in format ``fmt``
    (one of ``FORMATS``): text, or bytes for ``BINARY``. ``style`` (language, view,
    CSV dialect, branding; default English, internal view) does not apply to the
    JSON, which stays the machine's document."""
    from slawatch.reports.locale import Style

    module, name = _RENDERERS[kind][fmt]
    try:
        loaded = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name is None or exc.name.startswith("slawatch"):
            raise  # a module of our own missing is a broken install: a bug, not input
        raise MissingExtra(
            f"--format {fmt} needs the {EXTRA!r} extra ({exc.name} is not installed): "
            f"pip install 'slawatch[{EXTRA}]'"
        ) from None
    renderer = getattr(loaded, name)
    if fmt == "json":
        return cast(Callable[[Mapping[str, Any]], str], renderer)(data)
    rendered = cast(Callable[[Mapping[str, Any], Style], str | bytes], renderer)
    return rendered(data, style or Style())
