"""``slawatch import``: load probe history recorded elsewhere (app/history.py reads it)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from slawatch.cli.common import Session, config_option, default_author, now, reports_errors
from slawatch.cli.gc_pause import gc_paused


@click.command("import")
@config_option
@click.option(
    "--results",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    required=True,
    help="CSV (or .csv.gz) with columns target,timestamp,ok[,latency_ms,status,error], "
    "e.g. config/examples/history-2026-10.csv.gz.",
)
@reports_errors
@gc_paused()  # a million SampleRow tuples: see gc_pause.py
def import_results(config_path: Path | None, db_url: str | None, results: Path) -> None:
    """Load recorded probe samples; re-importing the same file adds nothing."""
    from slawatch.app.history import import_history
    from slawatch.store.store import ImportAudit

    session = Session(config_path, db_url)
    config = session.config()
    rules = config.timeline_rules()
    store = session.store()
    size = results.stat().st_size
    with click.progressbar(
        length=size, label="importing", file=sys.stderr, hidden=size < (8 << 20)
    ) as bar:
        audit = ImportAudit(default_author(), str(results), config.readers())
        outcome = import_history(store, results, rules, now=now(), audit=audit, progress=bar.update)
    click.echo(
        f"imported {outcome.rows_added} new samples "
        f"({outcome.rows_read - outcome.rows_added} already present) from {results}"
    )
