"""The support series, over SQLite and PostgreSQL: open requests, time left before the
nearest deadline, objective shares; they move on with the clock (a deadline passing
decides a request) and follow every audited import, whichever process made it."""

from __future__ import annotations

import math
import shutil
import subprocess
from collections.abc import Mapping
from datetime import datetime

import pytest
from prometheus_client.parser import text_string_to_metric_families

from slawatch.app.support import assess_support_stored
from slawatch.config import parse_config
from slawatch.exporters.support_metrics import SupportSeries
from slawatch.sla.support import EventKind, PauseReason
from slawatch.sla.support_assess import resolve_support_period
from slawatch.store.store import Store, TicketEvent
from slawatch.store.tickets import StoredTicket

CONFIG = parse_config(
    """
targets:
  - {name: web, kind: http, url: "http://127.0.0.1:9/"}
contracts:
  - name: desk
    service: {targets: [web]}
    timezone: Europe/Paris
    period: month
    target: 99
    support:
      start_date: 2026-01-01
      calendar: {windows: ["mon-fri 09:00-17:00"], holidays: {country: FR}}
      priorities: [p1, p2]
      targets:
        - {name: response, stop: responded, business_time: 4h}
      objectives:
        - {name: share, target: response, threshold: 75, period: month}
"""
)
E = EventKind


def at(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp())


NOW = at("2026-10-21T12:00:00+02:00")  # Wednesday noon in Paris


def accept(_: Mapping[tuple[str, str], StoredTicket]) -> None:
    """Checks are the importer's business; these tests store known-good events."""


def add(store: Store, *events: tuple[str, EventKind, str, str | None]) -> None:
    rows = [
        TicketEvent(
            "desk",
            ticket,
            kind,
            at(when),
            priority,
            PauseReason.WAITING_CLIENT if kind is E.PAUSED else None,
        )
        for ticket, kind, when, priority in events
    ]
    store.import_ticket_events(rows, accept, actor="helpdesk", source="test")


class Scraper:
    def __init__(self, store: Store) -> None:
        self.clock = float(NOW)
        self.series = SupportSeries(store, CONFIG, lambda: self.clock)

    def scrape(self, when: int | None = None) -> dict[tuple[str, ...], float]:
        if when is not None:
            self.clock = float(when)
        self.series.refresh()  # the agent's thread does it every second
        text = self.series.exposition().decode()
        return {
            (sample.name, *sample.labels.values()): sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        }


@pytest.fixture
def desk(store: Store) -> Store:
    add(
        store,
        ("met", E.OPENED, "2026-10-19T09:00:00+02:00", "p1"),
        ("met", E.RESPONDED, "2026-10-19T10:00:00+02:00", None),
        ("breached", E.OPENED, "2026-10-19T09:00:00+02:00", "p1"),
        ("breached", E.RESPONDED, "2026-10-20T10:00:00+02:00", None),
        ("closed", E.OPENED, "2026-10-20T09:00:00+02:00", "p2"),
        ("closed", E.RESPONDED, "2026-10-20T09:30:00+02:00", None),
        ("closed", E.CLOSED, "2026-10-20T11:00:00+02:00", None),
        # Opened at 11:00 today: due 15:00, three quarters of its 4 h left at noon.
        ("fresh", E.OPENED, "2026-10-21T11:00:00+02:00", "p2"),
        # Opened at 09:30: due 13:30, 1 h 30 of 4 h left (37.5 %).
        ("older", E.OPENED, "2026-10-21T09:30:00+02:00", "p2"),
        # Paused since 10:00 and not resumed: no deadline, not at risk.
        ("waiting", E.OPENED, "2026-10-21T09:00:00+02:00", "p1"),
        ("waiting", E.PAUSED, "2026-10-21T10:00:00+02:00", None),
    )
    return store


