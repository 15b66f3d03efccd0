"""The history file reader: clean rows, unusual but valid rows, and bad rows by line."""

import gzip
from pathlib import Path

import pytest

from slawatch.app.history import CsvError, read_samples
from slawatch.store.store import SampleRow

KNOWN = {"web", "api"}
T0_MS = 1_790_000_000_000  # 2026-09-21T14:13:20Z


def read(tmp_path: Path, text: str, name: str = "h.csv") -> list[SampleRow]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return [row for batch in read_samples(path, KNOWN) for row in batch]


def test_header_row_with_all_columns(tmp_path: Path) -> None:
    rows = read(
        tmp_path,
        "target,timestamp,ok,latency_ms,status,error\nweb,2026-09-21T14:13:20Z,1,12.5,200,\nweb,2026-09-21T16:14:20+02:00,0,,503,bad gateway\n",
    )
    assert rows == [
        SampleRow("web", T0_MS, True, 12.5, 200, None),
        SampleRow("web", T0_MS + 60_000, False, None, 503, "bad gateway"),
    ]


def test_no_header_and_only_the_required_columns(tmp_path: Path) -> None:
    assert read(tmp_path, "api,2026-09-21T14:13:20.250+00:00,true\n") == [
        SampleRow("api", T0_MS + 250, True, None, None, None)
    ]


def test_reordered_header_and_missing_optional_columns(tmp_path: Path) -> None:
    rows = read(tmp_path, "ok,status,timestamp,target\nFALSE,500,2026-09-21T14:13:20Z,web\n")
    assert rows == [SampleRow("web", T0_MS, False, None, 500, None)]


def test_spaces_and_capitals_are_tolerated(tmp_path: Path) -> None:
    rows = read(tmp_path, " web , 2026-09-21T14:13:20Z , True , 3 , 200 , slow \n")
    assert rows == [SampleRow("web", T0_MS, True, 3.0, 200, "slow")]


def test_gzip_files_are_read_as_they_are(tmp_path: Path) -> None:
    path = tmp_path / "h.csv.gz"
    path.write_bytes(gzip.compress(b"web,2026-09-21T14:13:20Z,1\n"))
    assert [row for batch in read_samples(path, KNOWN) for row in batch] == [
        SampleRow("web", T0_MS, True, None, None, None)
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "web,2026-09-21T14:13:20Z,1\nmail,2026-09-21T14:13:20Z,1\n",
            "h.csv:2: unknown target 'mail' (known: api, web)",
        ),
        (
            "web,2026-09-21T14:13:20Z,1\n\nweb,2026-09-21 14:14:20,1\n",
            "h.csv:3: timestamp '2026-09-21 14:14:20' has no UTC offset (e.g. +02:00 or Z)",
        ),
        (
            "web,21/09/2026,1\n",
            "h.csv:1: timestamp '21/09/2026' is not ISO 8601 (e.g. 2026-10-01T12:00:00+02:00)",
        ),
        ("web,2026-09-21T14:13:20Z,yes\n", "h.csv:1: ok must be 1, 0, true or false (got 'yes')"),
        ("web,2026-09-21T14:13:20Z,1,fast\n", "h.csv:1: latency_ms must be a number (got 'fast')"),
        (
            "web,2026-09-21T14:13:20Z\n",
            "h.csv:1: expected at least target,timestamp,ok (got 2 columns)",
        ),
        (
            "target,when,ok\n",
            "h.csv:1: unknown column 'when'; columns are target, timestamp, ok, latency_ms, status, error",
        ),
        ("target,ok,latency_ms\n", "h.csv:1: missing column 'timestamp'"),
    ],
    ids=[
        "unknown-target",
        "naive-timestamp",
        "not-iso",
        "bad-ok",
        "bad-latency",
        "short-row",
        "unknown-column",
        "missing-column",
    ],
)
def test_bad_rows_name_their_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(CsvError) as err:
        read(tmp_path, text)
    assert str(err.value) == f"{tmp_path}/{message}"


def test_a_byte_order_mark_from_excel_is_ignored(tmp_path: Path) -> None:
    assert read(tmp_path, "\ufefftarget,timestamp,ok\nweb,2026-09-21T14:13:20Z,1\n") == [
        SampleRow("web", T0_MS, True, None, None, None)
    ]
