"""The conditions on an HTTP answer, one rule at a time, with their messages."""

from __future__ import annotations

import json
from typing import Any

import pytest

from slawatch.probes.failures import ProbeFailure
from slawatch.probes.http_checks import check_answer

from .helpers import target

BODY = json.dumps(
    {"status": "ok", "count": 3, "ratio": 0.5, "up": True, "items": [{"id": 7}], "none": None}
).encode()

# (id, settings, status, the message or None when the answer passes)
CASES: list[tuple[str, dict[str, Any], int, str | None]] = [
    ("2xx-by-default", {}, 204, None),
    ("3xx-is-not-2xx", {}, 301, "status 301, expected 2xx"),
    ("listed-codes-only", {"valid_status_codes": [200, 204]}, 202, "status 202, expected 200, 204"),
    ("json-string", {"body_json": {"path": "status", "equals": "ok"}}, 200, None),
    ("json-integer", {"body_json": {"path": "count", "equals": 3}}, 200, None),
    ("json-decimal", {"body_json": {"path": "ratio", "equals": 0.5}}, 200, None),
    ("json-true", {"body_json": {"path": "up", "equals": True}}, 200, None),
    ("json-null", {"body_json": {"path": "none", "equals": None}}, 200, None),
    ("json-list-index", {"body_json": {"path": "items.0.id", "equals": 7}}, 200, None),
    (
        "json-true-is-not-1",
        {"body_json": {"path": "up", "equals": 1}},
        200,
        "up is true, expected 1",
    ),
    (
        "json-text-is-not-number",
        {"body_json": {"path": "count", "equals": "3"}},
        200,
        'count is 3, expected "3"',
    ),
    (
        "json-object-found",
        {"body_json": {"path": "items.0", "equals": 7}},
        200,
        "items.0 is an object, expected 7",
    ),
    (
        "json-list-found",
        {"body_json": {"path": "items", "equals": 7}},
        200,
        "items is a list, expected 7",
    ),
    (
        "json-index-out-of-range",
        {"body_json": {"path": "items.1.id", "equals": 7}},
        200,
        "items.1.id is missing from the JSON body",
    ),
    (
        "json-key-into-a-scalar",
        {"body_json": {"path": "status.code", "equals": 7}},
        200,
        "status.code is missing from the JSON body",
    ),
    (
        "contains-before-json",
        {"body_contains": "nope", "body_json": {"path": "status", "equals": "ok"}},
        200,
        "body does not contain 'nope'",
    ),
]


@pytest.mark.parametrize(
    ("settings", "status", "message"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_check_answer(settings: dict[str, Any], status: int, message: str | None) -> None:
    checked = target("http", url="https://portal.example/", **settings)
    if message is None:
        check_answer(checked, status, BODY, lambda: "utf-8")
        return
    with pytest.raises(ProbeFailure) as caught:
        check_answer(checked, status, BODY, lambda: "utf-8")
    assert str(caught.value) == message


def test_the_body_is_decoded_with_the_answers_charset() -> None:
    checked = target("http", url="https://portal.example/", body_contains="Société")
    check_answer(checked, 200, "Société".encode("latin-1"), lambda: "latin-1")
