"""``slawatch run`` on the address it is given: IPv6 works, one in use is one line."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from .helpers import Target, write_config


def test_a_port_in_use_ends_the_agent_with_one_error_line(tmp_path: Path, target: Target) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        config = write_config(
            tmp_path / "agent.yaml",
            db=f"sqlite:///{tmp_path}/agent.db",
            port=port,
            targets={"web": target.url},
        )
        done = subprocess.run(
            [sys.executable, "-m", "slawatch.cli", "run", "-c", str(config)],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1] == (
        f"error: agent.listen 127.0.0.1:{port}: address already in use (is another agent running?)"
    )


def test_an_ipv6_listen_address_is_served(tmp_path: Path, target: Target) -> None:
    with socket.socket(socket.AF_INET6) as probe:
        probe.bind(("::1", 0))
        port = probe.getsockname()[1]
    config = write_config(
        tmp_path / "agent.yaml",
        db=f"sqlite:///{tmp_path}/agent.db",
        port=port,
        targets={"web": target.url},
    )
    config.write_text(config.read_text().replace(f'"127.0.0.1:{port}"', f'"[::1]:{port}"'))
    log = (tmp_path / "agent.log").open("w")
    agent = subprocess.Popen(
        [sys.executable, "-m", "slawatch.cli", "run", "-c", str(config)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with urllib.request.urlopen(f"http://[::1]:{port}/metrics", timeout=2) as answer:
                    assert answer.status == 200
                    break
            except OSError:
                assert agent.poll() is None, (tmp_path / "agent.log").read_text()
                assert time.monotonic() < deadline, "the agent never served [::1]"
                time.sleep(0.1)
        agent.send_signal(signal.SIGTERM)
        assert agent.wait(timeout=20) == 0
    finally:
        if agent.poll() is None:
            agent.kill()
            agent.wait()
        log.close()
