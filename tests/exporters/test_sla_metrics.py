"""The SLA series: as of each scrape they say what a report computed then would say,
their counters never go back within a period, and they follow every change to the
store, whichever process made it."""

from __future__ import annotations

import math
import shutil
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, event

from slawatch.app.evaluate import Probing, evaluate_many
from slawatch.config import Config, parse_config
from slawatch.exporters.sla_metrics import SlaSeries, settle_seconds
from slawatch.sla.assess import Assessment
from slawatch.sla.exclusions import ExclusionReason, MaintenanceKind
from slawatch.sla.periods import period_containing
from slawatch.store.store import CounterHold, ImportAudit, SampleRow, Store, TimelineNews
from store.test_store import history

CONFIG = parse_config(
    """
targets:
  - {name: web, kind: http, url: "http://127.0.0.1:9/", interval: 60s, confirm_after: 2}
contracts:
  - name: hours
    service: {targets: [web]}
    timezone: Europe/Paris
    period: month
    reference: {windows: ["mon-fri 07:00-20:00"], holidays: {country: FR}}
    monitoring_since: 2026-10-01  # the whole month, although the samples start on the 19th
    target: 99
  - name: credits
    service: {targets: [web]}
    timezone: UTC
    period: month
    reference: 24x7
    target: 99.5
    credits:
      basis: downtime_minutes
      tiers:
        - {up_to: 30, credit: 0}
        - {credit: 25}
    claims_required: true
    fee: {amount: 1000, currency: EUR}
  - name: clauses
    service: {targets: [web]}
    timezone: UTC
    period: month
    target: 99.5
    credits:
      basis: downtime_minutes
      tiers:
        - {up_to: 30, credit: 0}
        - {credit: 25}
    claims_required: true
    outage_limits: [{longer_than: 45m, credit: 10}]
    credit_cap: 30
    fee: {amount: 1000, currency: EUR}
"""
)
MINUTE, HOUR = 60, 3600


def at(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp())


OCTOBER = at("2026-10-01T00:00:00+00:00")
MONDAY = at("2026-10-19T00:00:00+00:00")
OUTAGE = at("2026-10-21T10:00:00+00:00")  # Wednesday, 60 minutes down
GAP = at("2026-10-22T12:00:00+00:00")  # Thursday 14:00 in Paris: 10 minutes without samples
FRIDAY_18H_PARIS = at("2026-10-23T16:00:00+00:00")  # two hours before business hours end


def up_to(end: int, start: int = MONDAY) -> list[SampleRow]:
    """One sample a minute from ``start`` to ``end``, failing during the outage."""
    minutes = (end - start) // MINUTE
    marks = "".join(_mark(start + i * MINUTE) for i in range(minutes))
    return history(marks, "web", start)


def _mark(instant: int) -> str:
    if OUTAGE <= instant < OUTAGE + HOUR:
        return "x"
    return "_" if GAP <= instant < GAP + 10 * MINUTE else "."


class Scraper:
    """The series as a scrape finds them after the agent's refresh, read back as
    {(series, contract): value}. A scrape ``at`` an instant is made ``settle`` seconds
    later: the series show that instant."""

    def __init__(self, store: Store, config: Config = CONFIG) -> None:
        self.settle = settle_seconds(config, 0)
        self.clock = float(FRIDAY_18H_PARIS + self.settle)
        self.collector = SlaSeries(store, config, lambda: self.clock)

    def scrape(self, at: int | None = None) -> dict[tuple[str, str], float]:
        if at is not None:
            self.clock = float(at + self.settle)
        self.collector.refresh()
        text = self.collector.exposition().decode()
        return {
            (sample.name, sample.labels["contract"]): sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        }


@pytest.fixture
def fed(store: Store) -> Store:
    store.import_samples([up_to(FRIDAY_18H_PARIS)], CONFIG.timeline_rules())
    return store


@pytest.fixture
def scraper(fed: Store) -> Iterator[Scraper]:
    yield Scraper(fed)


def report(store: Store, contract: str, now: int) -> Assessment:
    terms = CONFIG.contract(contract).terms()
    period = period_containing(now, terms.period, terms.zone)
    return evaluate_many(store, [(terms, period)], Probing.of(CONFIG), now)[0]


