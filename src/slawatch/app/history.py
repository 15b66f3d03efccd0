"""Read probe history recorded elsewhere (SPEC section 7, ``slawatch import``).

Columns ``target,timestamp,ok`` then optional ``latency_ms,status,error``; a
header row naming them is optional (and may reorder them). A header may also name
a ``location`` column: the probing location of each row (SPEC section 7). What a
row may hold (the README's "History files" says the same):

- ``target``: a target of the config;
- ``timestamp``: ISO 8601 with an offset, from 1970-01-01T00:00:00Z to
  ``FUTURE_SKEW_MS`` after the import's ``now`` (a sample from further ahead is
  a clock or a file gone wrong, and would mark time up or down that has not come);
- ``ok``: 1/0 or true/false; ``latency_ms``: a finite number >= 0; ``status``: a
  whole number 0..999 (an HTTP status code; 0 for no answer); ``error``: text;
  ``location``: a location name as ``agent.location`` takes it, or empty for the
  unnamed location (a file without the column is all of the unnamed location);
- no cell holds a NUL character (PostgreSQL text cannot), and a row has at most
  as many cells as the header names (six without a header).

Rows are parsed lazily, in batches, so a million-row file is never held whole in
memory: the store writes every batch inside one transaction and a bad row on any
line aborts it, so a rejected file changes nothing. While the text is plain (every
line with as many cells as the header names, no quote, no lone carriage return), it
is read in blocks split at their commas (``_PlainText``), which gives the cells the
CSV reader would, at a third of its cost; from the first block that is not, the
CSV reader reads the rest. A batch is converted column by
column (``SampleColumns``), with no Python-level work per row, when all its rows
have the common shapes (every cell present, ``ok`` as written above, no spaces
around cells); any other batch is read row by row, which cleans up unusual rows and
names the line of a bad one (found by reading the file again, as the rows were
read ahead of their conversion). A ``.gz`` file is
decompressed as it is read. The file is decoded in blocks, ahead of the rows; a
byte that is not UTF-8 is located afterwards, by reading the file again line by
line (history_errors.py), as is the line of a sample that contradicts another.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from itertools import chain, islice, repeat
from operator import floordiv, itemgetter, sub
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TextIO, cast

from slawatch.app.history_errors import CsvError, conflict_message, open_text, undecodable
from slawatch.config.fields import NAME_RE
from slawatch.errors import SlawatchError
from slawatch.sla.timeline import TimelineRule
from slawatch.store.store import (
    ImportAudit,
    ImportResult,
    SampleColumns,
    SampleConflict,
    SampleRow,
    Store,
)

if TYPE_CHECKING:
    from _csv import Reader

__all__ = ["BATCH", "FUTURE_SKEW_MS", "CsvError", "import_history", "read_samples"]

COLUMNS = ("target", "timestamp", "ok", "latency_ms", "status", "error", "location")
HEADERLESS = 6  # a file without a header has no location column
REQUIRED = 3
# Rows per batch: small enough that a batch's rows are still in the CPU's cache when
# each column is converted, then written (50,000 took 40 % longer).
BATCH = 1_000
FUTURE_SKEW_MS = 300_000  # 5 minutes: clocks differ, a file is never written ahead
MAX_STATUS = 999
_PAD = [""] * len(COLUMNS)
Picker = Callable[[list[str]], tuple[str, ...]]  # a row's columns, in COLUMNS order
_OK = {"1": True, "true": True, "0": False, "false": False}
_INF = math.inf
# Instants to milliseconds exactly, rounded half up: ``(instant - _EPOCH_LESS_HALF) // _MS``.
_MS = timedelta(milliseconds=1)
_EPOCH_LESS_HALF = datetime(1970, 1, 1, tzinfo=UTC) - _MS / 2
# Bound once: a million rows call these. tuple.__new__ makes a SampleRow without the
# Python-level __new__ that SampleRow(...) and SampleRow._make run.
_from_iso = datetime.fromisoformat
_new_sample = tuple.__new__


class _Columns(NamedTuple):
    pick: Picker
    width: int  # cells a row needs for ``pick`` to read its own cells or the padding
    most: int  # cells a row may have: as many as the header names
    exact: int  # the length of a row that needs no padding; -1 when every row does
    cells: tuple[int, ...]  # the cell of each of COLUMNS; >= ``most`` when it is absent
    # Added to what ``pick`` gives: the unnamed location when the file has no location
    # column (a tuple added costs a row less than padding it for the column).
    tail: tuple[str, ...] = ()


_UNNAMED = ("",)
_DEFAULT = _Columns(
    itemgetter(*range(HEADERLESS)),
    HEADERLESS,
    HEADERLESS,
    HEADERLESS,
    tuple(range(len(COLUMNS))),
    _UNNAMED,
)


class _Bounds(NamedTuple):
    """What every row is checked against."""

    known: frozenset[str]  # the config's targets
    last_ms: int  # the latest timestamp allowed: now + FUTURE_SKEW_MS
    places: set[str]  # location names found valid so far (a row's check is then a lookup)


class _RowError(SlawatchError, ValueError):
    """What is wrong with a row; ``_batches`` adds the file and line (only then, as
    formatting a location for every good row would cost a third of the parse)."""


def import_history(  # noqa: PLR0913 (what to import where; instant, audit, progress by keyword)
    store: Store,
    path: Path,
    rules: Mapping[str, TimelineRule],
    *,
    now: int,
    audit: ImportAudit | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import the history file at ``path`` (``slawatch import``), ``now`` being the
    clock's UTC seconds. Raises ``CsvError`` naming the file and line of a bad row,
    or the two lines (or the line and the stored value) of contradicting samples;
    nothing is kept then."""
    try:
        return store.import_samples(read_samples(path, rules, progress, now=now), rules, audit)
    except SampleConflict as conflict:
        key = (conflict.target, conflict.ts_ms, conflict.location)
        lines = _lines_holding(path, rules, now, key)
        # The import was rolled back: what is stored now was there before it.
        before = store.samples(
            conflict.target, conflict.ts_ms, conflict.ts_ms + 1, conflict.location
        )
        stored_ok = before[0].ok if before else None
        raise CsvError(conflict_message(path, conflict, lines, stored_ok)) from None


