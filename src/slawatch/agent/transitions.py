"""One log line when a target goes down or comes back up.

Confirmed transitions only, by the timeline's own rule 2 (sla/timeline.py): a target
goes down once ``confirm_after`` consecutive probes failed, and the line names the
first failed sample, where the outage starts; it is up again at its next successful
probe. An SRE reading the log sees the outages the report will count, not every
failed probe.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from slawatch.probes.result import ProbeResult, utc_text
from slawatch.sla.timeline import TimelineRule, is_failure

log = logging.getLogger("slawatch.agent.targets")


@dataclass(slots=True)
class _Run:
    """A target's failed probes in a row, and whether they were confirmed."""

    first_at: float
    first_error: str
    failed: int = 0
    down: bool = False


class Transitions:
    """Per target, the run of failed probes under way; logs each confirmed edge."""

    def __init__(self, rules: Mapping[str, TimelineRule]) -> None:
        self.rules = rules  # the config's, swapped on a reload
        self._runs: dict[str, _Run] = {}

    def observe(self, target: str, at: float, sample: ProbeResult) -> None:
        """The sample of ``target`` taken at ``at`` (Unix seconds), in order per target;
        slow beyond ``degraded_above_ms`` counts as failed, as in the timeline."""
        rule = self.rules.get(target)
        if rule is None:
            return  # removed by a reload while it was probed
        latency_ms = sample.duration_seconds * 1000
        if not is_failure(sample.ok, latency_ms, rule.degraded_above_ms):
            self._up(target, at)
            return
        run = self._runs.get(target)
        if run is None:
            error = (
                sample.error_message
                or sample.error_class
                or f"slower than {rule.degraded_above_ms} ms"
            )
            run = self._runs[target] = _Run(at, error)
        run.failed += 1
        if not run.down and run.failed >= rule.confirm_after:
            run.down = True
            log.warning(
                "target %s down since %s (first failed sample: %s; %d failed in a row)",
                target,
                utc_text(run.first_at),
                run.first_error,
                run.failed,
            )

    def _up(self, target: str, at: float) -> None:
        run = self._runs.pop(target, None)
        if run is not None and run.down:
            log.info(
                "target %s up at %s (down since %s)", target, utc_text(at), utc_text(run.first_at)
            )

    def forget(self, target: str) -> None:
        """``target`` left the config: its run under way is dropped, without a line."""
        self._runs.pop(target, None)
