"""The writer: samples spooled are acknowledged, the spool is written oldest first,
drops are counted and logged once per episode, and a spool that cannot be written
falls back to memory without losing what the database can take."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import pytest

from slawatch.agent.spool import Spool
from slawatch.agent.writer import Counters, SampleWriter
from slawatch.sla.timeline import TimelineRule
from slawatch.store.store import SampleRow, Store

RULES = {"web": TimelineRule(interval=1)}
START_MS = 1_790_000_000_000


def rows(start: int, count: int) -> list[SampleRow]:
    return [
        SampleRow("web", START_MS + i * 1000, True, 1.0, 200) for i in range(start, start + count)
    ]


class Tally:
    """The counters a writer reported, as the agent's metrics would see them."""

    def __init__(self) -> None:
        self.spooled = self.written = self.dropped = self.failures = 0

    def counters(self) -> Counters:
        def add(name: str) -> Callable[[int], None]:
            return lambda n: setattr(self, name, getattr(self, name) + n)

        return Counters(add("spooled"), add("written"), add("dropped"), add("failures"))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(f"sqlite:///{tmp_path}/agent.db") as opened:
        yield opened


def writer_on(store: Store, spool: Spool, tally: Tally, capacity: int = 1000) -> SampleWriter:
    return SampleWriter(store, RULES, spool, capacity=capacity, counters=tally.counters())


def test_spooled_samples_are_written_and_the_gauge_counts_them_until_then(
    tmp_path: Path, store: Store
) -> None:
    tally = Tally()
    writer = writer_on(store, Spool.open(tmp_path / "spool", "db", 1 << 30), tally)
    for row in rows(0, 5):
        writer.add(row)
    assert writer.pending == 5  # in memory
    writer.spool_waiting()
    assert (writer.pending, tally.spooled, writer.spool.samples) == (5, 5, 5)  # on disk
    writer.write_waiting()
    assert (writer.pending, tally.written, store.sample_count("web")) == (0, 5, 5)