def read_samples(
    path: Path,
    known_targets: Collection[str],
    progress: Callable[[int], None] | None = None,
    *,
    now: int,
) -> Iterator[SampleColumns]:
    """Batches of samples from ``path``; raises ``CsvError`` at the first bad row.

    ``now`` is the clock's UTC seconds (samples may be ``FUTURE_SKEW_MS`` ahead of
    it); ``progress`` is called with the number of characters read since its last call.
    """
    try:
        handle = open_text(path)
    except OSError as exc:
        raise CsvError(f"{path}: cannot read results file: {exc.strerror}") from None
    with handle:
        yield from _batches(path, handle, _bounds(known_targets, now), progress)


def _bounds(known_targets: Collection[str], now: int) -> _Bounds:
    return _Bounds(frozenset(known_targets), now * 1000 + FUTURE_SKEW_MS, {""})


def _lines_holding(
    path: Path, known: Collection[str], now: int, key: tuple[str, int, str]
) -> list[tuple[int, bool]]:
    """The lines of ``path`` that hold the sample of ``key`` (target, instant in ms,
    location), with their ``ok``, in file order (rows that do not parse are passed
    over: the import stopped at the conflict, before reaching them)."""
    found = []
    bounds = _bounds(known, now)
    with (
        _reread(path) as (reader, columns, rows),
        contextlib.suppress(csv.Error, UnicodeDecodeError),
    ):
        for row in rows:
            with contextlib.suppress(_RowError):
                sample = _sample(row, columns.exact, columns, bounds)
                if (sample.target, sample.ts_ms, sample.location) == key:
                    found.append((reader.line_num, sample.ok))
    return found


def _line_of(path: Path, index: int) -> int:
    """The line of ``path`` where its data row ``index`` (from 0) ends."""
    with _reread(path) as (reader, _, rows):
        next(islice(rows, index, None), None)
        return reader.line_num


