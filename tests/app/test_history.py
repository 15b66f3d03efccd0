"""The history file reader: clean rows, unusual but valid rows, and bad rows by line."""

import csv
import gzip
import io
from pathlib import Path

import pytest

from slawatch.app import history
from slawatch.app.history import CsvError, read_samples
from slawatch.store.store import SampleRow

KNOWN = {"web", "api"}
T0_MS = 1_790_000_000_000  # 2026-09-21T14:13:20Z
NOW = 1_800_000_000  # 2027-01-15T08:00:00Z, the import's clock


def read(tmp_path: Path, text: str, name: str = "h.csv", now: int = NOW) -> list[SampleRow]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_path(path, now)


def read_path(path: Path, now: int = NOW) -> list[SampleRow]:
    batches = read_samples(path, KNOWN, now=now)
    return [SampleRow._make(row) for batch in batches for row in zip(*batch, strict=True)]


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
    assert read_path(path) == [SampleRow("web", T0_MS, True, None, None, None)]


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
        (
            "web,2026-09-21T14:13:20Z,1,fast\n",
            "h.csv:1: latency_ms must be a finite number >= 0 (got 'fast')",
        ),
        (
            "web,2026-09-21T14:13:20Z\n",
            "h.csv:1: expected at least target,timestamp,ok (got 2 columns)",
        ),
        (
            "target,when,ok\n",
            "h.csv:1: unknown column 'when'; columns are target, timestamp, ok, latency_ms, status, error, location",
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


ROW = "web,2026-09-21T14:13:20Z,"  # target and timestamp of a valid row
STATUS_RULE = "status must be a whole number within 0..999: an HTTP status code, or 0 for no answer"
FUTURE = "is in the future: more than 5 minutes after now (2027-01-15T08:00:00Z)"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (ROW + "1,5,200,,x,y,z,w\n", "h.csv:1: expected at most 6 columns (got 10)"),
        (
            "target,timestamp,ok\n" + ROW + "1,5\n",
            "h.csv:2: expected at most 3 columns (got 4)",
        ),
        (ROW + "1,-1\n", "h.csv:1: latency_ms must be a finite number >= 0 (got '-1')"),
        (ROW + "1,nan\n", "h.csv:1: latency_ms must be a finite number >= 0 (got 'nan')"),
        (ROW + "1,inf\n", "h.csv:1: latency_ms must be a finite number >= 0 (got 'inf')"),
        (
            ROW + "1,-Infinity\n",
            "h.csv:1: latency_ms must be a finite number >= 0 (got '-Infinity')",
        ),
        (ROW + "1,,-1\n", f"h.csv:1: {STATUS_RULE} (got '-1')"),
        (ROW + "1,,1000\n", f"h.csv:1: {STATUS_RULE} (got '1000')"),
        (ROW + "1,,2147483648\n", f"h.csv:1: {STATUS_RULE} (got '2147483648')"),
        (ROW + "1,,200.5\n", f"h.csv:1: {STATUS_RULE} (got '200.5')"),
        (
            ROW + "0,,,bad\x00gateway\n",
            "h.csv:1: error holds a NUL character (byte 0), which no text may",
        ),
        (
            "we\x00b,2026-09-21T14:13:20Z,1\n",
            "h.csv:1: target holds a NUL character (byte 0), which no text may",
        ),
        (
            "web,0001-01-01T00:00:00+01:00,1\n",
            "h.csv:1: timestamp '0001-01-01T00:00:00+01:00' is before 1970-01-01T00:00:00Z",
        ),
        (
            "web,1969-12-31T23:59:59.999Z,1\n",
            "h.csv:1: timestamp '1969-12-31T23:59:59.999Z' is before 1970-01-01T00:00:00Z",
        ),
        ("web,2099-01-01T00:00:00Z,1\n", f"h.csv:1: timestamp '2099-01-01T00:00:00Z' {FUTURE}"),
        (
            "web,9999-12-31T23:59:59-05:00,1\n",
            f"h.csv:1: timestamp '9999-12-31T23:59:59-05:00' {FUTURE}",
        ),
        (
            "x" * 200 + ",2026-09-21T14:13:20Z,1\n",
            f"h.csv:1: unknown target {'x' * 60!r}... (200 characters) (known: api, web)",
        ),
    ],
    ids=[
        "ten-cells",
        "more-cells-than-the-header",
        "negative-latency",
        "nan-latency",
        "infinite-latency",
        "minus-infinite-latency",
        "negative-status",
        "status-1000",
        "status-over-2^31-1",
        "fractional-status",
        "nul-in-error",
        "nul-in-target",
        "year-0-in-utc",
        "before-1970",
        "year-2099",
        "year-10000-in-utc",
        "long-cell-cut",
    ],
)
def test_values_out_of_range_name_their_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(CsvError) as err:
        read(tmp_path, text)
    assert str(err.value) == f"{tmp_path}/{message}"


