"""The Grafana dashboards in ``config/grafana``: their JSON is well formed for Grafana 10
(unique panel ids, every panel on the templated Prometheus data source, every variable a
query uses defined), the provisioning files are sound, and every query of every panel,
variable and annotation returns data from a real Prometheus scraping a real agent.

The live part: an HTTPS target on 127.0.0.1 whose certificate expires in two days, a
store fed with an hour of history by ``slawatch import`` and two support requests by
``slawatch ticket import``, ``slawatch run`` probing the
target every second, and ``prometheus`` scraping the agent every second with the rules
of config/prometheus/slawatch-alerts.yml. The test makes the target fail for a few
probes (a flip each way, counted downtime) and waits for the certificate alert to be
pending; then each query runs as Grafana would send it, its variables substituted.
"""

from __future__ import annotations

import csv
import json
import re
import ssl
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import trustme
import yaml

from agent.helpers import AgentProcess, Target, free_port, wait_until
from prometheus_server import PrometheusServer, prometheus_binary

ROOT = Path(__file__).resolve().parents[1]
GRAFANA = ROOT / "config" / "grafana"
DASHBOARD_FILES = sorted((GRAFANA / "dashboards").glob("*.json"))
RULES = ROOT / "config" / "prometheus" / "slawatch-alerts.yml"
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
SCRAPE_INTERVAL = 15  # seconds: the provisioned data source's timeInterval
GRAFANA_GLOBALS = {
    "__interval",
    "__interval_ms",
    "__rate_interval",
    "__range",
    "__range_s",
    "__range_ms",
}
VARIABLE = re.compile(r"\$(\w+)|\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]")
LABEL_VALUES = re.compile(r"label_values\((?P<selector>.+),\s*(?P<label>\w+)\)")
DURATION = re.compile(r"(\d+)(ms|s|m|h|d|w|y)")
SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}


def load(path: Path) -> dict[str, Any]:
    dashboard: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return dashboard


DASHBOARDS = {path.stem: load(path) for path in DASHBOARD_FILES}


