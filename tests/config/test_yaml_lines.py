from datetime import date, datetime
from decimal import Decimal

import pytest

from slawatch.config import ConfigError
from slawatch.config.yaml_lines import format_path, read_yaml


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
    assert document.lines[("a",)] == 1
    assert document.lines[("a", 1)] == 4
    assert document.lines[("a", 1, "z", 1)] == 6
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
    assert document.lines[("a", 0)] == 1  # the alias stands where its anchor is


def test_a_key_given_twice_is_a_problem() -> None:
    [problem] = read_yaml("a: 1\nb: 2\na: 3\n", "f.yaml").problems
    assert (
        str(problem)
        == "f.yaml:3: a: key given twice (first at line 1); YAML keeps only the last one"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: b: c\n", "f.yaml:1: invalid YAML: mapping values are not allowed here (column 5)"),
        (
            "a:\n\tb: 1\n",
            "f.yaml:2: invalid YAML: found character '\\t' that cannot start any token (column 1; indent with spaces, not tabs)",
        ),
        (
            "a: [1, 2\n",
            "f.yaml:2: invalid YAML: expected ',' or ']', but got '<stream end>' (column 1; while parsing a flow sequence at line 1)",
        ),
        (
            "a: 1\n---\nb: 2\n",
            "f.yaml:2: invalid YAML: but found another document (column 1; expected a single document in the stream at line 1)",
        ),
        (
            "a: !!python/name:os.system x\n",
            "f.yaml:1: invalid YAML: could not determine a constructor for the tag 'tag:yaml.org,2002:python/name:os.system' (column 4)",
        ),
        (
            "a: 1\nb: \x07\n",
            "f.yaml:2: invalid YAML: character #x0007 is not allowed (special characters are not allowed)",
        ),
    ],
    ids=[
        "mapping-in-plain-value",
        "tab",
        "unclosed-list",
        "two-documents",
        "python-tag",
        "control-character",
    ],
)
def test_syntax_errors_have_a_line(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        read_yaml(text, "f.yaml")
    assert str(caught.value) == message


def test_format_path() -> None:
    assert format_path(("targets", 2, "interval")) == "targets[2].interval"
    assert format_path(()) == ""
