import time
from datetime import date, datetime
from decimal import Decimal

import pytest

from slawatch.config import ConfigError
from slawatch.config.yaml_lines import format_path, read_yaml

pytestmark = pytest.mark.usefixtures("parser")  # every test, with libyaml and without


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("99.7", Decimal("99.7")),
        ("1e3", Decimal("1e3")),
        ("010", 10),
        ("0x1f", 31),
        ("NO", "NO"),
        ("on", "on"),
        ("yes", "yes"),
        ("true", True),
        ("1:30", "1:30"),
        ("~", None),
        ("2026-03-15", date(2026, 3, 15)),
        ("2026-02-30", "2026-02-30"),
        ("2026-01-04T02:00", "2026-01-04T02:00"),
        ("2026-01-04T02:00:00", datetime(2026, 1, 4, 2, 0)),
        ("!!int 0b101", "0b101"),
    ],
    ids=[
        "float-as-exact-decimal",
        "exponent",
        "leading-zero-is-decimal",
        "hex",
        "norway-stays-text",
        "on-stays-text",
        "yes-stays-text",
        "true",
        "no-base-60",
        "null",
        "date",
        "impossible-date-stays-text",
        "minutes-only-stays-text",
        "timestamp",
        "explicit-tag-on-text-stays-text",
    ],
)
def test_scalars_follow_yaml_1_2(text: str, value: object) -> None:
    assert read_yaml(f"key: {text}\n", "f.yaml").data == {"key": value}


def test_lines_of_keys_and_items() -> None:
    document = read_yaml("a:\n  - x: 1\n\n  - y: 2\n    z: [3,\n        4]\n", "f.yaml")
    assert document.line_of(("a",)) == 1
    assert document.line_of(("a", 1)) == 4
    assert document.line_of(("a", 1, "z", 1)) == 6
    assert document.line_of(("a", 1, "missing", 0)) == 4  # nearest written ancestor


def test_merge_keys_work_and_merged_keys_take_the_merging_line() -> None:
    document = read_yaml("base: &b {x: 1, y: 1}\nitem:\n  <<: *b\n  y: 2\n", "f.yaml")
    assert document.data == {"base": {"x": 1, "y": 1}, "item": {"x": 1, "y": 2}}
    assert document.line_of(("item", "x")) == 2
    assert document.problems == ()  # overriding a merged key is not giving it twice


def test_a_recursive_alias_does_not_hang() -> None:
    document = read_yaml("a: &a\n  - *a\n", "f.yaml")
    assert isinstance(document.data, dict)
    assert document.data["a"][0] is document.data["a"]
    assert document.line_of(("a", 0)) == 2  # the line of the alias


def test_a_key_given_twice_is_a_problem() -> None:
    [problem] = read_yaml("a: 1\nb: 2\na: 3\n", "f.yaml").problems
    assert (
        str(problem)
        == "f.yaml:3: a: key given twice (first at line 1); YAML keeps only the last one"
    )


# (text, the message with libyaml, the pure-Python parser's where it words it otherwise)
SYNTAX_ERRORS = {
    "mapping-in-plain-value": (
        "a: b: c\n",
        "f.yaml:1: invalid YAML: mapping values are not allowed in this context (column 5)",
        "f.yaml:1: invalid YAML: mapping values are not allowed here (column 5)",
    ),
    "tab": (
        "a:\n\tb: 1\n",
        "f.yaml:2: invalid YAML: found character that cannot start any token (column 1; indent with spaces, not tabs)",
        "f.yaml:2: invalid YAML: found character '\\t' that cannot start any token (column 1; indent with spaces, not tabs)",
    ),
    "unclosed-list": (
        "a: [1, 2\n",
        "f.yaml:2: invalid YAML: did not find expected ',' or ']' (column 1; while parsing a flow sequence at line 1)",
        "f.yaml:2: invalid YAML: expected ',' or ']', but got '<stream end>' (column 1; while parsing a flow sequence at line 1)",
    ),
    "indentation": (
        "a:\n  b: 1\n c: 2\n",
        "f.yaml:3: invalid YAML: did not find expected key (column 2; while parsing a block mapping at line 1; check the indentation)",
        "f.yaml:3: invalid YAML: expected <block end>, but found '<block mapping start>' (column 2; while parsing a block mapping at line 1; check the indentation)",
    ),
    "two-documents": (
        "a: 1\n---\nb: 2\n",
        "f.yaml:2: invalid YAML: but found another document (column 1; expected a single document in the stream at line 1)",
        None,
    ),
    "python-tag": (
        "a: !!python/name:os.system x\n",
        "f.yaml:1: invalid YAML: could not determine a constructor for the tag 'tag:yaml.org,2002:python/name:os.system' (column 4)",
        None,
    ),
    "set-tag": (
        "a: !!set {x, y}\n",
        "f.yaml:1: invalid YAML: could not determine a constructor for the tag 'tag:yaml.org,2002:set' (column 4)",
        None,
    ),
    "list-as-key": (
        "? [a]\n: 1\n",
        "f.yaml:1: invalid YAML: found unhashable key (column 3; while building a mapping at line 1)",
        None,
    ),
    "control-character": (
        "a: é\nb: \x07\n",
        "f.yaml:2: invalid YAML: character #x0007 is not allowed (control characters are not allowed)",
        "f.yaml:2: invalid YAML: character #x0007 is not allowed (special characters are not allowed)",
    ),
}


