"""Read probe history recorded elsewhere (SPEC section 7, ``slawatch import``).

Columns ``target,timestamp,ok`` then optional ``latency_ms,status,error``; a
header row naming them is optional (and may reorder them). Timestamps are ISO
8601 with an offset; ``ok`` is 1/0 or true/false. Rows are parsed lazily, in
batches, so a million-row file is never held whole in memory: the store writes
every batch inside one transaction and a bad row on any line aborts it, so a
rejected file changes nothing. A ``.gz`` file is decompressed as it is read.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Callable, Collection, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO, TypeVar

from slawatch.exporters.store import SampleRow

COLUMNS = ("target", "timestamp", "ok", "latency_ms", "status", "error")
REQUIRED = 3
BATCH = 50_000
_OK = {"1": True, "true": True, "0": False, "false": False}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)
_N = TypeVar("_N", int, float)


class CsvError(ValueError):
    """A row of the results file that cannot be imported; names file and line."""


def read_samples(
    path: Path,
    known_targets: Collection[str],
    progress: Callable[[int], None] | None = None,
) -> Iterator[list[SampleRow]]:
    """Batches of samples from ``path``; raises ``CsvError`` at the first bad row.

    ``progress`` is called with the number of characters read since its last call.
    """
    try:
        handle = _open(path)
    except OSError as exc:
        raise CsvError(f"{path}: cannot read results file: {exc.strerror}") from None
    with handle:
        yield from _batches(path, handle, frozenset(known_targets), progress)


def _open(path: Path) -> TextIO:
    """The file as text; ``.gz`` files (how monitors often export) are read as they are."""
    if path.suffix == ".gz":
        return gzip.open(path, "rt", newline="", encoding="utf-8")
    return path.open(newline="", encoding="utf-8")


def _batches(
    path: Path, handle: TextIO, known: frozenset[str], progress: Callable[[int], None] | None
) -> Iterator[list[SampleRow]]:
    reader = csv.reader(_counting(handle, progress))
    order = list(range(len(COLUMNS)))
    batch: list[SampleRow] = []
    try:
        for row in reader:
            if reader.line_num == 1 and row and row[0].strip().lower() == "target":
                order = _header(row, path)
                continue
            if not row:
                continue
            batch.append(_sample(row, order, known, f"{path}:{reader.line_num}"))
            if len(batch) >= BATCH:
                yield batch
                batch = []
    except (csv.Error, UnicodeDecodeError, OSError, EOFError) as exc:
        raise CsvError(f"{path}:{reader.line_num}: unreadable CSV: {exc}") from None
    if batch:
        yield batch


def _counting(handle: TextIO, progress: Callable[[int], None] | None) -> Iterator[str]:
    if progress is None:
        yield from handle
        return
    pending = 0
    for line in handle:
        pending += len(line)
        if pending >= 1 << 20:
            progress(pending)
            pending = 0
        yield line
    progress(pending)


def _header(row: list[str], path: Path) -> list[int]:
    names = [cell.strip().lower() for cell in row]
    unknown = [n for n in names if n not in COLUMNS]
    if unknown:
        raise CsvError(f"{path}:1: unknown column {unknown[0]!r}; columns are {', '.join(COLUMNS)}")
    missing = [c for c in COLUMNS[:REQUIRED] if c not in names]
    if missing:
        raise CsvError(f"{path}:1: missing column {missing[0]!r}")
    return [names.index(c) if c in names else -1 for c in COLUMNS]


def _sample(row: list[str], order: list[int], known: frozenset[str], where: str) -> SampleRow:
    cells = [row[i].strip() if 0 <= i < len(row) else "" for i in order]
    target, stamp, ok, latency, status, error = cells
    if len(row) < REQUIRED:
        raise CsvError(f"{where}: expected at least target,timestamp,ok (got {len(row)} columns)")
    if target not in known:
        raise CsvError(f"{where}: unknown target {target!r} (known: {', '.join(sorted(known))})")
    return SampleRow(
        target=target,
        ts_ms=_timestamp(stamp, where),
        ok=_ok(ok, where),
        latency_ms=_number(latency, "latency_ms", float, where),
        status=_number(status, "status", int, where),
        error=error or None,
    )


def _timestamp(text: str, where: str) -> int:
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise CsvError(
            f"{where}: timestamp {text!r} is not ISO 8601 (e.g. 2026-10-01T12:00:00+02:00)"
        ) from None
    if instant.tzinfo is None:
        raise CsvError(f"{where}: timestamp {text!r} has no UTC offset (e.g. +02:00 or Z)")
    return (instant - _EPOCH) // _MILLISECOND


def _ok(text: str, where: str) -> bool:
    try:
        return _OK[text.lower()]
    except KeyError:
        raise CsvError(f"{where}: ok must be 1, 0, true or false (got {text!r})") from None


def _number(text: str, column: str, kind: Callable[[str], _N], where: str) -> _N | None:
    if not text:
        return None
    try:
        return kind(text)
    except ValueError:
        raise CsvError(f"{where}: {column} must be a number (got {text!r})") from None
