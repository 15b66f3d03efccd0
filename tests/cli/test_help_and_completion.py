"""The command line explains itself: help on every option, with an example for those
taking a free value; ``--format`` in any case; the shell's completion of contract and
target names from the config (click's ``_SLAWATCH_COMPLETE``), silent on a bad config."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from slawatch.cli import main

from .conftest import SEED


def commands() -> Iterator[tuple[str, click.Command]]:
    """Every leaf command, by its full name."""
    ctx = click.Context(main)

    def walk(group: click.Group, path: str) -> Iterator[tuple[str, click.Command]]:
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None
            if isinstance(command, click.Group):
                yield from walk(command, f"{path} {name}")
            else:
                yield f"{path} {name}".strip(), command

    yield from walk(main, "")


def test_every_option_has_help_and_free_values_an_example() -> None:
    missing = [
        f"{name} {option.opts[-1]}"
        for name, command in commands()
        for option in command.params
        if isinstance(option, click.Option)
        and not (
            option.help
            and (option.is_flag or isinstance(option.type, click.Choice) or "e.g." in option.help)
        )
    ]
    assert missing == []
    assert len(list(commands())) >= 24


def test_format_is_read_in_any_case() -> None:
    result = CliRunner().invoke(
        main,
        ["report", "-c", SEED, "--contract", "ipfolio", "--period", "2026-10", "--format", "PDF"],
    )
    # Accepted as pdf: what stops it is the missing -o, not the case.
    assert result.exit_code == 2
    assert "--format pdf is binary: give -o PATH" in result.output


def complete(words: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """What bash's completion asks of ``slawatch`` for the command line ``words``
    (the cursor after its last word)."""
    script = Path(sys.executable).parent / "slawatch"
    env = {
        **{k: v for k, v in os.environ.items() if k != "SLAWATCH_CONFIG"},
        "_SLAWATCH_COMPLETE": "bash_complete",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split(" ")) - 1),
    }
    return subprocess.run(
        [str(script)], env=env, cwd=tmp_path, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (
            f"slawatch report -c {SEED} --contract ",
            ["cegid-portal", "smileo-backup", "ipfolio", "acronis-cyber-protect"],
        ),
        (f"slawatch maintenance add -c {SEED} --contract s", ["smileo-backup"]),
        (f"slawatch renewal add -c {SEED} --contract a", ["acronis-cyber-protect"]),
        (f"slawatch probe -c {SEED} ipf", ["ipfolio-app"]),
    ],
)
def test_completion_offers_the_config_names(
    words: str, expected: list[str], tmp_path: Path
) -> None:
    done = complete(words, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"plain,{name}" for name in expected]


def test_completion_on_a_bad_config_offers_nothing_and_no_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("contracts: [\n")
    for config in (broken, tmp_path / "missing.yaml"):
        done = complete(f"slawatch report -c {config} --contract ", tmp_path)
        assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "", "")
    # No -c and no default config in the folder: nothing either.
    done = complete("slawatch claim add --contract ", tmp_path)
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "", "")
