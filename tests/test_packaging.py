"""pyproject.toml: PEP 639 licence metadata, URLs and classifiers, and the report
renderers in the ``reports`` extra rather than in every install (the agent's image)."""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RENDERERS = {"openpyxl", "fpdf2", "matplotlib", "jinja2"}


def names(requirements: list[str]) -> set[str]:
    return {r.split(">")[0].split("[")[0].split("=")[0].strip().lower() for r in requirements}


def test_pyproject_declares_licence_urls_and_the_reports_extra() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = pyproject["project"]
    assert "setuptools>=77" in pyproject["build-system"]["requires"][0]
    assert (project["license"], project["license-files"]) == ("Apache-2.0", ["LICENSE"])
    assert {"Homepage", "Source", "Changelog"} <= set(project["urls"])
    assert "Topic :: System :: Monitoring" in project["classifiers"]
    assert not any(c.startswith("License ::") for c in project["classifiers"])  # PEP 639
    assert names(project["optional-dependencies"]["reports"]) == RENDERERS
    assert not names(project["dependencies"]) & RENDERERS
    assert "slawatch[reports]" in project["optional-dependencies"]["test"]


def test_installed_metadata_says_the_same() -> None:
    meta = metadata.metadata("slawatch")
    assert meta["License-Expression"] == "Apache-2.0"
    assert "reports" in (meta.get_all("Provides-Extra") or [])
