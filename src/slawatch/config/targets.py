"""What the agent probes: one model per probe kind, chosen by ``kind``.

Each kind requires only what it cannot do without (``http`` a URL, ``tcp`` and
``tls`` a host and port, ``dns`` a name to resolve, ``heartbeat`` nothing); every
other probe setting has a default. Keys that belong to another kind are unknown
keys here, not silently ignored, and settings that could not take effect
(``verify_tls`` on a tcp target without ``tls: true``) are errors.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Annotated, Literal, Self
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from slawatch.config import defaults
from slawatch.config.base import ConfigModel, error_at, invalid, raise_errors
from slawatch.config.durations import format_duration_ms
from slawatch.config.fields import Milliseconds, Name, NonEmpty, Seconds, SecondsOrZero
from slawatch.config.locations import NO_LOCATIONS, Locations
from slawatch.config.probe_settings import (
    Flag,
    Headers,
    JsonCondition,
    RecordType,
    Regex,
    Resolver,
    StatusCode,
    canonical_answer,
    no_headers,
)
from slawatch.config.values import KEY_SIZE, target_key
from slawatch.sla.locations import LocationRule
from slawatch.sla.timeline import TimelineRule

DISCRIMINATOR = "kind"  # the key that says which model a target item is
_HOST_RE = re.compile(r"[\w.-]+")  # a host name or IPv4 address (IPv6 is checked apart)
# http(s)://HOST[:PORT] then the end or a path, query or fragment: urlsplit finds the
# scheme and a host in every URL this matches (the others it checks itself). It took a
# third of the time validating 50,000 targets.
_PLAIN_URL_RE = re.compile(r"https?://[A-Za-z0-9._~-]+(?::[0-9]*)?(?:[/?#]|\Z)")


@lru_cache(maxsize=1024)
def shared_rule(interval: int, confirm_after: int, degraded: float | None = None) -> TimelineRule:
    """One (frozen) rule per distinct setting: the agent builds the table of every
    target's rule at start and at each reload, and 50,000 targets share a handful."""
    return TimelineRule(interval, confirm_after, degraded)


class _Target(ConfigModel):
    """What every target has: how often it reports, and when failures become an outage."""

    name: Name = Field(examples=["cegid-portal-web"])
    interval: Seconds = Field(default=defaults.INTERVAL, examples=["60s"])
    confirm_after: int = Field(default=defaults.CONFIRM_AFTER, ge=1, examples=[2])
    locations: Locations = Field(default=NO_LOCATIONS)

    def timeline_rule(self) -> TimelineRule:
        """How the core turns this target's samples into up / down / unknown time."""
        return shared_rule(self.interval, self.confirm_after)

    def location_rule(self) -> LocationRule:
        """How the core combines this target's locations into its timeline."""
        return self.locations.location_rule()

    def answers_within_ms(self) -> int:
        """How long after its instant a sample may reach the agent's writer: at once
        for a heartbeat's (judged at its instant)."""
        return 0


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

    def answers_within_ms(self) -> int:
        return self.timeout_ms

    def timeline_rule(self) -> TimelineRule:
        degraded = None if self.degraded_above_ms is None else float(self.degraded_above_ms)
        return shared_rule(self.interval, self.confirm_after, degraded)


def _http_url(value: str) -> str:
    if _PLAIN_URL_RE.match(value):  # what urlsplit would find fine, in a tenth of its time
        return value
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise invalid("must be an http:// or https:// URL with a host")
    return value


HttpUrl = Annotated[str, AfterValidator(_http_url)]
"""An ``http://`` or ``https://`` URL with a host."""


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


class _TlsSettings(ConfigModel):
    """What a probe that speaks TLS checks about the server and its certificate."""

    verify_tls: Flag = Field(default=defaults.VERIFY_TLS, examples=["false"])
    min_cert_validity: Seconds | None = Field(default=None, examples=["14d"])


