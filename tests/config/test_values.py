"""A config's YAML values read in another process (config/values.py): a reload's
child, a new interpreter, gives the values a load reads, starts without pydantic and
the models, and whatever goes wrong in it leaves the caller without values (the
caller then runs ``load_config``, which words the problem)."""

from __future__ import annotations

import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import slawatch.config
from slawatch.config import values
from slawatch.config.load import load_config, load_values
from slawatch.config.values import from_child, read_in_child, read_values

SEED = Path(__file__).parents[2] / "config" / "seed-contracts.yaml"


def test_the_child_reads_the_values_a_load_reads(tmp_path: Path) -> None:
    path = tmp_path / "seed.yaml"
    shutil.copy(SEED, path)
    read = read_in_child(path)
    assert read == read_values(path)
    assert load_values(path, read) == load_config(path)


@pytest.mark.parametrize(
    "text",
    [
        "targets: [\n",  # bad YAML
        "targets: []\ntargets: []\n",  # a key given twice
        "",  # an empty file
        "\xff",  # written as Latin-1 below: not UTF-8
    ],
)
def test_a_file_with_a_problem_gives_no_values(tmp_path: Path, text: str) -> None:
    path = tmp_path / "agent.yaml"
    path.write_text(text, encoding="latin-1")
    assert read_in_child(path) is None


def test_a_missing_file_gives_no_values(tmp_path: Path) -> None:
    assert read_in_child(tmp_path / "none.yaml") is None


def test_no_interpreter_to_start_gives_no_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "seed.yaml"
    shutil.copy(SEED, path)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python"))
    assert read_in_child(path) is None
    monkeypatch.setattr(sys, "executable", "")
    assert read_in_child(path) is None


def test_a_child_that_takes_too_long_gives_no_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "seed.yaml"
    shutil.copy(SEED, path)
    monkeypatch.setattr(values, "CHILD_TIMEOUT", 0.001)
    assert read_in_child(path) is None


def test_only_a_whole_pickle_from_a_child_that_ended_well_is_taken() -> None:
    sent = pickle.dumps({"targets": [{"name": "web"}]})
    assert from_child(sent, 0) == {"targets": [{"name": "web"}]}
    assert from_child(sent, 1) is None  # failed, or killed (a negative status)
    assert from_child(sent, -9) is None
    assert from_child(sent[:-5], 0) is None  # cut short
    assert from_child(b"", 0) is None


def test_the_child_starts_without_pydantic_and_the_models() -> None:
    code = (
        "import sys, slawatch.config.values;"
        "print(sorted({'pydantic', 'slawatch.config.models'} & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "[]\n"


def test_the_package_names_are_there_when_used() -> None:
    for name in slawatch.config.__all__:
        assert getattr(slawatch.config, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        slawatch.config.nothing  # noqa: B018 (the lookup is the test)
