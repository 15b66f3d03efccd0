"""How fast the store imports samples and reads flips.

    python bench/bench_store.py [DATABASE_URL]
    python bench/bench_store.py --import-ratio [--runs N] [DATABASE_URL]
    python bench/bench_store.py --flush [--runs N] [--targets N ...] [DATABASE_URL]

Without a URL it uses a fresh SQLite file in a temporary directory; a PostgreSQL
URL must name an empty database (the benchmark fills it). Prints:
- import: 1,000,000 samples over 10 targets (100,000 each, one a minute, with
  outages), in batches of 1,000 as ``slawatch import`` sends them, flips included;
- flips: the flips of 1,000 targets holding a year of ~400 flips each, read for
  the whole year and for one month;
- csv: the import's samples written to a CSV file and imported end to end, as
  ``slawatch import`` does, into a fresh SQLite file.

``--import-ratio`` (issue 14): ``slawatch import`` of bench/out/history-1m.csv run as
a user runs it (its own process, start, CSV parsing and flips included) into a fresh
SQLite file, against a raw ``executemany`` of the same rows, prebuilt, into the same
table of another fresh file, alternately, ``--runs`` times each. Both files are made
and migrated before the timing: both sides start from the same empty table. With a
PostgreSQL URL, both go into its samples table, emptied before each run (the CPU is
then the clients' only). Prints the medians of wall and CPU time of each, and the
ratio of the rates (raw time / import time; goal >= 0.75).

``--flush`` (issue 14): the agent's writes: flushes of one new sample for each of N
targets (each with an hour of history), as ``SampleWriter`` sends them to
``Store.import_samples``, with the flips recomputed per timeline (as before
recompute.py: ``_MANY = 0`` sends every timeline down that path) and batched, in
alternation. Prints the CPU time of this process per 1,000 samples (on PostgreSQL
the server's own CPU is not in it), medians of ``--runs`` rounds of 10 flushes.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import psycopg
from sqlalchemy import create_engine, delete, insert, make_url

from history import CSV_ROWS, history_csv
from slawatch.app.history import import_history, read_samples
from slawatch.cli.gc_pause import gc_paused
from slawatch.sla.timeline import TimelineRule
from slawatch.store import sample_import, schema
from slawatch.store.store import SampleRow, Store

YEAR_START = 1_767_225_600  # 2026-01-01T00:00:00Z
YEAR = 365 * 86400
BATCH = 1_000  # as app/history.py sends them


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
    parse = timed(lambda: sum(len(batch.ts_ms) for batch in read_samples(path, rules, now=now)))
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


class Cost(NamedTuple):
    wall: float  # seconds
    cpu: float  # seconds, user + system


def slawatch_import(database: str, config: Path, results: Path) -> Cost:
    """``slawatch import`` into ``database``, emptied first, in its own process."""
    slawatch = Path(sys.executable).with_name("slawatch")
    emptied(database)
    args = [str(slawatch), "import", "-c", str(config), "--db", database, "--results", str(results)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return Cost(wall, cpu)


def raw_executemany(database: str, rows: list[tuple[object, ...]]) -> Cost:
    """The same rows, prebuilt, in one executemany into the table the store made
    (its schema and, on SQLite, its pragmas), emptied first, in one transaction: the
    ceiling of a Python import."""
    emptied(database)
    url = make_url(database)
    if url.get_backend_name() == "sqlite":
        conn: Any = sqlite3.connect(url.database or "", isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        begin, insert_sql = "BEGIN IMMEDIATE", "INSERT INTO samples VALUES (?, ?, ?, ?, ?, ?, ?)"
    else:
        conn = psycopg.connect(url.set(drivername="postgresql").render_as_string(False))
        begin, insert_sql = "BEGIN", "INSERT INTO samples VALUES (%s, %s, %s, %s, %s, %s, %s)"
        rows = [(t, ts, bool(ok), *rest) for t, ts, ok, *rest in rows]  # a boolean column
    start, cpu = time.perf_counter(), time.process_time()
    conn.execute(begin)
    conn.cursor().executemany(insert_sql, rows)
    conn.execute("COMMIT")
    cost = Cost(time.perf_counter() - start, time.process_time() - cpu)
    conn.close()
    return cost


def emptied(database: str) -> None:
    """The store's tables made (migrated) if need be, and emptied of samples and flips."""
    Store.open(database).close()
    engine = create_engine(database)
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(delete(schema.samples))
            conn.execute(delete(schema.flips))
        else:  # no dead rows left behind for the next run
            conn.exec_driver_sql("TRUNCATE samples, flips")
    engine.dispose()