HttpMethod = Literal["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class HttpTarget(_TlsSettings, _ProbedTarget):
    kind: Literal["http"]
    url: HttpUrl = Field(examples=["https://portal.example.com/"])
    method: HttpMethod = Field(default=defaults.HTTP_METHOD, examples=["GET"])
    headers: Headers = Field(
        default_factory=no_headers, examples=["{Authorization: Bearer ${PORTAL_TOKEN}}"]
    )
    body: str | None = Field(default=None, examples=['{"ping": true}'])
    follow_redirects: Flag = Field(default=defaults.FOLLOW_REDIRECTS, examples=["false"])
    valid_status_codes: Annotated[tuple[StatusCode, ...], NonEmpty] = Field(
        default=(), examples=["[200, 204]"]
    )
    body_contains: str | None = Field(default=None, examples=["Welcome"])
    body_regex: Regex | None = Field(default=None, examples=["version: [0-9.]+"])
    body_json: JsonCondition | None = Field(default=None, examples=["{path: status, equals: ok}"])


class TcpTarget(_TlsSettings, _ProbedTarget):
    kind: Literal["tcp"]
    host: Host = Field(examples=["db.example.com"])
    port: Port
    tls: Flag = Field(default=False, examples=["true"])
    send: str | None = Field(default=None, min_length=1, examples=["PING\\r\\n"])
    expect: str | None = Field(default=None, min_length=1, examples=["+PONG"])

    @model_validator(mode="after")
    def _tls_settings_need_tls(self) -> Self:
        unused = [
            key for key in ("verify_tls", "min_cert_validity") if key in self.model_fields_set
        ]
        if self.tls or not unused:
            return self
        raise_errors([error_at((key,), "needs tls: true") for key in unused])


class TlsTarget(_TlsSettings, _ProbedTarget):
    kind: Literal["tls"]
    host: Host = Field(examples=["portal.example.com"])
    port: Port


class DnsTarget(_ProbedTarget):
    kind: Literal["dns"]
    query_name: Host = Field(examples=["portal.example.com"])
    resolver: Resolver | None = Field(default=None, examples=["9.9.9.9"])
    record_type: RecordType = Field(default=defaults.DNS_RECORD_TYPE, examples=["AAAA"])
    expected_answers: Annotated[tuple[str, ...], NonEmpty] = Field(
        default=(), examples=["[192.0.2.10]"]
    )

    @field_validator("expected_answers")
    @classmethod
    def _canonical(cls, answers: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        # Written as the probe will see them, so that it compares texts.
        record_type = info.data.get("record_type")
        if record_type is None:  # invalid itself, and reported as such
            return answers
        canonical, errors = [], []
        for i, answer in enumerate(answers):
            try:
                canonical.append(canonical_answer(record_type, answer))
            except ValueError as exc:
                errors.append(error_at((i,), str(exc), "192.0.2.10"))
        if errors:
            raise_errors(errors)
        return tuple(canonical)


class HeartbeatTarget(_Target):
    """A job that reports in by itself; ``interval`` is how often it must."""

    kind: Literal["heartbeat"]
    grace: SecondsOrZero = Field(default=defaults.HEARTBEAT_GRACE, examples=["1h"])


AnyTarget = HttpTarget | TcpTarget | TlsTarget | DnsTarget | HeartbeatTarget
KINDS = ("http", "tcp", "dns", "tls", "heartbeat")  # in the order the docs list them


KNOWN = "known_targets"  # the validation context's key of a load's ``KnownTargets``


@dataclass(slots=True)
class KnownTargets:
    """The target models a load made, by what their items say (``target_key``), for
    the next load to take again: a reload of 50,000 targets, most of them unchanged,
    validates only the items that changed (0.21 s of CPU instead of 0.31 s, on the
    agent's process). Exactly as strict as validating again: a target's validation reads its
    item alone (no other part of the file, no file, no clock), and the key tells apart
    every value of another text or type (``60`` from ``"60"``, ``1`` from ``true``).

    Between loads it keeps the keys end to end in one ``bytes`` (16 bytes a target)
    beside the load's own sequence of targets; the mapping is made when the next load
    first looks a key up (10 ms for 50,000): kept for the agent's life, it and its
    keys took 6 MB."""

    keys: list[bytes] = field(default_factory=list)  # the load under way's items, in order
    _keys: bytes = b""  # the last good load's, in the order of ...
    _targets: Sequence[AnyTarget] = ()  # ... its targets
    _before: dict[bytes, AnyTarget] | None = None

    @property
    def before(self) -> dict[bytes, AnyTarget]:
        """The last good load's models by the key of their item."""
        if self._before is None:
            keys = (self._keys[i : i + KEY_SIZE] for i in range(0, len(self._keys), KEY_SIZE))
            self._before = dict(zip(keys, self._targets, strict=True))
        return self._before

    def ended(self, targets: Sequence[AnyTarget] | None) -> None:
        """The load under way ended with ``targets`` (None: it was refused): theirs are
        the models to take next."""
        keys, self.keys, self._before = self.keys, [], None  # made again from _keys if need be
        if targets is not None:
            self.took(keys, targets)

    def took(self, keys: object, targets: Sequence[AnyTarget]) -> None:
        """A good load's ``targets``, from the keys of their items, in their order
        (the start's child computes them while the agent validates without this:
        0.04 s of its validation saved)."""
        if (
            isinstance(keys, list)
            and len(keys) == len(targets)
            and all(type(key) is bytes and len(key) == KEY_SIZE for key in keys)
        ):
            self._keys, self._targets, self._before = b"".join(keys), targets, None


def _known_kind(value: object, info: ValidationInfo) -> object:
    """The model the last good load made of this very item (``KnownTargets``), if the
    load has them; else the item, its kind checked before pydantic picks the model,
    so that the message names the kinds and points at the `kind` key rather than at
    the whole item."""
    if not isinstance(value, dict):
        return value
    known = info.context.get(KNOWN) if isinstance(info.context, dict) else None
    if known is not None:
        key = target_key(value)
        known.keys.append(key)  # items are validated in their order
        model = known.before.get(key)
        if model is not None:
            return model  # a model instance: pydantic takes it as it is
    if value.get(DISCRIMINATOR) not in KINDS:
        kind = value.get(DISCRIMINATOR)
        listing = "one of " + ", ".join(KINDS)
        message = f"required key missing: {listing}" if kind is None else f"must be {listing}"
        raise_errors([error_at((DISCRIMINATOR,), message, "http")])
    return value


Target = Annotated[AnyTarget, Field(discriminator=DISCRIMINATOR), BeforeValidator(_known_kind)]
