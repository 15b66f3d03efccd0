"""Durations as people write them in configs: ``30s``, ``5m``, ``1h30m``, ``2d``, ``500ms``.

A duration is whole numbers with units, largest unit first, each unit at most once:
``d`` (24 h), ``h``, ``m``, ``s``, ``ms``. A bare number is refused: ``60`` reads as
seconds to one person and minutes to the next, and a wrong guess moves money. A
leading minus is read, so that a range check can say what was written
(``must be > 0 s (got -5s)``) instead of "does not parse".
"""

from __future__ import annotations

import re
from functools import lru_cache

from slawatch.config.errors import DurationError
from slawatch.notation import UNIT_MS as _UNIT_MS
from slawatch.notation import format_duration_ms

__all__ = ["format_duration_ms", "parse_duration", "parse_duration_ms"]
_DURATION_RE = re.compile(
    r"(?P<sign>-)?(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m(?!s))?"
    r"(?:(?P<s>\d+)s)?(?:(?P<ms>\d+)ms)?"
)
_INTEGER_RE = re.compile(r"-?\d+")


@lru_cache(maxsize=1024)  # a big config writes the same few durations thousands of times
def parse_duration_ms(text: str) -> int:
    """Milliseconds in ``text`` (``"1h30m"`` -> 5_400_000); raises ``DurationError``."""
    text = text.strip()
    if _INTEGER_RE.fullmatch(text):
        examples = f"{text}s, {text}m or {text}h"
        raise DurationError(text, "a duration needs a unit: d, h, m, s or ms", examples)
    match = _DURATION_RE.fullmatch(text)
    parts = [(match[unit], scale) for unit, scale in _UNIT_MS if match and match[unit]]
    if match is None or not parts:
        raise DurationError(
            text, "must be whole numbers with units d, h, m, s, ms, largest first", "1h30m"
        )
    total = sum(int(value) * scale for value, scale in parts)
    return -total if match["sign"] else total


def parse_duration(text: str) -> int:
    """Whole seconds in ``text`` (``"1h30m"`` -> 5400); raises ``DurationError``,
    also when the text has a fraction of a second (``"1500ms"``)."""
    milliseconds = parse_duration_ms(text)
    if milliseconds % 1_000:
        nearest = round(milliseconds, -3) or 1_000
        raise DurationError(text, "must be whole seconds", format_duration_ms(nearest))
    return milliseconds // 1_000
