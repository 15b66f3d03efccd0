"""What every use case runs against, the same whether the CLI or the API calls it.

A command line and an HTTP request both bring a config, a store, the instant
they run at and their own spelling of a field (``--declared-at`` or
``declared_at``): one ``Context`` carries the four, so a use case's own
parameters are only what it is about (a contract, a period, a record's fields).
"""

from __future__ import annotations

from collections.abc import Callable

from slawatch.config import Config
from slawatch.store.store import Store

Spell = Callable[[str], str]  # a field's JSON name -> how the caller's user wrote it


class Context:
    """The config, the store, the instant ``now`` (UTC seconds) and the spelling.

    The store is opened on first use: a command checks its request before it
    touches the database, so a bad period is told before a missing database."""

    __slots__ = ("_open", "_store", "config", "now", "spell")

    def __init__(
        self, config: Config, store: Store | Callable[[], Store], *, now: int, spell: Spell
    ) -> None:
        self.config = config
        self.now = now
        self.spell = spell
        self._store: Store | None = None
        self._open = store if callable(store) else lambda: store

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = self._open()
        return self._store
