"""The YAML parser under test: libyaml's (what runs wherever PyYAML ships it) and the
pure-Python one that takes over without it."""

from __future__ import annotations

import pytest

from slawatch.config import yaml_build


@pytest.fixture(params=["libyaml", "python"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "libyaml" and not yaml_build.LIBYAML:
        pytest.skip("PyYAML without libyaml")
    monkeypatch.setattr(yaml_build, "LIBYAML", request.param == "libyaml")
    return str(request.param)
