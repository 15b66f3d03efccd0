"""The renewal series: the expiry and state of each renewable item at the scrape, in the
contract's zone, following renewals recorded by any process; clean for ``promtool``."""

from __future__ import annotations

import subprocess
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from debian_tools import debian_tool
from slawatch.config import parse_config
from slawatch.exporters.renewal_metrics import RenewalSeries
from slawatch.store.store import Store, StoreError

PARIS = ZoneInfo("Europe/Paris")
CONFIG = parse_config(
    """
targets:
  - {name: web, kind: http, url: "http://127.0.0.1:9/"}
contracts:
  - name: web-sla
    service: {targets: [web]}
    timezone: UTC
    period: month
    target: 99
  - name: acronis
    timezone: Europe/Paris
    renewal:
      expires: 2027-03-31
      licence: perpetual-maintenance
      price: {amount: 1200, currency: EUR}
      account: A
      renewal_id: R
      product: P
      sku: S
  - name: backup
    timezone: UTC
    renewal:
      expires: 2028-02-29
      licence: subscription
      price: {amount: 100, currency: EUR}
      account: A
      renewal_id: R
      product: P
      sku: S
"""
)


def paris(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=PARIS).timestamp()


class Scrape:
    def __init__(self, store: Store, now: float) -> None:
        self.now = now
        self.registry = CollectorRegistry()
        self.series = RenewalSeries(store, lambda: CONFIG, lambda: self.now)
        self.registry.register(self.series)

    def value(self, name: str, **labels: str) -> float | None:
        self.series.refresh()  # what the agent's refresh thread does between scrapes
        return self.registry.get_sample_value(name, labels)

    def state(self, contract: str) -> str:
        states = ("active", "notice", "grace", "reinstatement", "lapsed")
        on = [
            s
            for s in states
            if self.value("slawatch_contract_renewal_state", contract=contract, state=s) == 1
        ]
        assert len(on) == 1, on
        return on[0]


@pytest.mark.parametrize(
    ("now", "state"),
    [
        ("2026-12-30T23:59:59", "active"),
        ("2026-12-31T00:00:00", "notice"),  # D-90 from local midnight, not UTC's
        ("2027-03-31T23:59:59", "notice"),
        ("2027-04-01T00:00:00", "grace"),
        ("2027-04-30T23:59:59", "grace"),
        ("2027-05-01T00:00:00", "reinstatement"),
        ("2028-04-01T00:00:00", "lapsed"),
    ],
)
def test_the_state_changes_at_local_midnight(store: Store, now: str, state: str) -> None:
    scrape = Scrape(store, paris(now))
    assert scrape.state("acronis") == state
    # The end of 31 March is 1 April 00:00 in Paris, summer time (UTC+2).
    assert scrape.value("slawatch_contract_expiry_timestamp_seconds", contract="acronis") == paris(
        "2027-04-01T00:00:00"
    )
    assert scrape.value(
        "slawatch_contract_renewable_until_timestamp_seconds", contract="acronis"
    ) == paris("2028-04-01T00:00:00")
    assert scrape.value("slawatch_contract_expiry_timestamp_seconds", contract="web-sla") is None


def test_a_subscription_lapses_after_its_grace(store: Store) -> None:
    scrape = Scrape(store, datetime.fromisoformat("2028-03-31T00:00:00+00:00").timestamp())
    assert scrape.state("backup") == "lapsed"  # 29 February + 30 days = 30 March
    end = datetime.fromisoformat("2028-03-31T00:00:00+00:00").timestamp()
    assert (
        scrape.value("slawatch_contract_renewable_until_timestamp_seconds", contract="backup")
        == end
    )


def test_a_renewal_recorded_elsewhere_moves_the_expiry(store: Store, db_url: str) -> None:
    scrape = Scrape(store, paris("2027-05-15T12:00:00"))
    assert scrape.state("acronis") == "reinstatement"
    with Store.open(db_url) as other:  # the CLI, another process
        other.add_renewal(
            "acronis", CONFIG.contract("acronis").renewal_terms(), date(2027, 5, 15), 1, "a"
        )
    assert scrape.state("acronis") == "active"
    assert scrape.value("slawatch_contract_expiry_timestamp_seconds", contract="acronis") == paris(
        "2028-04-01T00:00:00"
    )


def test_a_store_that_fails_keeps_the_last_renewals(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.add_renewal(
        "acronis", CONFIG.contract("acronis").renewal_terms(), date(2027, 5, 15), 1, "a"
    )
    scrape = Scrape(store, paris("2027-06-01T12:00:00"))
    assert scrape.state("acronis") == "active"

    def down() -> int:
        raise StoreError("database away")

    monkeypatch.setattr(store, "audit_head", down)
    assert scrape.state("acronis") == "active"


def test_promtool_accepts_the_series(store: Store) -> None:
    promtool = debian_tool("promtool", "prometheus")
    exposition = generate_latest(Scrape(store, paris("2027-04-15T09:00:00")).registry)
    result = subprocess.run(
        [promtool, "check", "metrics"], input=exposition, capture_output=True, check=False
    )
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    assert result.stdout.decode() + result.stderr.decode() == ""
    assert b'slawatch_contract_renewal_state{contract="acronis",state="grace"} 1.0' in exposition
