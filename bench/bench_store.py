"""How fast the store imports samples and reads flips.

    python bench/bench_store.py [DATABASE_URL]

Without a URL it uses a fresh SQLite file in a temporary directory; a PostgreSQL
URL must name an empty database (the benchmark fills it). Prints:
- import: 1,000,000 samples over 10 targets (100,000 each, one a minute, with
  outages), in batches of 50,000 as ``slawatch import`` sends them, flips included;
- flips: the flips of 1,000 targets holding a year of ~400 flips each, read for
  the whole year and for one month;
- csv: the import's samples written to a CSV file and imported end to end, as
  ``slawatch import`` does, into a fresh SQLite file.
"""

from __future__ import annotations

import csv
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, insert

from slawatch.app.history import import_history, read_samples
from slawatch.cli.gc_pause import gc_paused
from slawatch.sla.timeline import TimelineRule
from slawatch.store import schema
from slawatch.store.store import SampleRow, Store

YEAR_START = 1_767_225_600  # 2026-01-01T00:00:00Z
YEAR = 365 * 86400
BATCH = 50_000


def samples(targets: int, per_target: int, seed: int = 1) -> list[list[SampleRow]]:
    """Batches of one-a-minute samples, target after target, with some failure runs."""
    rng = random.Random(seed)
    rows = [
        SampleRow(f"t{t}", YEAR_START * 1000 + i * 60_000 + rng.randrange(1000), ok, 80.0, 200)
        for t in range(targets)
        for i, ok in enumerate(_outcomes(rng, per_target))
    ]
    return [rows[i : i + BATCH] for i in range(0, len(rows), BATCH)]


def _outcomes(rng: random.Random, count: int) -> Iterator[bool]:
    failing = 0
    for _ in range(count):
        if failing == 0 and rng.random() < 0.002:
            failing = rng.randrange(1, 30)
        yield failing == 0
        failing = max(0, failing - 1)


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def bench_import(store: Store) -> None:
    batches = samples(10, 100_000)
    rules = {f"t{t}": TimelineRule(60) for t in range(10)}
    rows = sum(len(b) for b in batches)
    seconds = timed(lambda: store.import_samples(batches, rules))
    print(f"import  {rows:,} samples: {seconds:.2f} s, {rows / seconds:,.0f} samples/s")
    seconds = timed(lambda: store.import_samples(batches, rules))
    print(f"reimport (adds nothing): {seconds:.2f} s")


def bench_csv_import(scratch: Path) -> None:
    """The same samples through ``slawatch import``'s path: CSV file, parser, store."""
    batches = samples(10, 100_000)
    rules = {f"t{t}": TimelineRule(60) for t in range(10)}
    path = scratch / "results.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["target", "timestamp", "ok", "latency_ms", "status", "error"])
        for row in (row for batch in batches for row in batch):
            stamp = datetime.fromtimestamp(row.ts_ms / 1000, UTC).isoformat(timespec="milliseconds")
            writer.writerow([row.target, stamp, int(row.ok), row.latency_ms, row.status, ""])
    now = YEAR_START + YEAR
    parse = timed(lambda: sum(len(batch) for batch in read_samples(path, rules, now=now)))
    with Store.open(f"sqlite:///{scratch / 'csv.db'}") as store:
        total = timed(lambda: import_history(store, path, rules, now=now))
    rows = sum(len(b) for b in batches)
    print(
        f"csv     {rows:,} samples into SQLite: {total:.2f} s, {rows / total:,.0f} samples/s "
        f"(parsing alone {parse:.2f} s)"
    )


def bench_flips(url: str, store: Store) -> None:
    targets = [f"f{t}" for t in range(1000)]
    fill_flips(url, targets)
    for label, span in (("year", YEAR), ("month", 31 * 86400)):
        seconds, count = read_flips(store, targets, span)
        print(f"flips   1,000 targets, a {label}: {seconds * 1000:.0f} ms ({count:,} flips)")


def read_flips(store: Store, targets: list[str], span: int) -> tuple[float, int]:
    """Seconds taken and flips found; the flips die here, not during the next read."""
    start = time.perf_counter()
    found = store.flips(targets, YEAR_START, YEAR_START + span)
    return time.perf_counter() - start, sum(len(f) for at in found.values() for f in at.values())


def fill_flips(url: str, targets: list[str]) -> None:
    """~400 flips a year per target, written directly: only the read is measured."""
    rng = random.Random(2)
    rows = [
        {"target": target, "ts": t, "state": ("down", "up")[i % 2]}
        for target in targets
        for i, t in enumerate(sorted(rng.sample(range(YEAR_START, YEAR_START + YEAR), 400)))
    ]
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(insert(schema.flips), rows)
    engine.dispose()


def main(argv: list[str]) -> None:
    # As slawatch import runs, with the collector paused (gc_pause.py).
    with gc_paused(), tempfile.TemporaryDirectory() as scratch:
        url = argv[1] if len(argv) > 1 else f"sqlite:///{Path(scratch) / 'bench.db'}"
        with Store.open(url) as store:
            print(f"database {store.name}")
            bench_import(store)
            bench_flips(url, store)
        bench_csv_import(Path(scratch))


if __name__ == "__main__":
    main(sys.argv)
