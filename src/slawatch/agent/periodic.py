"""Work that may wait on the database, kept off the event loop and out of the exit path.

A daemon thread, not ``asyncio.to_thread``: a call stuck on a frozen database
would keep the default executor, and so the process, from exiting (Python 3.11
joins its threads without a deadline). A stopping agent waits for it a bounded
time, then leaves it behind, and its process ends past it (cli/agent.py).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Periodic:
    """Runs ``work`` in a thread of its own every ``every`` seconds, or sooner when
    woken, until stopped; once more after ``stop``, so that the last call sees
    everything that came before it."""

    def __init__(self, work: Callable[[], None], every: float, name: str) -> None:
        self._work = work
        self._every = every
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._last_run = True
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        """Run ``work`` now, or as soon as the call under way returns."""
        self._wake.set()

    def stop(self, grace: float, *, last_run: bool = True) -> bool:
        """Run ``work`` a last time (unless not ``last_run``) and wait up to ``grace``
        seconds for it; a call still under way then is left behind. Returns whether
        the thread ended (else what it holds is still in use)."""
        self._last_run = last_run
        self._stopping.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(grace)
        return not self._thread.is_alive()

    def _run(self) -> None:
        while True:
            self._wake.wait(self._every)
            self._wake.clear()
            stopping = self._stopping.is_set()  # read before the call: the last one sees all
            if stopping and not self._last_run:
                return
            try:
                self._work()
            except Exception:  # a bug: say so with its traceback, and carry on
                log.exception("%s failed; it runs again in %g s", self._thread.name, self._every)
            if stopping:
                return
