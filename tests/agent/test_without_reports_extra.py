"""Without the ``reports`` extra (matplotlib, openpyxl, fpdf2, Jinja2), as in the
agent's image: the agent and every command but the xlsx/pdf/html reports work, and
those say which extra to install, in one line (CLI) or a 501 (API).

The libraries are hidden, not uninstalled: a ``sitecustomize`` on ``PYTHONPATH``
sets them to None in ``sys.modules``, which makes their import fail as if missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .helpers import AgentProcess, Target, free_port, write_config

ROOT = Path(__file__).resolve().parents[2]
HIDDEN = ("matplotlib", "openpyxl", "fpdf", "jinja2")
HINT = "needs the 'reports' extra ({} is not installed): pip install 'slawatch[reports]'"


@pytest.fixture
def without_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder on ``PYTHONPATH`` whose ``sitecustomize`` hides the extra's modules
    from every Python process the test starts; returns a work folder with ``config/``."""
    site = tmp_path / "site"
    site.mkdir()
    names = ", ".join(repr(n) for n in HIDDEN)
    (site / "sitecustomize.py").write_text(
        f"import sys\nfor name in ({names},):\n    sys.modules[name] = None\n"
    )
    monkeypatch.setenv("PYTHONPATH", str(site))
    work = tmp_path / "work"
    shutil.copytree(ROOT / "config", work / "config", ignore=shutil.ignore_patterns("*.db*"))
    return work


def slawatch(work: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SLAWATCH_DB", "SLAWATCH_CONFIG")}
    return subprocess.run(
        [sys.executable, "-m", "slawatch.cli", *args],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_hiding_works(without_extra: Path) -> None:
    probe = "import matplotlib"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert "ModuleNotFoundError" in done.stderr


def test_readme_first_command_and_reports_without_the_extra(without_extra: Path) -> None:
    seed = "config/seed-contracts.yaml"
    history = "config/examples/history-2026-10.csv.gz"
    for args in (["check-config", "-c", seed], ["import", "-c", seed, "--results", history]):
        done = slawatch(without_extra, *args)
        assert done.returncode == 0, done.stderr
    report = ["report", "-c", seed, "--contract", "ipfolio", "--period", "2026-10"]
    done = slawatch(without_extra, *report, "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["contract"] == "ipfolio"
    assert slawatch(without_extra, *report, "--format", "csv").returncode == 0
    for fmt, module in (("pdf", "matplotlib"), ("xlsx", "openpyxl"), ("html", "jinja2")):
        done = slawatch(without_extra, *report, "--format", fmt, "-o", f"out.{fmt}")
        assert (done.returncode, done.stderr) == (
            1,
            f"error: --format {fmt} {HINT.format(module)}\n",
        )
        assert not (without_extra / f"out.{fmt}").exists()


def test_the_agent_runs_without_the_extra(without_extra: Path, target: Target) -> None:
    port = free_port()
    db = f"sqlite:///{without_extra}/agent.db"
    config = write_config(
        without_extra / "agent.yaml", db=db, port=port, targets={"web": target.url}
    )
    agent = AgentProcess(config, port, without_extra / "agent.log")
    try:
        agent.wait_for(
            lambda m: m.count("slawatch_probes_total", target="web", outcome="ok") >= 1, "a probe"
        )
        base = f"http://127.0.0.1:{port}/api/v1/contracts/web-sla/reports/2026-10"
        with urllib.request.urlopen(f"{base}?format=json", timeout=10) as answer:
            assert json.load(answer)["contract"] == "web-sla"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{base}?format=pdf", timeout=10)
        assert refused.value.code == 501
        body = json.load(refused.value)
        assert body == {"error": f"--format pdf {HINT.format('matplotlib')}", "field": "format"}
    finally:
        log = agent.stop()
    assert "Traceback" not in log
