"""Value types shared by the config models: names, durations, time zones, windows.

Each is an ``Annotated`` type whose validator turns the text a user wrote into
the value the core uses (``"1h30m"`` -> 5400 seconds, ``"Europe/Paris"`` ->
``ZoneInfo``), so a model that validates holds nothing left to parse.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Annotated
from zoneinfo import ZoneInfo, available_timezones

from pydantic import AfterValidator, PlainValidator

from slawatch.config.base import error_at, invalid, raise_errors
from slawatch.config.durations import parse_duration, parse_duration_ms
from slawatch.config.errors import DurationError, closest
from slawatch.sla.calendar import WeeklyWindow
from slawatch.sla.service import Rule

NAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]*")
_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_VARIABLE_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CURRENCY_RE = re.compile(r"[A-Z]{3}")
_DURATION_HINT = "must be a duration such as 30s, 5m, 1h30m or 2d"


def _non_empty(items: tuple[object, ...]) -> tuple[object, ...]:
    if not items:
        raise invalid("must not be empty")
    return items


NonEmpty = AfterValidator(_non_empty)
"""For lists that need an item. Unlike ``min_length``, it stays quiet when the
items are there but invalid (pydantic would also say "at least 1 item")."""


def _name(value: str) -> str:
    if not NAME_RE.fullmatch(value):
        raise invalid(
            "must be lowercase letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    return value


Name = Annotated[str, AfterValidator(_name)]
"""A target or contract name: it appears in metric labels, URLs and file names."""


def _location(value: str) -> str:
    return value and _name(value)


Location = Annotated[str, AfterValidator(_location)]
"""A location's name, as a ``Name``, or ``""``: the unnamed location."""


def _variable(value: str) -> str:
    if not _VARIABLE_RE.fullmatch(value):
        raise invalid(
            "must name an environment variable: letters, digits and _, not a digit first",
            "SLAWATCH_API_TOKEN",
        )
    return value


Variable = Annotated[str, AfterValidator(_variable)]
"""The name of an environment variable (secrets stay out of the config file)."""


def _currency(value: str) -> str:
    if not _CURRENCY_RE.fullmatch(value):
        raise invalid("must be an ISO 4217 code in capitals")
    return value


Currency = Annotated[str, AfterValidator(_currency)]
"""An ISO 4217 currency code such as ``EUR``."""


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


def parse_day(value: object) -> date:
    """A local date written ``YYYY-MM-DD`` (YAML reads a real one as a date; one that
    cannot exist, such as ``2027-02-30``, stays text). Raises ``ValueError`` saying why
    the date does not exist, with the nearest real one in ``args[1]``."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    match = _DATE_RE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError("must be a date YYYY-MM-DD", "2027-03-31")
    year, month, day = (int(part) for part in match.groups())
    if not year or not 1 <= month <= 12:
        raise ValueError("not a date: years start at 0001, months run 01..12", "2027-03-31")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        name = calendar.month_name[month]
        raise ValueError(f"not a date: {name} {year} has {last} days", f"{year}-{month:02d}-{last}")
    return date(year, month, day)


def _day(value: object) -> date:
    try:
        return parse_day(value)
    except ValueError as exc:
        raise invalid(*exc.args) from None


Day = Annotated[date, PlainValidator(_day)]
"""A local date ``YYYY-MM-DD`` in the contract's zone, such as an expiry (its last day)."""


def parse_rule(value: object, words: str = "all, any") -> Rule:
    """``all``, ``any`` or ``{quorum: K}``: how a service's targets, or a target's
    locations, combine (SPEC section 2). ``words``: the keywords the error names."""
    if value in ("all", "any"):
        return Rule(str(value))
    if isinstance(value, dict) and list(value) == ["quorum"]:
        k = value["quorum"]
        if isinstance(k, int) and not isinstance(k, bool) and k >= 1:
            return Rule("quorum", k)
        raise_errors([error_at(("quorum",), "must be a whole number >= 1", 2)])
    raise invalid(f"must be {words} or {{quorum: K}}", "{quorum: 2}")
