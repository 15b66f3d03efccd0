"""Where a JSON report comes from: computed from the store, or frozen.

``live`` assesses any number of (contract, period) pairs from the store in a
few bulk reads (``evaluate.gather``). ``shown`` is what ``slawatch report``
prints: the frozen report, with its ``closed`` block, where the period is
closed (never silently recomputed), the live one elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from slawatch.app import periods
from slawatch.app.evaluate import Probing, gather
from slawatch.config import Config
from slawatch.reports.document import Report, to_dict
from slawatch.reports.locale import DEFAULT_LOCALE, Branding, Style
from slawatch.reports.report_json import ReportJson
from slawatch.sla.assess import assess
from slawatch.sla.daily import daily
from slawatch.sla.periods import resolve_period
from slawatch.store.store import Store

Key = tuple[str, str]  # (contract name, period label)


def live(store: Store, config: Config, keys: Sequence[Key], now: int) -> list[ReportJson]:
    """The JSON report of each (contract, period label), as known at ``now``."""
    models = [config.contract(name) for name, _ in keys]
    items = []
    for model, (_, label) in zip(models, keys, strict=True):
        terms = model.terms()
        items.append((terms, resolve_period(label, terms.period, terms.zone)))
    found = gather(store, items, Probing.of(config), now)
    return [
        to_dict(Report(case.terms, assess(case), model.description, daily(case)))
        for model, case in zip(models, found, strict=True)
    ]


def shown(
    store: Store, config: Config, names: Sequence[str], label: str, now: int
) -> list[Mapping[str, Any]]:
    """The report of each contract for the period ``label``: frozen where the period
    is closed (``TamperedReport`` when it fails verification), live elsewhere."""
    frozen = {c.contract: c.report() for c in periods.closed(store, names, label)}
    computed = iter(live(store, config, [(n, label) for n in names if n not in frozen], now))
    return [frozen[name] if name in frozen else next(computed) for name in names]


def style(  # noqa: PLR0913 (a report's independent rendering choices, each a CLI option)
    config: Config,
    contract: str,
    *,
    locale: str | None = None,
    view: str = "customer",
    csv_dialect: str = "plain",
    what_if: bool = False,
) -> Style:
    """How the reports of ``contract`` are rendered: ``locale`` when given, else the
    contract's ``report.locale``, else the config's, else English; the branding from
    the contract's ``report`` part, else the config's."""
    settings = config.report_settings(contract)
    found = settings.branding
    branding = (
        None
        if found is None
        else Branding(found.provider, found.customer, found.reference, found.logo)
    )
    return Style(
        locale=locale or settings.locale or DEFAULT_LOCALE,
        view=view,
        csv_dialect=csv_dialect,
        branding=branding,
        what_if=what_if,
    )
