"""What the agent probes: one model per probe kind, chosen by ``kind``.

Only what each kind clearly needs is validated now (``http`` a URL, ``tcp`` and
``tls`` a host and port, ``dns`` a name to resolve, ``heartbeat`` nothing); a
probe that needs more settings adds them to its own model, and keys that belong
to another kind are unknown keys here, not silently ignored.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal, Self
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from slawatch.config import defaults
from slawatch.config.base import ConfigModel, error_at, invalid, raise_errors
from slawatch.config.durations import format_duration_ms
from slawatch.config.fields import Milliseconds, Name, Seconds
from slawatch.sla.timeline import TimelineRule

DISCRIMINATOR = "kind"  # the key that says which model a target item is
_HOST_RE = re.compile(r"[\w.-]+")  # a host name or IPv4 address (IPv6 is checked apart)


class _Target(ConfigModel):
    """What every target has: how often it reports, and when failures become an outage."""

    name: Name = Field(examples=["cegid-portal-web"])
    interval: Seconds = Field(default=defaults.INTERVAL, examples=["60s"])
    confirm_after: int = Field(default=defaults.CONFIRM_AFTER, ge=1, examples=[2])

    def timeline_rule(self) -> TimelineRule:
        """How the core turns this target's samples into up / down / unknown time."""
        return TimelineRule(self.interval, self.confirm_after)


class _ProbedTarget(_Target):
    """A target the agent probes itself, so a probe can time out or answer slowly."""

    timeout_ms: Milliseconds = Field(default=defaults.TIMEOUT_MS, alias="timeout", examples=["10s"])
    degraded_above_ms: Milliseconds | None = Field(
        default=None, alias="degraded_above", examples=["2s"]
    )

    @model_validator(mode="after")
    def _timeout_below_interval(self) -> Self:
        # A probe still running when the next one is due would overlap it.
        if self.timeout_ms < self.interval * 1_000:
            return self
        message = f"must be < interval ({self.interval} s)"
        if "timeout_ms" not in self.model_fields_set:
            message += f"; the default is {format_duration_ms(defaults.TIMEOUT_MS)}"
        half = self.interval * 500
        example = format_duration_ms(half - half % 1_000 or half)
        raise_errors([error_at(("timeout",), message, example)])

    def timeline_rule(self) -> TimelineRule:
        degraded = None if self.degraded_above_ms is None else float(self.degraded_above_ms)
        return TimelineRule(self.interval, self.confirm_after, degraded)


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise invalid("must be an http:// or https:// URL with a host")
    return value


def _host(value: str) -> str:
    if _HOST_RE.fullmatch(value) or _is_ipv6(value):
        return value
    raise invalid("must be a host name or IP address, without scheme or port")


def _is_ipv6(value: str) -> bool:
    try:
        return ipaddress.ip_address(value).version == 6
    except ValueError:
        return False


Host = Annotated[str, AfterValidator(_host)]
Port = Annotated[int, Field(ge=1, le=65535, examples=[443])]


class HttpTarget(_ProbedTarget):
    kind: Literal["http"]
    url: Annotated[str, AfterValidator(_http_url)] = Field(examples=["https://portal.example.com/"])


class TcpTarget(_ProbedTarget):
    kind: Literal["tcp"]
    host: Host = Field(examples=["db.example.com"])
    port: Port


class TlsTarget(_ProbedTarget):
    kind: Literal["tls"]
    host: Host = Field(examples=["portal.example.com"])
    port: Port


class DnsTarget(_ProbedTarget):
    kind: Literal["dns"]
    query_name: Host = Field(examples=["portal.example.com"])


class HeartbeatTarget(_Target):
    """A job that reports in by itself; ``interval`` is how often it must."""

    kind: Literal["heartbeat"]


AnyTarget = HttpTarget | TcpTarget | TlsTarget | DnsTarget | HeartbeatTarget
KINDS = ("http", "tcp", "dns", "tls", "heartbeat")  # in the order the docs list them


def _known_kind(value: object) -> object:
    # Checked before pydantic picks the model, so that the message names the
    # kinds and points at the `kind` key rather than at the whole item.
    if isinstance(value, dict) and value.get(DISCRIMINATOR) not in KINDS:
        kind = value.get(DISCRIMINATOR)
        listing = "one of " + ", ".join(KINDS)
        message = f"required key missing: {listing}" if kind is None else f"must be {listing}"
        raise_errors([error_at((DISCRIMINATOR,), message, "http")])
    return value


Target = Annotated[AnyTarget, Field(discriminator=DISCRIMINATOR), BeforeValidator(_known_kind)]
