"""What one probe found: the single record that metrics, the store and the timeline read.

A probe never raises: whatever went wrong becomes an ``Outcome`` (a handful of
kinds, for alerting and for telling the provider's faults from our own) and an
``error_class`` (a stable snake_case word, for a low-cardinality metric label),
with the detail in ``error_message`` for people.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any


class Outcome(StrEnum):
    """How a probe ended. Only ``OK`` is a success."""

    OK = "ok"
    TIMEOUT = "timeout"  # no answer within the target's timeout
    CONNECTION_FAILED = "connection_failed"  # refused, unreachable, unresolvable, reset
    TLS_FAILED = "tls_failed"  # handshake failed or the certificate is not trusted
    PROTOCOL_ERROR = "protocol_error"  # the peer answered, but not in its protocol
    CHECK_FAILED = "check_failed"  # a valid answer that fails the target's conditions
    PROBE_ERROR = "probe_error"  # our side could not probe (missing secret, a bug)


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """One probe of one target.

    ``phases`` splits ``duration_seconds`` like blackbox_exporter's
    ``probe_http_duration_seconds{phase}`` (``connect``, ``tls``, ``processing``,
    ``transfer``), summed over redirects; a failed probe keeps the phases it got
    through. ``cert_expiry`` is the ``notAfter`` (Unix seconds) of the server's
    certificate, the earliest one over redirects, kept even when the probe failed
    after the handshake.
    """

    outcome: Outcome
    duration_seconds: float
    status_code: int | None = None
    error_class: str | None = None
    error_message: str | None = None
    phases: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    cert_expiry: float | None = None

    @property
    def ok(self) -> bool:
        """Whether the target passed (before degraded-as-down, which is the timeline's)."""
        return self.outcome is Outcome.OK

    def __reduce__(self) -> tuple[Callable[[dict[str, Any]], ProbeResult], tuple[Any, ...]]:
        """Pickled with its phases as a dict (a ``MappingProxyType`` does not pickle):
        results travel from the probe worker processes to the agent."""
        state = {f.name: getattr(self, f.name) for f in fields(self)}
        return _unpickle, ({**state, "phases": dict(self.phases)},)


def _unpickle(state: dict[str, Any]) -> ProbeResult:
    return ProbeResult(**{**state, "phases": MappingProxyType(state["phases"])})


def utc_text(seconds: float) -> str:
    """Unix seconds as ISO 8601 UTC text, as messages and ``format_result`` show them."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
