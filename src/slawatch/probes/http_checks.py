"""The conditions an HTTP answer must meet: status code, then body text, regex, JSON.

Pure functions of the answer, apart from the request code, so that each rule is
tested on its own. The first condition that fails is reported, status first:
a 503 page that lacks "Welcome" is a 503.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from slawatch.probes.failures import ProbeFailure

if TYPE_CHECKING:  # a probe worker never imports the config package (records.py)
    from slawatch.config.probe_settings import JsonCondition, JsonScalar
    from slawatch.config.targets import HttpTarget

_MISSING = object()


def check_answer(target: HttpTarget, status: int, body: bytes, encoding: Callable[[], str]) -> None:
    """Raise ``ProbeFailure`` naming the first condition of ``target`` not met.
    ``encoding`` is asked only when a condition reads the text (finding it parses
    the Content-Type header)."""
    _check_status(target.valid_status_codes, status)
    if target.body_contains is None and target.body_regex is None and target.body_json is None:
        return
    text = body.decode(encoding(), errors="replace")
    if target.body_contains is not None and target.body_contains not in text:
        raise ProbeFailure("body_contains", f"body does not contain {target.body_contains!r}")
    if target.body_regex is not None and not target.body_regex.search(text):
        raise ProbeFailure("body_regex", f"body does not match {target.body_regex.pattern!r}")
    if target.body_json is not None:
        _check_json(target.body_json, text)


def _check_status(valid: tuple[int, ...], status: int) -> None:
    if status in valid or (not valid and 200 <= status < 300):
        return
    wanted = ", ".join(map(str, valid)) if valid else "2xx"
    raise ProbeFailure("status_code", f"status {status}, expected {wanted}")


def _check_json(condition: JsonCondition, text: str) -> None:
    try:
        document = json.loads(text, parse_float=Decimal)
    except ValueError as exc:
        raise ProbeFailure("body_json", f"body is not JSON: {exc}") from None
    found = _json_value(document, condition.path)
    if found is _MISSING:
        raise ProbeFailure("body_json", f"{condition.path} is missing from the JSON body")
    if not _same_value(found, condition.equals):
        raise ProbeFailure(
            "body_json", f"{condition.path} is {_show(found)}, expected {_show(condition.equals)}"
        )


def _json_value(document: object, path: str) -> object:
    """The value at a dotted ``path`` (list items by index); ``_MISSING`` if none."""
    node = document
    for key in path.split("."):
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return _MISSING
    return node


def _same_value(found: object, expected: JsonScalar) -> bool:
    """JSON equality: ``true`` is not ``1`` (Python says it is), ``1`` is ``1.0``."""
    return isinstance(found, bool) == isinstance(expected, bool) and found == expected


def _show(value: object) -> str:
    """A value as JSON writes it (``"ok"``, ``true``, ``null``, ``1.5``), or its kind."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return str(value) if isinstance(value, Decimal) else json.dumps(value)
