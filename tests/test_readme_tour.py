"""The README's tour of the commands runs top to bottom as written.

Every ``slawatch`` line of the tour's shell blocks is run in order, as a new process
(the installed ``slawatch`` script beside this interpreter, as the venv would run it),
in a temporary folder holding a copy of ``config/``, so the README cannot drift from
what the commands do. A comment starting ``exit N`` is the status the line must end
with; every other line must exit 0.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ACTIVATE = ". .venv/bin/activate"
EXPECTED = re.compile(r"#\s*exit (\d+)")


def tour_lines(readme: str) -> list[str]:
    """The logical lines (continuations joined) of the first two shell blocks of the
    README's section "A tour of the commands": the venv's activation, then the tour (the
    later blocks of the section are set-up snippets, e.g. shell completion)."""
    section = readme.split("## A tour of the commands", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)[:2]
    joined = "\n".join(blocks).replace("\\\n", " ")
    return [line.strip() for line in joined.splitlines() if line.strip()]


def expected_status(line: str) -> int:
    """The exit status the line's comment announces (``# exit 1: ...``), else 0."""
    found = EXPECTED.search(line)
    return int(found.group(1)) if found else 0


def slawatch_command() -> list[str]:
    """The ``slawatch`` the venv installed, else the module."""
    script = Path(sys.executable).parent / "slawatch"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "slawatch.cli"]


def test_tour_parses_into_commands() -> None:
    lines = tour_lines((ROOT / "README.md").read_text(encoding="utf-8"))
    assert lines[0].startswith(ACTIVATE)
    commands = lines[1:]
    assert len(commands) >= 20
    assert all(line.startswith("slawatch ") for line in commands), commands
    assert [expected_status(line) for line in commands].count(1) == 1


def test_readme_tour_runs_in_order(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "config", tmp_path / "config", ignore=shutil.ignore_patterns("*.db*"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLAWATCH_")}
    env["SLAWATCH_AUTHOR"] = "readme-tour"
    lines = tour_lines((ROOT / "README.md").read_text(encoding="utf-8"))
    for line in lines[1:]:
        args = shlex.split(line, comments=True)
        done = subprocess.run(
            [*slawatch_command(), *args[1:]],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == expected_status(line), (line, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr, (line, done.stderr)
    assert (tmp_path / "reports" / "ipfolio-2026-10.pdf").is_file()
    assert (tmp_path / "cegid-support.pdf").read_bytes().startswith(b"%PDF")
