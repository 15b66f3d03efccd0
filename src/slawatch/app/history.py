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
from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import datetime
from itertools import chain, islice
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TextIO, TypeVar

from slawatch.store.store import SampleRow

if TYPE_CHECKING:
    from _csv import Reader

COLUMNS = ("target", "timestamp", "ok", "latency_ms", "status", "error")
REQUIRED = 3
BATCH = 50_000
_PAD = [""] * len(COLUMNS)
Picker = Callable[[list[str]], tuple[str, ...]]  # the six columns of a row, in COLUMNS order
_OK = {"1": True, "true": True, "0": False, "false": False}
# Bound once: a million rows call these. tuple.__new__ makes a SampleRow without the
# Python-level __new__ that SampleRow(...) and SampleRow._make run.
_from_iso = datetime.fromisoformat
_new_sample = tuple.__new__
_N = TypeVar("_N", int, float)


class _Columns(NamedTuple):
    pick: Picker
    width: int  # cells a row needs for ``pick`` to read its own cells or the padding


_DEFAULT = _Columns(itemgetter(*range(len(COLUMNS))), len(COLUMNS))


class CsvError(ValueError):
    """A row of the results file that cannot be imported; names file and line."""


class _RowError(ValueError):
    """What is wrong with a row; ``_batches`` adds the file and line (only then, as
    formatting a location for every good row would cost a third of the parse)."""


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
        return gzip.open(path, "rt", newline="", encoding="utf-8-sig")
    return path.open(newline="", encoding="utf-8-sig")  # -sig: Excel's exports start with a BOM


def _batches(
    path: Path, handle: TextIO, known: frozenset[str], progress: Callable[[int], None] | None
) -> Iterator[list[SampleRow]]:
    reader = csv.reader(_counting(handle, progress))
    try:
        (pick, width), rows = _columns(reader, path)
        rows = filter(None, rows)  # blank lines
        # A comprehension per batch: the per-row cost is most of the import's time.
        while batch := [_sample(row, pick, width, known) for row in islice(rows, BATCH)]:
            yield batch
    except _RowError as exc:
        raise CsvError(f"{path}:{reader.line_num}: {exc}") from None
    except (csv.Error, UnicodeDecodeError, OSError, EOFError) as exc:
        raise CsvError(f"{path}:{reader.line_num}: unreadable CSV: {exc}") from None


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


def _is_header(row: list[str]) -> bool:
    """A first row naming its columns: data rows hold a date where a header says so."""
    return any(cell.strip().lower() in ("target", "timestamp") for cell in row)


def _columns(reader: Reader, path: Path) -> tuple[_Columns, Iterator[list[str]]]:
    """The file's columns, from its header row if it has one, and its data rows."""
    first = next(reader, None)
    if first is None:
        return _DEFAULT, reader
    if reader.line_num == 1 and _is_header(first):
        return _header(first, path), reader
    return _DEFAULT, chain([first], reader)


def _header(row: list[str], path: Path) -> _Columns:
    """Which cell of a row holds each column; absent columns read the padding."""
    first, *rest = cells = header_cells(row, path, COLUMNS, REQUIRED)
    return _Columns(itemgetter(first, *rest), max(cells) + 1)


def header_cells(row: list[str], path: Path, columns: Sequence[str], required: int) -> list[int]:
    """Which cell of a header ``row`` holds each of ``columns`` (the first ``required``
    must be there; an absent optional one gets the index past the row's end)."""
    names = [cell.strip().lower() for cell in row]
    unknown = [n for n in names if n not in columns]
    if unknown:
        raise CsvError(f"{path}:1: unknown column {unknown[0]!r}; columns are {', '.join(columns)}")
    missing = [c for c in columns[:required] if c not in names]
    if missing:
        raise CsvError(f"{path}:1: missing column {missing[0]!r}")
    return [names.index(c) if c in names else len(names) for c in columns]


def _sample(row: list[str], pick: Picker, width: int, known: frozenset[str]) -> SampleRow:
    """Clean rows take the fast path (it is most of the import's time); anything
    unusual is re-read carefully, to clean it up or to say what is wrong."""
    if len(row) < width:
        if len(row) < REQUIRED:
            raise _RowError(f"expected at least target,timestamp,ok (got {len(row)} columns)")
        row.extend(_PAD)  # optional columns absent from this file or row read as ""
    cells = pick(row)
    target, stamp, ok, latency, status, error = cells
    try:
        instant = _from_iso(stamp)
        if target in known and instant.tzinfo is not None:
            return _new_sample(
                SampleRow,
                (
                    target,
                    round(instant.timestamp() * 1000),  # as _milliseconds, without the call
                    _OK[ok],
                    float(latency) if latency else None,
                    int(status) if status else None,
                    error or None,
                ),
            )
    except (ValueError, KeyError):
        pass
    return _careful_sample(cells, known)


def _careful_sample(cells: tuple[str, ...], known: frozenset[str]) -> SampleRow:
    target, stamp, ok, latency, status, error = (cell.strip() for cell in cells)
    if target not in known:
        raise _RowError(f"unknown target {target!r} (known: {', '.join(sorted(known))})")
    return SampleRow(
        target=target,
        ts_ms=_timestamp(stamp),
        ok=_ok(ok),
        latency_ms=_number(latency, "latency_ms", float),
        status=_number(status, "status", int),
        error=error or None,
    )


def _milliseconds(instant: datetime) -> int:
    # Rounded, not truncated: the float carries microseconds with an error far
    # below half a millisecond, so a millisecond-precise stamp comes out exact.
    return round(instant.timestamp() * 1000)


def _timestamp(text: str) -> int:
    try:
        return _milliseconds(stamped(text))
    except ValueError as exc:
        raise _RowError(f"timestamp {exc}") from None


def stamped(text: str) -> datetime:
    """An ISO 8601 instant that carries its UTC offset; ``ValueError`` says what is
    wrong with ``text`` (the caller names the column)."""
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not ISO 8601 (e.g. 2026-10-01T12:00:00+02:00)") from None
    if instant.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset (e.g. +02:00 or Z)")
    return instant


def _ok(text: str) -> bool:
    try:
        return _OK[text.lower()]
    except KeyError:
        raise _RowError(f"ok must be 1, 0, true or false (got {text!r})") from None


def _number(text: str, column: str, kind: Callable[[str], _N]) -> _N | None:
    if not text:
        return None
    try:
        return kind(text)
    except ValueError:
        raise _RowError(f"{column} must be a number (got {text!r})") from None
