"""How long ``GET /metrics`` takes with 1,000 contracts (issue 4: < 100 ms).

    python bench/bench_sla_metrics.py [--runs N]

1,000 contracts over their own target, each holding a year of ~400 flips in SQLite
(bench_store.fill_flips): a quarter each Cegid-like (business hours in Europe/Paris,
French holidays, monthly), IPfolio-like (24x7 UTC, tiers, claims, monthly),
SMILÉO-like (24x7, yearly 99.7 %) and 24x7 yearly with tiers. Prints the medians of:

- the first refresh, which builds every contract's forecast from the store (the
  agent's refresh thread does it at start, before the first scrape);
- a steady ``GET /metrics`` on the agent's own HTTP server on 127.0.0.1, 15 s after the
  previous one: what Prometheus pays every 15 s, with the SLA series alone and with
  the agent's series of 1,000 HTTP targets (blackbox_exporter's, five phases each)
  beside them. A scrape never reads the store, so it costs this whatever changed;
- the refresh after the writer reported 10 targets changed (10 forecasts rebuilt),
  which the agent's refresh thread does within a second, beside the scrapes.
"""

from __future__ import annotations

import argparse
import tempfile
import urllib.request
from collections.abc import Callable
from pathlib import Path

from prometheus_client import CollectorRegistry, disable_created_metrics

from bench_store import fill_flips
from history import at
from run import median_of
from slawatch.agent.http.server import AgentServer
from slawatch.config import Config, parse_config
from slawatch.exporters.agent_metrics import AgentMetrics
from slawatch.exporters.sla_metrics import SlaSeries
from slawatch.probes.result import Outcome, ProbeResult
from slawatch.store.store import Store, TimelineNews

CONTRACTS = 1000
PHASES = ("resolve", "connect", "tls", "processing", "transfer")
PROBED = ProbeResult(Outcome.OK, 0.05, 200, phases=dict.fromkeys(PHASES, 0.01))
SCRAPE_AT = at("2026-12-15T12:00:00Z")
SHAPES = (
    """    timezone: Europe/Paris
    period: month
    reference: {windows: ["mon-fri 07:00-20:00"], holidays: {country: FR}}
    target: 99""",
    """    timezone: UTC
    period: month
    target: 99.5
    credits: {basis: downtime_minutes, tiers: [{up_to: 216, credit: 0}, {credit: 25}]}
    claims_required: true
    fee: {amount: 1000, currency: EUR}""",
    """    timezone: Europe/Paris
    period: year
    target: 99.7""",
    """    timezone: UTC
    period: year
    target: 99.5
    credits:
      basis: availability_percent
      tiers: [{from: 99.5, to: 100, credit: 0}, {from: 0, to: 99.5, credit: 10}]""",
)


def config() -> Config:
    targets = [
        f'  - {{name: f{i}, kind: http, url: "http://127.0.0.1:9/", interval: 60s}}'
        for i in range(CONTRACTS)
    ]
    contracts = [
        f"  - name: c{i}\n    service: {{targets: [f{i}]}}\n{SHAPES[i % len(SHAPES)]}"
        for i in range(CONTRACTS)
    ]
    return parse_config("\n".join(["targets:", *targets, "contracts:", *contracts]) + "\n")


def median_ms(runs: int, action: Callable[[], object]) -> float:
    return median_of(runs, action) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    settings = config()
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{Path(scratch) / 'sla.db'}"
        with Store.open(url) as store:
            fill_flips(url, [t.name for t in settings.targets])
            clock = [float(SCRAPE_AT)]
            first = median_ms(
                args.runs, lambda: SlaSeries(store, settings, lambda: clock[0]).refresh()
            )
            series = SlaSeries(store, settings, lambda: clock[0])
            series.refresh()
            registry = CollectorRegistry()
            server = AgentServer(
                "127.0.0.1:0",
                registry,
                lambda: (True, {}),
                lambda _: False,
                more_metrics=series.exposition,
            )
            server.start()
            endpoint = f"http://127.0.0.1:{server.port}/metrics"

            def scrape() -> int:
                clock[0] += 15
                with urllib.request.urlopen(endpoint) as answer:
                    return len(answer.read())

            def after_changes() -> None:
                changed = frozenset(f"f{i}" for i in range(0, CONTRACTS, 100))
                series.take_news(TimelineNews(changed=changed))
                series.refresh()

            print(f"GET /metrics, {CONTRACTS:,} contracts (medians):")
            print(f"  first refresh (every forecast built, no HTTP): {first:.0f} ms")
            size = scrape()
            print(f"  steady, SLA series alone ({size:,} bytes): {median_ms(20, scrape):.1f} ms")
            disable_created_metrics()  # type: ignore[no-untyped-call]  # untyped in prometheus_client; as the agent does
            probed = AgentMetrics(registry)
            for target in settings.targets:
                probed.observe(target.name, PROBED, 0.01)
            size = scrape()
            print(
                f"  steady, with 1,000 targets' probe series ({size:,} bytes): "
                f"{median_ms(20, scrape):.1f} ms"
            )
            print(f"  refresh after 10 targets changed: {median_ms(20, after_changes):.1f} ms")
            server.close()


if __name__ == "__main__":
    main()
