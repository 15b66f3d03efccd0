"""The spool keeps every sample it acknowledged, across kill -9, and reads past nothing
it cannot trust: a torn or corrupt record ends a segment with a warning."""

from __future__ import annotations

import logging
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from slawatch.agent import spool as spool_module
from slawatch.agent.spool import MAGIC, Spool, SpoolError, open_spool
from slawatch.config import parse_config
from slawatch.store.store import SampleRow

DB = "sqlite:///agent.db"
BIG = 1 << 30


def rows(start: int, count: int = 3) -> list[SampleRow]:
    return [
        SampleRow(f"t{i % 2}", 1_790_000_000_000 + i, i % 3 != 0, 12.5, 200, None if i % 3 else "x")
        for i in range(start, start + count)
    ]


def everything(spool: Spool) -> list[SampleRow]:
    """Every sample in the spool, oldest segment first, taking the segments out."""
    found = []
    while (segment := spool.oldest()) is not None:
        found += spool.read(segment)
        spool.remove(segment)
    return found


def segments(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.seg"))


def test_what_was_appended_is_read_back_by_the_next_run_in_order(tmp_path: Path) -> None:
    spool = Spool.open(tmp_path, DB, BIG)
    spool.append(rows(0))
    spool.append(rows(3))
    assert (spool.samples, spool.size) == (6, segments(tmp_path)[0].stat().st_size)
    spool.close()
    again = Spool.open(tmp_path, DB, BIG)
    again.append(rows(6))  # a new run appends to a new segment, after the old ones
    assert len(segments(tmp_path)) == 2
    assert everything(again) == rows(0, 9)
    assert segments(tmp_path) == [] and again.samples == 0
    again.close()


def test_a_torn_last_record_is_cut_off_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    spool = Spool.open(tmp_path, DB, BIG)
    spool.append(rows(0))
    spool.append(rows(3))
    spool.close()
    path = segments(tmp_path)[0]
    whole = path.stat().st_size
    os.truncate(path, whole - 5)  # killed while writing the second record
    with caplog.at_level(logging.WARNING):
        again = Spool.open(tmp_path, DB, BIG)
    assert f"spool {path}: a torn or corrupt record at byte" in caplog.text
    assert again.samples == 3
    again.append(rows(6))
    assert everything(again) == rows(0, 3) + rows(6, 3)


def test_a_corrupt_record_ends_its_segment_and_the_next_segments_are_read(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    spool = Spool.open(tmp_path, DB, BIG)
    for start in (0, 3, 6):
        spool.append(rows(start))
    assert spool.oldest() is not None  # closes the first segment
    spool.append(rows(9))
    spool.close()
    first = segments(tmp_path)[0]
    data = bytearray(first.read_bytes())
    data[len(MAGIC) + 60] ^= 0xFF  # a bit flipped inside the first record
    first.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING):
        again = Spool.open(tmp_path, DB, BIG)
    assert "a torn or corrupt record at byte 8" in caplog.text
    assert everything(again) == rows(9)


def test_a_segment_killed_while_created_is_removed_and_a_stranger_set_aside(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "0000000000000001.seg").write_bytes(MAGIC[:3])
    (tmp_path / "0000000000000002.seg").write_bytes(b"not a spool segment at all")
    with caplog.at_level(logging.WARNING):
        spool = Spool.open(tmp_path, DB, BIG)
    assert spool.samples == 0 and segments(tmp_path) == []
    assert (tmp_path / "0000000000000002.unreadable").exists()
    assert "0000000000000002.seg: not a spool segment" in caplog.text


def test_a_full_spool_refuses_what_does_not_fit_and_keeps_what_it_has(tmp_path: Path) -> None:
    spool = Spool.open(tmp_path, DB, BIG)
    spool.append(rows(0))
    size = spool.size
    spool.close()
    small = Spool.open(tmp_path, DB, size + 10)
    assert not small.append(rows(3))
    assert small.samples == 3 and small.size == size
    segment = small.oldest()
    assert segment is not None
    small.remove(segment)
    assert small.append(rows(3))
    assert everything(small) == rows(3)


def test_segments_rotate_at_their_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spool_module, "SEGMENT_BYTES", 200)
    spool = Spool.open(tmp_path, DB, BIG)
    for start in range(0, 30, 3):
        spool.append(rows(start))
    assert len(segments(tmp_path)) > 3
    assert everything(spool) == rows(0, 30)


