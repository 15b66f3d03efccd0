"""SIGHUP: the config file read again off the event loop, and swapped in if it loads.

Reading a big config takes a while (50,000 targets took 15 s, and a SIGHUP made
8,694 of the next 40,145 probe runs start more than 5 s late): the file is read,
parsed and validated in a worker thread while the loop keeps probing, and only the
swap, which is quick, runs on the loop. The YAML (0.6 s of CPU at 50,000 targets) is
read by a child process, a new interpreter, so that with ``workers: 1`` only the
validation takes turns with the probes on this process's core and interpreter lock;
a child that fails hands over to the ordinary load. SIGHUPs that arrive during a
load are folded into one more load after it, so the file's last version wins.

Whatever the file holds (bad YAML, an alias bomb, ``/dev/zero``, or a bug of ours)
the agent lives on with the config it has: the refusal is logged, one line per
problem with passwords masked, and counted (``on_refused``).

Some settings are taken once, at start: the database the agent opened, the address
it listens on and its probe worker processes. A reload that changes them applies
everything else, keeps the running values, and says in the log that a restart is
needed (``restart_needed``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from slawatch.config import Config, ConfigError
from slawatch.config.base import ConfigModel
from slawatch.config.load import load_values
from slawatch.config.redact import mask_credentials
from slawatch.config.targets import KnownTargets
from slawatch.config.values import read_in_child

log = logging.getLogger(__name__)

# What a reload cannot change, as ``(section, key)`` of the config file.
AT_START = (
    ("database", "url"),
    ("agent", "listen"),
    ("agent", "location"),  # its samples' key, and the metrics' label set
    ("agent", "workers"),
    ("agent", "spool_dir"),
    ("agent", "spool_max_bytes"),
)


Pause = Callable[[], AbstractContextManager[object]]


class Reloader:
    """Loads ``path`` when ``request`` is called (from the SIGHUP handler, on the loop)
    and hands a config that loads to ``apply``, on the loop; ``on_refused`` is called,
    on the loop too, for one that does not. Each load, and each ``apply``, runs inside
    ``pause()``: the process's policy for bulk work, which the ``run`` command sets
    (cli/agent.py pauses the garbage collector, whose full collections held the loop
    for half a second during a 50,000-target load, and a second during the swap).
    The targets whose items did not change since the last good load (``known``: the
    start's, if it gave them) are taken again rather than validated again."""

    def __init__(
        self,
        path: Path,
        apply: Callable[[Config], None],
        on_refused: Callable[[], None],
        pause: Pause = contextlib.nullcontext,
        known: KnownTargets | None = None,
    ) -> None:
        self.path = path
        self._known = KnownTargets() if known is None else known
        self._apply = apply
        self._on_refused = on_refused
        self._pause = pause
        self._task: asyncio.Task[None] | None = None
        self._again = False

    def request(self) -> None:
        """Start a load, or ask for one more once the load under way ends."""
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = asyncio.get_running_loop().create_task(self._reload())

    async def _reload(self) -> None:
        self._again = True
        while self._again:
            self._again = False
            config = await self._read()
            if config is not None:
                with self._pause():  # the swap builds per-target tables too (runner.py)
                    self._apply(config)

    async def _read(self) -> Config | None:
        try:
            return await asyncio.to_thread(self._load)
        except ConfigError as exc:
            log.error("config reload refused, the old config keeps running:\n%s", exc)
        except Exception:  # a bug of ours (or MemoryError): the agent must not die of it
            log.exception("config reload failed, the old config keeps running")
        self._on_refused()
        return None

    def _load(self) -> Config:
        """The file's YAML read by a child process (config/values.py), so that only
        the validation shares this process with the probes; ``load_config`` words
        every problem, as ever."""
        with self._pause():
            return load_values(self.path, read_in_child(self.path), self._known)


def restart_needed(running: Config, loaded: Config) -> tuple[Config, list[str]]:
    """``loaded`` with the settings taken at start put back to their ``running`` values,
    and a log line for each that ``loaded`` changes."""
    notes = []
    sections: dict[str, ConfigModel] = {}
    for section, key in AT_START:
        old = getattr(getattr(running, section), key)
        new = getattr(getattr(loaded, section), key)
        if old != new:
            before, after = mask_credentials(str(old)), mask_credentials(str(new))
            notes.append(
                f"config reload: {section}.{key} changed ({before} -> {after}) and needs a "
                "restart of the agent; the rest of the config is applied"
            )
            kept = sections.get(section, getattr(loaded, section))
            sections[section] = kept.model_copy(update={key: old})
    return loaded.model_copy(update=sections), notes
