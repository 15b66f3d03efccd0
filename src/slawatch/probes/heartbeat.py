"""The heartbeat "probe": did the job report in within its interval plus grace?

Jobs push (``POST /ping/<name>`` on the agent); nothing is sent to them. The
check is a pure function of the last ping's time and the clock, so the agent
can run it on its schedule like any probe, and tests need no sleeping.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from slawatch.notation import format_duration_ms
from slawatch.probes.result import Outcome, ProbeResult, utc_text

if TYPE_CHECKING:
    from slawatch.config.targets import HeartbeatTarget
    from slawatch.probes.context import ProbeContext


async def probe(target: HeartbeatTarget, context: ProbeContext) -> ProbeResult:
    return heartbeat_result(target, context.pings.get(target.name), context.now())


def heartbeat_result(target: HeartbeatTarget, last_ping: float | None, now: float) -> ProbeResult:
    """OK when ``last_ping`` (Unix seconds) is at most ``interval + grace`` before
    ``now``. A job that never pinged fails: the agent passes the time it started
    watching as ``last_ping`` if a new job should get one interval to report in."""
    allowed = target.interval + target.grace
    if last_ping is None:
        return _missed("no ping received")
    if now - last_ping <= allowed:
        return ProbeResult(Outcome.OK, 0.0)
    late = format_duration_ms(math.ceil(now - last_ping - allowed) * 1_000)
    return _missed(f"last ping at {utc_text(last_ping)}, {late} later than interval + grace allow")


def _missed(message: str) -> ProbeResult:
    return ProbeResult(
        Outcome.CHECK_FAILED, 0.0, error_class="heartbeat_missed", error_message=message
    )