def test_what_an_earlier_run_spooled_is_written_first(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    earlier = Spool.open(tmp_path / "spool", "db", 1 << 30)
    earlier.append(rows(0, 3))
    earlier.close()
    tally = Tally()
    writer = writer_on(store, Spool.open(tmp_path / "spool", "db", 1 << 30), tally)
    assert writer.pending == 3
    for row in rows(3, 2):
        writer.add(row)
    writer.spool_waiting()
    written: list[list[SampleRow]] = []
    commit = store.import_samples

    def spy(batches: Iterable[Sequence[SampleRow]], rules: object, audit: object = None) -> object:
        batch = list(next(iter(batches)))
        written.append(batch)
        return commit([batch], RULES)

    monkeypatch.setattr(store, "import_samples", spy)
    writer.write_waiting()
    assert written == [rows(0, 3), rows(3, 2)]


def test_a_full_spool_drops_new_samples_counted_and_logged_once_per_episode(
    tmp_path: Path, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    tally = Tally()
    spool = Spool.open(tmp_path / "spool", "db", 1 << 30)
    spool.append(rows(0, 10))
    limit = spool.size + 10  # room for nothing more
    spool.close()
    writer = writer_on(store, Spool.open(tmp_path / "spool", "db", limit), tally)
    with caplog.at_level(logging.INFO, "slawatch.agent.writer"):
        for second in range(1, 6):  # the database away: nothing leaves the spool
            for row in rows(second * 10, 10):
                writer.add(row)
            writer.spool_waiting()
        assert (tally.dropped, tally.spooled, writer.pending) == (50, 0, 10)
        writer.write_waiting()  # the database takes the spool
        for row in rows(60, 10):
            writer.add(row)
        writer.spool_waiting()
    assert tally.spooled == 10
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        (
            "ERROR",
            "spool full (agent.spool_max_bytes): dropping samples, their time turns unknown",
        ),
        ("WARNING", "spool full (agent.spool_max_bytes): 50 samples dropped in all; none any more"),
    ]


def test_a_spool_that_cannot_be_written_leaves_the_samples_to_the_database(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    tally = Tally()
    writer = writer_on(store, Spool.open(tmp_path / "spool", "db", 1 << 30), tally, capacity=15)

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    with caplog.at_level(logging.INFO, "slawatch.agent.writer"):
        with monkeypatch.context() as patch:
            patch.setattr(os, "fsync", disk_full)  # the spool calls os.fsync
            for second in range(2):
                for row in rows(second * 10, 10):
                    writer.add(row)
                writer.spool_waiting()
            assert (tally.spooled, tally.dropped, writer.pending) == (0, 5, 15)  # oldest dropped
            writer.write_waiting()  # straight from memory
            assert (tally.written, store.sample_count("web"), writer.pending) == (15, 15, 0)
        writer.add(rows(20, 1)[0])
        writer.spool_waiting()  # the disk is back
    assert tally.spooled == 1
    messages = [r.getMessage() for r in caplog.records]
    assert messages == [
        "the spool cannot be written, samples wait in memory: [Errno 28] No space left on device",
        "memory buffer full while the spool fails: dropping samples, their time turns unknown",
        "memory buffer full while the spool fails: 5 samples dropped in all; none any more",
        "the spool takes samples again",
    ]


def test_spooled_samples_of_a_target_gone_from_the_config_are_dropped_not_stuck(
    tmp_path: Path, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    earlier = Spool.open(tmp_path / "spool", "db", 1 << 30)
    earlier.append([*rows(0, 2), SampleRow("gone", START_MS, True)])
    earlier.close()
    tally = Tally()
    writer = writer_on(store, Spool.open(tmp_path / "spool", "db", 1 << 30), tally)
    with caplog.at_level(logging.ERROR, "slawatch.agent.writer"):
        writer.write_waiting()
    assert (tally.written, tally.dropped, writer.pending, tally.failures) == (2, 1, 0, 0)
    assert store.sample_count("web") == 2
    assert caplog.messages == [
        "spooled samples of targets no longer in the config: dropping samples, "
        "their time turns unknown"
    ]


def test_a_sample_contradicting_a_stored_one_is_dropped_and_the_rest_written(
    tmp_path: Path, store: Store
) -> None:
    """The clock stepped back onto a stored instant: the new sample is dropped and
    counted, the others of its segment written, and the spool does not block."""
    store.import_samples([rows(0, 1)], RULES)
    tally = Tally()
    writer = writer_on(store, Spool.open(tmp_path / "spool", "db", 1 << 30), tally)
    writer.add(SampleRow("web", START_MS, False, 1.0, 500))  # contradicts the stored ok
    for row in rows(1, 3):
        writer.add(row)
    writer.spool_waiting()
    writer.write_waiting()
    assert (writer.pending, tally.written, tally.dropped, tally.failures) == (0, 3, 1, 0)
    assert store.sample_count("web") == 4


def test_a_reload_keeps_the_rules_of_targets_it_dropped_and_shares_the_configs_else(
    tmp_path: Path, store: Store
) -> None:
    """Samples of a dropped target may still wait to be written: its rule stays. A
    reload that drops none hands over the config's mapping as it is (no copy of every
    rule for the agent's life)."""
    writer = writer_on(store, Spool.open(tmp_path / "spool", "db", 1 << 30), Tally())
    assert writer.rules is RULES
    grown = {**RULES, "api": TimelineRule(interval=30)}
    writer.update_rules(grown)
    assert writer.rules is grown
    dropped = {"api": TimelineRule(interval=60)}
    writer.update_rules(dropped)
    assert writer.rules == {"web": RULES["web"], "api": dropped["api"]}
    assert grown == {**RULES, "api": TimelineRule(interval=30)}  # nothing changed in place
