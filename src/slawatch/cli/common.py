"""What every ``slawatch`` command shares: config and database lookup, the
shell's clock, the author of a change, the choice of contracts and the one-line
error report.

Imported by every command module, so it imports click and the standard library
alone at its top (see cli/__init__.py): the config, the store and the CSV reader
are imported when a command asks for them.
"""

from __future__ import annotations

import functools
import getpass
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

    from slawatch.app.context import Context
    from slawatch.config import Config
    from slawatch.store.store import Store

DEFAULT_CONFIGS = ("slawatch.yaml", "config/seed-contracts.yaml")
F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Session:
    """What every command shares: where the config and the database are."""

    config_path: Path | None
    db_url: str | None
    _config: Config | None = field(default=None, repr=False)

    def config(self, ahead: Callable[[], Config] | None = None) -> Config:
        """The config, loaded on first use; by ``ahead`` if given (the agent's start,
        cli/read_ahead.py), else from ``config_file``."""
        from slawatch.config import load_config

        if self._config is None:
            self._config = ahead() if ahead else load_config(self.config_file())
        return self._config

    def store(self, *, unavailable_ok: bool = False, reads_only: bool = False) -> Store:
        """The store, closed when the command ends; with ``unavailable_ok``, also when
        the database does not answer yet (``Store.open``). A command that ``reads_only``
        never creates an SQLite database: a missing one is an error naming its path.

        ``--db`` / ``$SLAWATCH_DB`` is taken as typed (a relative SQLite path from the
        current folder); the config's URL was read from the config file's folder."""
        from slawatch.store.store import Store

        url = self.db_url or self.config().database.url
        store = Store.open(url, unavailable_ok=unavailable_ok, existing=reads_only)
        click.get_current_context().call_on_close(store.close)
        return store

    def context(self, *, reads_only: bool = False) -> Context:
        """What a use case runs against: this command's config, its store (opened when
        the use case first needs it, see ``store``), the clock and the command line's
        spelling of a field (``--declared-at``)."""
        from slawatch.app.context import Context
        from slawatch.app.records import option

        store = functools.partial(self.store, reads_only=reads_only)
        return Context(self.config(), store, now=now(), spell=option)

    def config_file(self) -> Path:
        """The config file: ``-c``, else ``$SLAWATCH_CONFIG``, else the defaults."""
        if self.config_path is not None:
            return self.config_path
        env = os.environ.get("SLAWATCH_CONFIG")
        if env:
            return Path(env)
        for candidate in DEFAULT_CONFIGS:
            if Path(candidate).is_file():
                return Path(candidate)
        from slawatch.config import ConfigError

        raise ConfigError(
            [f"no config given: pass -c FILE, set SLAWATCH_CONFIG, or create {DEFAULT_CONFIGS[0]}"]
        )


def now() -> int:
    """The shell's clock; the core never reads it."""
    return int(time.time())


def default_author() -> str:
    """Who makes a change: ``$SLAWATCH_AUTHOR``, else the login name."""
    return os.environ.get("SLAWATCH_AUTHOR") or getpass.getuser()


def reports_errors(command: F) -> F:
    """Turn the expected failures into ``error:`` lines on stderr (one per problem)
    and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except Exception as exc:
            if not isinstance(exc, expected_errors()):
                raise
            for line in str(exc).splitlines():
                click.echo(f"error: {line}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def expected_errors() -> tuple[type[Exception], ...]:
    """The failures that end as ``error:`` lines: input refused (``UserError``, raised
    by the code that validates it), a database or a spool that cannot be used. Any
    other exception, a ``ValueError`` or ``KeyError`` included, is a bug: its
    traceback stays. Imported once one is raised."""
    from slawatch.agent.spool import SpoolError
    from slawatch.errors import UserError
    from slawatch.store.database import StoreError

    return (UserError, StoreError, SpoolError)


def config_option(command: F) -> F:
    """``-c FILE`` and ``--db URL``, which every command takes."""
    command = click.option(
        "--db",
        "db_url",
        envvar="SLAWATCH_DB",
        metavar="URL",
        help="Database URL over the config's (or $SLAWATCH_DB), "
        "e.g. sqlite:///slawatch.db or postgresql+psycopg://user:pw@host/db.",
    )(command)
    return click.option(
        "-c",
        "--config",
        "config_path",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Config file, e.g. config/seed-contracts.yaml (default: $SLAWATCH_CONFIG, "
        "./slawatch.yaml, ./config/seed-contracts.yaml).",
    )(command)


def contract_option(
    help_text: str = "Contract name, as in the config", **kwargs: Any
) -> Callable[[F], F]:
    """``--contract NAME``, with an example and the shell's completion of the config's
    contract names; ``kwargs`` go to ``click.option`` (``required=True``)."""
    return click.option(
        "--contract",
        metavar="NAME",
        help=f"{help_text}, e.g. cegid-portal.",
        shell_complete=complete_contracts,
        **kwargs,
    )


def contract_or_all(command: F) -> F:
    """``--contract NAME`` or ``--all``: the commands that work on one contract or on
    every contract of the config that has an availability part (``chosen_contracts``
    checks that one is given)."""
    command = click.option(
        "--all",
        "every",
        is_flag=True,
        help="Every contract of the config with an availability part.",
    )(command)
    return contract_option("One contract (or --all)")(command)


def complete_contracts(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """The config's contract names that start with what is typed (shell completion)."""
    return _complete(ctx, incomplete, lambda config: [c.name for c in config.contracts])


def complete_targets(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """The config's target names that start with what is typed (shell completion)."""
    return _complete(ctx, incomplete, lambda config: [t.name for t in config.targets])


def _complete(
    ctx: click.Context, incomplete: str, names: Callable[[Config], list[str]]
) -> list[CompletionItem]:
    """Names from the config the command line names (``-c``, else the defaults). A
    config that does not load completes nothing: a completion never prints an error
    (the shell would show it as a candidate) nor a traceback."""
    from click.shell_completion import CompletionItem

    try:
        config = Session(ctx.params.get("config_path"), None).config()
        found = names(config)
    except Exception:  # any: a half-typed command line, a broken config, a missing file
        return []
    return [CompletionItem(name) for name in found if name.startswith(incomplete)]


def chosen_contracts(config: Config, contract: str | None, every: bool) -> list[str]:
    """The names that ``--contract NAME`` or ``--all`` stand for, checked against the
    config; a usage error unless exactly one of the two is given."""
    if every and contract is not None:
        raise click.UsageError("--contract and --all are mutually exclusive: give one of them")
    if every:
        return [c.name for c in config.availability_contracts()]
    if contract is None:
        raise click.UsageError("give --contract NAME, or --all for every contract")
    return [config.contract(contract).name]


def binary_needs_a_file(fmt: str, output: Path | None) -> None:
    """A usage error for a binary format (XLSX, PDF) headed for the terminal."""
    from slawatch.reports.formats import BINARY

    if fmt in BINARY and output is None:
        raise click.UsageError(f"--format {fmt} is binary: give -o PATH to write it to a file")


def write_output(content: str | bytes, output: Path | None) -> None:
    """``content`` to ``output``, or to stdout without one."""
    if output is None:
        click.echo(content, nl=False)
        return
    try:
        if isinstance(content, bytes):
            output.write_bytes(content)
        else:
            output.write_text(content, encoding="utf-8")
    except OSError as exc:
        from slawatch.errors import UserError

        raise UserError(f"cannot write {output}: {exc.strerror}") from None
    click.echo(f"wrote {output}", err=True)
