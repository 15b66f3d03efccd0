"""Synthetic probe history: the README's example file and the benchmarks' input.

    python bench/history.py example config/examples/history-2026-10.csv.gz

writes the example October 2026 history that the README's tour imports.
"""

from __future__ import annotations

import csv
import gzip
import io
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

Row = tuple[str, str, int, int, int, str]
OUT = Path(__file__).parent / "out"
CSV_ROWS = 1_000_000


@dataclass(frozen=True)
class TargetHistory:
    name: str
    interval: int  # seconds
    outages: Sequence[tuple[int, int]] = ()  # [start, end) where probes fail
    gaps: Sequence[tuple[int, int]] = ()  # [start, end) with no probe at all
    noise: frozenset[int] = field(default_factory=frozenset)  # sample indexes that fail alone

    def rows(self, start: int, end: int) -> Iterator[Row]:
        for index, t in enumerate(range(start, end, self.interval)):
            if any(s <= t < e for s, e in self.gaps):
                continue
            failed = index in self.noise or any(s <= t < e for s, e in self.outages)
            stamp = datetime.fromtimestamp(t, UTC).isoformat().replace("+00:00", "Z")
            if failed:
                yield (self.name, stamp, 0, 10000, 0, "connect timeout")
            else:
                yield (self.name, stamp, 1, 80 + index % 40, 200, "")


def write_csv(out: TextIO, histories: Sequence[TargetHistory], start: int, end: int) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["target", "timestamp", "ok", "latency_ms", "status", "error"])
    count = 0
    for history in histories:
        for row in history.rows(start, end):
            writer.writerow(row)
            count += 1
    return count


def history_csv() -> Path:
    """The benchmarks' 1M-row file (10 targets t0..t9, one sample a minute, with
    outages), written once and kept in bench/out/."""
    path = OUT / "history-1m.csv"
    if not path.exists():
        OUT.mkdir(exist_ok=True)
        start = at("2026-01-01T00:00:00Z")
        outages = [(start + d * 86400 + 3600, start + d * 86400 + 4200) for d in range(0, 69, 3)]
        targets = [TargetHistory(f"t{i}", 60, outages=outages) for i in range(10)]
        with path.open("w", newline="", encoding="utf-8") as out:
            write_csv(out, targets, start, start + CSV_ROWS // 10 * 60)
    return path


def at(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp())


def example() -> tuple[list[TargetHistory], int, int]:
    """October 2026 for the seed contracts: a few outages worth explaining."""
    return (
        [
            TargetHistory(
                "cegid-portal-web",
                60,
                outages=[
                    (at("2026-10-06T09:00:00+02:00"), at("2026-10-06T10:30:00+02:00")),  # counted
                    (at("2026-10-10T14:00:00+02:00"), at("2026-10-10T18:00:00+02:00")),  # Saturday
                    (
                        at("2026-10-26T06:30:00+01:00"),
                        at("2026-10-26T07:30:00+01:00"),
                    ),  # half counted
                    (at("2026-10-14T10:00:00+02:00"), at("2026-10-14T11:00:00+02:00")),  # emergency
                ],
                noise=frozenset({100, 5000, 20000}),
            ),
            TargetHistory(
                "ipfolio-app",
                60,
                outages=[
                    (at("2026-10-05T10:00:00Z"), at("2026-10-05T13:37:00Z")),  # 217 min
                    (at("2026-10-21T02:00:00Z"), at("2026-10-21T02:20:00Z")),  # 20 min
                ],
                gaps=[(at("2026-10-12T03:00:00Z"), at("2026-10-12T04:00:00Z"))],  # agent stopped
            ),
            TargetHistory(
                "smileo-gateway",
                300,
                outages=[(at("2026-10-17T22:00:00+02:00"), at("2026-10-18T01:00:00+02:00"))],
            ),
            TargetHistory("smileo-s3", 300, noise=frozenset({42})),
        ],
        at("2026-10-01T00:00:00Z") - 86400,
        at("2026-11-01T00:00:00Z") + 86400,
    )


def main(argv: list[str]) -> None:
    if len(argv) != 3 or argv[1] != "example":
        sys.exit(__doc__)
    histories, start, end = example()
    path = Path(argv[2])
    with (
        gzip.GzipFile(path, "wb", mtime=0) as raw,  # mtime=0: the same bytes on every run
        io.TextIOWrapper(raw, encoding="utf-8", newline="") as out,
    ):
        count = write_csv(out, histories, start, end)
    print(f"wrote {count} samples to {path}")


if __name__ == "__main__":
    main(sys.argv)
