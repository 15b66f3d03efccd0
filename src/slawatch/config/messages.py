"""Pydantic's validation errors, reworded as problems a person can act on.

Each error becomes ``path: rule (got X; e.g. Y)``:

- the path is pydantic's location without the union tags it inserts
  (``targets[0].http.url`` is ``targets[0].url`` in the file);
- the rule keeps pydantic's wording where it is clear ("must be greater than 0")
  and replaces it where it is not ("Extra inputs are not permitted" is an
  unknown key, with the valid keys and the likely one);
- X is what the file says at that path, quoted from the file rather than from the
  validated value (its first 80 characters), and omitted when nothing is written
  there;
- Y is the field's example, or the one the validator chose.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic_core import ErrorDetails, ValidationError

from slawatch.config.errors import MAX_VALUE, Problem, closest, excerpt
from slawatch.config.targets import DISCRIMINATOR
from slawatch.config.yaml_lines import Document, Path, format_path

_FIXED_RULES = {  # pydantic error types whose own wording is unclear in a config file
    "missing": "required key missing",
    "model_type": "must be a mapping (key: value)",
    "model_attributes_type": "must be a mapping (key: value)",
    "dict_type": "must be a mapping (key: value)",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "decimal_type": "must be a number",
    "decimal_parsing": "must be a number",
}
_NOTHING = object()  # no value written at a path


def problems_from(exc: ValidationError, document: Document, source: str) -> list[Problem]:
    """One problem per validation error, placed at the line of its key."""
    problems = []
    for error in exc.errors(include_url=False):
        path = clean_path(error["loc"], document.data)
        message = describe(error, _written(document.data, path))
        problems.append(Problem(source, document.line_of(path), format_path(path), message))
    return problems


def clean_path(loc: tuple[int | str, ...], data: object) -> Path:
    """``loc`` without the tags pydantic adds for a discriminated union: a tag is
    the ``kind`` value of the mapping it appears under."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and node.get(DISCRIMINATOR) == part:
            continue
        path.append(part)
        node = _child(node, part)
    return tuple(path)


def describe(error: ErrorDetails, written: object = _NOTHING) -> str:
    """``rule (got X; e.g. Y)`` for one error; ``written`` is the value in the file."""
    rule = _rule(error)
    context: Mapping[str, Any] = error.get("ctx") or {}
    hints = []
    shown = None if written is _NOTHING else _show(written)
    if shown is not None and _quotable(error["type"], rule, written):
        hints.append(f"got {shown}")
    elif isinstance(written, str) and len(written) > MAX_VALUE:  # the rule quotes it
        rule = rule.replace(repr(written), repr(excerpt(written)))
    if context.get("example") and "e.g." not in rule:
        hints.append(f"e.g. {context['example']}")
    return f"{rule} ({'; '.join(hints)})" if hints else rule


def _quotable(kind: str, rule: str, written: object) -> bool:
    """Whether "got X" adds anything: not for an unknown key (its value is not the
    problem), nor when the rule already quotes the value (the core's messages do)."""
    quoted = isinstance(written, str) and repr(written) in rule
    return kind != "extra_forbidden" and "got " not in rule and not quoted


def _rule(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        valid = (error.get("ctx") or {}).get("valid_keys", ())
        return _unknown_key(str(error["loc"][-1]), valid)
    return _FIXED_RULES.get(kind) or _reword(error["msg"])


def _reword(message: str) -> str:
    for before, after in (("Value error, ", ""), ("Input should be ", "must be ")):
        if message.startswith(before):
            return after + message.removeprefix(before)
    return message[:1].lower() + message[1:]


def _unknown_key(key: str, valid: tuple[str, ...]) -> str:
    guess = closest(key, valid)
    keys = f"valid keys here: {', '.join(valid)}"
    return f"unknown key (did you mean {guess}? {keys})" if guess else f"unknown key ({keys})"


def _child(node: object, part: str | int) -> object:
    if isinstance(node, dict):
        return node.get(part, _NOTHING)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return _NOTHING


def _written(data: object, path: Path) -> object:
    node = data
    for part in path:
        node = _child(node, part)
    return node


def _show(value: object) -> str | None:
    """A scalar as the file would write it; ``None`` for mappings and lists."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return excerpt(value) if value.strip() == value and value else repr(excerpt(value))
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return None
