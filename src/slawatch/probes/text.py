"""A probe result as text for people, in the spirit of blackbox_exporter's debug output."""

from __future__ import annotations

from slawatch.probes.result import ProbeResult, utc_text


def format_result(result: ProbeResult) -> str:
    """Outcome, duration, status, phases, certificate expiry and error, one per line;
    lines with nothing to say are left out."""
    lines = [f"outcome: {result.outcome}", f"duration: {result.duration_seconds:.6f} s"]
    if result.status_code is not None:
        lines.append(f"status code: {result.status_code}")
    if result.phases:
        lines.append("phases:")
        width = max(map(len, result.phases))
        lines += [f"  {name:<{width}}  {secs:.6f} s" for name, secs in result.phases.items()]
    if result.cert_expiry is not None:
        lines.append(f"certificate expires: {utc_text(result.cert_expiry)}")
    if result.error_class is not None:
        lines.append(f"error: {result.error_class}: {result.error_message}")
    return "\n".join(lines)
