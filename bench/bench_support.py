"""How fast support requests are imported and reported on.

    python bench/bench_support.py [--db DATABASE_URL] [--runs N] [--report-only] [--digest]

Without ``--db`` it uses fresh SQLite files in a temporary directory; a PostgreSQL URL
must name an empty database (the benchmark fills it). Prints:
- import: 1,000,000 ticket events (250,000 Cegid requests of four events: opened, a pause
  waiting for the client, resumed, responded) written to a CSV file and imported as
  ``slawatch ticket import`` does (read, checked row by row and ticket by ticket, stored),
  then the same file again (nothing added);
- report: the support report of cegid-portal's contract year 2026 over 100,000 requests
  (400,000 events; ``--requests N`` for another size), as ``slawatch support report
  --format json`` makes it: first the report just after the import (which stored the
  settled clocks with the events); then, medians of ``--runs``, the next reports: the
  store read, the assessment, the JSON dict and its text, and the whole (and its wall
  time).

Times are this process's CPU seconds (``time.process_time``): on a shared machine the
wall clock says more about the neighbours than about the code.

``--digest`` also prints the SHA-256 of the report's JSON text as of after the year
and as of mid-year (with pending requests): a change meant to be faster only must
leave both unchanged. ``--report-only`` skips the import of 1,000,000 events.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from slawatch.app.context import Context
from slawatch.app.records import key
from slawatch.app.support import support_report, support_terms
from slawatch.app.tickets import import_ticket_events
from slawatch.cli.gc_pause import gc_paused
from slawatch.config import load_config
from slawatch.reports.support import SupportReport, to_dict, to_json
from slawatch.sla.support_assess import resolve_support_period, summarize
from slawatch.store.store import Store

SEED = Path(__file__).resolve().parents[1] / "config" / "seed-contracts.yaml"
PARIS = ZoneInfo("Europe/Paris")
YEAR_START = int(datetime(2026, 1, 1, tzinfo=PARIS).timestamp())
YEAR = 365 * 86400
AS_OF = YEAR_START + YEAR + 30 * 86400  # the contract year is over
MID_YEAR = YEAR_START + 182 * 86400 + 11 * 3600  # half the requests not opened yet


def write_events(path: Path, requests: int, seed: int = 1) -> int:
    """``requests`` Cegid requests of four events each, opened through the year; returns
    the number of events written."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["ticket", "contract", "event", "timestamp", "priority", "reason", "note"])
        for i in range(requests):
            opened = YEAR_START + rng.randrange(YEAR - 7 * 86400)
            paused = opened + rng.randrange(60, 4 * 3600)
            resumed = paused + rng.randrange(60, 2 * 86400)
            responded = resumed + rng.randrange(60, 2 * 86400)
            ticket = f"CEG-{i:07d}"
            writer.writerow(
                [ticket, "cegid-portal", "opened", _iso(opened), rng.choice("123"), "", ""]
            )
            writer.writerow(
                [ticket, "cegid-portal", "paused", _iso(paused), "", "waiting_client", ""]
            )
            writer.writerow([ticket, "cegid-portal", "resumed", _iso(resumed), "", "", ""])
            writer.writerow([ticket, "cegid-portal", "responded", _iso(responded), "", "", ""])
    return 4 * requests


def _iso(instant: int) -> str:
    return datetime.fromtimestamp(instant, PARIS).isoformat()


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds of CPU the action took (this process's; on a shared machine the wall
    clock says more about the neighbours), and its result."""
    start = time.process_time()
    result = action()
    return time.process_time() - start, result


def bench_import(url: str, folder: Path) -> None:
    config = load_config(SEED)
    path = folder / "events-1m.csv"
    events = write_events(path, 250_000)
    with Store.open(url) as store, gc_paused():
        for label in ("import", "re-import"):
            wall = time.perf_counter()
            cpu, result = timed(lambda: import_ticket_events(store, config, path, "bench"))
            wall = time.perf_counter() - wall
            print(
                f"{label}: {events:,} events read, {result.added:,} added "
                f"({result.requests_added:,} requests) in {wall:.1f} s "
                f"({cpu:.1f} s of CPU here) = {events / wall:,.0f} events/s"
            )


def bench_report(url: str, folder: Path, runs: int, digest: bool, size: int) -> None:
    config = load_config(SEED)
    path = folder / "events-report.csv"
    write_events(path, size, seed=2)
    with Store.open(url) as store, gc_paused():
        import_ticket_events(store, config, path, "bench")
        context = Context(config, store, now=AS_OF, spell=key)
        wall = time.perf_counter()
        first, _ = timed(lambda: whole_report(context))
        wall = time.perf_counter() - wall
        print(
            f"report: the first after the import (which stored the clocks): {first:.2f} s "
            f"(wall {wall:.2f} s)"
        )
        phases: dict[str, list[float]] = {}
        for _ in range(runs):
            for phase, took in report_phases(store, config, size).items():
                phases.setdefault(phase, []).append(took)
        medians = ", ".join(f"{k} {statistics.median(v):.2f} s" for k, v in phases.items())
        print(f"report: contract year over {size:,} requests, medians of {runs}: {medians}")
        if digest:
            print_digests(store, config)


def print_digests(store: Store, config: Any) -> None:
    """The SHA-256 of the report's JSON text after the year and in the middle of it."""
    for label, moment in (("after the year", AS_OF), ("mid-year", MID_YEAR)):
        context = Context(config, store, now=moment, spell=key)
        text = to_json(support_report(context, "cegid-portal", "contract-year:2026", as_of=None))
        print(f"report SHA-256 as of {label}: {hashlib.sha256(text.encode()).hexdigest()}")


def report_phases(store: Store, config: Any, size: int) -> dict[str, float]:
    """The CPU seconds of each step of one support report, and of the whole."""
    context = Context(config, store, now=AS_OF, spell=key)
    model, terms = support_terms(config, "cegid-portal", key)
    period = resolve_support_period("contract-year:2026", terms)
    found: dict[str, float] = {}
    found["read"], (stored, others) = timed(
        lambda: store.written_requests("cegid-portal", period.start, period.end, terms, AS_OF)
    )
    assert (len(stored), len(others)) == (size, 0)  # every clock stored by the import
    found["assess"], assessed = timed(lambda: summarize(terms, stored, period, AS_OF))
    report = SupportReport(model.name, model.description, terms, assessed)
    found["dict"], data = timed(lambda: to_dict(report))
    found["json"], _ = timed(lambda: to_json(data))
    wall = time.perf_counter()
    found["whole"], _ = timed(lambda: whole_report(context))
    found["whole, wall"] = time.perf_counter() - wall
    return found


def whole_report(context: Context) -> str:
    """The yearly report's JSON text, as ``slawatch support report`` makes it."""
    return to_json(support_report(context, "cegid-portal", "contract-year:2026", as_of=None))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: fresh SQLite files)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--report-only", action="store_true", help="skip the import bench")
    parser.add_argument("--digest", action="store_true", help="print the reports' SHA-256")
    parser.add_argument(
        "--requests", type=int, default=100_000, help="requests in the report (default 100,000)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if not args.report_only:
            bench_import(args.db or f"sqlite:///{folder}/import.db", folder)
        url = args.db or f"sqlite:///{folder}/report.db"
        bench_report(url, folder, args.runs, args.digest, args.requests)


if __name__ == "__main__":
    main()
