"""Probes: one module per target kind, each returning a frozen ``ProbeResult``.

``run_probe(target, context)`` probes a target once and never raises; the agent
opens one ``ProbeContext`` (``open_context()``) for the whole process and shares
it. Probes write no metrics and touch no database: those read the results.
"""

from slawatch.probes.context import ProbeContext, open_context
from slawatch.probes.registry import PROBES, run_probe
from slawatch.probes.result import Outcome, ProbeResult
from slawatch.probes.text import format_result

__all__ = [
    "PROBES",
    "Outcome",
    "ProbeContext",
    "ProbeResult",
    "format_result",
    "open_context",
    "run_probe",
]
