"""``monitoring_since``: a date (local midnight) or an instant (its offset, or the
contract's zone), as Unix seconds in the terms; absent, the core leaves it to the
first sample (app/evaluate.py); a bad value is one line with its place."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from slawatch.config import ConfigError, load_config, parse_config

BASE = """\
targets:
  - {name: web, kind: http, url: "https://portal.example/", interval: 60s}
contracts:
  - name: portal
    service: {targets: [web]}
    timezone: Europe/Paris
    period: month
    target: 99.5
"""


def since(value: str | None) -> int | None:
    text = BASE if value is None else BASE + f"    monitoring_since: {value}\n"
    return parse_config(text).contract("portal").terms().monitoring_since


def at(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp())


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("2026-10-14", at("2026-10-14T00:00:00+02:00")),  # local midnight, CEST
        ("2026-11-02", at("2026-11-02T00:00:00+01:00")),  # after the change: CET
        ("2026-10-14T10:00:00", at("2026-10-14T10:00:00+02:00")),  # no offset: the zone's
        ("2026-10-14T08:00:00Z", at("2026-10-14T08:00:00+00:00")),
        ('"2026-10-14T10:00+02:00"', at("2026-10-14T10:00:00+02:00")),
    ],
)
def test_read_in_the_contract_zone(value: str | None, expected: int | None) -> None:
    assert since(value) == expected


def test_a_bad_value_names_its_place(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(BASE + "    monitoring_since: last tuesday\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == (
        f"{path}:9: contracts[0].monitoring_since: must be an ISO 8601 instant or a date "
        "(got last tuesday; e.g. 2026-10-14T10:00:00+02:00)"
    )
