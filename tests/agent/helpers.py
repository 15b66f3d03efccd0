"""What the agent tests share: HTTP targets on 127.0.0.1 switched by the test, a
config writer, the agent as a real process, its ``/metrics`` read back, and
polling with a deadline (never a long fixed sleep)."""

from __future__ import annotations

import signal
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from pathlib import Path
from typing import IO, TypeVar

from prometheus_client.parser import text_string_to_metric_families

from slawatch.sla.timeline import State
from slawatch.store.store import Store

T = TypeVar("T")


class Target:
    """An HTTP server on 127.0.0.1 whose health is switched by the test.

    ``healthy`` False answers 503; ``reachable`` False resets every connection
    without an answer, as a broken network would. ``delay`` holds each answer
    back. ``received`` counts requests as they arrive, ``answered`` the answers
    sent (each one a probe the agent completed). With ``tls`` (a server context)
    it speaks HTTPS.
    """

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.healthy = True
        self.reachable = True
        self.delay = 0.0
        self.received = 0
        self.answered = 0
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def handle(self) -> None:
                if not outer.reachable:
                    linger = struct.pack("ii", 1, 0)  # close with a reset, not a FIN
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
                    return
                super().handle()

            def do_GET(self) -> None:
                with outer._lock:
                    outer.received += 1
                time.sleep(outer.delay)
                self.send_response(200 if outer.healthy else 503)
                self.send_header("Content-Length", "0")
                self.end_headers()
                with outer._lock:
                    outer.answered += 1

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.scheme = "http" if tls is None else "https"
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server.server_address[1]}/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_config(  # noqa: PLR0913 (one knob per config setting a test varies, by keyword)
    path: Path,
    *,
    db: str,
    port: int,
    targets: dict[str, str],
    control: Sequence[str] = (),
    workers: int = 1,
    timeout: str = "500ms",
    location: str = "",
) -> Path:
    """An agent config: HTTP ``targets`` (name -> URL) probed every second with
    ``timeout``, confirmed after 2 failures, by ``workers`` processes, spooling to
    ``spool`` next to the config, probing from ``location`` ("": unnamed); contract
    ``web-sla`` (UTC, month) covers every target but the ``control`` ones."""
    agent = f'listen: "127.0.0.1:{port}", control_targets: [{", ".join(control)}]'
    if location:
        agent += f", location: {location}"
    spool = path.parent / f"spool{location}"
    lines = [
        f'database: {{url: "{db}"}}',
        f'agent: {{{agent}, workers: {workers}, spool_dir: "{spool}"}}',
        "targets:",
        *(
            f'  - {{name: {name}, kind: http, url: "{url}", interval: 1s, timeout: {timeout},'
            " confirm_after: 2}"
            for name, url in targets.items()
        ),
        "contracts:",
        "  - name: web-sla",
        f"    service: {{targets: [{', '.join(n for n in targets if n not in control)}]}}",
        "    timezone: UTC",
        "    period: month",
        "    target: 99",
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


class Metrics:
    """One scrape of ``/metrics``."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._samples = [
            (sample.name, sample.labels, sample.value)
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        ]

    def has(self, name: str, **labels: str) -> bool:
        return bool(self._matching(name, labels))

    def value(self, name: str, **labels: str) -> float:
        """The sum of the series called ``name`` whose labels include ``labels``."""
        values = self._matching(name, labels)
        assert values, f"{name}{labels or ''} not in /metrics:\n{self.text}"
        return sum(values)

    def count(self, name: str, **labels: str) -> float:
        """Like ``value``, but 0 for a labelled counter not incremented yet."""
        return sum(self._matching(name, labels))

    def _matching(self, name: str, labels: dict[str, str]) -> list[float]:
        return [
            value
            for sample_name, sample_labels, value in self._samples
            if sample_name == name and labels.items() <= sample_labels.items()
        ]


class AgentProcess:
    """``slawatch run -c CONFIG`` in its own process, its log in a file; ``prefix``
    is a command that runs it (e.g. ``setpriv`` with fewer privileges)."""

    def __init__(self, config: Path, port: int, log: Path, prefix: Sequence[str] = ()) -> None:
        self.port = port
        self.log_path = log
        self._log: IO[bytes] = log.open("ab")
        self.process = subprocess.Popen(
            [*prefix, sys.executable, "-m", "slawatch.cli", "run", "-c", str(config)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def scrape(self, timeout: float = 15) -> Metrics:
        """``/metrics``, waiting for the agent to serve it."""
        deadline = time.monotonic() + timeout
        while True:
            assert self.process.poll() is None, f"the agent exited:\n{self.log}"
            try:
                url = f"http://127.0.0.1:{self.port}/metrics"
                with urllib.request.urlopen(url, timeout=2) as answer:
                    return Metrics(answer.read().decode())
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def wait_for(
        self, condition: Callable[[Metrics], bool], what: str, timeout: float = 10
    ) -> Metrics:
        """The first scrape for which ``condition`` holds."""
        found: list[Metrics] = []

        def check() -> bool:
            found[:] = [self.scrape()]
            return condition(found[0])

        wait_until(check, what, timeout)
        return found[0]

    def signal(self, number: signal.Signals) -> None:
        self.process.send_signal(number)

    def stop(self) -> str:
        """SIGTERM, and the agent must exit 0; returns its log."""
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=20)
        self._log.close()
        assert self.process.returncode == 0, self.log
        return self.log

    def kill(self) -> None:
        """SIGKILL, if it is still running."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        self._log.close()


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 10) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` past ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def stored_outage(db: str, target: str = "web") -> int:
    """Seconds of the first outage of ``target`` in the store, 0 until the store has it
    up again (a down tail ending in unknown time is not an ended outage)."""
    with Store.open(db) as store:
        flips = store.flips([target], 0, 2**40)[target][""]
    ended = [
        (f.t, up.t) for f, up in pairwise(flips) if (f.state, up.state) == (State.DOWN, State.UP)
    ]
    return ended[0][1] - ended[0][0] if ended else 0


def mid_tick() -> float:
    """Sleep to the next half second and return it: targets probed every second run
    on whole seconds, so a switch made now falls between two probes of every target."""
    now = time.time()
    at = now - now % 1 + 0.5
    if at - now < 0.1:
        at += 1
    time.sleep(at - now)
    return at