def assert_matches_report(
    series: dict[tuple[str, str], float], store: Store, now: int, *, held: bool = False
) -> None:
    """The series are the report's figures; with ``held``, a correction lowered the
    figures and the counters keep their highest value instead."""
    for contract in ("hours", "credits", "clauses"):
        a = report(store, contract, now)
        counted = a.tally.reference - a.tally.excluded - a.score.left_out_unknown
        if not held:
            assert series["slawatch_sla_reference_seconds_total", contract] == counted
            assert (
                series["slawatch_sla_downtime_seconds_total", contract] == a.score.counted_downtime
            )
        assert series["slawatch_sla_availability_ratio", contract] == float(
            a.score.availability / 100
        )
        assert series["slawatch_sla_coverage_ratio", contract] == float(a.score.coverage / 100)
        credit = a.score.credit.percent if a.score.credit else 0
        assert series["slawatch_sla_credit_ratio", contract] == float(credit / 100)


def test_the_series_say_what_a_report_says_at_the_same_instant(
    scraper: Scraper, fed: Store
) -> None:
    series = scraper.scrape()
    assert_matches_report(series, fed, FRIDAY_18H_PARIS)
    assert series["slawatch_sla_downtime_seconds_total", "credits"] == HOUR
    # 286 business hours in October 2026 (no French holiday on a weekday), 99 %
    assert series["slawatch_sla_period_reference_seconds", "hours"] == 286 * HOUR
    assert series["slawatch_sla_error_budget_seconds", "hours"] == pytest.approx(0.01 * 286 * HOUR)
    assert series["slawatch_sla_error_budget_remaining_seconds", "hours"] == pytest.approx(
        0.01 * 286 * HOUR - HOUR
    )
    assert series["slawatch_sla_period_start_timestamp_seconds", "hours"] == at(
        "2026-10-01T00:00:00+02:00"
    )
    assert series["slawatch_sla_period_end_timestamp_seconds", "credits"] == at(
        "2026-11-01T00:00:00+00:00"
    )
    assert series["slawatch_sla_target_ratio", "credits"] == 0.995


def test_a_new_install_is_assessed_from_its_first_sample_and_its_coverage_holds(
    scraper: Scraper,
) -> None:
    """The samples begin on Monday the 19th: "credits" (no monitoring_since) counts its
    month from there, so its coverage is the observed share of the time it was watched
    (one 10-minute gap), not of the whole month: SlaCoverageTooLow, which fires below the
    minimum for 1 h, stays quiet for the rest of the month of an install. "hours" says
    ``monitoring_since: 2026-10-01`` and keeps the whole month as reference time."""
    series = scraper.scrape()
    credits = "credits"
    assert series["slawatch_sla_period_reference_seconds", credits] == at(
        "2026-11-01T00:00:00+00:00"
    ) - (MONDAY)
    watched = FRIDAY_18H_PARIS - MONDAY
    assert series["slawatch_sla_coverage_ratio", credits] == pytest.approx(
        (watched - 10 * MINUTE) / watched, abs=120 / watched
    )
    assert (
        series["slawatch_sla_coverage_ratio", credits]
        > series["slawatch_sla_min_coverage_ratio", credits]
    )
    # Where the config says the month was watched from its start, the 18 days before the
    # first sample are unknown: coverage under the minimum, as it should be.
    assert series["slawatch_sla_coverage_ratio", "hours"] < 0.5


def test_between_changes_the_figures_move_on_with_the_clock_and_the_calendar(
    scraper: Scraper, fed: Store
) -> None:
    before = scraper.scrape()
    later = FRIDAY_18H_PARIS + 3 * HOUR  # 21:00 in Paris: business hours ended at 20:00
    # The agent keeps writing samples of a service that stays up: no timeline change.
    result = fed.import_samples(
        [up_to(later, FRIDAY_18H_PARIS)],
        CONFIG.timeline_rules(),
    )
    assert result.changed_targets == []
    after = scraper.scrape(later)
    counter = "slawatch_sla_reference_seconds_total"
    assert after[counter, "hours"] - before[counter, "hours"] == 2 * HOUR
    assert after[counter, "credits"] - before[counter, "credits"] == 3 * HOUR
    assert_matches_report(after, fed, later)


def test_a_new_outage_reaches_the_series_once_the_writer_says_so(
    scraper: Scraper, fed: Store
) -> None:
    scraper.scrape()
    down_from = FRIDAY_18H_PARIS
    failing = [row._replace(ok=False) for row in up_to(down_from + 30 * MINUTE, down_from)]
    result = fed.import_samples([failing], CONFIG.timeline_rules())
    assert result.changed_targets == ["web"]
    scraper.collector.take_news(result.news)
    now = down_from + 30 * MINUTE
    series = scraper.scrape(now)
    assert series["slawatch_sla_downtime_seconds_total", "credits"] == HOUR + 30 * MINUTE
    assert_matches_report(series, fed, now)
    # Still down an hour later, with no sample written meanwhile: the state holds.
    series = scraper.scrape(now + HOUR)
    assert series["slawatch_sla_downtime_seconds_total", "credits"] == 2 * HOUR + 30 * MINUTE