@contextlib.contextmanager
def _reread(path: Path) -> Iterator[tuple[Reader, _Columns, Iterator[list[str]]]]:
    """The file read again: its reader, columns and data rows (blank lines skipped)."""
    with open_text(path) as handle:
        reader = csv.reader(handle)
        columns, leading = _columns(reader, path)
        yield reader, columns, filter(None, chain(leading, reader))


def _batches(
    path: Path, handle: TextIO, bounds: _Bounds, progress: Callable[[int], None] | None
) -> Iterator[SampleColumns]:
    reader = csv.reader(handle)  # the header only, or the rows that are not plain text
    done = 0  # data rows in the batches before this one
    lines = 0  # lines read as plain text, before ``reader`` took over
    try:
        columns, leading = _columns(reader, path)
        if leading:  # a file without a header: its first row was read to tell
            yield _by_column(leading, columns, bounds) or _by_row(leading, columns, bounds, 0)
            done = 1
        plain = _PlainText(handle, columns.most, progress)
        for cells in plain.blocks():
            for part in _cut(cells, columns.most + 1):
                yield _from_cells(part, columns, bounds, done)
                done += len(part) // (columns.most + 1)
        lines = reader.line_num + done - len(leading)  # every plain row is one line
        reader = csv.reader(plain.rest())
        rows = filter(None, reader)  # blank lines
        while block := list(islice(rows, BATCH)):
            yield _by_column(block, columns, bounds) or _by_row(block, columns, bounds, done)
            done += len(block)
    except _BadRow as bad:
        raise CsvError(f"{path}:{_line_of(path, bad.index)}: {bad.error}") from None
    except UnicodeDecodeError:
        raise CsvError(undecodable(path)) from None
    except (csv.Error, OSError, EOFError) as exc:
        raise CsvError(f"{path}:{lines + reader.line_num}: unreadable CSV: {exc}") from None


class _PlainText:
    """The data rows read in blocks of text and split at every comma, three times
    as fast as the CSV reader, while the text is plain: every line holds ``width``
    cells and no character the reader would treat otherwise (a quote, a lone
    carriage return, NUL). At the first block that is not, ``rest`` gives that
    block and what follows as lines, for the CSV reader."""

    _SIZE = 1 << 16  # characters per block: ~1,600 rows of a typical history file

    def __init__(self, handle: TextIO, width: int, progress: Callable[[int], None] | None) -> None:
        self._handle = handle
        self._width = width
        self._progress = progress
        self._pending = ""  # read, not yet split: a partial line, or the text handed over

    def blocks(self) -> Iterator[list[str]]:
        """Each block's cells, a ``"\\n"`` cell after each row's ``width`` cells."""
        while True:
            block = self._handle.read(self._SIZE)
            if self._progress is not None:
                self._progress(len(block))
            text = self._pending + block
            end = text.rfind("\n") + 1 if block else len(text)  # whole lines, or the last one
            if not text:
                return
            cells = _plain_cells(text[:end], self._width)
            if cells is None:
                self._pending = text
                return
            self._pending = text[end:]
            yield cells

    def rest(self) -> Iterator[str]:
        """The lines left: from the block that was not plain text (if any) on."""
        lines = _counting(self._handle, self._progress)
        pending = self._pending + next(lines, "")  # the partial line, completed
        return chain(io.StringIO(pending, newline=""), lines)


def _plain_cells(text: str, width: int) -> list[str] | None:
    """The cells of the lines of ``text``, each row's followed by a ``"\\n"`` cell,
    or None when a line does not hold ``width`` cells or the text holds a quote,
    NUL or a carriage return outside a CRLF line end. A line with too few or too
    many cells moves every marker after it: all must be in place."""
    if '"' in text or "\0" in text:
        return None
    if "\r" in text:
        if text.count("\r") != text.count("\r\n"):
            return None
        text = text.replace("\r\n", "\n")
    if not text.endswith("\n"):
        text += "\n"  # the file's last line, without its line end
    cells = text.replace("\n", ",\n,").split(",")
    rows = text.count("\n")
    stride = width + 1
    if len(cells) != rows * stride + 1 or cells[width::stride].count("\n") != rows:
        return None
    del cells[-1]  # the empty cell after the last line end
    return cells