def panels(dashboard: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every panel, rows included, and the panels inside collapsed rows."""
    for panel in dashboard["panels"]:
        yield panel
        yield from panel.get("panels", [])


def variables(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    return list(dashboard["templating"]["list"])


def variable_query(variable: dict[str, Any]) -> str:
    """The PromQL a query variable lists its values with."""
    query: str = variable["query"]["query"]
    return query


@dataclass(frozen=True)
class Query:
    """One PromQL expression of a dashboard, with what Grafana would fill in."""

    dashboard: str
    place: str  # panel title and refId, or "annotation NAME"
    expr: str
    interval: str  # the min interval of its panel or target ("" for none)
    time_range: str  # "now-6h": the dashboard's, or the panel's relative time


def queries(name: str) -> list[Query]:
    dashboard = DASHBOARDS[name]
    time_range = dashboard["time"]["from"]
    found = [
        Query(
            name,
            f"{panel['title']} {target['refId']}",
            target["expr"],
            target.get("interval") or panel.get("interval", ""),
            f"now-{panel['timeFrom']}" if "timeFrom" in panel else time_range,
        )
        for panel in panels(dashboard)
        for target in panel.get("targets", [])
    ]
    found += [
        Query(name, f"annotation {item['name']}", item["expr"], item.get("step", ""), time_range)
        for item in dashboard["annotations"]["list"]
        if "expr" in item
    ]
    return found


ALL_QUERIES = [query for name in DASHBOARDS for query in queries(name)]
QUERY_VARIABLES = [
    (name, variable)
    for name, dashboard in DASHBOARDS.items()
    for variable in variables(dashboard)
    if variable["type"] == "query"
]


# -- The JSON -----------------------------------------------------------------------------


def test_both_dashboards_are_there() -> None:
    assert set(DASHBOARDS) == {"slawatch-sre-overview", "slawatch-contract"}


@pytest.mark.parametrize("name", DASHBOARDS)
def test_dashboard_is_grafana_10_json(name: str) -> None:
    dashboard = DASHBOARDS[name]
    assert dashboard["uid"] == name
    assert dashboard["schemaVersion"] == 38  # Grafana 10.0-10.2; later versions migrate it
    assert dashboard["id"] is None  # provisioning and import assign their own
    assert dashboard["title"].startswith("slawatch / ")
    assert "slawatch" in dashboard["tags"]
    first = variables(dashboard)[0]
    assert (first["name"], first["type"], first["query"]) == (
        "datasource",
        "datasource",
        "prometheus",
    )


@pytest.mark.parametrize("name", DASHBOARDS)
def test_panel_ids_are_unique_and_panels_do_not_overlap(name: str) -> None:
    found = list(panels(DASHBOARDS[name]))
    ids = [panel["id"] for panel in found]
    assert len(ids) == len(set(ids)), f"duplicate panel ids: {sorted(ids)}"
    taken: dict[tuple[int, int], str] = {}
    for panel in found:
        box = panel["gridPos"]
        assert box["x"] + box["w"] <= 24, panel["title"]
        for x in range(box["x"], box["x"] + box["w"]):
            for y in range(box["y"], box["y"] + box["h"]):
                assert (x, y) not in taken, f"{panel['title']} overlaps {taken[(x, y)]}"
                taken[(x, y)] = panel["title"]


@pytest.mark.parametrize("name", DASHBOARDS)
def test_every_panel_queries_the_templated_prometheus(name: str) -> None:
    for panel in panels(DASHBOARDS[name]):
        if panel["type"] == "row":
            continue
        title = panel["title"]
        assert panel["datasource"] == DATASOURCE, title
        assert panel.get("description"), f"{title}: say what the panel shows"
        assert panel["targets"], f"{title}: no query"
        refs = [target["refId"] for target in panel["targets"]]
        assert len(refs) == len(set(refs)), f"{title}: duplicate refIds {refs}"
        for target in panel["targets"]:
            assert target["datasource"] == DATASOURCE, title
            assert target["expr"].strip(), title
    for variable in variables(DASHBOARDS[name]):
        if variable["type"] == "query":
            assert variable["datasource"] == DATASOURCE, variable["name"]
            assert variable["definition"] == variable_query(variable), variable["name"]
            assert variable.get("allValue") or not variable["includeAll"], variable["name"]


@pytest.mark.parametrize("name", DASHBOARDS)
def test_every_variable_a_query_uses_is_defined(name: str) -> None:
    dashboard = DASHBOARDS[name]
    defined = {variable["name"] for variable in variables(dashboard)} | GRAFANA_GLOBALS
    texts = [query.expr for query in queries(name)]
    texts += [variable_query(v) for v in variables(dashboard) if v["type"] == "query"]
    for text in texts:
        for match in VARIABLE.finditer(text):
            used = next(group for group in match.groups() if group)
            assert used in defined, f"${used} is not a variable of {name}: {text}"


def test_links_name_existing_dashboards() -> None:
    text = "".join(json.dumps(dashboard) for dashboard in DASHBOARDS.values())
    linked = set(re.findall(r"/d/([\w-]+)/", text))
    assert linked, "the SRE overview links each contract to the contract dashboard"
    assert linked <= set(DASHBOARDS)


def test_provisioning_files() -> None:
    folder = GRAFANA / "provisioning"
    providers = yaml.safe_load((folder / "dashboards" / "slawatch.yaml").read_text())
    assert providers["apiVersion"] == 1
    [provider] = providers["providers"]
    assert provider["type"] == "file"
    assert provider["options"]["path"].startswith("/")
    sources = yaml.safe_load((folder / "datasources" / "prometheus.yaml").read_text())
    assert sources["apiVersion"] == 1
    [source] = sources["datasources"]
    assert source["type"] == "prometheus"
    assert source["jsonData"]["timeInterval"] == f"{SCRAPE_INTERVAL}s"


# -- The queries, against a real Prometheus and agent --------------------------------------

TARGET = "shop-web"
CONTRACT = "shop"


def short_lived_tls() -> ssl.SSLContext:
    """A server context whose certificate expires in two days: the critical TLS alert."""
    cert = trustme.CA().issue_cert("127.0.0.1", not_after=datetime.now(UTC) + timedelta(days=2))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    return context


def write_agent_config(folder: Path, url: str, port: int) -> Path:
    path = folder / "slawatch.yaml"
    path.write_text(
        f"""\
database: {{url: "sqlite:///{folder}/slawatch.db"}}
agent: {{listen: "127.0.0.1:{port}"}}
targets:
  - {{name: {TARGET}, kind: http, url: "{url}", verify_tls: false, interval: 1s,
     timeout: 500ms, confirm_after: 2}}
contracts:
  - name: {CONTRACT}
    service: {{targets: [{TARGET}]}}
    timezone: UTC
    period: month
    target: 99.5
    renewal:
      expires: 2030-01-31
      licence: subscription
      price: {{amount: 100, currency: EUR}}
      account: ACC-1
      renewal_id: RN-1
      product: Shop
      sku: SKU-1
    support:
      start_date: 2026-01-01
      calendar: 24x7
      priorities: [p1]
      targets: [{{name: response, stop: responded, business_time: 4h}}]
      objectives: [{{name: share, target: response, threshold: 90, period: month}}]
""",
        encoding="utf-8",
    )
    return path


def import_tickets(config: Path, folder: Path) -> None:
    """A request answered within its allowance, and one still waiting for an answer."""
    now = int(datetime.now(UTC).timestamp())
    path = folder / "tickets.csv"
    rows = [
        ("T-1", "opened", now - 1800, "p1"),
        ("T-1", "responded", now - 1500, ""),
        ("T-2", "opened", now - 600, "p1"),
    ]
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["ticket", "contract", "event", "timestamp", "priority"])
        for ticket, event, t, priority in rows:
            stamp = datetime.fromtimestamp(t, UTC).isoformat()
            writer.writerow([ticket, CONTRACT, event, stamp, priority])
    cli(config, "ticket", "import", "--events", str(path))


def cli(config: Path, *args: str) -> None:
    """``slawatch ARGS -c CONFIG`` in a process of its own, as an operator runs it."""
    result = subprocess.run(
        [sys.executable, "-m", "slawatch.cli", *args, "-c", str(config)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def import_history(config: Path, folder: Path) -> None:
    """The last hour, a probe a second, with ten minutes down in the middle."""
    now = int(datetime.now(UTC).timestamp())
    path = folder / "history.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["target", "timestamp", "ok"])
        for t in range(now - 3600, now - 5):
            down = now - 1800 <= t < now - 1200
            writer.writerow([TARGET, datetime.fromtimestamp(t, UTC).isoformat(), int(not down)])
    cli(config, "import", "--results", str(path))


def play_an_outage(web: Target, prometheus: PrometheusServer) -> None:
    """Three failed probes between passing ones, each state seen by Prometheus."""
    prometheus.wait_for('probe_success{job="slawatch"} == 1', "a passing probe scraped")
    web.healthy = False
    failed_from = web.answered
    wait_until(lambda: web.answered >= failed_from + 3, "three failed probes")
    web.healthy = True
    prometheus.wait_for('changes(probe_success{job="slawatch"}[1m]) >= 2', "the flip back")
    prometheus.wait_for(
        'ALERTS{alertname="SlawatchCertificateExpiryCritical"}', "the TLS alert pending"
    )
    prometheus.wait_for(
        'increase(slawatch_sla_downtime_seconds_total{job="slawatch"}[1m]) > 0',
        "the outage counted as downtime",
    )
    prometheus.wait_for("contract:slawatch_sla_burn_rate:ratio_rate5m", "a burn rate")


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrometheusServer]:
    """Prometheus scraping an agent that has history and has just seen an outage."""
    prometheus_binary()  # skip (or fail, under CI) before starting anything
    folder = tmp_path_factory.mktemp("dashboards")
    with ExitStack() as cleanup:
        web = Target(tls=short_lived_tls())
        cleanup.callback(web.close)
        agent_port = free_port()
        server = PrometheusServer(
            folder, free_port(), f"127.0.0.1:{agent_port}", [RULES], "slawatch"
        )
        cleanup.callback(server.stop)
        config = write_agent_config(folder, web.url, agent_port)
        import_history(config, folder)
        import_tickets(config, folder)
        agent = AgentProcess(config, agent_port, folder / "agent.log")
        cleanup.callback(agent.kill)
        play_an_outage(web, server)
        yield server


def seconds(duration: str) -> float:
    return sum(int(n) * SECONDS[unit] for n, unit in DURATION.findall(duration))


def grafana_globals(query: Query) -> dict[str, str]:
    """$__interval and friends as Grafana fills them for this query at its smallest
    interval: the query's min interval, else the data source's scrape interval. Then
    $__rate_interval, max($__interval + scrape, 4 x scrape) with the min interval
    standing for the scrape interval, is 4 x $__interval."""
    interval = seconds(query.interval) if query.interval else SCRAPE_INTERVAL
    rate_interval = 4 * interval
    time_range = seconds(query.time_range.removeprefix("now-"))
    return {
        "__interval": f"{interval:g}s",
        "__interval_ms": f"{interval * 1000:g}",
        "__rate_interval": f"{rate_interval:g}s",
        "__range": f"{time_range:g}s",
        "__range_s": f"{time_range:g}",
        "__range_ms": f"{time_range * 1000:g}",
    }


def substitute(text: str, values: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        return values[next(group for group in match.groups() if group)]

    return VARIABLE.sub(replace, text)


def label_values(prometheus: PrometheusServer, definition: str) -> list[str]:
    """What ``label_values(selector, label)`` lists now."""
    match = LABEL_VALUES.fullmatch(definition)
    assert match, f"not a label_values() query: {definition}"
    found = prometheus.series(f"group by ({match['label']}) ({match['selector']})")
    return sorted(labels[match["label"]] for labels in found)


def resolve_variables(prometheus: PrometheusServer, name: str) -> dict[str, str]:
    """Each query variable as Grafana first fills it: "All" where offered, else the
    first value listed (in order: a later variable may use an earlier one)."""
    values: dict[str, str] = {}
    for variable in variables(DASHBOARDS[name]):
        if variable["type"] != "query":
            continue
        if variable["includeAll"]:
            values[variable["name"]] = variable["allValue"]
            continue
        listed = label_values(prometheus, substitute(variable_query(variable), values))
        values[variable["name"]] = listed[0] if listed else "(none)"
    return values


@pytest.fixture(scope="module")
def values(prometheus: PrometheusServer) -> dict[str, dict[str, str]]:
    """Each dashboard's variables as Grafana would fill them now."""
    return {name: resolve_variables(prometheus, name) for name in DASHBOARDS}


@pytest.mark.parametrize(
    ("name", "variable"), QUERY_VARIABLES, ids=[f"{n}:${v['name']}" for n, v in QUERY_VARIABLES]
)
def test_variable_lists_values(
    prometheus: PrometheusServer,
    values: dict[str, dict[str, str]],
    name: str,
    variable: dict[str, Any],
) -> None:
    definition = substitute(variable_query(variable), values[name])
    assert label_values(prometheus, definition), f"no values for {definition}"


@pytest.mark.parametrize(
    "query", ALL_QUERIES, ids=[f"{q.dashboard}:{q.place}" for q in ALL_QUERIES]
)
def test_query_returns_data(
    prometheus: PrometheusServer, values: dict[str, dict[str, str]], query: Query
) -> None:
    expr = substitute(query.expr, values[query.dashboard] | grafana_globals(query))
    answer = prometheus.query(expr)
    assert answer["status"] == "success", f"{expr}: {answer.get('error')}"
    assert answer["data"]["result"], f"no data for {expr}"
