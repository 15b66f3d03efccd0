"""Several probing locations end to end: history imported with a location column, and
the report combining the locations by the target's rule (SPEC section 2, "Locations")."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from slawatch.cli import main

START = datetime(2026, 10, 1, tzinfo=UTC)
PLACES = ("paris", "frankfurt", "virginia")
# Minutes (from START) at which a location's probe of a target fails.
FAILING = {
    ("web", "paris"): {*range(10, 20), *range(40, 45)},  # 40-44: Paris alone
    ("web", "frankfurt"): set(range(12, 20)),  # with Paris, 2 of 3 from minute 12
    ("web", "virginia"): set(range(30, 40)),  # while Virginia's own network is down
    ("resolver", "virginia"): set(range(30, 40)),
}


def config(tmp_path: Path, locations: str) -> Path:
    path = tmp_path / "slawatch.yaml"
    path.write_text(
        "agent: {control_targets: [resolver]}\n"
        "targets:\n"
        "  - {name: web, kind: http, url: 'http://127.0.0.1:9/', interval: 60s, timeout: 5s"
        f"{locations}}}\n"
        "  - {name: resolver, kind: dns, query_name: example.com, interval: 60s, timeout: 5s}\n"
        "contracts:\n"
        "  - {name: web-sla, service: {targets: [web]}, timezone: UTC, period: month,"
        " target: 99}\n"
    )
    return path


def history(tmp_path: Path) -> Path:
    """An hour of samples a minute of both targets at the three locations, the
    columns in another order than the default (the header says which is which)."""
    lines = ["location,target,ok,timestamp"]
    for minute in range(60):
        at = (START + timedelta(minutes=minute)).isoformat()
        for place in PLACES:
            for name in ("web", "resolver"):
                ok = minute not in FAILING.get((name, place), set())
                lines.append(f"{place},{name},{int(ok)},{at}")
    path = tmp_path / "history.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def report(db_url: str, path: Path) -> dict[str, Any]:
    common = ("-c", str(path), "--db", db_url)
    run("import", *common, "--results", str(history(path.parent)))
    output = run(
        "report", *common, "--contract", "web-sla", "--period", "2026-10", "--as-of", "2026-11-02"
    )
    data: dict[str, Any] = json.loads(output)
    return data


def outages(data: dict[str, Any]) -> list[tuple[str, str, list[str]]]:
    return [(o["start"][11:16], o["end"][11:16], o["locations"]) for o in data["outages"]]


@pytest.mark.parametrize(
    ("locations", "downtime", "expected"),
    [
        # 2 of 3 from Frankfurt's first failure; Paris alone is no outage; Virginia's
        # failures while its control target failed are unknown there, never down.
        ("", 480, [("00:12", "00:20", ["frankfurt", "paris"])]),
        (
            ", locations: {rule: all}",
            900,
            [("00:10", "00:20", ["frankfurt", "paris"]), ("00:40", "00:45", ["paris"])],
        ),
        (", locations: {rule: any}", 0, []),
        (", locations: {rule: {quorum: 2}, expected: [paris, frankfurt, virginia]}", 480, None),
    ],
    ids=["majority", "all", "any", "quorum-2-of-expected"],
)
def test_locations_combine_by_the_targets_rule(
    db_url: str,
    tmp_path: Path,
    locations: str,
    downtime: int,
    expected: list[tuple[str, str, list[str]]] | None,
) -> None:
    data = report(db_url, config(tmp_path, locations))
    assert data["downtime_seconds"] == downtime
    if expected is not None:
        assert outages(data) == expected


def test_a_location_cut_off_is_unknown_not_down_even_under_all(db_url: str, tmp_path: Path) -> None:
    # Under "all" one location's word is enough for down, yet Virginia's failures
    # while its resolver failed make the target unknown (undecided), not down.
    data = report(db_url, config(tmp_path, ", locations: {rule: all}"))
    assert ("00:30", "00:40", ["virginia"]) not in outages(data)
    assert all("virginia" not in o["locations"] for o in data["outages"])
    csv = run(
        "report",
        *("-c", str(tmp_path / "slawatch.yaml"), "--db", db_url, "--contract", "web-sla"),
        *("--period", "2026-10", "--as-of", "2026-11-02", "--format", "csv"),
    )
    assert ',"frankfurt, paris"' in csv and ",Locations" in csv


def test_a_bad_location_names_its_line(db_url: str, tmp_path: Path) -> None:
    path = config(tmp_path, "")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "target,timestamp,ok,location\n"
        "web,2026-10-01T00:00:00Z,1,paris\n"
        "web,2026-10-01T00:01:00Z,1,Paris Nord\n"
    )
    result = CliRunner().invoke(
        main, ["import", "-c", str(path), "--db", db_url, "--results", str(bad)]
    )
    assert result.exit_code != 0
    assert f"{bad}:3: location must be lowercase letters" in result.output
    assert "Traceback" not in result.output
    counted = CliRunner().invoke(
        main, ["import", "-c", str(path), "--db", db_url, "--results", str(history(tmp_path))]
    )
    assert "imported 360 new samples (0 already present)" in counted.output  # nothing was kept


@pytest.mark.parametrize("fmt", ["csv", "html", "pdf", "xlsx"])
@pytest.mark.parametrize(("locale", "view"), [("fr", "customer"), ("en", "internal")])
def test_every_format_shows_the_locations_column(
    tmp_path: Path, fmt: str, locale: str, view: str
) -> None:
    db_url = f"sqlite:///{tmp_path}/slawatch.db"
    path = config(tmp_path, ", locations: {rule: all}")
    report(db_url, path)
    out = tmp_path / f"report.{fmt}"
    run(
        "report",
        *("-c", str(path), "--db", db_url, "--contract", "web-sla", "--period", "2026-10"),
        *("--as-of", "2026-11-02", "--format", fmt, "-o", str(out)),
        *("--locale", locale, "--view", view),
    )
    heading = {"fr": "Sites de mesure", "en": "Locations"}[locale]
    if (fmt, view) == ("csv", "internal"):
        heading = "locations"  # the internal CSV names its columns by their JSON fields
    if fmt in ("csv", "html"):
        text = out.read_text(encoding="utf-8")
        assert heading in text and "frankfurt, paris" in text
    else:
        assert out.stat().st_size > 1000  # rendered: the column widths fit the table