def _cut(cells: list[str], stride: int) -> Iterator[list[str]]:
    """The cells of a block, ``BATCH`` rows at a time."""
    step = BATCH * stride
    for start in range(0, len(cells), step):
        yield cells[start : start + step]


def _from_cells(cells: list[str], columns: _Columns, bounds: _Bounds, done: int) -> SampleColumns:
    """The rows of plain ``cells`` (``_plain_cells``), converted a column at a time,
    or row by row if they are unusual."""
    stride = columns.most + 1
    picked = [cells[i::stride] if i < columns.most else None for i in columns.cells]
    rows = len(cells) // stride
    found = _converted(picked, rows, bounds)
    if found is not None:
        return found
    block = [cells[start : start + columns.most] for start in range(0, len(cells), stride)]
    return _by_row(block, columns, bounds, done)


class _BadRow(SlawatchError):
    """The data row ``index`` (from 0, in the file) is wrong."""

    def __init__(self, index: int, error: _RowError) -> None:
        super().__init__(index, error)
        self.index, self.error = index, error


def _by_row(block: list[list[str]], columns: _Columns, bounds: _Bounds, done: int) -> SampleColumns:
    """The block read row by row: unusual rows cleaned up, a bad one raised as ``_BadRow``."""
    samples = []
    for index, row in enumerate(block, start=done):
        try:
            samples.append(_sample(row, columns.exact, columns, bounds))
        except _RowError as exc:
            raise _BadRow(index, exc) from None
    return SampleColumns.of(samples)


def _by_column(block: list[list[str]], columns: _Columns, bounds: _Bounds) -> SampleColumns | None:
    """The block converted a column at a time, or None when a row is not of the common
    shapes (``_by_row`` then reads it)."""
    width = columns.most
    if min(map(len, block)) != width or max(map(len, block)) != width:
        return None
    picked = [list(map(itemgetter(i), block)) if i < width else None for i in columns.cells]
    return _converted(picked, len(block), bounds)


def _converted(picked: list[list[str] | None], rows: int, bounds: _Bounds) -> SampleColumns | None:
    """``rows`` samples from their cells, one list per column of COLUMNS (None for an
    absent one), or None when a cell is not of the common shapes. Each column is
    checked as a whole: ``min`` and ``max`` against the bounds, a sum that is finite
    (no NaN nor infinity)."""
    target, stamp, ok, *_ = cast("list[list[str]]", picked)
    latency, status, error, location = picked[3:]
    try:
        ts_ms = list(
            map(floordiv, map(sub, map(_from_iso, stamp), repeat(_EPOCH_LESS_HALF)), repeat(_MS))
        )
        oks = list(map(_OK.__getitem__, ok))
        latencies, latency_values = _numbers(latency, float, rows)
        statuses, status_values = _numbers(status, int, rows)
    except (ValueError, KeyError, TypeError, OverflowError):  # TypeError: no UTC offset
        return None
    if not (
        bounds.known.issuperset(target)
        and min(ts_ms) >= 0
        and max(ts_ms) <= bounds.last_ms
        and _within(latency_values, 0, _INF)
        and _within(status_values, 0, MAX_STATUS)
        and (error is None or "\0" not in "".join(error))
        and (location is None or bounds.places.issuperset(location))
    ):
        return None
    errors = [None] * rows if error is None or not any(error) else [e or None for e in error]
    places = [""] * rows if location is None else location
    return SampleColumns(target, ts_ms, oks, latencies, statuses, errors, places)


