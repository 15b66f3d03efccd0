"""What a YAML scalar means: the YAML 1.2 core schema, with exact decimals.

Plain scalars are resolved the YAML 1.2 way rather than PyYAML's YAML 1.1 default,
because the 1.1 rules quietly change what a user wrote:

- only ``true``/``false`` are booleans, so ``country: NO`` stays Norway;
- no base-60 numbers, so ``1:30`` stays text and a duration error shows it;
- a leading zero is not octal (``010`` is ten);
- floats become ``Decimal`` from their text, so ``99.7`` is exactly 99.7:
  percentages and money never pass through binary floats.

Dates and timestamps (``2026-03-15``) keep their YAML 1.1 meaning, and merge keys
(``<<: *defaults``) still work. A scalar that cannot be what its tag says stays
text (``2026-02-30``, ``!!int x``): the field that needs the value reports it, with
its path and an example. Tags beyond these (``!!python/...``, ``!!binary``,
``!!set``) are refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeAlias

from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

Mark: TypeAlias = Any  # PyYAML's or libyaml's; the stubs make an event's optional
TAG = "tag:yaml.org,2002:"
MERGE = TAG + "merge"
SEQUENCE = TAG + "seq"
MAPPING = TAG + "map"
_STR = TAG + "str"
_DIGITS = "0123456789"
_FLOAT = (
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_IMPLICIT = (  # (tag, pattern, the characters a match can start with)
    (TAG + "bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    (TAG + "null", r"^(?:~|null|Null|NULL|)$", "~nN"),
    (TAG + "int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+" + _DIGITS),
    (TAG + "float", _FLOAT, "-+." + _DIGITS),
)


def _resolvers() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    """First character -> the tags a plain scalar starting with it may have."""
    table: dict[str, list[tuple[str, re.Pattern[str]]]] = {"": [(TAG + "null", re.compile("^$"))]}
    for tag, pattern, first in _IMPLICIT:
        for character in first:
            table.setdefault(character, []).append((tag, re.compile(pattern)))
    for character, resolvers in Resolver.yaml_implicit_resolvers.items():
        for tag, compiled in resolvers:
            if tag in (TAG + "timestamp", MERGE) and character is not None:
                table.setdefault(character, []).append((tag, compiled))
    return table


_RESOLVERS = _resolvers()


def resolve(value: str, tag: str | None, plain: bool) -> str:
    """The tag of a scalar: its own, or for an untagged plain one what its text is."""
    if tag is not None and tag != "!":
        return tag
    if plain:
        for candidate, pattern in _RESOLVERS.get(value[:1], ()):
            if pattern.match(value):
                return candidate
    return _STR


def _decimal(text: str) -> Decimal:
    special = {".inf": "Infinity", "+.inf": "Infinity", "-.inf": "-Infinity", ".nan": "NaN"}
    return Decimal(special.get(text.lower(), text))


def _integer(text: str) -> int:
    if text[:2] in ("0x", "0o"):
        return int(text[2:], 16 if text[1] == "x" else 8)
    return int(text, 10)


def _bool(text: str) -> bool:
    return SafeConstructor.bool_values[text.lower()]


def _timestamp(text: str) -> object:
    return _TIMESTAMPS.construct_yaml_timestamp(ScalarNode(TAG + "timestamp", text))


_TIMESTAMPS = SafeConstructor()
_CONSTRUCT: dict[str, Callable[[str], object]] = {
    _STR: str,
    TAG + "null": lambda text: None,
    TAG + "bool": _bool,
    TAG + "int": _integer,
    TAG + "float": _decimal,
    TAG + "timestamp": _timestamp,
}


def construct(value: str, tag: str, mark: Mark) -> object:
    """The Python value of a scalar with ``tag``: text if it cannot be one."""
    make = _CONSTRUCT.get(tag)
    if make is None:
        raise unknown_tag(tag, mark)
    if make is str:
        return value
    try:
        return make(value)
    except (ValueError, ArithmeticError, KeyError, AttributeError):  # AttributeError: !!timestamp x
        return value


def unknown_tag(tag: str, mark: Mark) -> ConstructorError:
    # PyYAML's wording, which its users know.
    message = f"could not determine a constructor for the tag {tag!r}"
    return ConstructorError(None, None, message, mark)
