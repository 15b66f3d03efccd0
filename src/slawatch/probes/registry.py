"""Which function probes which kind of target: a plain map, as blackbox's ``Probers``.

Adding a kind is one module and one line here; nothing dispatches on URL
schemes or kinds anywhere else.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from slawatch.probes import heartbeat, http, tcp, tls
from slawatch.probes.context import ProbeContext, open_context
from slawatch.probes.result import ProbeResult

if TYPE_CHECKING:  # a probe worker never imports the config package (records.py)
    from slawatch.config.targets import AnyTarget, DnsTarget

Probe = Callable[[Any, ProbeContext], Awaitable[ProbeResult]]
"""``probe(target, context)``: the target is the model of the probe's own kind."""


async def _dns(target: DnsTarget, context: ProbeContext) -> ProbeResult:
    """The dns probe, imported when first used: a probe worker without dns targets
    does without dnspython (2.4 MB)."""
    from slawatch.probes import dns

    return await dns.probe(target, context)


PROBES: dict[str, Probe] = {
    "http": http.probe,
    "tcp": tcp.probe,
    "dns": _dns,
    "tls": tls.probe,
    "heartbeat": heartbeat.probe,
}


async def run_probe(target: AnyTarget, context: ProbeContext | None = None) -> ProbeResult:
    """Probe ``target`` once. Without a ``context`` (a one-off, e.g. the ``probe``
    command) one is opened and closed around it; the agent passes its own."""
    if context is not None:
        return await PROBES[target.kind](target, context)
    async with open_context() as fresh:
        return await PROBES[target.kind](target, fresh)