def test_the_edges_of_the_valid_ranges_are_taken(tmp_path: Path) -> None:
    rows = read(
        tmp_path,
        "web,1970-01-01T00:00:00Z,1,0,0,\n"
        "web,2027-01-15T08:05:00Z,0,1e300,999,\n"  # now + 5 minutes exactly
        "api,2027-01-15T09:05:00+01:00,1,,,\n",
    )
    assert rows == [
        SampleRow("web", 0, True, 0.0, 0, None),
        SampleRow("web", (NOW + 300) * 1000, False, 1e300, 999, None),
        SampleRow("api", (NOW + 300) * 1000, True, None, None, None),
    ]


def test_the_future_is_measured_from_the_injected_clock(tmp_path: Path) -> None:
    text = "web,2027-01-15T08:05:00.001Z,1\n"
    with pytest.raises(CsvError, match=r"h\.csv:1: timestamp .* is in the future"):
        read(tmp_path, text)
    assert read(tmp_path, text, now=NOW + 1) == [SampleRow("web", (NOW + 300) * 1000 + 1, True)]


def undecodable_file(lines: int, bad_line: int) -> bytes:
    rows = [
        f"web,2026-09-21T14:{i // 60 % 60:02d}:{i % 60:02d}Z,1,,,ok".encode() for i in range(lines)
    ]
    rows[bad_line - 1] = rows[bad_line - 1].replace(b",ok", b",caf\xe9")  # Latin-1, not UTF-8
    return b"\n".join(rows) + b"\n"


@pytest.mark.parametrize("bad_line", [1, 3900, 4002])
@pytest.mark.parametrize("name", ["h.csv", "h.csv.gz"])
def test_a_byte_that_is_not_utf8_is_reported_on_its_line(
    tmp_path: Path, bad_line: int, name: str
) -> None:
    content = undecodable_file(4010, bad_line)
    path = tmp_path / name
    path.write_bytes(gzip.compress(content) if name.endswith(".gz") else content)
    with pytest.raises(CsvError) as err:
        read_path(path)
    assert str(err.value) == (
        f"{path}:{bad_line}: not UTF-8: byte 0xe9 at column 33 (save the file as UTF-8)"
    )


