"""The agent's HTTP side: ``/metrics``, ``/healthz``, the heartbeat endpoint and the API.

A plain threaded ``http.server``: a scrape must be answered even while the event
loop is busy probing, and a report being rendered must not hold up a scrape.
The API (``/api/v1/...``, api.py) needs no framework either: its routes and
checks come from its OpenAPI document through a small router (routing.py), and
the standard library keeps the agent free of a web stack it would not use.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from slawatch.agent.http.api import MAX_BODY, PREFIX, Api, Response, error_response, json_response

Health = Callable[[], tuple[bool, dict[str, object]]]
Ping = Callable[[str], bool]


class AgentServer:
    """Serves in a background thread until ``close``."""

    def __init__(
        self,
        listen: str,
        registry: CollectorRegistry,
        health: Health,
        ping: Ping,
        api: Api | None = None,
        *,
        more_metrics: Callable[[], bytes] = bytes,
    ) -> None:
        host, _, port = listen.rpartition(":")
        handler = _handler(registry, health, ping, api, more_metrics)
        self._server = ThreadingHTTPServer((host.strip("[]"), int(port)), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.1,), daemon=True
        )  # shutdown waits up to one poll interval

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
    registry: CollectorRegistry,
    health: Health,
    ping: Ping,
    api: Api | None,
    more_metrics: Callable[[], bytes],
) -> type[BaseHTTPRequestHandler]:
    """A handler class bound to this agent's registry (and series written elsewhere,
    appended to it), health check, pings and API."""
    bound = {
        "registry": registry,
        "health": staticmethod(health),
        "ping": staticmethod(ping),
        "more_metrics": staticmethod(more_metrics),
    }
    return type("Handler", (_Handler,), {**bound, "api": api})


class _Handler(BaseHTTPRequestHandler):
    registry: CollectorRegistry
    health: Health
    ping: Ping
    api: Api | None
    more_metrics: Callable[[], bytes]

    def serve(self) -> None:
        if self.api is not None and self.path.startswith(PREFIX):
            self._answer(self._call_api(self.api))
        elif self.path in ("/metrics", "/healthz"):
            self._answer(self._probe_side() if self.command == "GET" else _not_allowed("GET"))
        elif self.path.startswith("/ping/") and self.command == "POST":
            self._answer(self._heartbeat(self.path.removeprefix("/ping/")))
        else:
            self._answer(error_response(404, f"no such path: {self.path}"))

    # Every method reaches ``serve``: the API answers 405 for those a path lacks.
    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = serve
    do_HEAD = do_OPTIONS = do_TRACE = do_QUERY = serve

    def _probe_side(self) -> Response:
        if self.path == "/metrics":
            text = generate_latest(self.registry) + self.more_metrics()
            return Response(200, text, CONTENT_TYPE_LATEST)
        ok, detail = self.health()
        return json_response(200 if ok else 503, {"status": "ok" if ok else "unhealthy", **detail})

    def _heartbeat(self, name: str) -> Response:
        if not name:
            return error_response(404, f"no such path: {self.path}")
        if self.ping(name):
            return json_response(200, {"status": "ok", "target": name})
        return error_response(404, f"no heartbeat target named {name!r}")

    def _call_api(self, api: Api) -> Response:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return error_response(400, "Content-Length must be a whole number")
        if not 0 <= length <= MAX_BODY:
            self.close_connection = True  # the body stays unread
            return error_response(413, f"the body must be at most {MAX_BODY} bytes")
        body = self.rfile.read(length)
        headers = {name.lower(): value for name, value in self.headers.items()}
        return api.handle(self.command, self.path, headers, body)

    def _answer(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: scrapes every 15 s would drown the agent's own log."""


def _not_allowed(allowed: str) -> Response:
    return error_response(405, f"only {allowed} is allowed here", headers={"Allow": allowed})