def test_the_series_at_noon(desk: Store) -> None:
    series = Scraper(desk).scrape()
    assert series["slawatch_support_open_requests", "desk", "p1"] == 3  # met, breached, waiting
    assert series["slawatch_support_open_requests", "desk", "p2"] == 2  # fresh, older
    assert series["slawatch_support_deadline_remaining_seconds", "desk", "p2", "response"] == 5400
    assert series["slawatch_support_allowance_remaining_ratio", "desk", "p2", "response"] == 0.375
    assert ("slawatch_support_deadline_remaining_seconds", "desk", "p1", "response") not in series
    assert series["slawatch_support_objective_share_ratio", "desk", "share"] == 2 / 3
    assert series["slawatch_support_objective_at_risk_share_ratio", "desk", "share"] == 2 / 3
    assert series["slawatch_support_objective_threshold_ratio", "desk", "share"] == 0.75
    counts = {
        o: series["slawatch_support_objective_requests", "desk", "share", o]
        for o in ("met", "breached", "pending")
    }
    assert counts == {"met": 2, "breached": 1, "pending": 3}


def test_with_the_clock_a_request_runs_into_risk_then_its_deadline_decides_it(desk: Store) -> None:
    scraper = Scraper(desk)
    scraper.scrape()
    # 12:40: "older" has 50 min of 4 h left (< a quarter): at risk.
    series = scraper.scrape(at("2026-10-21T12:40:00+02:00"))
    assert (
        series["slawatch_support_allowance_remaining_ratio", "desk", "p2", "response"] == 50 / 240
    )
    assert series["slawatch_support_objective_at_risk_share_ratio", "desk", "share"] == 2 / 4
    # 13:30: its deadline passed without an answer: breached, no longer pending.
    series = scraper.scrape(at("2026-10-21T13:30:00+02:00"))
    assert series["slawatch_support_objective_share_ratio", "desk", "share"] == 2 / 4
    assert series["slawatch_support_deadline_remaining_seconds", "desk", "p2", "response"] == 5400
    assert series["slawatch_support_objective_requests", "desk", "share", "breached"] == 2


def test_an_audited_import_of_another_process_shows_at_the_next_scrape(
    desk: Store, db_url: str
) -> None:
    scraper = Scraper(desk)
    scraper.scrape()
    with Store.open(db_url) as other_process:
        add(other_process, ("older", E.RESPONDED, "2026-10-21T11:50:00+02:00", None))
    series = scraper.scrape()
    assert series["slawatch_support_objective_share_ratio", "desk", "share"] == 3 / 4
    assert (
        series["slawatch_support_deadline_remaining_seconds", "desk", "p2", "response"] == 3 * 3600
    )
    assert series["slawatch_support_open_requests", "desk", "p2"] == 2  # answered, not closed


def test_stored_clocks_give_the_same_series(desk: Store) -> None:
    before = Scraper(desk).scrape()
    model = CONFIG.contract("desk")
    assert model.support is not None
    terms = model.support.terms(model.timezone)
    month = resolve_support_period("2026-10", terms)
    assess_support_stored(desk, "desk", terms, month, NOW)  # stores the settled clocks
    stored, _ = desk.clocked_requests("desk", month.start, month.end, terms, NOW)
    assert sorted(r.request.ticket for r in stored) == ["breached", "closed", "met"]
    assert Scraper(desk).scrape() == before


def test_nothing_decided_is_nan(store: Store) -> None:
    add(store, ("only", E.OPENED, "2026-10-21T11:00:00+02:00", "p1"))
    series = Scraper(store).scrape()
    assert math.isnan(series["slawatch_support_objective_share_ratio", "desk", "share"])
    assert series["slawatch_support_open_requests", "desk", "p2"] == 0


def test_promtool_accepts_the_support_series(desk: Store) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool not installed (Debian package prometheus)")
    scraper = Scraper(desk)
    scraper.series.refresh()
    exposition = scraper.series.exposition()
    checked = subprocess.run(
        [promtool, "check", "metrics"], input=exposition, capture_output=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_scrape_reads_no_store(desk: Store) -> None:
    """The series move on with the clock from what the last refresh read, even with
    the store gone (the agent's scrapes never wait on the database)."""
    scraper = Scraper(desk)
    scraper.scrape()
    desk.close()
    scraper.clock = float(at("2026-10-21T13:30:00+02:00"))
    text = scraper.series.exposition().decode()
    assert (
        'slawatch_support_objective_requests{contract="desk",objective="share",outcome="breached"} 2.0'
        in text
    )
