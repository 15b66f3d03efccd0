"""Value types shared by the config models: names, durations, time zones, windows.

Each is an ``Annotated`` type whose validator turns the text a user wrote into
the value the core uses (``"1h30m"`` -> 5400 seconds, ``"Europe/Paris"`` ->
``ZoneInfo``), so a model that validates holds nothing left to parse.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from typing import Annotated
from zoneinfo import ZoneInfo, available_timezones

from pydantic import AfterValidator, PlainValidator

from slawatch.config.base import invalid
from slawatch.config.durations import parse_duration, parse_duration_ms
from slawatch.config.errors import DurationError, closest
from slawatch.sla.calendar import WeeklyWindow

_NAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]*")
_DURATION_HINT = "must be a duration such as 30s, 5m, 1h30m or 2d"


def _non_empty(items: tuple[object, ...]) -> tuple[object, ...]:
    if not items:
        raise invalid("must not be empty")
    return items


NonEmpty = AfterValidator(_non_empty)
"""For lists that need an item. Unlike ``min_length``, it stays quiet when the
items are there but invalid (pydantic would also say "at least 1 item")."""


def _name(value: str) -> str:
    if not _NAME_RE.fullmatch(value):
        raise invalid(
            "must be lowercase letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    return value


Name = Annotated[str, AfterValidator(_name)]
"""A target or contract name: it appears in metric labels, URLs and file names."""


def _duration(parse: Callable[[str], int], minimum: int) -> Callable[[object], int]:
    def validate(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            raise invalid(_DURATION_HINT)
        try:
            parsed = parse(str(value))
        except DurationError as exc:
            raise invalid(exc.rule, exc.example) from None
        if parsed < minimum:
            raise invalid("must be > 0 s" if minimum else "must be >= 0 s")
        return parsed

    return validate


Seconds = Annotated[int, PlainValidator(_duration(parse_duration, 1))]
"""A duration > 0 in whole seconds, written ``60s``, ``5m``, ``1h30m``, ``2d``."""

SecondsOrZero = Annotated[int, PlainValidator(_duration(parse_duration, 0))]
"""A duration >= 0 in whole seconds (``0s`` means none)."""

Milliseconds = Annotated[int, PlainValidator(_duration(parse_duration_ms, 1))]
"""A duration > 0 in milliseconds, for probe timeouts and latencies (``500ms``, ``2s``)."""


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def _zone(value: object) -> ZoneInfo:
    if not isinstance(value, str):
        raise invalid("must be an IANA time zone name")
    if value not in _zone_names():
        guess = closest(value, _zone_names())
        raise invalid("unknown IANA time zone", guess or "Europe/Paris")
    return ZoneInfo(value)


Zone = Annotated[ZoneInfo, PlainValidator(_zone)]
"""An IANA time zone (``Europe/Paris``, ``UTC``), checked against the tz database."""


def _weekly(value: object) -> WeeklyWindow:
    if not isinstance(value, str):
        raise invalid("must be a weekly window text", "mon-fri 07:00-20:00")
    return WeeklyWindow.parse(value)  # its ValueError names the rule and an example


Weekly = Annotated[WeeklyWindow, PlainValidator(_weekly)]
"""A weekly local-time window such as ``mon-fri 07:00-20:00`` or ``daily 20:00-07:00``."""
