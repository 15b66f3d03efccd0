"""A full write buffer: every dropped sample counted, one log line per episode."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from slawatch.agent.writer import SampleWriter
from slawatch.sla.timeline import TimelineRule
from slawatch.store.store import SampleRow, Store

T0_MS = 1_790_000_000_000


def move_table(path: Path, old: str, new: str) -> None:
    """What another process might do to the database: the writes fail meanwhile."""
    with sqlite3.connect(path) as conn:
        conn.execute(f"ALTER TABLE {old} RENAME TO {new}")


@pytest.mark.anyio
async def test_a_full_buffer_logs_once_per_episode_and_counts_every_sample(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "agent.db"
    dropped: list[int] = []
    with Store.open(f"sqlite:///{path}") as store:
        writer = SampleWriter(
            store, {"web": TimelineRule(60)}, capacity=100, on_drop=dropped.append
        )
        samples = (SampleRow("web", T0_MS + i * 1000, True) for i in range(10_000))
        caplog.set_level(logging.INFO, logger="slawatch.agent.writer")
        move_table(path, "samples", "samples_away")
        for _ in range(2):  # two flushes find the database away
            for _ in range(500):
                writer.add(next(samples))
            assert await writer.flush() == 0
        move_table(path, "samples_away", "samples")
        assert await writer.flush() == 100
        move_table(path, "samples", "samples_away")
        for _ in range(150):
            writer.add(next(samples))
    assert sum(dropped) == 900 + 50
    lines = [
        (r.levelname, r.getMessage()) for r in caplog.records if "write buffer" in r.getMessage()
    ]
    assert lines == [
        (
            "ERROR",
            "write buffer full (100 samples): dropping the oldest from now on "
            "(slawatch_samples_dropped_total counts them)",
        ),
        ("WARNING", "write buffer has room again: 900 samples were dropped while it was full"),
        (
            "ERROR",
            "write buffer full (100 samples): dropping the oldest from now on "
            "(slawatch_samples_dropped_total counts them)",
        ),
    ]


@pytest.mark.anyio
async def test_a_sample_contradicting_a_stored_one_is_dropped_and_the_rest_written(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The clock stepped back onto an instant already stored with the other outcome:
    the agent keeps running, keeps the stored sample and says so."""
    with Store.open(f"sqlite:///{tmp_path / 'agent.db'}") as store:
        rules = {"web": TimelineRule(60)}
        store.import_samples([[SampleRow("web", T0_MS, True)]], rules)
        writer = SampleWriter(store, rules)
        writer.add(SampleRow("web", T0_MS - 60_000, True))
        writer.add(SampleRow("web", T0_MS, False))
        writer.add(SampleRow("web", T0_MS + 60_000, True))
        assert await writer.flush() == 0
        assert await writer.flush() == 2
        assert [r.ok for r in store.samples("web", 0, 2**50)] == [True, True, True]
    assert caplog.messages == [
        "web at 2026-09-21T14:13:20Z: ok 0 contradicts the stored sample (ok 1): "
        "the new sample is dropped, the stored one stays"
    ]
