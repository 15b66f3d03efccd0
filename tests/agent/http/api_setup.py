"""What the API tests share: a config with two contracts (and a third with only a
renewal part), a known October 2026 history for their targets, and the tokens the
agent reads from its environment."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from slawatch.config import load_config
from slawatch.store.store import SampleRow, Store


def utc(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


HISTORY_START = utc("2026-10-01T00:00:00")
HISTORY_END = utc("2026-10-19T12:00:00")  # a Monday: the samples stop here
OUTAGE = (utc("2026-10-05T10:00:00"), utc("2026-10-05T10:45:00"))  # web down, 45 min
NOW = HISTORY_END  # what the API's clock says unless a test moves it
INTERVAL = 300
TOKENS = {"TEST_OPS_TOKEN": "ops-secret-token", "TEST_CI_TOKEN": "ci-secret-token"}

CONFIG = """\
database: {{url: "{db}"}}
agent:
  listen: "127.0.0.1:{port}"
  spool_dir: "{spool}"
  api_tokens: {{ops: TEST_OPS_TOKEN, ci: TEST_CI_TOKEN}}
targets:
  - {{name: web, kind: http, url: "{url}", interval: 5m, timeout: 2s}}
  - {{name: office-web, kind: http, url: "{url}", interval: 5m, timeout: 2s}}
contracts:
  - name: web-sla
    description: The web shop
    service: {{targets: [web]}}
    timezone: UTC
    period: month
    target: 99.9
    credits:
      basis: downtime_minutes
      tiers: [{{up_to: 30, credit: 0}}, {{credit: 10}}]
    claims_required: true
    fee: {{amount: 1000, currency: EUR}}
  - name: office
    service: {{targets: [office-web]}}
    timezone: Europe/Paris
    period: month
    reference: {{windows: ["mon-fri 08:00-18:00"], holidays: {{country: FR}}}}
    maintenance: {{notice: 48h, windows: [{{weekly: "sat,sun 00:00-24:00"}}]}}
    target: 99
    support:
      start_date: 2026-01-01
      calendar: {{windows: ["mon-fri 09:00-17:00"], holidays: {{country: FR}}}}
      priorities: [p1, p2]
      targets: [{{name: response, stop: responded, business_time: 4h}}]
      objectives: [{{name: share, target: response, threshold: 90, period: month}}]
  - name: licence
    timezone: Europe/Paris
    renewal:
      expires: 2026-12-31
      licence: perpetual-maintenance
      price: {{amount: 1200, currency: EUR}}
      account: ACC-1
      renewal_id: RN-1
      product: Acronis Cyber Protect
      sku: SKU-1
"""


def write_config(path: Path, db: str, port: int = 9115, url: str = "http://127.0.0.1:9/") -> Path:
    path.write_text(CONFIG.format(db=db, port=port, url=url, spool=path.parent / "spool"))
    return path


def load_history(db_url: str, config_path: Path) -> None:
    """Every 5 minutes from 1 October to ``HISTORY_END``; ``web`` fails during ``OUTAGE``."""
    rows = [
        SampleRow(target, t * 1000, not (target == "web" and OUTAGE[0] <= t < OUTAGE[1]))
        for t in range(HISTORY_START, HISTORY_END, INTERVAL)
        for target in ("web", "office-web")
    ]
    with Store.open(db_url) as store:
        store.import_samples([rows], load_config(config_path).timeline_rules())
