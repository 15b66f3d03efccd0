"""The bad files in testdata/ and their exact errors (blackbox_exporter's config/testdata)."""

from pathlib import Path

import pytest

from slawatch.config import ConfigError, load_config

TESTDATA = Path(__file__).parent / "testdata"
BAD_FILES = sorted(TESTDATA.glob("invalid-*.yaml"))


def test_every_bad_file_has_its_expected_error() -> None:
    assert BAD_FILES
    assert {path.stem for path in BAD_FILES} == {
        path.stem for path in TESTDATA.glob("invalid-*.err")
    }


@pytest.mark.parametrize("path", BAD_FILES, ids=[path.stem for path in BAD_FILES])
def test_bad_file(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(TESTDATA)
    with pytest.raises(ConfigError) as caught:
        load_config(path.name)
    assert f"{caught.value}\n" == path.with_suffix(".err").read_text(encoding="utf-8")


def test_one_file_reports_all_its_problems(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(TESTDATA)
    with pytest.raises(ConfigError) as caught:
        load_config("invalid-many.yaml")
    lines = [problem.line for problem in caught.value.problems if problem.line is not None]
    assert len(lines) == 13
    assert lines == sorted(lines)