def test_a_recovery_on_its_way_is_not_counted_so_the_next_leader_carries_on(
    scraper: Scraper, fed: Store, db_url: str
) -> None:
    """The service is down; at ``back`` a sample finds it up, and reaches the store a
    few seconds later. The leader, which has not heard of it yet, continues the outage,
    but only up to ``settle`` seconds ago: killed then, it has exported no down second
    that the agent leading next, which reads the recovery, does not count too."""
    scraper.scrape()
    back = FRIDAY_18H_PARIS + 30 * MINUTE
    with Store.open(db_url, clock=lambda: back) as writer:
        failing = [row._replace(ok=False) for row in up_to(back, FRIDAY_18H_PARIS)]
        scraper.collector.take_news(writer.import_samples([failing], CONFIG.timeline_rules()).news)
    scraper.scrape(back - scraper.settle)
    scraper.clock = back + 5  # the recovery still on its way (5 s < settle)...
    old = scraper.collector.exposition().decode()  # ...the leader's last scrape
    with Store.open(db_url, clock=lambda: back + 5) as writer:
        writer.import_samples([history(".", "web", back)], CONFIG.timeline_rules())
    successor = Scraper(fed)
    successor.clock = back + 6
    successor.collector.refresh()
    new = successor.collector.exposition().decode()
    downtime = 'slawatch_sla_downtime_seconds_total{contract="credits"} '

    def counted(text: str) -> float:
        return float(text.split(downtime, 1)[1].split("\n", 1)[0])

    assert 0 <= counted(new) - counted(old) <= 1  # no counter reset, no jump
    outage = HOUR + 30 * MINUTE  # the hour in October, and the half hour until ``back``
    assert counted(new) == outage - scraper.settle + 6  # as of ``settle`` seconds before


def test_a_recovery_read_within_the_second_it_was_probed_ends_the_outage(
    scraper: Scraper, db_url: str
) -> None:
    """The refresh that follows a write often comes within the second its last sample
    was taken: the forecast must continue the state that sample set, not the one
    before it (which, for a recovery, would count down time until the next change)."""
    back = FRIDAY_18H_PARIS + 30 * MINUTE
    with Store.open(db_url, clock=lambda: back) as writer:
        failing = [row._replace(ok=False) for row in up_to(back, FRIDAY_18H_PARIS)]
        scraper.collector.take_news(writer.import_samples([failing], CONFIG.timeline_rules()).news)
        recovery = writer.import_samples([history(".", "web", back)], CONFIG.timeline_rules())
    scraper.collector.take_news(recovery.news)
    scraper.clock = back + 0.7
    scraper.collector.refresh()
    later = scraper.scrape(back + 10 * MINUTE)
    assert later["slawatch_sla_downtime_seconds_total", "credits"] == HOUR + 30 * MINUTE


def test_samples_written_after_the_target_went_unknown_reach_the_series(
    scraper: Scraper, db_url: str
) -> None:
    """The last sample was at 17:59, so the timeline turns unknown at 18:01 (two
    intervals on): a scrape at 18:01:30 continues the target unknown. The writer's
    late samples of 18:00 and 18:01 move that closing flip later, which is news to
    anyone who read the timeline since 18:01: the series are rebuilt, and count the
    time up again instead of continuing it unknown (and leaving it out)."""
    late = FRIDAY_18H_PARIS + MINUTE + 30
    scraper.scrape(late)
    with Store.open(db_url, clock=lambda: late) as writer:
        rows = up_to(FRIDAY_18H_PARIS + 2 * MINUTE, FRIDAY_18H_PARIS)
        result = writer.import_samples([rows], CONFIG.timeline_rules())
        assert result.news == TimelineNews(revived=frozenset({"web"}))
        scraper.collector.take_news(result.news)
        now = FRIDAY_18H_PARIS + 2 * MINUTE + 30
        assert_matches_report(scraper.scrape(now), writer, now)


