"""Where a history file went wrong, when the import itself cannot say.

The import decodes its file in blocks, ahead of the CSV reader (per line would
slow every import down): a byte that is not UTF-8 stops it before the reader
knows which line holds it. And the store finds a contradicting sample by its
target and instant, not by its line. Both are rare, so both are located here
afterwards, by reading the file again.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import TextIO

from slawatch.errors import UserError
from slawatch.store.sample_import import SampleConflict, instant_text

ENCODING = "utf-8-sig"  # -sig: Excel's exports start with a byte order mark


class CsvError(UserError):
    """A row of the results file that cannot be imported; names file and line."""


def open_text(path: Path, errors: str = "strict") -> TextIO:
    """The file as text; ``.gz`` files (how monitors often export) are read as they are."""
    if path.suffix == ".gz":
        return gzip.open(path, "rt", newline="", encoding=ENCODING, errors=errors)
    return path.open(newline="", encoding=ENCODING, errors=errors)


def undecodable(path: Path) -> str:
    """The message for the first line of ``path`` that is not UTF-8: its number, as
    the CSV reader counts lines, and the offending byte. Undecodable bytes are read
    as lone surrogates (``surrogateescape``), which no UTF-8 text decodes to."""
    with open_text(path, errors="surrogateescape") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.encode("utf-8")
            except UnicodeEncodeError as exc:
                byte = ord(line[exc.start]) - 0xDC00
                return (
                    f"{path}:{number}: not UTF-8: byte 0x{byte:02x} at column {exc.start + 1} "
                    "(save the file as UTF-8)"
                )
    return f"{path}: not UTF-8 (save the file as UTF-8)"  # the file changed meanwhile


def conflict_message(
    path: Path, conflict: SampleConflict, lines: list[tuple[int, bool]], stored_ok: bool | None
) -> str:
    """``conflict`` told with its lines: ``lines`` are those of ``path`` that hold its
    sample (number, ``ok``), ``stored_ok`` what the database held before the import."""
    at = f" from {conflict.location}" if conflict.location else ""
    sample = f"{conflict.target}{at} at {instant_text(conflict.ts_ms)}"
    if stored_ok is not None:
        for number, ok in lines:
            if ok != stored_ok:
                return (
                    f"{path}:{number}: {sample}: ok {int(ok)} contradicts "
                    f"the stored sample (ok {int(stored_ok)})"
                )
    for number, ok in lines[1:]:
        first, first_ok = lines[0]
        if ok != first_ok:
            return (
                f"{path}:{number}: {sample}: ok {int(ok)} contradicts "
                f"line {first} (ok {int(first_ok)})"
            )
    return f"{path}: {conflict}"  # the file or the database changed meanwhile