@pytest.mark.parametrize("batch", [2, 1000], ids=["later-batch", "first-batch"])
def test_a_bad_row_after_blank_lines_and_a_multiline_cell_names_its_line(
    tmp_path: Path, batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches are converted after they are read: the line is found by reading again."""
    monkeypatch.setattr(history, "BATCH", batch)
    text = (
        "target,timestamp,ok,latency_ms,status,error\n"
        "web,2026-09-21T14:13:20Z,1,12,200,\n"
        "\n"
        'web,2026-09-21T14:14:20Z,0,12,502,"bad\ngateway"\n'
        "\n"
        "web,2026-09-21T14:15:20Z,1,12,200,\n"
        "web,2026-09-21T14:16:20Z,1,fast,200,\n"
    )
    with pytest.raises(CsvError) as err:
        read(tmp_path, text)
    assert str(err.value) == (
        f"{tmp_path}/h.csv:8: latency_ms must be a finite number >= 0 (got 'fast')"
    )


@pytest.mark.parametrize(
    "row",
    ["web,{},1,12,200,", "web,{},1"],
    ids=["by-column", "by-row"],  # every cell present, or a row to pad
)
def test_instants_are_rounded_to_the_nearest_millisecond_half_up(tmp_path: Path, row: str) -> None:
    stamps = ["2026-09-21T14:13:20.0004999Z", "2026-09-21T14:13:20.0005Z", "1970-01-01T00:00:00Z"]
    text = "".join(row.format(stamp) + "\n" for stamp in stamps)
    assert [r.ts_ms for r in read(tmp_path, text)] == [T0_MS, T0_MS + 1, 0]


def test_a_batch_of_unusual_rows_and_the_next_of_clean_ones_are_both_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(history, "BATCH", 2)
    text = (
        " web , 2026-09-21T14:13:20Z , True , 3 , 200 , slow \n"
        "api,2026-09-21T14:13:20+02:00,false,,0,timeout\n"
        "web,2026-09-21T14:14:20Z,0,4.5,503,\n"
        "api,2026-09-21T14:14:20Z,1,5,200,\n"
    )
    assert read(tmp_path, text) == [
        SampleRow("web", T0_MS, True, 3.0, 200, "slow"),
        SampleRow("api", T0_MS - 7_200_000, False, None, 0, "timeout"),
        SampleRow("web", T0_MS + 60_000, False, 4.5, 503, None),
        SampleRow("api", T0_MS + 60_000, True, 5.0, 200, None),
    ]


def test_a_location_column_named_by_the_header(tmp_path: Path) -> None:
    text = "location,target,timestamp,ok\nparis,web,2026-09-21T14:13:20Z,1\n,web,2026-09-21T14:13:20Z,0\n"
    assert read(tmp_path, text) == [
        SampleRow("web", T0_MS, True, location="paris"),
        SampleRow("web", T0_MS, False, location=""),
    ]


def test_without_a_header_there_is_no_location_column(tmp_path: Path) -> None:
    with pytest.raises(CsvError) as caught:
        read(tmp_path, "web,2026-09-21T14:13:20Z,1,,,,paris\n")
    assert str(caught.value).endswith("h.csv:1: expected at most 6 columns (got 7)")


TRICKY = [  # rows the plain-text path must read as the CSV reader does, or hand over
    "web,2026-09-21T14:13:20Z,1,12,200,\r\n",  # CRLF
    'web,2026-09-21T14:14:20Z,0,12,502,"bad\ngateway"\n',  # a quoted cell over two lines
    "\n",  # a blank line
    "web,2026-09-21T14:15:20Z,1\n",  # a short row
    "web,2026-09-21T14:16:20Z,1,12,200,\rweb,2026-09-21T14:17:20Z,1,12,200,\n",  # a lone CR
]


@pytest.mark.parametrize("tricky", TRICKY, ids=["crlf", "quoted", "blank", "short", "lone-cr"])
@pytest.mark.parametrize("size", [40, 1 << 16], ids=["tiny-blocks", "one-block"])
def test_plain_text_and_the_rows_after_it_are_read_as_the_csv_reader_reads_them(
    tmp_path: Path, tricky: str, size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Blocks of plain text are split at their commas; from the first block that is
    not plain, the CSV reader reads the rest: the samples are the same either way."""
    monkeypatch.setattr(history._PlainText, "_SIZE", size)
    clean = [f"api,2026-09-21T14:{m:02}:00Z,1,{m},200,\n" for m in range(10)]
    text = "target,timestamp,ok,latency_ms,status,error\n" + "".join(clean) + tricky
    text += "".join(clean).replace("14:", "15:") + "api,2026-09-21T16:00:00Z,1,1,200,"
    path = tmp_path / "h.csv"
    path.write_bytes(text.encode())
    rows = [
        SampleRow._make(history._sample(row, 6, history._DEFAULT, history._bounds(KNOWN, NOW)))
        for row in csv.reader(io.StringIO(text, newline=""))
        if row and row[0] != "target"
    ]
    assert read_path(path) == rows
    assert len(rows) == 21 + len(list(filter(None, csv.reader(io.StringIO(tricky, newline="")))))


@pytest.mark.parametrize("size", [40, 1 << 16], ids=["tiny-blocks", "one-block"])
def test_a_bad_row_after_the_reader_took_over_names_its_line(
    tmp_path: Path, size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(history._PlainText, "_SIZE", size)
    clean = "".join(f"web,2026-09-21T14:{m:02}:00Z,1,5,200,\n" for m in range(10))
    quoted = 'web,2026-09-21T15:00:00Z,1,5,200,"a\nb"\n'
    text = clean + quoted + "web,2026-09-21T15:01:00Z,1,5,200,\nweb,2026-09-21T15:02:00Z,2\n"
    with pytest.raises(CsvError) as err:
        read(tmp_path, text)
    assert str(err.value) == f"{tmp_path}/h.csv:14: ok must be 1, 0, true or false (got '2')"


@pytest.mark.parametrize("size", [40, 1 << 16], ids=["tiny-blocks", "one-block"])
def test_unreadable_csv_after_the_reader_took_over_names_its_line(
    tmp_path: Path, size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(history._PlainText, "_SIZE", size)
    clean = "".join(f"web,2026-09-21T14:{m:02}:00Z,1,5,200,\n" for m in range(10))
    huge = 'web,2026-09-21T15:00:00Z,1,5,200,"' + "x" * (csv.field_size_limit() + 1) + '"\n'
    with pytest.raises(CsvError) as err:
        read(tmp_path, "target,timestamp,ok,latency_ms,status,error\n" + clean + huge)
    assert str(err.value).startswith(f"{tmp_path}/h.csv:12: unreadable CSV: field larger")


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ("nan,200", "latency_ms must be a finite number >= 0 (got 'nan')"),
        ("inf,200", "latency_ms must be a finite number >= 0 (got 'inf')"),
        ("-1,200", "latency_ms must be a finite number >= 0 (got '-1')"),
        ("5,1000", "status must be a whole number within 0..999"),
        ("5,-2", "status must be a whole number within 0..999"),
    ],
)
def test_a_bad_number_among_repeated_ones_is_refused(
    tmp_path: Path, cells: str, message: str
) -> None:
    """A column of few distinct cells is converted once per distinct cell: each is checked."""
    rows = [f"web,2026-09-21T14:{m:02}:00Z,1,5,200,\n" for m in range(30)]
    rows[20] = f"web,2026-09-21T14:20:00Z,1,{cells},\n"
    with pytest.raises(CsvError) as err:
        read(tmp_path, "".join(rows))
    assert str(err.value).startswith(f"{tmp_path}/h.csv:21: {message}")
