"""The agent's config, read in a child process while the agent imports its modules.

At 50,000 targets, ``slawatch run`` spends about as long importing the agent's
modules as reading the config's YAML, each on one core. So the ``run`` command forks,
before those imports and before any thread exists, a child that reads the file and
builds its YAML values (``config.values.read_values``, which imports neither pydantic
nor the models) and sends them back pickled through a pipe; the parent imports, then
receives the values and validates them (``config.load.load_values``). The child never
words a problem: whatever goes wrong in it (a missing file, bad YAML, a killed child)
makes the parent run the ordinary ``load_config``, so every message is the one a load
prints. A reload has its child too, a new interpreter (config/values.py).
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
        """The config, from the child's values (its targets left in ``known``, for the
        reloads); ``load_config`` if it has none."""
        from slawatch.config.load import load_values

        return load_values(self.path, self._values(), known)

    def _values(self) -> object:
        """The child's values, or None if it had none or did not end well. Waits for
        it, so that no zombie is left."""
        from slawatch.config.values import from_child

        with open(self.pipe, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(self.child, 0)
        return from_child(data, status)


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

        code = send_values(path, pipe)
    finally:
        os._exit(code)
