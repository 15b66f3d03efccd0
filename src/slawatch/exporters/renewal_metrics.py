"""The renewal series on ``/metrics``: each renewable item's expiry and state, at the scrape.

A custom collector (prometheus-client), one label ``contract``; units and meanings are
in config/prometheus/README.md. Today is the local date in the contract's zone at the
scrape; the expiry counts the renewals recorded up to today. A scrape never reads the
store (a hung database must not hang ``/metrics``): ``refresh``, called by the agent's
refresh thread, reads the renewals again when the audit log has moved (``renewal add``
audits every renewal, from the CLI or the API); a store that fails leaves the last
renewals read in use.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from slawatch.config import Config, Contract
from slawatch.sla.calendar import local_midnight
from slawatch.sla.renewals import (
    Renewal,
    RenewalState,
    current_expiry,
    last_renewable_day,
    state_on,
)
from slawatch.store.store import Store, StoreError

log = logging.getLogger(__name__)


class RenewalSeries(Collector):
    """``slawatch_contract_expiry_timestamp_seconds`` and friends, per renewable item."""

    def __init__(
        self, store: Store, config: Callable[[], Config], clock: Callable[[], float]
    ) -> None:
        self._store = store
        self._config = config
        self._clock = clock
        self._audit_seen = -1  # the audit head the renewals below were read at
        self._renewals: dict[tuple[str, date], list[Renewal]] = {}

    def collect(self) -> Iterator[Metric]:
        now = self._clock()
        items = self._config().renewal_contracts()
        renewals = self._renewals
        expiry = GaugeMetricFamily(
            "slawatch_contract_expiry_timestamp_seconds",
            "End of the renewable item's last covered day, Unix seconds",
            labels=["contract"],
        )
        renewable = GaugeMetricFamily(
            "slawatch_contract_renewable_until_timestamp_seconds",
            "End of the last day the item can still be renewed, Unix seconds",
            labels=["contract"],
        )
        state = GaugeMetricFamily(
            "slawatch_contract_renewal_state",
            "1 for the renewable item's state today, 0 for the others",
            labels=["contract", "state"],
        )
        for model in items:
            terms = model.renewal_terms()
            today = datetime.fromtimestamp(now, model.timezone).date()
            expires = current_expiry(terms, renewals.get((model.name, terms.expires), ()), today)
            expiry.add_metric([model.name], _end_of(expires, model))
            last = last_renewable_day(expires, terms.kind)
            renewable.add_metric([model.name], _end_of(last, model))
            found = state_on(expires, terms.kind, today)
            for each in RenewalState:
                state.add_metric([model.name, str(each)], float(each is found))
        yield from (expiry, renewable, state)

    def refresh(self) -> None:
        """Read the items' renewals again, only when the audit log has moved."""
        items = self._config().renewal_contracts()
        try:
            head = self._store.audit_head()
            wanted = {(m.name, m.renewal_terms().expires) for m in items}
            if head != self._audit_seen or not wanted <= self._renewals.keys():
                self._renewals = {
                    (name, expires): [r.renewal() for r in self._store.renewals(name, expires)]
                    for name, expires in wanted
                }
                self._audit_seen = head
        except StoreError as exc:
            log.warning("renewal metrics: the store is unavailable, renewals may be stale: %s", exc)


def _end_of(day: date, model: Contract) -> float:
    """The instant ``day`` ends in the contract's zone: the next local midnight."""
    return float(local_midnight(day + timedelta(days=1), model.timezone))
