"""A config written as JSON is read by the json module (config/json_values.py): the
values the YAML reading gives, and whatever the YAML reading would read otherwise or
refuse left to it, so that a load says the same about either."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slawatch.config import ConfigError, load_config
from slawatch.config.json_values import read_json
from slawatch.config.values import read_in_child, read_values
from slawatch.config.yaml_lines import read_yaml

pytestmark = pytest.mark.usefixtures("parser")  # with libyaml and without

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
_WRITINGS = st.sampled_from(
    [
        {},
        {"indent": 2},
        {"indent": "\t"},
        {"separators": (",", ":")},
        {"ensure_ascii": False},
        {"ensure_ascii": False, "indent": 1},
    ]
)


def typed(value: object) -> object:
    """``value`` with each scalar's type, and a number's exact text, made part of it
    (``1 == True == Decimal("1.0")`` in Python)."""
    if isinstance(value, dict):
        return ("dict", [(typed(key), typed(item)) for key, item in value.items()])
    if isinstance(value, list):
        return ("list", [typed(item) for item in value])
    return (type(value).__name__, str(value) if isinstance(value, Decimal) else value)


def yaml_values(text: str) -> object:
    return read_yaml(text, "f.json", lines=False).data


def _yaml_takes(text: str) -> bool:
    try:
        yaml_values(text)
    except ConfigError:
        return False
    return True


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(), _VALUES, max_size=5), _WRITINGS)
def test_json_gives_the_values_yaml_gives(
    values: dict[str, object], writing: dict[str, object]
) -> None:
    text = json.dumps(values, **writing)  # type: ignore[arg-type]
    read = read_json(text)
    if read is None:  # left to YAML: a character it does not allow or reads otherwise
        assert not text.isascii() or "\\ud" in text.lower() or "\x7f" in text
    elif _yaml_takes(text):
        assert typed(read) == typed(yaml_values(text))
    else:  # the one difference left
        assert any(len(key) > 1000 for key in _keys(read))


def _keys(value: object) -> list[str]:
    if isinstance(value, dict):
        return [*value, *(key for item in value.values() for key in _keys(item))]
    if isinstance(value, list):
        return [key for item in value for key in _keys(item)]
    return []


def test_a_generated_target_list_is_read_as_json() -> None:
    targets = [
        {"name": f"t{i}", "kind": "http", "url": f"http://127.0.0.1/?t={i}", "interval": "60s"}
        for i in range(3)
    ]
    text = json.dumps({"targets": targets, "sla": {"target": 99.7, "ratio": 1e-3}}, indent=2)
    read = read_json(text)
    assert read == {
        "targets": targets,
        "sla": {"target": Decimal("99.7"), "ratio": Decimal("1e-3")},
    }
    assert typed(read) == typed(yaml_values(text))


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ('{"a": 1, "a": 2}', "a key given twice: YAML words it"),
        ('{"a": NaN}', "NaN is text in YAML 1.2"),
        ('{"a": -Infinity}', "so is -Infinity"),
        ('{"a": "x\x85y"}', "YAML folds \\x85 into a space"),
        ('{"a": "x\x7fy"}', "YAML does not allow DEL"),
        ('{"a": "x\u0080y"}', "nor C1 controls"),
        ('{"a": "\\ud83d\\ude00"}', "libyaml refuses surrogate escapes"),
        ('{"a": "\\uDC00"}', "a lone one too"),
        ("{a: 1}", "YAML, not JSON"),
        ('{"a": 1} # a comment', "YAML, not JSON"),
        ('["a"]', "a list: not a config"),
        ("targets: []", "YAML"),
    ],
)
def test_what_yaml_would_read_otherwise_is_left_to_it(text: str, why: str) -> None:
    assert read_json(text) is None, why


def test_what_yaml_reads_otherwise_is_what_a_read_gets() -> None:
    # \x85 is a line break to YAML: folded into a space in a quoted scalar
    assert read_yaml('{"a": "x\x85y"}', "f.json", lines=False).data == {"a": "x y"}


def test_a_json_config_with_a_problem_is_worded_with_its_line(tmp_path: Path) -> None:
    targets = [
        {"name": "a", "kind": "heartbeat"},
        {"name": "b", "kind": "heartbeat", "interval": "1x"},
    ]
    path = tmp_path / "agent.json"
    path.write_text(json.dumps({"targets": targets}, indent=2))
    with pytest.raises(ConfigError) as found:
        load_config(path)
    assert str(found.value).startswith(f"{path}:10: targets[1].interval: ")


def test_a_key_given_twice_is_worded_as_in_yaml(tmp_path: Path) -> None:
    path = tmp_path / "agent.json"
    target = '[{"name": "a", "kind": "heartbeat"}]'
    path.write_text(f'{{"targets": {target},\n "targets": {target}}}\n')
    with pytest.raises(ConfigError) as found:
        load_config(path)
    assert str(found.value) == (
        f"{path}:2: targets: key given twice (first at line 1); YAML keeps only the last one"
    )


def test_nesting_deeper_than_yaml_allows_is_refused_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "agent.json"
    deep: object = 1
    for _ in range(150):
        deep = {"x": deep}
    path.write_text('{"targets": [],\n "agent": ' + json.dumps(deep) + "}\n")
    assert read_json(path.read_text()) is not None  # JSON takes it; validation will not
    with pytest.raises(ConfigError) as found:
        load_config(path)
    assert "nested deeper than 100 levels" in str(found.value)
    assert str(found.value).startswith(f"{path}:2: ")


def test_the_seed_config_written_as_json_is_the_same_config(tmp_path: Path) -> None:
    seed = tmp_path / "seed.yaml"  # beside the JSON: a relative SQLite path is read from there
    seed.write_text((Path(__file__).parents[2] / "config" / "seed-contracts.yaml").read_text())
    values = read_yaml(seed.read_text(), str(seed), lines=False).data
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(values, indent=2, default=_as_json))
    assert read_json(path.read_text()) is not None
    assert load_config(path) == load_config(seed)
    assert read_in_child(path) == read_values(path)  # the agent's reload reads it so


def _as_json(value: object) -> object:
    """A decimal as a JSON number (``99.7``), a date or time as ISO text."""
    return json.loads(str(value)) if isinstance(value, Decimal) else str(value)
