"""The agent's HTTP side: ``/metrics``, ``/healthz`` and the heartbeat endpoint.

A plain threaded ``http.server``: three routes need no framework, and a scrape
must be answered even while the event loop is busy probing.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

Health = Callable[[], tuple[bool, dict[str, object]]]
Ping = Callable[[str], bool]


class AgentServer:
    """Serves in a background thread until ``close``."""

    def __init__(
        self, listen: str, registry: CollectorRegistry, health: Health, ping: Ping
    ) -> None:
        host, _, port = listen.rpartition(":")
        handler = _handler(registry, health, ping)
        self._server = ThreadingHTTPServer((host.strip("[]"), int(port)), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


def _handler(
    registry: CollectorRegistry, health: Health, ping: Ping
) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/metrics":
                self._send(200, generate_latest(registry), CONTENT_TYPE_LATEST)
            elif self.path == "/healthz":
                ok, detail = health()
                self._json(200 if ok else 503, {"status": "ok" if ok else "unhealthy", **detail})
            else:
                self._json(404, {"error": f"no such path: {self.path}"})

        def do_POST(self) -> None:
            name = self.path.removeprefix("/ping/")
            if name == self.path or not name:
                self._json(404, {"error": f"no such path: {self.path}"})
            elif ping(name):
                self._json(200, {"status": "ok", "target": name})
            else:
                self._json(404, {"error": f"no heartbeat target named {name!r}"})

        def _json(self, code: int, body: dict[str, object]) -> None:
            self._send(code, json.dumps(body).encode() + b"\n", "application/json")

        def _send(self, code: int, body: bytes, content_type: str) -> None:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: scrapes every 15 s would drown the agent's own log."""

    return Handler
