"""The README's example, byte for byte: the JSON, CSV and HTML reports of the three seed
contracts for 2026-10 and the agent's ``/metrics`` text over that history.

The golden files under tests/golden/ were written by the code before the package
layout changed (issue 9); moving modules must not move a byte. When a deliberate change
alters the output, rewrite them with ``SLAWATCH_WRITE_GOLDEN=1 pytest
tests/test_layout_golden.py`` and review the diff.

The daily chart inside the HTML is a PNG whose bytes depend on matplotlib's version
(it writes its version into the file) and on FreeType: it is compared as "a PNG is
there", the page around it byte for byte.
"""

from __future__ import annotations

import os
import re
import urllib.request
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from prometheus_client import CollectorRegistry, disable_created_metrics

from slawatch.agent.http.server import AgentServer
from slawatch.cli import main
from slawatch.config import load_config
from slawatch.exporters.agent_metrics import AgentMetrics
from slawatch.exporters.sla_metrics import SlaSeries, settle_seconds
from slawatch.probes.result import Outcome, ProbeResult
from slawatch.store.store import Store

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).resolve().parent / "golden"
SEED = ROOT / "config" / "seed-contracts.yaml"
HISTORY = ROOT / "config" / "examples" / "history-2026-10.csv.gz"
CONTRACTS = ("cegid-portal", "smileo-backup", "ipfolio")
AS_OF = "2026-11-01T00:00:00+00:00"  # the month is over: the whole period, as README shows it
SCRAPE_AT = datetime.fromisoformat("2026-10-24T00:00:00+00:00").timestamp()  # mid-period
WRITE = os.environ.get("SLAWATCH_WRITE_GOLDEN", "") not in ("", "0")
PNG_URI = re.compile(rb"data:image/png;base64,iVBORw0KGgo[A-Za-z0-9+/=]+")


def assert_golden(name: str, produced: bytes) -> None:
    """``produced`` equals tests/golden/NAME (or becomes it, with SLAWATCH_WRITE_GOLDEN)."""
    path = GOLDEN / name
    if WRITE:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(produced)
    assert produced == path.read_bytes(), f"{name} differs from its golden file"


@pytest.fixture(scope="module")
def example_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite database holding the README's example history, imported as the README does."""
    url = f"sqlite:///{tmp_path_factory.mktemp('golden')}/slawatch.db"
    args = ["import", "-c", str(SEED), "--db", url, "--results", str(HISTORY)]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return url


# The English internal view writes what the reports wrote before languages and views
# (issue 10): its golden files are those of then, unchanged. The default, the customer
# view in the seeds' French, has golden files of its own (.fr.csv, .fr.html).
VIEWS = {"": ("--locale", "en", "--view", "internal"), ".fr": ()}


@pytest.mark.parametrize(("fmt", "view"), [("json", ""), ("csv", ""), ("html", ""), ("csv", ".fr"), ("html", ".fr")])  # fmt: skip
@pytest.mark.parametrize("contract", CONTRACTS)
def test_report_bytes_are_the_golden_ones(
    example_db: str, contract: str, fmt: str, view: str
) -> None:
    args = ["report", "-c", str(SEED), "--db", example_db, "--contract", contract]
    args += ["--period", "2026-10", "--format", fmt, "--as-of", AS_OF, *VIEWS[view]]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    produced = result.stdout_bytes
    if fmt == "html":
        produced, charts = PNG_URI.subn(b"data:image/png;base64,CHART", produced)
        assert charts == 1
    assert_golden(f"{contract}-2026-10{view}.{fmt}", produced)


# One fixed result per seed target: a success with every phase and a certificate, a
# failed check, a timeout; the lateness is fixed too, so nothing depends on the clock.
RESULTS = {
    "cegid-portal-web": ProbeResult(
        Outcome.OK,
        0.25,
        status_code=200,
        phases={"connect": 0.05, "tls": 0.1, "processing": 0.075, "transfer": 0.025},
        cert_expiry=1_800_000_000.0,
    ),
    "smileo-gateway": ProbeResult(
        Outcome.CHECK_FAILED, 0.5, status_code=503, error_class="status_not_accepted"
    ),
    "smileo-s3": ProbeResult(Outcome.TIMEOUT, 10.0, error_class="read_timeout"),
    "ipfolio-app": ProbeResult(Outcome.OK, 0.125, status_code=200),
}


def healthy() -> tuple[bool, dict[str, object]]:
    return True, {}


def no_ping(_: str) -> bool:
    return False


def test_metrics_text_is_the_golden_one(example_db: str) -> None:
    """What ``GET /metrics`` serves: the agent's series, then the SLA series as of a
    fixed instant in October 2026."""
    disable_created_metrics()  # type: ignore[no-untyped-call]  # as the agent does
    registry = CollectorRegistry()
    metrics = AgentMetrics(registry, version="0.1.0")  # not the installed one: stable
    for lateness, (target, result) in enumerate(RESULTS.items()):
        metrics.observe(target, result, lateness / 8)
    with Store.open(example_db) as store:
        config = load_config(SEED)
        scraped = SCRAPE_AT + settle_seconds(config, 0)  # the series show SCRAPE_AT
        series = SlaSeries(store, config, lambda: scraped)
        series.refresh()  # as the agent's refresh thread does before the first scrape
        server = AgentServer(
            "127.0.0.1:0",
            registry,
            healthy,
            no_ping,
            probe_metrics=metrics.targets.exposition,
            more_metrics=series.exposition,
        )
        server.start()
        try:
            url = f"http://127.0.0.1:{server.port}/metrics"
            with urllib.request.urlopen(url, timeout=10) as response:
                text = response.read()
        finally:
            server.close()
    assert_golden("metrics.txt", text)