def _numbers(
    cells: list[str] | None, convert: Callable[[str], float], rows: int
) -> tuple[list[Any], list[Any]]:
    """The numbers of a column, None for its empty cells (and for an absent column),
    and its distinct numbers, for ``_within``. A column of few distinct cells (status
    codes, latencies in whole milliseconds) is converted once per distinct cell: a
    lookup per cell costs a quarter of a ``float``."""
    if cells is None:
        return [None] * rows, []
    distinct = set(cells)
    if len(distinct) <= rows // 2:
        table = {cell: convert(cell) if cell else None for cell in distinct}
        return list(map(table.__getitem__, cells)), list(table.values())
    if "" in distinct:
        numbers = [convert(cell) if cell else None for cell in cells]
        return numbers, numbers
    numbers = list(map(convert, cells))
    return numbers, numbers


def _within(numbers: list[Any], low: float, high: float) -> bool:
    """Every number of ``numbers`` (None aside) within ``[low, high]``, ``high`` excluded
    when infinite; a NaN or infinity makes the sum NaN or infinite, and fails."""
    present = [n for n in numbers if n is not None] if None in numbers else numbers
    return not present or (
        low <= min(present) and max(present) <= high and math.isfinite(sum(present))
    )


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


def _columns(reader: Reader, path: Path) -> tuple[_Columns, list[list[str]]]:
    """The file's columns, from its header row if it has one, and the data row read
    to tell (none when the first row is a header)."""
    first = next(reader, None)
    if first is None:
        return _DEFAULT, []
    if reader.line_num == 1 and _is_header(first):
        return _header(first, path), []
    return _DEFAULT, [first]


def _header(row: list[str], path: Path) -> _Columns:
    """Which cell of a row holds each column; absent columns read the padding."""
    cells = header_cells(row, path, COLUMNS, REQUIRED)
    located = cells[-1] < len(row)
    first, *rest = cells if located else cells[:-1]
    width = max(first, *rest) + 1
    exact = width if width == len(row) else -1
    return _Columns(
        itemgetter(first, *rest), width, len(row), exact, tuple(cells), () if located else _UNNAMED
    )


def header_cells(row: list[str], path: Path, columns: Sequence[str], required: int) -> list[int]:
    """Which cell of a header ``row`` holds each of ``columns`` (the first ``required``
    must be there; an absent optional one gets the index past the row's end)."""
    names = [cell.strip().lower() for cell in row]
    unknown = [n for n in names if n not in columns]
    if unknown:
        raise CsvError(
            f"{path}:1: unknown column {_shown(unknown[0])}; columns are {', '.join(columns)}"
        )
    missing = [c for c in columns[:required] if c not in names]
    if missing:
        raise CsvError(f"{path}:1: missing column {missing[0]!r}")
    return [names.index(c) if c in names else len(names) for c in columns]


def _sample(row: list[str], exact: int, columns: _Columns, bounds: _Bounds) -> SampleRow:
    """Clean rows take the fast path (it is most of the import's time); anything
    unusual is re-read carefully, to clean it up or to say what is wrong."""
    if len(row) != exact:
        _fit(row, columns)
    target, stamp, ok, latency, status, error, location = cells = columns.pick(row) + columns.tail
    try:
        ts_ms = _milliseconds(_from_iso(stamp))  # TypeError without a UTC offset
        lat = float(latency) if latency else None
        code = int(status) if status else None
        if (
            target in bounds.known
            and 0 <= ts_ms <= bounds.last_ms
            and (lat is None or 0 <= lat < _INF)  # NaN fails both comparisons
            and (code is None or 0 <= code <= MAX_STATUS)
            and "\0" not in error
            and location in bounds.places
        ):
            return _new_sample(
                SampleRow, (target, ts_ms, _OK[ok], lat, code, error or None, location)
            )
    except (ValueError, KeyError, OverflowError, TypeError):
        pass
    return _careful_sample(cells, bounds)


def _fit(row: list[str], columns: _Columns) -> None:
    """Pad a short row with empty optional cells; refuse one too short or too long."""
    if len(row) < REQUIRED:
        raise _RowError(f"expected at least target,timestamp,ok (got {len(row)} columns)")
    if len(row) > columns.most:
        raise _RowError(f"expected at most {columns.most} columns (got {len(row)})")
    row.extend(_PAD[: columns.width - len(row)])


