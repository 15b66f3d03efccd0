"""The agent's config, read in a child process while the agent imports its modules.

At 50,000 targets, ``slawatch run`` spends about as long importing the agent's
modules as reading the config's YAML, each on one core. So the ``run`` command forks,
before those imports and before any thread exists, a child that reads the file and
builds its YAML values (``config.values.read_values``, which imports neither pydantic
nor the models) and sends them back pickled through a pipe; the parent imports, then
receives the values and validates them (``config.load.load_values``). The child never
words a problem: whatever goes wrong in it (a missing file, bad YAML, a killed child)
makes the parent run the ordinary ``load_config``, so every message is the one a load
prints. Once the values are sent, the child computes their targets' keys and sends them
too, for the agent's first reload to take those targets again (``KnownTargets``,
config/targets.py). A reload has its child too, a new interpreter (config/values.py).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from slawatch.cli.common import Session
from slawatch.errors import SlawatchError

if TYPE_CHECKING:
    from slawatch.config import Config
    from slawatch.config.targets import KnownTargets


@dataclass(frozen=True, slots=True)
class ReadAhead:
    """A child reading the config file at ``path``, its values coming on ``pipe``."""

    path: Path
    child: int
    pipe: int

    def config(self, known: KnownTargets | None = None) -> Config:
        """The config, from the child's values; ``load_config`` if it has none. Its
        targets are left in ``known`` for the reloads, by the keys the child sends
        after the values. Waits for the child, so that no zombie is left (closing the
        pipe first, should the child still be writing)."""
        from slawatch.config.load import load_values
        from slawatch.config.values import unpickled

        try:
            with open(self.pipe, "rb") as pipe:
                values = unpickled(pipe)
                config = load_values(self.path, values)
                keys = unpickled(pipe) if values is not None else None
        finally:
            _, status = os.waitpid(self.child, 0)
        if known is not None and status == 0:
            known.took(keys, config.targets)
        return config


def read_ahead(session: Session) -> ReadAhead | None:
    """A child reading the session's config file; None where forking is not safe
    (threads running, no ``fork``) or the file is not known (the load will say why)."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return None
    try:
        path = session.config_file()
    except SlawatchError:
        return None
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (the child ends in os._exit: no coverage written)
        os.close(reading)
        _send_values(path, writing)
    os.close(writing)
    return ReadAhead(path, child, reading)


def _send_values(path: Path, pipe: int) -> None:
    """In the child: write the file's YAML values to ``pipe`` and exit, 0 if they
    were all sent. Never returns, never prints: the parent words every problem."""
    code = 1
    try:
        from slawatch.config.values import send_values

        code = send_values(path, pipe, keys=True)
    finally:
        os._exit(code)
