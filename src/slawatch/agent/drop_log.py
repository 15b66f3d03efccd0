"""Dropped samples told once per episode, not once per sample.

A full write buffer drops its oldest sample for every new one: at 50,000 targets
that is 833 a second, and a log line each would bury everything else. The
counter (``slawatch_samples_dropped_total``) counts every sample; the log says
when dropping starts and, with the episode's count, when it stops.
"""

from __future__ import annotations

import logging

log = logging.getLogger("slawatch.agent.writer")


class DropLog:
    """The log lines of one buffer's drop episodes."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._dropped = 0  # in the episode under way; 0 when none is

    def dropped(self, count: int) -> None:
        """``count`` more samples were dropped; the first of an episode logs an ERROR."""
        if not self._dropped:
            log.error(
                "write buffer full (%d samples): dropping the oldest from now on "
                "(slawatch_samples_dropped_total counts them)",
                self._capacity,
            )
        self._dropped += count

    def room(self) -> None:
        """The buffer was written: an episode under way ends, with its count."""
        if self._dropped:
            log.warning(
                "write buffer has room again: %d samples were dropped while it was full",
                self._dropped,
            )
            self._dropped = 0