@pytest.mark.parametrize("case", SYNTAX_ERRORS, ids=list(SYNTAX_ERRORS))
def test_syntax_errors_have_a_line(case: str, parser: str) -> None:
    text, libyaml, pure_python = SYNTAX_ERRORS[case]
    with pytest.raises(ConfigError) as caught:
        read_yaml(text, "f.yaml")
    assert str(caught.value) == (libyaml if parser == "libyaml" else pure_python or libyaml)


def test_format_path() -> None:
    assert format_path(("targets", 2, "interval")) == "targets[2].interval"
    assert format_path(()) == ""


def bomb(levels: int) -> str:
    """The "billion laughs": each level a list of nine aliases of the one before."""
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels + 1)]
    return "\n".join([*lines, f"targets: *a{levels}", ""])


@pytest.mark.parametrize("levels", [8, 9, 30])
def test_an_alias_bomb_is_refused_at_its_line_in_no_time(levels: int) -> None:
    started = time.process_time()
    with pytest.raises(ConfigError) as caught:
        read_yaml(bomb(levels), "f.yaml")
    assert time.process_time() - started < 1
    [problem] = caught.value.problems
    assert problem.line == 8
    assert problem.path.startswith("a7[")
    assert problem.message.startswith(
        "aliases repeat more than 10,000,000 values in all (this one repeats 5,380,840, anchored at line 7): refused as an alias bomb"
    )


def test_aliases_below_the_bound_build_each_node_once() -> None:
    document = read_yaml(bomb(5), "f.yaml")  # 9 ** 6 = 531,441 values, written in 7 lines
    assert isinstance(document.data, dict)
    top = document.data["targets"]
    assert top is document.data["a5"]
    assert top[0] is top[8] is document.data["a4"]
    assert len(document.lines) == 7  # a list per line written, not one per path


def test_an_aliased_mapping_reports_its_duplicate_key_once() -> None:
    text = "base: &b {x: 1, x: 2}\nitems: [*b, *b, *b]\n"
    [problem] = read_yaml(text, "f.yaml").problems
    assert str(problem) == (
        "f.yaml:1: base.x: key given twice (first at line 1); YAML keeps only the last one"
    )


def test_merges_follow_yaml_merge_key_rules() -> None:
    text = "a: &a {x: a, y: a}\nb: &b {x: b, z: b}\nm:\n  w: own\n  <<: [*a, *b]\n  y: own\n"
    document = read_yaml(text, "f.yaml")
    assert isinstance(document.data, dict)
    assert document.data["m"] == {"x": "a", "y": "own", "z": "b", "w": "own"}
    assert list(document.data["m"]) == ["x", "z", "y", "w"]  # merged keys first, as PyYAML


def test_merging_what_is_no_mapping_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        read_yaml("a: &a [1]\nb: {<<: *a}\n", "f.yaml")  # the 1 is no mapping
    assert str(caught.value) == (
        "f.yaml:2: invalid YAML: expected a mapping or list of mappings for merging "
        "(column 9; while building a mapping at line 2)"
    )


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("targets: " + "[" * 50_000 + "]" * 50_000 + "\n", 1),
        ("targets: " + "{a: " * 50_000 + "1" + "}" * 50_000 + "\n", 1),
        ("".join(f"{' ' * i}k:\n" for i in range(101)) + " " * 101 + "x\n", 101),
    ],
    ids=["50,000-brackets", "50,000-braces", "101-indented-mappings"],
)
def test_deep_nesting_is_refused_at_its_line(text: str, line: int) -> None:
    with pytest.raises(ConfigError) as caught:
        read_yaml(text, "f.yaml")
    [problem] = caught.value.problems
    assert (problem.line, problem.message.split(" (")[0]) == (
        line,
        "invalid YAML: nested deeper than 100 levels",
    )


def test_nesting_up_to_the_bound_loads() -> None:
    document = read_yaml("k: " + "[" * 99 + "]" * 99 + "\n", "f.yaml")
    assert isinstance(document.data, dict)
