"""``slawatch run`` (the agent) and ``slawatch probe`` (one probe, now).

What the agent's process needs once, for its whole life, is set here and not
in the library: logging, no ``_created`` series on /metrics, and the collector
paused while the agent's modules are imported, the config is loaded and the agent
built from it, and the freed heap given back after (at start and on each reload).
At start, a child process reads the config's YAML while the modules are imported
(read_ahead.py). And its exit: past threads left waiting on a frozen database.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import sys
import threading
from pathlib import Path

import click

from slawatch.cli.common import Session, complete_targets, config_option, reports_errors
from slawatch.cli.heap import config_load
from slawatch.cli.read_ahead import read_ahead


@click.command()
@config_option
@reports_errors
def run(config_path: Path | None, db_url: str | None) -> None:
    """The agent: scheduled probes, the store, /metrics, /healthz and /ping/NAME."""
    session = Session(config_path, db_url)
    with config_load():  # the agent's modules, a 50,000-target config, the agent's tables
        ahead = read_ahead(session)  # a child reads the YAML meanwhile: before any thread
        from prometheus_client import disable_created_metrics

        from slawatch.agent.runner import Agent
        from slawatch.agent.spool import open_spool
        from slawatch.config.targets import KnownTargets

        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
        )
        for chatty in ("apscheduler", "httpx", "httpcore"):  # a line per probe at 833 probes/s
            logging.getLogger(chatty).setLevel(logging.WARNING)
        # No ``_created`` series: blackbox_exporter has none, and they double every
        # counter's samples, and so the cost of a scrape.
        disable_created_metrics()  # type: ignore[no-untyped-call]
        known = KnownTargets()  # the start's targets, for the first reload to take again
        config = session.config(functools.partial(ahead.config, known) if ahead else None)
        store = session.store(unavailable_ok=True)  # the spool keeps what waits for it
        spool = open_spool(config.agent, session.db_url or config.database.url)
        click.get_current_context().call_on_close(spool.close)
        agent = Agent(
            session.config_file(),
            config,
            store,
            spool,
            reload_pause=config_load,
            known_targets=known,
        )
    asyncio.run(agent.run())
    click.get_current_context().close()  # the spool and the store, before the exit below
    _exit_past_stuck_threads()


def _exit_past_stuck_threads() -> None:
    """End the process at once when threads are left: a stopping agent leaves behind
    the calls stuck on a frozen database (agent/periodic.py). Python 3.11's exit ends
    such threads with ``pthread_exit`` when they wake in the driver's C code, which
    crashed the process now and then ("double free or corruption", exit status 134)
    after everything was saved (CPython gh-87135; 3.14 hangs them instead). Here the
    spool is fsynced and closed, the store disposed; the log is flushed, and nothing
    else is left for the exit to do. A scrape answered at that moment is one of the
    threads left too (the HTTP server does not wait for its requests)."""
    left = sorted(t.name for t in threading.enumerate() if t is not threading.current_thread())
    if not left:
        return
    log = logging.getLogger(__name__)
    log.warning("exiting without waiting for %s, still busy", ", ".join(left))
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):  # closed, or None
            stream.flush()
    os._exit(0)


@click.command()
@config_option
@click.argument("target", shell_complete=complete_targets)
@reports_errors
def probe(config_path: Path | None, db_url: str | None, target: str) -> None:
    """Probe TARGET once now and show what was found, phase by phase."""
    import uvloop

    from slawatch.probes.registry import run_probe
    from slawatch.probes.text import format_result

    model = Session(config_path, db_url).config().target(target)
    result = uvloop.run(run_probe(model))  # as a probe worker runs it
    click.echo(format_result(result))
    sys.exit(0 if result.ok else 1)
