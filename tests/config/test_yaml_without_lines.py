"""``read_yaml(..., lines=False)``, the first read of every config load: the same values
as a read with lines, none of the lines, and its problems found (load_config reads the
text again with lines to word them)."""

from __future__ import annotations

import pytest

from slawatch.config import ConfigError, parse_config
from slawatch.config.yaml_lines import read_yaml

pytestmark = pytest.mark.usefixtures("parser")  # with libyaml and without

TEXTS = {
    "block-and-flow": "a:\n  - {x: 1, y: [2, 3.5]}\n  - z: 2026-03-15\n    w: 'text'\nb: ~\n",
    "anchors-and-aliases": "base: &b {x: 1, y: [1, 2]}\nitems: [*b, *b]\nmore: &l [1, 2]\nsame: *l\n",
    "merge-keys": "a: &a {x: 1, y: 2}\nb: &b {y: 3}\nc:\n  <<: [*b, *a]\n  z: 4\n",
    "tags-and-keys": "? !!str 1\n: !!int '7'\n2: two\nlist: !!seq [a]\nscalar: !!str 010\n",
    "scalar-document": "just text\n",
}


@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
def test_the_same_values_without_the_lines(text: str) -> None:
    marked = read_yaml(text, "f.yaml")
    unmarked = read_yaml(text, "f.yaml", lines=False)
    assert unmarked.data == marked.data
    assert (unmarked.root_line, unmarked.problems) == (marked.root_line, ())
    assert unmarked.lines == {}


def test_a_key_given_twice_is_found_without_the_lines_and_worded_with_them() -> None:
    text = (
        "targets:\n  - {name: a, kind: heartbeat}\n  - name: b\n    kind: heartbeat\n    name: c\n"
    )
    assert read_yaml(text, "f.yaml", lines=False).problems
    with pytest.raises(ConfigError) as found:
        parse_config(text, "f.yaml")
    assert str(found.value) == (
        "f.yaml:5: targets[1].name: key given twice (first at line 3); YAML keeps only the last one"
    )


def test_an_unhashable_key_is_refused_without_the_lines_too() -> None:
    with pytest.raises(ConfigError) as found:
        read_yaml("a: 1\n[b]: 2\n", "f.yaml", lines=False)
    assert str(found.value) == (
        "f.yaml:2: invalid YAML: found unhashable key (column 1; while building a mapping at line 1)"
    )
