"""Trouble that lasts, logged once when it starts and once when it ends: a database
away for an hour, or a full spool at 833 samples a second, must not write a line
per attempt or per sample."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable


class Drops:
    """Samples dropped for one reason: counted each time, logged once per episode
    (when it starts, and when it ends with its total), never once per sample."""

    def __init__(self, log: logging.Logger, count: Callable[[int], None], reason: str) -> None:
        self._log = log
        self._count = count
        self._reason = reason
        self._lock = threading.Lock()  # the loop and the write thread both drop
        self._dropped = 0  # in the episode under way; 0: none under way

    def record(self, dropped: int) -> None:
        """``dropped`` samples were just dropped (0 or less: none, which ends an episode)."""
        if dropped > 0:
            self._count(dropped)
        with self._lock:
            before = self._dropped
            self._dropped = before + dropped if dropped > 0 else 0
        if dropped > 0 and not before:
            self._log.error("%s: dropping samples, their time turns unknown", self._reason)
        elif dropped <= 0 and before:
            self._log.warning("%s: %d samples dropped in all; none any more", self._reason, before)


class Failing:
    """A part that fails and recovers: logged when it starts failing and when it
    recovers, not at every attempt in between."""

    def __init__(self, log: logging.Logger, failing: str, recovered: str) -> None:
        self._log = log
        self._failing = failing
        self._recovered = recovered
        self.error: str | None = None

    def failed(self, error: str) -> None:
        if self.error is None:
            self._log.warning("%s: %s", self._failing, error)
        self.error = error

    def recovered(self) -> None:
        if self.error is not None:
            self._log.info(self._recovered)
        self.error = None
