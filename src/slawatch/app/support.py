"""Support reports and request views, for the ``slawatch`` commands and the HTTP API.

A support report reads the requests opened in the period from the store and
assesses them as known at ``as_of`` (default: now): events after it are
ignored, so a report can be redone as it stood on any day. Clocks that no later
instant can change are stored once computed, and read by the next reports.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from slawatch.app.context import Context, Spell
from slawatch.app.records import FieldError, parse_instant
from slawatch.config import Config
from slawatch.config.contracts import Contract
from slawatch.reports.support import RequestText, SupportReport, request_dict, to_dict
from slawatch.sla.periods import Period
from slawatch.sla.support import EventKind, SupportTerms
from slawatch.sla.support_assess import (
    Outcome,
    RequestResult,
    SupportAssessment,
    assess_request,
    opened_before,
    resolve_support_period,
    settled,
    summarize,
)
from slawatch.store.store import Computed, Store, Unavailable, Unclocked


class NoSupportPart(FieldError, LookupError):
    """The contract exists but promises no support response (its config has no
    ``support:`` part): it has no requests to report on."""


def support_terms(config: Config, contract: str, spell: Spell) -> tuple[Contract, SupportTerms]:
    """The contract and its support terms; ``NoSupportPart`` when it has none."""
    model = config.contract(contract)
    if model.support is None:
        with_support = ", ".join(c.name for c in config.contracts if c.support is not None)
        raise NoSupportPart(
            "contract",
            f"{spell('contract')}: {contract} has no support part (those with one: "
            f"{with_support or 'none'})",
        )
    return model, model.support.terms(model.timezone)


def support_report(
    context: Context, contract: str, period: str, *, as_of: str | None
) -> dict[str, Any]:
    """The support report's JSON for ``contract`` and ``period`` (``2026-10``, ``2026``
    or ``contract-year:2026``), as known at ``as_of`` (default ``now``; an instant
    without an offset is read in the contract's zone)."""
    spell = context.spell
    model, terms = support_terms(context.config, contract, spell)
    try:
        found = resolve_support_period(period, terms)
    except ValueError as exc:
        raise FieldError("period", f"{spell('period')}: {exc}") from None
    moment = context.now if as_of is None else parse_instant(as_of, terms.zone, "as_of", spell)
    assessment = assess_support_stored(context.store, model.name, terms, found, moment)
    return to_dict(SupportReport(model.name, model.description, terms, assessment))


def assess_support_stored(
    store: Store, contract: str, terms: SupportTerms, period: Period, as_of: int
) -> SupportAssessment:
    """``assess_support`` over the contract's requests, reading the clocks the store
    holds for them as of ``as_of`` (as the report's text: ``Written``) and computing
    the others; those whose clocks are now settled (and computed from every event) are
    stored for the next report."""
    start, end = opened_before(period, as_of)
    stored, others = store.written_requests(contract, start, end, terms, as_of)
    computed = [Computed(o, assess_request(terms, o.request, as_of)) for o in others]
    kept = [c for c in computed if c.of.request.events[-1].at <= as_of and settled(c.result)]
    with contextlib.suppress(Unavailable):  # e.g. a read-only database: the report stands
        store.store_clocks(terms, with_text(terms, kept))
    return summarize(terms, [*stored, *(c.result for c in computed)], period, as_of)


def settled_clocks(terms: SupportTerms, requests: Iterable[Unclocked]) -> list[Computed]:
    """The clocks of ``requests`` (each with every event) that are settled: computed
    as of the last event, which no later instant changes (an import stores them, so
    the first report after it reads them too)."""
    computed = (
        Computed(o, assess_request(terms, o.request, o.request.events[-1].at)) for o in requests
    )
    return with_text(terms, [c for c in computed if settled(c.result)])


def with_text(terms: SupportTerms, computed: Iterable[Computed]) -> list[Computed]:
    """``computed``, each with its JSON text, to be stored with its clocks."""
    text = RequestText(terms)
    return [Computed(c.of, replace(c.result, json=text(c.result))) for c in computed]


@dataclass(frozen=True, slots=True)
class RequestView:
    """A request as ``ticket list`` and ``ticket show`` print it."""

    contract: str
    terms: SupportTerms
    result: RequestResult  # its targets' clocks as known now

    def data(self) -> dict[str, Any]:
        """The request as the support report writes it (instants in the contract's zone)."""
        return request_dict(self.result, self.terms)

    def closed(self) -> bool:
        """Closed, and not reopened since."""
        kinds = [e.kind for e in self.result.request.events]
        closes = [i for i, kind in enumerate(kinds) if kind is EventKind.CLOSED]
        return bool(closes) and EventKind.REOPENED not in kinds[closes[-1] :]

    def next_deadline(self) -> int | None:
        """The nearest deadline of a target still pending."""
        pending = [c.deadline for c in self.result.targets if c.outcome is Outcome.PENDING]
        return min((d for d in pending if d is not None), default=None)


def request_views(
    context: Context, contract: str | None, *, ticket: str | None = None
) -> list[RequestView]:
    """The requests of one support contract or of all, as known now."""
    config, spell = context.config, context.spell
    names = (
        [support_terms(config, contract, spell)[0].name]
        if contract is not None
        else [c.name for c in config.contracts if c.support is not None]
    )
    views = []
    for name in names:
        _, terms = support_terms(config, name, spell)
        for request in context.store.list_requests(name, ticket):
            views.append(RequestView(name, terms, assess_request(terms, request, context.now)))
    return views