def _careful_sample(cells: tuple[str, ...], bounds: _Bounds) -> SampleRow:
    for column, cell in zip(COLUMNS, cells, strict=True):
        if "\0" in cell:
            raise _RowError(f"{column} holds a NUL character (byte 0), which no text may")
    target, stamp, ok, latency, status, error, location = (cell.strip() for cell in cells)
    if target not in bounds.known:
        raise _RowError(f"unknown target {_shown(target)} (known: {_listing(bounds.known)})")
    return SampleRow(
        target=target,
        ts_ms=_timestamp(stamp, bounds.last_ms),
        ok=_ok(ok),
        latency_ms=_latency(latency),
        status=_status(status),
        error=error or None,
        location=_location(location, bounds.places),
    )


def _location(text: str, places: set[str]) -> str:
    """A location name as ``agent.location`` takes it (empty: the unnamed location);
    remembered, so that the next rows of that location take the fast path."""
    if text and not NAME_RE.fullmatch(text):
        raise _RowError(
            f"location must be lowercase letters, digits, '.', '_' or '-', starting with "
            f"a letter or digit, or empty for the unnamed location (got {_shown(text)})"
        )
    places.add(text)
    return text


def _milliseconds(instant: datetime) -> int:
    """UTC epoch milliseconds, rounded half up (exact: no float on the way); raises
    ``TypeError`` for an instant without a UTC offset."""
    return (instant - _EPOCH_LESS_HALF) // _MS


def _timestamp(text: str, last_ms: int) -> int:
    try:
        ts_ms = _milliseconds(stamped(text))
    except ValueError as exc:
        raise _RowError(f"timestamp {exc}") from None
    if ts_ms < 0:
        raise _RowError(f"timestamp {_shown(text)} is before 1970-01-01T00:00:00Z")
    if ts_ms > last_ms:
        now = datetime.fromtimestamp((last_ms - FUTURE_SKEW_MS) / 1000, UTC)
        raise _RowError(
            f"timestamp {_shown(text)} is in the future: more than "
            f"{FUTURE_SKEW_MS // 60_000} minutes after now ({now:%Y-%m-%dT%H:%M:%SZ})"
        )
    return ts_ms


def stamped(text: str) -> datetime:
    """An ISO 8601 instant that carries its UTC offset; ``ValueError`` says what is
    wrong with ``text`` (the caller names the column)."""
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{_shown(text)} is not ISO 8601 (e.g. 2026-10-01T12:00:00+02:00)"
        ) from None
    if instant.tzinfo is None:
        raise ValueError(f"{_shown(text)} has no UTC offset (e.g. +02:00 or Z)")
    return instant


def _ok(text: str) -> bool:
    try:
        return _OK[text.lower()]
    except KeyError:
        raise _RowError(f"ok must be 1, 0, true or false (got {_shown(text)})") from None


def _latency(text: str) -> float | None:
    if not text:
        return None
    try:
        latency = float(text)
    except ValueError:
        latency = -1.0
    if not 0 <= latency < _INF:  # NaN fails both comparisons
        raise _RowError(f"latency_ms must be a finite number >= 0 (got {_shown(text)})")
    return latency


def _status(text: str) -> int | None:
    if not text:
        return None
    try:
        status = int(text)
    except ValueError:
        status = -1
    if not 0 <= status <= MAX_STATUS:
        raise _RowError(
            f"status must be a whole number within 0..{MAX_STATUS}: an HTTP status code, "
            f"or 0 for no answer (got {_shown(text)})"
        )
    return status


def _shown(text: str, limit: int = 60) -> str:
    """A cell as an error message quotes it: whole if short, cut if not."""
    return repr(text) if len(text) <= limit else f"{text[:limit]!r}... ({len(text)} characters)"


def _listing(names: frozenset[str], limit: int = 12) -> str:
    """The known targets, cut after ``limit``: 50,000 names make a useless message."""
    shown = sorted(names)
    more = f", ... ({len(shown)} in all)" if len(shown) > limit else ""
    return ", ".join(shown[:limit]) + more
