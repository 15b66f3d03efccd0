"""The agent as an SRE runs it: a real process, a real HTTP target on 127.0.0.1
that goes down and up on command, the store and ``/metrics`` read back."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from slawatch.exporters.store import Store
from slawatch.sla.timeline import State


class Target:
    """An HTTP server whose health is switched by the test."""

    def __init__(self) -> None:
        self.healthy = True
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200 if outer.healthy else 503)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def target() -> Iterator[Target]:
    server = Target()
    yield server
    server.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_config(tmp_path: Path, url: str, port: int) -> Path:
    config = tmp_path / "agent.yaml"
    config.write_text(
        f"""
database: {{url: "sqlite:///{tmp_path}/agent.db"}}
agent: {{listen: "127.0.0.1:{port}"}}
targets:
  - {{name: web, kind: http, url: "{url}", interval: 1s, timeout: 500ms, confirm_after: 2}}
contracts:
  - name: web-sla
    service: {{targets: [web]}}
    timezone: Europe/Paris
    period: month
    target: 99
"""
    )
    return config


def start_agent(config: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "slawatch.cli", "run", "-c", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def scrape(port: int) -> str:
    deadline = time.monotonic() + 15
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as answer:
                return str(answer.read().decode())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def metric(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in /metrics")


def stop(agent: subprocess.Popen[bytes]) -> str:
    agent.send_signal(signal.SIGTERM)
    out, _ = agent.communicate(timeout=20)
    assert agent.returncode == 0, out.decode()
    return out.decode()


def test_outage_becomes_flips_and_metrics(tmp_path: Path, target: Target) -> None:
    port = free_port()
    config = write_config(tmp_path, target.url, port)
    agent = start_agent(config)
    try:
        scrape(port)
        time.sleep(3)
        target.healthy = False
        time.sleep(4)
        down_metrics = scrape(port)
        target.healthy = True
        time.sleep(3)
        up_metrics = scrape(port)
    finally:
        log = stop(agent)
    assert metric(down_metrics, 'probe_success{target="web"}') == 0
    assert metric(down_metrics, 'probe_http_status_code{target="web"}') == 503
    assert metric(up_metrics, 'probe_success{target="web"}') == 1
    assert "agent stopped" in log
    with Store.open(f"sqlite:///{tmp_path}/agent.db") as store:
        flips = store.flips(["web"], 0, 2**40)["web"]
    states = [f.state for f in flips]
    assert states == [State.UP, State.DOWN, State.UP, State.UNKNOWN], flips
    down, up_again = flips[1].t, flips[2].t
    assert 3 <= up_again - down <= 6  # about four seconds of 503s, to the probe


def test_kill_9_loses_nothing_reported_written_and_the_gap_is_unknown(
    tmp_path: Path, target: Target
) -> None:
    port = free_port()
    config = write_config(tmp_path, target.url, port)
    agent = start_agent(config)
    time.sleep(4)
    written = metric(scrape(port), "slawatch_samples_written_total")
    os.kill(agent.pid, signal.SIGKILL)
    agent.communicate(timeout=10)
    assert written >= 2
    time.sleep(3)
    restarted = start_agent(config)
    try:
        scrape(port)
        time.sleep(3)
    finally:
        stop(restarted)
    with Store.open(f"sqlite:///{tmp_path}/agent.db") as store:
        assert store.sample_count("web") >= written + 2
        flips = store.flips(["web"], 0, 2**40)["web"]
    assert State.DOWN not in [f.state for f in flips]
    assert [f.state for f in flips] == [State.UP, State.UNKNOWN, State.UP, State.UNKNOWN]
