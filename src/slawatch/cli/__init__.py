"""The ``slawatch`` command: parse, call, print (SPEC section 7 names the commands).

Every expected failure (bad config, bad CSV row, unknown contract, database
away) ends as one ``error: ...`` line naming the problem and its place, with a
non-zero exit status; tracebacks are for bugs only.

One module per command family; each is imported when its command is looked up
(``LazyGroup``, click's documented pattern). ``slawatch --help`` imports them
all for their help texts, so a command module imports click and the standard
library alone at its top, and what its command needs (the config's pydantic
models, SQLAlchemy, the renderers, the agent) inside the command: ``--help``
starts without any of them (tests/cli/test_startup.py).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

import click

from slawatch.cli.gc_pause import no_collection_at_exit

# command name -> "module:attribute" of its click command or group
COMMANDS = {
    "check-config": "slawatch.cli.config:check_config",
    "import": "slawatch.cli.history:import_results",
    "report": "slawatch.cli.report:report",
    "period": "slawatch.cli.period:period",
    "maintenance": "slawatch.cli.records:maintenance",
    "exclude": "slawatch.cli.records:exclude",
    "claim": "slawatch.cli.records:claim",
    "run": "slawatch.cli.agent:run",
    "probe": "slawatch.cli.agent:probe",
    "ticket": "slawatch.cli.tickets:ticket",
    "support": "slawatch.cli.tickets:support",
    "renewal": "slawatch.cli.renewals:renewal",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported when they are looked up."""

    def __init__(self, *args: Any, lazy: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.lazy:
            return super().get_command(ctx, cmd_name)
        module, name = self.lazy[cmd_name].split(":")
        command = getattr(importlib.import_module(module), name)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.lazy[cmd_name]} is not a click command")
        return command


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="slawatch")
def main() -> None:
    """slawatch: availability monitoring and SLA credits, exact to the second."""
    no_collection_at_exit()  # the process ends with the command: see gc_pause.py
