"""``slawatch check-config``: validate a config file."""

from __future__ import annotations

from pathlib import Path

import click

from slawatch.cli.common import Session, config_option, reports_errors
from slawatch.cli.gc_pause import gc_paused


@click.command("check-config")
@config_option
@reports_errors
@gc_paused()  # a 50,000-target config is half a million values: see gc_pause.py
def check_config(config_path: Path | None, db_url: str | None) -> None:
    """Validate a config file; list every problem with its place."""
    config = Session(config_path, db_url).config()
    click.echo(
        f"ok: {len(config.targets)} targets, {len(config.contracts)} contracts "
        f"({', '.join(c.name for c in config.contracts)})"
    )