def prebuilt_rows(results: Path) -> list[tuple[object, ...]]:
    """The CSV's rows as the driver binds them (parsed here, outside the timing)."""
    with results.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        return [
            (
                t,
                round(datetime.fromisoformat(ts).timestamp() * 1000),
                int(ok),
                float(lat),
                int(st),
                err or None,
                "",
            )
            for t, ts, ok, lat, st, err in reader
        ]


def import_ratio(runs: int, url: str | None) -> None:
    """Raw and ``slawatch import`` alternately, into one database (``url``) or, on
    SQLite, a fresh file each."""
    results = history_csv()
    rows = prebuilt_rows(results)
    assert len(rows) == CSV_ROWS
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        config = scratch / "slawatch.yaml"
        config.write_text(
            "targets:\n"
            + "".join(
                f"  - {{name: t{i}, kind: http, url: 'http://127.0.0.1:9/', interval: 60s}}\n"
                for i in range(10)
            )
        )
        raw, imported = [], []
        for run in range(runs):
            raw.append(raw_executemany(url or f"sqlite:///{scratch / f'raw-{run}.db'}", rows))
            database = url or f"sqlite:///{scratch / f'import-{run}.db'}"
            imported.append(slawatch_import(database, config, results))
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    name = make_url(url).get_backend_name() if url else "sqlite"
    print(
        f"import-ratio: {CSV_ROWS:,} rows into {name}, {runs} runs each, "
        f"load average {load} at the end"
    )
    if name != "sqlite":
        print("  (CPU: the clients' only; the server's own is not in it)")
    for label, costs in (("raw executemany", raw), ("slawatch import", imported)):
        wall = statistics.median(c.wall for c in costs)
        cpu = statistics.median(c.cpu for c in costs)
        print(
            f"  {label:16} wall {wall:5.2f} s ({CSV_ROWS / wall:>9,.0f} rows/s)  "
            f"CPU {cpu:5.2f} s ({CSV_ROWS / cpu:>9,.0f} rows/s)"
        )
    for kind in ("wall", "cpu"):
        ratios = [getattr(r, kind) / getattr(i, kind) for r, i in zip(raw, imported, strict=True)]
        print(
            f"  ratio {kind:4} (import rate / raw rate): median {statistics.median(ratios):.2f} "
            f"(runs: {', '.join(f'{x:.2f}' for x in ratios)}; goal >= 0.75)"
        )


def bench_flush(url: str, targets: int, runs: int) -> None:
    """Per-timeline against batched flip recomputation, alternately, on the same store."""
    names = [f"w{targets}-{t}" for t in range(targets)]
    rules = dict.fromkeys(names, TimelineRule(10))
    start_ms = (YEAR_START + YEAR) * 1000
    with Store.open(url) as store:
        store.import_samples(  # an hour of history, one sample every 10 s
            [
                [SampleRow(n, start_ms + i * 10_000, True, 80.0, 200) for n in names]
                for i in range(360)
            ],
            rules,
        )
        costs: dict[str, list[float]] = {"per timeline": [], "batched": []}
        flush = 360
        for _ in range(runs):
            for label, many in (("per timeline", 0), ("batched", sample_import._MANY)):
                saved, sample_import._MANY = sample_import._MANY, many
                cpu = time.process_time()
                for _ in range(10):
                    at_ms = start_ms + flush * 10_000
                    store.import_samples(
                        [[SampleRow(n, at_ms, flush % 7 != 0, 80.0, 200) for n in names]], rules
                    )
                    flush += 1
                costs[label].append((time.process_time() - cpu) / (10 * targets) * 1000)
                sample_import._MANY = saved
    before, after = (statistics.median(costs[k]) for k in ("per timeline", "batched"))
    print(
        f"flush   {targets:>5,} targets: CPU per 1,000 samples {before * 1000:6.1f} ms "
        f"per timeline, {after * 1000:6.1f} ms batched ({before / after:.1f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", help="the database to fill (default: SQLite)")
    parser.add_argument("--import-ratio", action="store_true", help="slawatch import vs raw")
    parser.add_argument("--flush", action="store_true", help="the agent's flushes")
    parser.add_argument("--targets", type=int, nargs="+", default=[100, 1200])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    # As slawatch import runs, with the collector paused (gc_pause.py).
    with gc_paused(), tempfile.TemporaryDirectory() as scratch:
        if args.import_ratio:
            import_ratio(args.runs, args.url)
            return
        url = args.url or f"sqlite:///{Path(scratch) / 'bench.db'}"
        if args.flush:
            load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
            print(f"flush: database {url.split(':')[0]}, load average {load}")
            for targets in args.targets:
                bench_flush(url, targets, args.runs)
            return
        with Store.open(url) as store:
            print(f"database {store.name}")
            bench_import(store)
            bench_flips(url, store)
        bench_csv_import(Path(scratch))


if __name__ == "__main__":
    main()
