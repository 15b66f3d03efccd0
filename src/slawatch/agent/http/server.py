"""The agent's HTTP side: ``/metrics``, ``/healthz``, the heartbeat endpoint and the API.

A plain threaded ``http.server``: a scrape must be answered even while the event
loop is busy probing, and a report being rendered must not hold up a scrape.
The API (``/api/v1/...``, api.py) needs no framework either: its routes and
checks come from its OpenAPI document through a small router (routing.py), and
the standard library keeps the agent free of a web stack it would not use.

Each connection holds a thread, so none may hold it for ever: a request must
arrive within ``READ_TIMEOUT`` and its answer be taken within ``WRITE_TIMEOUT``
(reports can be large). ``agent.listen`` is ``HOST:PORT``, an IPv6 host in
brackets (``[::1]:9115``); an address that cannot be served is a ``ListenError``.
``GET /metrics?series=agent`` leaves out the per-target series (``probe_*``,
``slawatch_probes_total``, ...: seven lines or more a target, 22 MB at 50,000 targets),
``?series=targets`` serves those alone (Prometheus ``params:`` sets either); any other
query string on ``/metrics``, ``/healthz`` or ``/ping/NAME`` is ignored. A body
must come with a ``Content-Length``: chunked transfer encoding is refused (411), as
the API's bodies are small JSON documents.
"""

from __future__ import annotations

import errno
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import cast
from urllib.parse import parse_qs

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from slawatch.agent.http.api import MAX_BODY, PREFIX, Api, Response, error_response, json_response
from slawatch.errors import UserError

Health = Callable[[], tuple[bool, dict[str, object]]]
Ping = Callable[[str], bool]

READ_TIMEOUT = 10.0  # seconds to receive a request, or the connection is closed
WRITE_TIMEOUT = 60.0  # seconds for a client to take its whole answer


class ListenError(UserError):
    """``agent.listen`` cannot be served: in use, not an address of this host, ..."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True


class _Server6(_Server):
    address_family = socket.AF_INET6


class AgentServer:
    """Serves in a background thread until ``close``."""

    def __init__(  # noqa: PLR0913 (independent collaborators; the options keyword-only)
        self,
        listen: str,
        registry: CollectorRegistry,
        health: Health,
        ping: Ping,
        api: Api | None = None,
        *,
        probe_metrics: Callable[[], bytes] = bytes,
        more_metrics: Callable[[], bytes] = bytes,
        read_timeout: float = READ_TIMEOUT,
    ) -> None:
        """``probe_metrics``: the per-target series, served first; ``more_metrics``: series
        written elsewhere, served after the registry's."""
        handler = _handler(registry, health, ping, api, metrics=(probe_metrics, more_metrics))
        handler.timeout = read_timeout  # StreamRequestHandler sets it on each connection
        self._server = _bound(listen, handler)
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


def _bound(listen: str, handler: type[BaseHTTPRequestHandler]) -> _Server:
    """A server listening on ``listen`` (``HOST:PORT``, ``[IPV6]:PORT``); raises
    ``ListenError`` with one line that says why it cannot."""
    host, _, port = listen.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        family, *_, address = socket.getaddrinfo(
            host, int(port), type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, ValueError) as exc:
        raise ListenError(f"agent.listen {listen}: not an address of this host ({exc})") from None
    try:
        server_class = _Server6 if family == socket.AF_INET6 else _Server
        return server_class(cast("tuple[str, int]", address), handler)  # IPv6: 4 items
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise ListenError(
                f"agent.listen {listen}: address already in use (is another agent running?)"
            ) from None
        raise ListenError(f"agent.listen {listen}: {exc.strerror}") from None


def _handler(
    registry: CollectorRegistry,
    health: Health,
    ping: Ping,
    api: Api | None,
    *,
    metrics: tuple[Callable[[], bytes], Callable[[], bytes]],
) -> type[BaseHTTPRequestHandler]:
    """A handler class bound to this agent's registry (and the series written elsewhere:
    per target before it, the others after), health check, pings and API."""
    bound = {
        "registry": registry,
        "health": staticmethod(health),
        "ping": staticmethod(ping),
        "probe_metrics": staticmethod(metrics[0]),
        "more_metrics": staticmethod(metrics[1]),
    }
    return type("Handler", (_Handler,), {**bound, "api": api})


class _Handler(BaseHTTPRequestHandler):
    registry: CollectorRegistry
    health: Health
    ping: Ping
    api: Api | None
    probe_metrics: Callable[[], bytes]
    more_metrics: Callable[[], bytes]

    def serve(self) -> None:
        path = self.path.partition("?")[0]  # the API reads its own query strings
        if self.api is not None and path.startswith(PREFIX):
            self._answer(self._call_api(self.api))
        elif path in ("/metrics", "/healthz"):
            self._answer(self._probe_side(path) if self.command == "GET" else _not_allowed("GET"))
        elif path.startswith("/ping/") and self.command == "POST":
            self._answer(self._heartbeat(path.removeprefix("/ping/")))
        else:
            self._answer(error_response(404, f"no such path: {path}"))

    # Every method reaches ``serve``: the API answers 405 for those a path lacks.
    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = serve
    do_HEAD = do_OPTIONS = do_TRACE = do_QUERY = serve

    def _probe_side(self, path: str) -> Response:
        if path == "/metrics":
            return self._metrics(
                parse_qs(self.path.partition("?")[2], keep_blank_values=True).get("series", ["all"])
            )
        ok, detail = self.health()
        return json_response(200 if ok else 503, {"status": "ok" if ok else "unhealthy", **detail})

    def _metrics(self, series: list[str]) -> Response:
        if series not in (["all"], ["agent"], ["targets"]):
            return error_response(400, "series must be one of all, agent, targets")
        text = b"" if series == ["agent"] else self.probe_metrics()
        if series != ["targets"]:
            text += generate_latest(self.registry) + self.more_metrics()
        return Response(200, text, CONTENT_TYPE_LATEST)

    def _heartbeat(self, name: str) -> Response:
        if not name:
            return error_response(404, f"no such path: {self.path}")
        if self.ping(name):
            return json_response(200, {"status": "ok", "target": name})
        return error_response(404, f"no heartbeat target named {name!r}")

    def _call_api(self, api: Api) -> Response:
        if "Transfer-Encoding" in self.headers:
            self.close_connection = True  # the body stays unread
            return error_response(
                411, "send the body with a Content-Length: chunked transfer encoding is refused"
            )
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
        self.connection.settimeout(WRITE_TIMEOUT)
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
