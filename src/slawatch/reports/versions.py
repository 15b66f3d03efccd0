"""Versions of a JSON report: their canonical text, its SHA-256, and what changed.

A closed period's report is frozen as its *canonical* JSON text: keys sorted,
no whitespace, UTF-8 without escapes, exactly
``json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``.
The same figures therefore always give the same text and the same SHA-256,
whatever order the keys were built in, and anyone can recompute the hash of a
report with a few lines of Python (the ``closed`` block, which carries the
hash, is not part of what is hashed).

``diff`` says field by field what changed between two versions; lists of
records are matched by what identifies them (an outage by its start, an
exclusion by its source, a day by its date, a late claim by its outage, a clause
by its text), so an added outage shows as one addition, not as every later outage
shifting by one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# How the records of a report's lists are told apart: list -> identifying field.
RECORD_KEYS = {
    "outages": "start",
    "exclusions": "source",
    "daily": "date",
    "late_claims": "outage_start",  # one claim shown per outage
    "outage_limits": "clause",
}


def canonical(data: Mapping[str, Any]) -> str:
    """The canonical JSON text of ``data``: sorted keys, no whitespace, UTF-8."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def sha256(text: str) -> str:
    """The SHA-256 of ``text`` encoded in UTF-8, as 64 hexadecimal digits."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fingerprint(data: Mapping[str, Any]) -> str:
    """The SHA-256 of ``data``'s canonical text: equal figures, equal fingerprints."""
    return sha256(canonical(data))


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between two versions of a report."""

    field: str  # dotted path; list records by their key: outages[2026-10-05T10:00:00+00:00]
    kind: str  # "changed", "added" or "removed"
    old: Any  # the previous value (None when added)
    new: Any  # the new value (None when removed)

    def text(self) -> str:
        """One line for a reader: ``downtime_seconds: 3600 -> 1800``, ``outages[...]: added``."""
        if self.kind == "changed":
            return f"{self.field}: {_show(self.old)} -> {_show(self.new)}"
        value = self.new if self.kind == "added" else self.old
        shown = "" if isinstance(value, dict | list) else f" ({_show(value)})"
        return f"{self.field}: {self.kind}{shown}"

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field, "kind": self.kind, "old": self.old, "new": self.new}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Change:
        return cls(data["field"], data["kind"], data["old"], data["new"])


def diff(old: Any, new: Any, path: str = "") -> list[Change]:
    """What changed from ``old`` to ``new`` (JSON values), in ``new``'s order, then
    what was removed. Values of different types differ even when Python says
    ``1 == 1.0`` or ``True == 1``: their canonical texts differ too."""
    if isinstance(old, dict) and isinstance(new, dict):
        return _members(old, new, lambda key: f"{path}.{key}" if path else key)
    if isinstance(old, list) and isinstance(new, list):
        before, after = _records(old, new, RECORD_KEYS.get(path))
        return _members(before, after, lambda key: f"{path}[{key}]")
    if type(old) is type(new) and old == new:
        return []
    return [Change(path, "changed", old, new)]


def _members(
    old: Mapping[Any, Any], new: Mapping[Any, Any], name: Callable[[Any], str]
) -> list[Change]:
    changes = []
    for key, value in new.items():
        if key in old:
            changes += diff(old[key], value, name(key))
        else:
            changes.append(Change(name(key), "added", None, value))
    changes += [Change(name(k), "removed", v, None) for k, v in old.items() if k not in new]
    return changes


def _records(old: list[Any], new: list[Any], field: str | None) -> tuple[dict[Any, Any], ...]:
    """Both lists by their records' ``field``, or by position when that field does
    not tell every record apart."""
    keyed = tuple(_by_field(items, field) for items in (old, new))
    if all(len(by) == len(items) for by, items in zip(keyed, (old, new), strict=True)):
        return keyed
    return dict(enumerate(old)), dict(enumerate(new))


def _by_field(records: list[Any], field: str | None) -> dict[Any, Any]:
    """``records`` by their ``field``; empty when some record has no such field."""
    if field is None or not all(isinstance(r, dict) and field in r for r in records):
        return {}
    return {record[field]: record for record in records}


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
