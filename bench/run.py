"""The SLA core issue's figures, in one command (medians of several runs):

    python bench/run.py [--runs N] [--pg URL]

- import: a 1,000,000-row CSV (10 targets, one sample a minute, with outages)
  through ``slawatch import``'s path (parser + store) into a fresh SQLite file,
  then again into the same file (every row already present: the re-import);
  with ``--pg``, the same into a fresh schema of that PostgreSQL database;
- reports: 1,000 contracts (half Cegid-like business hours in Europe/Paris with
  French holidays, half IPfolio-like 24x7 UTC with credit tiers and claims), each
  over its own target holding a year of history with ~200 outages (400 flips):
  every monthly (2026-10) and every yearly (2026) report, read from SQLite and
  computed, and the computation alone on flips already in memory.

Targets (issue 2): >= 200,000 samples/s; all 1,000 yearly reports in < 1 s.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
from sqlalchemy import make_url

from bench_store import fill_flips
from history import CSV_ROWS, at, history_csv
from slawatch.app.evaluate import Probing, evaluate_many
from slawatch.app.history import import_history
from slawatch.cli.gc_pause import gc_paused
from slawatch.sla.calendar import Calendar, Holidays, WeeklyWindow
from slawatch.sla.contract import ContractTerms, Fee
from slawatch.sla.credits import CreditBasis, DowntimeTier, TierTable
from slawatch.sla.exclusions import ContractRecords
from slawatch.sla.periods import PeriodKind, PeriodRule, resolve_period
from slawatch.sla.timeline import Flip, TimelineRule
from slawatch.store.store import Store

CONTRACTS = 1000
NOW = at("2027-01-15T00:00:00Z")
PROBING = Probing()  # no control targets


def median_of(runs: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_import(runs: int, databases: Callable[[], str], label: str) -> None:
    """Imports of the 1M-row file into fresh databases, then each file again."""
    path = history_csv()
    rules = {f"t{i}": TimelineRule(60) for i in range(10)}
    urls: list[str] = []

    def once(url: str, added: int) -> None:
        with Store.open(url) as store:
            result = import_history(store, path, rules, now=NOW)
        assert result.rows_added == added

    def first() -> None:
        urls.append(databases())
        once(urls[-1], CSV_ROWS)

    fresh = median_of(runs, first)
    again = median_of(runs, lambda: once(urls.pop(), 0))
    print(
        f"import   {CSV_ROWS:,} CSV rows into {label}: median {fresh:.2f} s, "
        f"{CSV_ROWS / fresh:,.0f} samples/s (target >= 200,000); "
        f"re-import {again:.2f} s, {CSV_ROWS / again:,.0f} rows/s"
    )


def sqlite_files(scratch: Path) -> Callable[[], str]:
    counter = iter(range(1 << 30))
    return lambda: f"sqlite:///{scratch / f'import-{next(counter)}.db'}"


def postgres_schemas(url: str, made: list[str]) -> Callable[[], str]:
    """A fresh schema of the database at ``url`` per call (``made`` lists them)."""
    admin = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)

    def fresh() -> str:
        made.append(f"bench_{uuid.uuid4().hex[:12]}")
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {made[-1]}")
        options = {"options": f"-csearch_path={made[-1]}"}
        return make_url(url).update_query_dict(options).render_as_string(hide_password=False)

    return fresh


def drop_schemas(url: str, made: list[str]) -> None:
    admin = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        for schema in made:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def contracts() -> list[ContractTerms]:
    business = Calendar((WeeklyWindow.parse("mon-fri 07:00-20:00"),), Holidays("FR"))
    credits = TierTable(
        CreditBasis.DOWNTIME_MINUTES,
        (
            *(
                DowntimeTier(Fraction(m), Fraction(c))
                for m, c in ((216, 0), (2160, 25), (21600, 50))
            ),
            DowntimeTier(None, None),
        ),
    )
    month = PeriodRule(PeriodKind.MONTH)
    return [
        ContractTerms(
            f"c{i}", (f"f{i}",), ZoneInfo("Europe/Paris"), month, Fraction(99), reference=business
        )
        if i % 2 == 0
        else ContractTerms(
            f"c{i}",
            (f"f{i}",),
            ZoneInfo("UTC"),
            month,
            Fraction("99.5"),
            credits=credits,
            claims_required=True,
            fee=Fee(Decimal(1000), "EUR"),
        )
        for i in range(CONTRACTS)
    ]


@dataclass
class Preloaded:
    """Flips already in memory, no operator records: what is left is the computation."""

    found: dict[str, dict[str, list[Flip]]]

    def flips(
        self, targets: Sequence[str], start: int, end: int
    ) -> dict[str, dict[str, list[Flip]]]:
        return self.found

    def contract_records(
        self, contracts: Sequence[str], start: int, end: int
    ) -> dict[str, ContractRecords]:
        return dict.fromkeys(contracts, ContractRecords())


def bench_reports(runs: int, scratch: Path) -> None:
    url = f"sqlite:///{scratch / 'reports.db'}"
    terms = contracts()
    with Store.open(url) as store:
        fill_flips(url, [t.targets[0] for t in terms])
        memory = Preloaded(store.flips([t.targets[0] for t in terms], 0, 2**40))
        for label in ("2026-10", "2026"):
            items = [(t, resolve_period(label, t.period, t.zone)) for t in terms]
            stored = median_of(runs, partial(evaluate_many, store, items, PROBING, NOW))
            computed = median_of(runs, partial(evaluate_many, memory, items, PROBING, NOW))
            print(
                f"reports  {CONTRACTS:,} x {label}: median {stored * 1000:.0f} ms from SQLite, "
                f"{computed * 1000:.0f} ms computing alone"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pg", metavar="URL", help="also import into this PostgreSQL database")
    args = parser.parse_args()
    # As slawatch import and slawatch report run, with the collector paused (gc_pause.py).
    with gc_paused(), tempfile.TemporaryDirectory() as scratch:
        bench_import(args.runs, sqlite_files(Path(scratch)), "SQLite")
        if args.pg:
            made: list[str] = []
            try:
                bench_import(args.runs, postgres_schemas(args.pg, made), "PostgreSQL")
            finally:
                drop_schemas(args.pg, made)
        bench_reports(args.runs, Path(scratch))


if __name__ == "__main__":
    main()
