"""Canonical text, SHA-256 and field-by-field changes of JSON reports."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from slawatch.reports.versions import Change, canonical, diff, fingerprint

REPORT: dict[str, Any] = {
    "contract": "ipfolio",
    "period": {"label": "2026-10", "time_zone": "UTC"},
    "downtime_seconds": 3600,
    "credit_percent": 25.0,
    "met": False,
    "credit_amount": 250.0,
    "description": "IPfolio, disponibilité du service",
    "outages": [
        {"start": "2026-10-05T10:00:00+00:00", "counted_seconds": 3000, "claimed": True},
        {"start": "2026-10-21T02:00:00+00:00", "counted_seconds": 600, "claimed": False},
    ],
}


def reordered(value: Any) -> Any:
    """The same JSON value with every object's keys in reverse order."""
    if isinstance(value, dict):
        return {key: reordered(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [reordered(item) for item in value]
    return value


def test_same_figures_give_the_same_hash_whatever_the_key_order() -> None:
    assert canonical(reordered(REPORT)) == canonical(REPORT)
    assert fingerprint(reordered(REPORT)) == fingerprint(REPORT)
    assert fingerprint(json.loads(json.dumps(REPORT, indent=2))) == fingerprint(REPORT)


def test_the_canonical_text_is_sorted_compact_utf8_and_hashed_as_documented() -> None:
    text = canonical({"b": 1, "a": {"d": [1, 2.5], "c": "é"}})
    assert text == '{"a":{"c":"é","d":[1,2.5]},"b":1}'
    assert fingerprint(json.loads(text)) == hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_any_figure_moves_the_hash() -> None:
    assert fingerprint({**REPORT, "downtime_seconds": 3601}) != fingerprint(REPORT)
    assert fingerprint({**REPORT, "credit_percent": 25}) != fingerprint(REPORT)  # 25 vs 25.0


def test_no_change_no_difference() -> None:
    assert diff(REPORT, reordered(REPORT)) == []


def test_changed_figures_field_by_field() -> None:
    new = {**REPORT, "downtime_seconds": 1800, "credit_percent": 0.0, "credit_amount": None}
    assert [c.text() for c in diff(REPORT, new)] == [
        "downtime_seconds: 3600 -> 1800",
        "credit_percent: 25.0 -> 0.0",
        "credit_amount: 250.0 -> null",
    ]


def test_nested_fields_are_dotted() -> None:
    new = {**REPORT, "period": {"label": "2026-10", "time_zone": "Europe/Paris"}}
    assert diff(REPORT, new) == [Change("period.time_zone", "changed", "UTC", "Europe/Paris")]


def test_outages_are_matched_by_their_start() -> None:
    first, second = REPORT["outages"]
    added = {"start": "2026-10-01T08:00:00+00:00", "counted_seconds": 60, "claimed": False}
    new = {**REPORT, "outages": [added, first, {**second, "counted_seconds": 0}]}
    assert [c.text() for c in diff(REPORT, new)] == [
        "outages[2026-10-01T08:00:00+00:00]: added",
        "outages[2026-10-21T02:00:00+00:00].counted_seconds: 600 -> 0",
    ]
    assert [c.text() for c in diff(new, REPORT)] == [
        "outages[2026-10-21T02:00:00+00:00].counted_seconds: 0 -> 600",
        "outages[2026-10-01T08:00:00+00:00]: removed",
    ]


def test_lists_without_a_unique_key_are_compared_by_position() -> None:
    old = {"outages": [{"start": "a", "n": 1}, {"start": "a", "n": 2}], "tags": ["x", "y"]}
    new = {"outages": [{"start": "a", "n": 1}, {"start": "a", "n": 3}], "tags": ["x"]}
    assert [c.text() for c in diff(old, new)] == [
        "outages[1].n: 2 -> 3",
        'tags[1]: removed ("y")',
    ]


@pytest.mark.parametrize(
    ("old", "new", "text"),
    [
        (1, 1.0, "x: 1 -> 1.0"),
        (True, 1, "x: true -> 1"),
        (None, 0, "x: null -> 0"),
        ("a", ["a"], 'x: "a" -> ["a"]'),
    ],
    ids=["int-float", "bool-int", "null-zero", "scalar-list"],
)
def test_values_of_different_types_differ(old: Any, new: Any, text: str) -> None:
    assert [c.text() for c in diff({"x": old}, {"x": new})] == [text]


def test_fields_added_and_removed() -> None:
    assert [c.text() for c in diff({"a": 1}, {"b": 2})] == ["b: added (2)", "a: removed (1)"]


def test_changes_round_trip_through_json() -> None:
    change = Change("outages[x]", "added", None, {"start": "x"})
    assert Change.from_json(json.loads(json.dumps(change.to_json()))) == change
