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
    | st.text(max_size=20)
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=20), inner, max_size=4)
    ),
    max_leaves=12,
)
_WRITINGS = st.sampled_from(
    [
        {},
        {"indent": 2},
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
@given(st.dictionaries(st.text(max_size=20), _VALUES, max_size=5), _WRITINGS)
def test_what_json_dumps_writes_reads_as_in_yaml(
    values: dict[str, object], writing: dict[str, object]
) -> None:
    text = json.dumps(values, **writing)  # type: ignore[arg-type]
    read = read_alike(text)
    if text.isascii() and "\\ud" not in text.lower() and "\x7f" not in text:
        assert read is not None  # nothing in it for YAML to read otherwise


_BLANKS = st.lists(st.sampled_from([" ", "\n", "\r\n", "\r"]), max_size=3).map("".join)
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
    return st.lists(pair, max_size=3, unique_by=lambda pair: json.loads(pair[1])).map(
        _written_object
    )


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


def _yaml_differs(text: str) -> bool:
    """Whether YAML refuses ``text``, finds a problem in it, or reads it otherwise than
    the ``json`` module (which may give nothing: a number too big for it)."""
    try:
        document = read_yaml(text, "f.json")
    except ConfigError:
        return True
    try:
        read = json.loads(text, parse_float=Decimal)
    except (ValueError, ArithmeticError):
        return True
    return bool(document.problems) or typed(read) != typed(document.data)


_LONGEST_KEY_WRITTEN = '"' + "\\u00e9" * 150 + '"' + " " * 99  # 1,001 characters


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('{"a": 1, "a": 2}', id="a key given twice"),
        pytest.param('{"a": NaN}', id="NaN: text in YAML 1.2"),
        pytest.param('{"a": -Infinity}', id="-Infinity: text too"),
        pytest.param('{"a": 1e1000000000000000000}', id="too big for a Decimal: text"),
        pytest.param('{"a": ' + "9" * 4301 + "}", id="too long for an int: text"),
        pytest.param('{"a": "x\x85y"}', id="x85: a line break, folded"),
        pytest.param('{"a": "x \u2028 y"}', id="U+2028: a line break"),
        pytest.param('{"a": "x \u2029 y"}', id="U+2029: a line break"),
        pytest.param('{"a": "x\x7fy"}', id="DEL: not allowed"),
        pytest.param('{"a": "x\u0080y"}', id="C1 controls: not allowed"),
        pytest.param('{"a": "\\ud83d\\ude00"}', id="a surrogate pair escaped"),
        pytest.param('{"a"\n: 1}', id="a line break before a colon"),
        pytest.param('{"a"\r\n  : 1}', id="a line break, then spaces, before a colon"),
        pytest.param('{"' + "x" * 1023 + '": 1}', id="1,025 characters from quote to colon"),
        pytest.param('\t{"a": 1}', id="a tab before the document"),
        pytest.param('{"a": 1}\n\t', id="a tab after it"),
    ],
)
def test_what_yaml_refuses_or_reads_otherwise_is_left_to_it(text: str) -> None:
    assert read_json(text) is None
    assert _yaml_differs(text)


@pytest.mark.parametrize(
    ("text", "refused_by"),
    [
        pytest.param('{\n\t"a": 1\n}', "python", id="a tab between tokens"),
        pytest.param('{"a": "\\uDC00"}', "libyaml", id="a lone surrogate escaped"),
        pytest.param('{"' + "x" * 151 + '": 1}', None, id="a key over 150 characters"),
        pytest.param('{"a": "' + " " * 100 + ':"}', None, id="100 spaces then a colon"),
        pytest.param('{"a": "\\\\ud800"}', None, id="an escaped backslash before ud800"),
        pytest.param('\ufeff{"a": 1}', None, id="a byte order mark"),
    ],
)
def test_what_the_checks_leave_to_yaml_without_need_is_read_the_same(
    text: str, refused_by: str | None, parser: str
) -> None:
    """Cheaper checks than exact ones: YAML reads these to the same values (a tab and a
    lone surrogate are refused by one of the two parsers)."""
    assert read_json(text) is None
    if parser == refused_by:
        with pytest.raises(ConfigError):
            read_document(text, "f.json")
        return
    read = read_document(text, "f.json").data
    assert typed(read) == typed(json.loads(text.lstrip("\ufeff"), parse_float=Decimal))


def test_the_longest_key_the_checks_let_through_reads_the_same() -> None:
    assert read_alike("{" + _LONGEST_KEY_WRITTEN + ": 1}") == {"\u00e9" * 150: 1}


@pytest.mark.parametrize("text", ["{a: 1}", '{"a": 1} # a comment', '["a"]', "targets: []", "{}{}"])
def test_what_is_not_a_json_object_is_left_to_yaml(text: str) -> None:
    assert read_json(text) is None


def test_what_yaml_reads_otherwise_is_what_a_load_reads() -> None:
    # \x85 is a line break to YAML: folded into a space in a quoted scalar
    assert read_document('{"a": "x\x85y"}', "f.json").data == {"a": "x y"}


def test_french_notes_stay_with_the_json_reading() -> None:
    values = {"notes": "art. 5 : Fenêtres de maintenance", "a": {"b : c": 1}}
    assert read_alike(json.dumps(values)) == values


def test_a_number_too_big_for_a_decimal_is_worded_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "agent.json"
    path.write_text(
        '{"targets": [{"name": "a", "kind": "heartbeat", "interval": 1e1000000000000000000}]}'
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
    assert read_json("[" * 2_000 + "]" * 2_000) is None  # past Python's recursion limit
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