def test_a_revived_target_rebuilds_only_the_forecasts_that_continued_it_unknown(
    scraper: Scraper,
) -> None:
    scraper.scrape()  # at 18:00 in Paris the sample of 17:59 still holds: up, not unknown
    statements: list[str] = []

    def seen(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        scraper.collector.take_news(TimelineNews(revived=frozenset({"web"})))
        scraper.collector.refresh()
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    assert statements  # the refresh read the audit log...
    # ...and rebuilt no forecast (a rebuild reads the contracts' records, and the flips)
    assert not [s for s in statements if "FROM maintenance" in s]


def test_a_correction_downwards_holds_the_counters_and_fixes_the_gauges(
    scraper: Scraper, fed: Store, db_url: str
) -> None:
    before = scraper.scrape()
    with Store.open(db_url) as other_process:
        other_process.add_exclusion(
            "credits", OUTAGE, OUTAGE + HOUR, ExclusionReason.FORCE_MAJEURE, "flood", "am"
        )
    after = scraper.scrape(FRIDAY_18H_PARIS + MINUTE)
    downtime = "slawatch_sla_downtime_seconds_total", "credits"
    assert after[downtime] == before[downtime] == HOUR  # held, not lowered
    assert after["slawatch_sla_availability_ratio", "credits"] == 1.0
    budget = after["slawatch_sla_error_budget_seconds", "credits"]
    assert after["slawatch_sla_error_budget_remaining_seconds", "credits"] == budget


def test_the_next_leader_carries_on_from_the_counters_held(
    scraper: Scraper, fed: Store, db_url: str
) -> None:
    """The old leader held its downtime counter at an hour when an exclusion made it
    0; an agent that leads next (or the same one restarted), whose data say 0, carries
    on from the hour: Prometheus sees no reset, which ``increase`` reads as a jump."""
    scraper.scrape()
    with Store.open(db_url) as other_process:
        other_process.add_exclusion(
            "credits", OUTAGE, OUTAGE + HOUR, ExclusionReason.FORCE_MAJEURE, "flood", "am"
        )
    now = FRIDAY_18H_PARIS + MINUTE
    old = scraper.scrape(now)
    scraper.collector.refresh()  # the leader's next refresh stores the hold
    downtime = "slawatch_sla_downtime_seconds_total", "credits"
    # The exclusion lowered both figures by the hour it excludes: both counters held.
    reference = int(old["slawatch_sla_reference_seconds_total", "credits"])
    assert fed.counter_holds()["credits"] == CounterHold("credits", OCTOBER, reference, HOUR)
    # The agent writes two more hours of samples: up, so the reference time grows.
    two_hours_on = now + 124 * MINUTE
    with Store.open(db_url, clock=lambda: two_hours_on) as writer:
        written = writer.import_samples([up_to(two_hours_on, now)], CONFIG.timeline_rules())
    scraper.collector.take_news(written.news)
    writes: list[str] = []

    def seen(*args: object) -> None:
        writes.extend([str(args[2])] if "sla_counter_holds" in str(args[2]) else [])

    event.listen(Engine, "before_cursor_execute", seen)
    try:  # two hours on, the reference has caught up: its counter is not held any more
        for minutes in range(120, 124):
            scraper.scrape(FRIDAY_18H_PARIS + minutes * MINUTE)
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    # The downtime's hold written once, though the reference counter grew at each scrape.
    assert len([w for w in writes if w.startswith("INSERT")]) == 1
    new = Scraper(fed).scrape(now + MINUTE)
    assert new[downtime] == old[downtime] == HOUR
    assert new["slawatch_sla_availability_ratio", "credits"] == 1.0
    # Counters of another period are not carried on: November starts from its data.
    november = at("2026-11-01T00:10:00+00:00")
    fed.import_samples([up_to(november, FRIDAY_18H_PARIS)], CONFIG.timeline_rules())
    assert Scraper(fed).scrape(november)[downtime] == 0


def test_counters_restart_with_the_next_period(scraper: Scraper, fed: Store) -> None:
    scraper.scrape()
    now = at("2026-11-01T00:10:00+00:00")
    fed.import_samples([up_to(now, FRIDAY_18H_PARIS)], CONFIG.timeline_rules())
    series = scraper.scrape(now)
    assert series["slawatch_sla_downtime_seconds_total", "credits"] == 0
    assert series["slawatch_sla_reference_seconds_total", "credits"] == 10 * MINUTE
    assert series["slawatch_sla_period_start_timestamp_seconds", "credits"] == at(
        "2026-11-01T00:00:00+00:00"
    )


def test_claims_maintenance_and_exclusions_of_another_process_show_at_the_next_scrape(
    scraper: Scraper, fed: Store, db_url: str
) -> None:
    before = scraper.scrape()
    assert before["slawatch_sla_credit_ratio", "credits"] == 0  # not claimed yet
    now = FRIDAY_18H_PARIS + MINUTE
    with Store.open(db_url) as other_process:
        other_process.add_claim("credits", OUTAGE + MINUTE, "SUP-1", "am")
        other_process.add_maintenance(
            "hours",
            now - HOUR,
            now + HOUR,
            MaintenanceKind.PLANNED,
            now - 7 * 24 * HOUR,
            "disk",
            "sre",
        )
        other_process.add_exclusion(
            "credits", now - HOUR, now + HOUR, ExclusionReason.CUSTOMER, "", "sre"
        )
    series = scraper.scrape(now)
    assert series["slawatch_sla_credit_ratio", "credits"] == 0.25  # 60 min > 30 min, claimed
    assert series["slawatch_sla_maintenance_active", "hours"] == 1
    assert series["slawatch_sla_exclusion_active", "hours"] == 0
    assert series["slawatch_sla_exclusion_active", "credits"] == 1
    assert series["slawatch_sla_maintenance_active", "credits"] == 0
    assert_matches_report(series, fed, now, held=True)


def test_an_audited_import_of_another_process_shows_at_the_next_scrape(
    scraper: Scraper, fed: Store, db_url: str
) -> None:
    scraper.scrape()
    # The gap's samples turn up: failures, 10 minutes down instead of unknown.
    failing = [SampleRow("web", (GAP + i * MINUTE) * 1000, ok=False) for i in range(10)]
    with Store.open(db_url) as other_process:
        audit = ImportAudit("importer", "late.csv", CONFIG.readers())
        other_process.import_samples([failing], CONFIG.timeline_rules(), audit)
    series = scraper.scrape(FRIDAY_18H_PARIS + MINUTE)
    assert series["slawatch_sla_downtime_seconds_total", "hours"] == HOUR + 10 * MINUTE
    assert_matches_report(series, fed, FRIDAY_18H_PARIS + MINUTE)


def test_a_scrape_never_reads_the_database(scraper: Scraper, fed: Store) -> None:
    """A database that hangs must not hang /metrics: scrapes read what the last
    refresh found, and the figures move on with the clock meanwhile."""
    first = scraper.scrape()
    statements: list[str] = []

    def seen(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        scraper.clock += HOUR
        text = scraper.collector.exposition().decode()
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    assert statements == []
    later = {
        (sample.name, sample.labels["contract"]): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    counter = "slawatch_sla_reference_seconds_total", "credits"
    assert later[counter] == first[counter] + HOUR


def test_nothing_measured_yet_is_nan_not_a_number_that_looks_fine(store: Store) -> None:
    series = Scraper(store).scrape()
    assert math.isnan(series["slawatch_sla_availability_ratio", "credits"])
    assert series["slawatch_sla_reference_seconds_total", "credits"] == 0
    assert math.isnan(series["slawatch_sla_coverage_ratio", "hours"]) is False  # R > 0 ...
    assert series["slawatch_sla_coverage_ratio", "hours"] == 0  # ... and nothing observed


def test_promtool_accepts_the_sla_series(scraper: Scraper, tmp_path: Path) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool not installed (Debian package prometheus)")
    scraper.scrape()
    exposition = scraper.collector.exposition()
    checked = subprocess.run(
        [promtool, "check", "metrics"], input=exposition, capture_output=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_credit_follows_the_outage_clauses_and_the_cap(scraper: Scraper, fed: Store) -> None:
    credit = "slawatch_sla_credit_ratio", "clauses"

    def owed(now: int) -> float:
        a = report(fed, "clauses", now)
        return float(a.score.credit.percent / 100) if a.score.credit else 0.0

    instants = (OUTAGE + 40 * MINUTE, OUTAGE + 45 * MINUTE, OUTAGE + 46 * MINUTE, FRIDAY_18H_PARIS)
    assert [scraper.scrape(now)[credit] for now in instants] == [0, 0, 0, 0]  # not claimed yet
    fed.add_claim("clauses", OUTAGE + MINUTE, "SUP-2", "am")
    # 40 min down: the 25 % tier; past 45 min also the clause's 10 %; capped at 30 %.
    found = [scraper.scrape(now)[credit] for now in instants]
    assert found == [0.25, 0.25, 0.3, 0.3]
    assert found == [owed(now) for now in instants]
