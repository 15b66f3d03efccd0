"""A reload takes again the targets whose items did not change since the last good load
(config/targets.py, ``KnownTargets``), and is exactly as strict as a load that
validates every item: a changed item is validated, names used twice are found among
the items taken again, and a refused load words its problems as ``load_config`` does
and leaves the known targets as they were."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from slawatch.config import Config, ConfigError, load_config
from slawatch.config.load import load_values
from slawatch.config.targets import KnownTargets
from slawatch.config.values import read_values, target_key

TARGETS = """\
targets:
  - {name: web, kind: http, url: "https://example.com/", interval: 60s}
  - {name: db, kind: tcp, host: db.example.com, port: 5432, interval: 30s}
"""


def loaded(tmp_path: Path, text: str, known: KnownTargets) -> tuple[Config, Any]:
    """The config of ``text`` loaded through ``known``, and its values."""
    path = tmp_path / "agent.yaml"
    path.write_text(text)
    read = read_values(path)
    return load_values(path, copy.deepcopy(read), known), read


def test_unchanged_items_are_taken_again_and_changed_ones_validated(tmp_path: Path) -> None:
    known = KnownTargets()
    first, _ = loaded(tmp_path, TARGETS, known)
    second, read = loaded(tmp_path, TARGETS.replace("30s", "45s"), known)
    assert second.targets[0] is first.targets[0]
    assert second.targets[1] is not first.targets[1]
    assert second.target("db").interval == 45
    assert second == load_config(tmp_path / "agent.yaml")
    assert set(known.before) == {target_key(item) for item in read["targets"]}


def test_names_used_twice_are_found_among_the_items_taken_again(tmp_path: Path) -> None:
    known = KnownTargets()
    loaded(tmp_path, TARGETS, known)
    twice = TARGETS + '  - {name: web, kind: http, url: "https://example.com/", interval: 60s}\n'
    with pytest.raises(ConfigError) as caught:
        loaded(tmp_path, twice, known)
    with pytest.raises(ConfigError) as worded:
        load_config(tmp_path / "agent.yaml")
    assert str(caught.value) == str(worded.value)
    assert "targets[2].name: already used by targets[0]" in str(caught.value)


def test_a_refused_load_leaves_the_known_targets_as_they_were(tmp_path: Path) -> None:
    known = KnownTargets()
    first, _ = loaded(tmp_path, TARGETS, known)
    before = dict(known.before)
    with pytest.raises(ConfigError, match="must be an http"):
        loaded(tmp_path, TARGETS.replace('"https://example.com/"', "ftp://x"), known)
    assert known.before == before
    assert known.keys == []
    again, _ = loaded(tmp_path, TARGETS, known)
    assert again.targets[0] is first.targets[0]


def test_no_values_run_the_ordinary_load(tmp_path: Path) -> None:
    known = KnownTargets()
    loaded(tmp_path, TARGETS, known)
    before = dict(known.before)
    path = tmp_path / "agent.yaml"
    assert load_values(path, None, known) == load_config(path)
    assert known.before == before  # each still the model of its item


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ({"port": 1}, {"port": True}),
        ({"port": 1}, {"port": "1"}),
        ({"port": Decimal("1.0")}, {"port": Decimal("1.00")}),
        ({"name": "a", "port": 1}, {"port": 1, "name": "a"}),  # another order: validated again
        ({"headers": {"a": "b"}}, {"headers": [["a", "b"]]}),
    ],
)
def test_items_that_differ_in_text_or_type_have_different_keys(
    one: dict[str, object], other: dict[str, object]
) -> None:
    assert target_key(one) != target_key(other)
    assert target_key(one) == target_key(copy.deepcopy(one))
