"""``slawatch check-config`` on hostile files: one clear line each, no traceback, no
password, no 57 MB echo, and in bounded time."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from slawatch.cli import main

from .test_yaml_lines import bomb

TARGET = "targets:\n  - {name: web, kind: http, url: 'https://portal.example/'}\n"


def check(path: Path | str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check-config", "-c", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def written(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "slawatch.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "mysql://bob:hunter2@db/sla",
            "must be a sqlite or postgresql URL (got mysql://bob:***@db/sla;",
        ),
        (
            "postgresql+psycopg://bob:hunter2@db:port/sla",
            "must be a database URL (got postgresql+psycopg://bob:***@db:port/sla;",
        ),
        (
            "postgresql+psycopg://bob@db:port/sla?password=hunter2",
            "must be a database URL (got postgresql+psycopg://bob@db:port/sla?password=***;",
        ),
    ],
    ids=["unsupported", "unparsable", "libpq-keyword"],
)
def test_a_refused_database_url_never_shows_its_password(
    tmp_path: Path, url: str, shown: str
) -> None:
    path = written(tmp_path, f"database: {{url: '{url}'}}\n{TARGET}")
    status, output = check(path)
    assert "hunter2" not in output
    assert (status, output.count("\n")) == (1, 1)
    assert f"error: {path}:1: database.url: {shown}" in output


def test_a_target_url_with_a_password_is_masked(tmp_path: Path) -> None:
    path = written(tmp_path, "targets:\n  - {name: w, kind: http, url: 'ftp://u:s3cret@h/'}\n")
    assert check(path) == (
        1,
        f"error: {path}:2: targets[0].url: must be an http:// or https:// URL with a host "
        "(got ftp://u:***@h/; e.g. https://portal.example.com/)\n",
    )


def test_a_huge_value_is_quoted_cut(tmp_path: Path) -> None:
    path = written(tmp_path, f"targets:\n  - {{name: w, kind: http, url: '{'u' * 5_000_000}'}}\n")
    assert check(path) == (
        1,
        f"error: {path}:2: targets[0].url: must be an http:// or https:// URL with a host "
        f"(got {'u' * 80}... (5,000,000 characters); e.g. https://portal.example.com/)\n",
    )


def test_a_huge_key_is_quoted_cut(tmp_path: Path) -> None:
    path = written(tmp_path, f"? {'k' * 1_000_000}\n: 1\n{TARGET}")  # explicit: a long key
    status, output = check(path)
    assert status == 1
    assert output.startswith(f"error: {path}:1: {'k' * 80}... (1,000,000 characters): unknown key")
    assert len(output) < 400


def test_a_window_the_core_quotes_is_cut(tmp_path: Path) -> None:
    window = "mon-fri 07:00-20:00" + " x" * 1_000_000
    text = f"{TARGET}contracts:\n  - {{name: c, service: {{targets: [web]}}, timezone: UTC, period: month, target: 99, reference: {{windows: ['{window}']}}}}\n"
    status, output = check(written(tmp_path, text))
    assert status == 1
    assert len(output) < 1_100
    assert "contracts[0].reference.windows[0]:" in output


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (bomb(9), 8, "a7[0]: aliases repeat more than 10,000,000 values in all"),
        (
            "targets: " + "[" * 50_000 + "]" * 50_000 + "\n",
            1,
            "invalid YAML: nested deeper than 100 levels",
        ),
    ],
    ids=["billion-laughs", "50,000-brackets"],
)
def test_hostile_yaml_gets_one_line_in_bounded_time(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = written(tmp_path, text)
    started = time.monotonic()
    status, output = check(path)
    assert time.monotonic() - started < 10
    assert (status, output.count("\n")) == (1, 1)
    assert output.startswith(f"error: {path}:{line}: {message}")


def test_dev_zero_is_refused_unread() -> None:
    assert check("/dev/zero") == (1, "error: /dev/zero: not a regular file (a character device)\n")
