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
from slawatch.config.values import read_document, read_in_child, read_values
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


def read_alike(text: str) -> dict[str, object] | None:
    """``read_json(text)``, checked against the YAML reading: where it gives values,
    YAML gives the same, with no problem."""
    read = read_json(text)
    if read is not None:
        document = read_yaml(text, "f.json")  # raises ConfigError where YAML refuses it
        assert document.problems == ()
        assert typed(read) == typed(document.data)
    return read


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(), _VALUES, max_size=5), _WRITINGS)
def test_what_json_dumps_writes_reads_as_in_yaml(
    values: dict[str, object], writing: dict[str, object]
) -> None:
    text = json.dumps(values, **writing)  # type: ignore[arg-type]
    read = read_alike(text)
    if text.isascii() and "\\ud" not in text.lower() and not {"\x7f", "\t"} & set(text):
        assert read is not None  # nothing in it for YAML to read otherwise


_BLANKS = st.lists(st.sampled_from([" ", "\n", "\r\n", "\r", "\t"]), max_size=3).map("".join)
_CHARACTERS = st.characters(exclude_categories=["Cs"]) | st.sampled_from(
    ["\x85", "\u2028", "\u2029", "\ufeff", "\x7f", "#", ": ", "- ", "---", "...", "'"]
)


@st.composite
def _json_text(draw: st.DrawFn) -> str:
    """A JSON string as any writer may write it: each character raw where JSON lets it
    be, or escaped (``\\n``, ``\\u00e9``, a surrogate pair)."""
    written = []
    for character in draw(st.lists(_CHARACTERS, max_size=8)):
        escaped = json.dumps(character)[1:-1]
        raw = character not in '"\\' and character >= " "
        written.append(character if raw and draw(st.booleans()) else escaped)
    return '"' + "".join(written) + '"'


_NUMBERS = st.from_regex(r"\A-?(0|[1-9][0-9]{0,4})(\.[0-9]{1,3})?([eE][-+]?[0-9]{1,4})?\Z")
_JSON_SCALARS = _json_text() | _NUMBERS | st.sampled_from(["true", "false", "null"])


def _json_object(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    pair = st.tuples(_BLANKS, _json_text(), _BLANKS, _BLANKS, inner, _BLANKS)
    return st.lists(pair, max_size=3).map(_written_object)


def _written_object(pairs: list[tuple[str, str, str, str, str, str]]) -> str:
    return "{" + ",".join(f"{a}{key}{b}:{c}{value}{d}" for a, key, b, c, value, d in pairs) + "}"


def _json_list(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    item = st.tuples(_BLANKS, inner, _BLANKS).map("".join)
    return st.lists(item, max_size=3).map(lambda items: "[" + ",".join(items) + "]")


_JSON_VALUES = st.recursive(_JSON_SCALARS, lambda i: _json_object(i) | _json_list(i), max_leaves=10)


@settings(max_examples=300, deadline=None)
@given(_json_object(_JSON_VALUES), _BLANKS, _BLANKS)
def test_any_json_writing_reads_as_in_yaml_or_is_left_to_it(
    text: str, before: str, after: str
) -> None:
    read_alike(before + text + after)


def test_a_generated_target_list_is_read_as_json() -> None:
    targets = [
        {"name": f"t{i}", "kind": "http", "url": f"http://127.0.0.1/?t={i}", "interval": "60s"}
        for i in range(3)
    ]
    text = json.dumps({"targets": targets, "sla": {"target": 99.7, "ratio": 1e-3}}, indent=2)
    assert read_alike(text) == {
        "targets": targets,
        "sla": {"target": Decimal("99.7"), "ratio": Decimal("1e-3")},
    }


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
        ('{"a": 1e1000000000000000000}', "too big for a Decimal: text in YAML"),
        ('{"a": "x \u2028 y"}', "U+2028 is a line break to YAML"),
        ('{"a": "\u2029"}', "so is U+2029"),
        ('{"a"\n: 1}', "YAML refuses a line break before a key's colon"),
        ('{"a"\r: 1}', "any line break"),
        ('\t{"a": 1}', "YAML refuses a tab around the document"),
        ('{"a": 1}\n\t', "after it too"),
        ('{\n\t"a": 1\n}', "and PyYAML's own scanner takes none between tokens"),
        ('{"' + "x" * 151 + '": 1}', "a key that YAML may find too long"),
        ('{"a"' + " " * 100 + ": 1}", "spaces that may make a key too long to YAML"),
        ("{a: 1}", "YAML, not JSON"),
        ('{"a": 1} # a comment', "YAML, not JSON"),
        ('["a"]', "a list: not a config"),
        ("targets: []", "YAML"),
    ],
)
def test_what_yaml_would_read_otherwise_is_left_to_it(text: str, why: str) -> None:
    assert read_json(text) is None, why


def test_what_yaml_reads_otherwise_is_what_a_load_reads() -> None:
    # \x85 is a line break to YAML: folded into a space in a quoted scalar
    assert read_document('{"a": "x\x85y"}', "f.json").data == {"a": "x y"}


def test_french_notes_stay_with_the_json_reading() -> None:
    values = {"notes": "art. 5 : Fenêtres de maintenance", "a": {"b : c": 1}}
    assert read_alike(json.dumps(values)) == values


def test_a_number_too_big_for_a_decimal_is_worded_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "agent.json"
    path.write_text(
        '{"targets": [{"name": "a", "kind": "heartbeat", "interval": 1e99999999999999}]}'
    )
    with pytest.raises(ConfigError) as found:
        load_config(path)
    assert str(found.value).startswith(f"{path}:1: targets[0].interval: ")


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