def test_a_failed_append_keeps_nothing_of_it_and_spoils_nothing_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spool = Spool.open(tmp_path, DB, BIG)
    spool.append(rows(0))

    def failing(fd: int) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(os, "fsync", failing)  # the spool calls os.fsync
        with pytest.raises(OSError, match="No space left"):
            spool.append(rows(3))
    assert spool.samples == 3
    spool.append(rows(6))
    spool.close()
    assert everything(Spool.open(tmp_path, DB, BIG)) == rows(0) + rows(6)


def test_one_agent_at_a_time(tmp_path: Path) -> None:
    first = Spool.open(tmp_path, DB, BIG)
    with pytest.raises(
        SpoolError, match=rf"spool {tmp_path}: in use by another agent \(pid {os.getpid()}\)"
    ):
        Spool.open(tmp_path, DB, BIG)
    first.close()
    Spool.open(tmp_path, DB, BIG).close()


def test_samples_for_another_database_are_not_written_to_this_one(tmp_path: Path) -> None:
    spool = Spool.open(tmp_path, DB, BIG)
    spool.append(rows(0))
    spool.close()
    with pytest.raises(SpoolError) as raised:
        Spool.open(tmp_path, "sqlite:///other.db", BIG)
    assert str(raised.value) == (
        f"spool {tmp_path}: holds 3 samples for database {DB}, not sqlite:///other.db; "
        "start the agent on that database to write them, or move the directory away"
    )
    drained = Spool.open(tmp_path, DB, BIG)
    everything(drained)
    drained.close()
    Spool.open(tmp_path, "sqlite:///other.db", BIG).close()  # empty: it changes hands


def test_a_directory_that_cannot_be_made_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(SpoolError, match=rf"^spool {tmp_path}/file/spool: Not a directory$"):
        Spool.open(tmp_path / "file" / "spool", DB, BIG)


APPENDER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from slawatch.agent.spool import Spool
    from slawatch.store.store import SampleRow

    spool = Spool.open(Path(sys.argv[1]), "sqlite:///agent.db", 1 << 30)
    n = int(sys.argv[2])
    while True:
        spool.append([SampleRow("web", n * 1000 + i, True, 1.0, 200, "x" * 200) for i in range(50)])
        print(n, flush=True)  # acknowledged
        n += 1
    """
)


def test_kill_9_at_random_moments_loses_no_acknowledged_sample(tmp_path: Path) -> None:
    rng = random.Random(8)
    acknowledged: set[int] = set()
    start = 0
    for _ in range(10):
        appender = subprocess.Popen(
            [sys.executable, "-c", APPENDER, str(tmp_path), str(start)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert appender.stdout is not None
        acknowledged.add(int(appender.stdout.readline()))  # running
        time.sleep(rng.uniform(0, 0.2))
        appender.send_signal(signal.SIGKILL)
        out, _ = appender.communicate(timeout=10)
        acknowledged |= {int(line) for line in out.split()}
        start = max(acknowledged, default=start) + 10
    spool = Spool.open(tmp_path, DB, BIG)
    found = {row.ts_ms // 1000 for row in everything(spool)}
    assert len(acknowledged) > 50
    assert acknowledged <= found


def test_by_default_the_spool_sits_next_to_an_sqlite_file_else_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = parse_config("targets: [{name: web, kind: heartbeat}]\n").agent
    spool = open_spool(settings, f"sqlite:///{tmp_path}/agent.db")
    assert spool.directory == Path(f"{tmp_path}/agent.db.spool")
    spool.close()
    monkeypatch.chdir(tmp_path)
    spool = open_spool(settings, "postgresql+psycopg://sw:secret@db.example/sw")
    assert spool.directory == Path("slawatch-spool")
    assert (tmp_path / "slawatch-spool" / "database").read_text() == (
        "postgresql+psycopg://sw:***@db.example/sw\n"  # no password on disk
    )
    spool.close()
