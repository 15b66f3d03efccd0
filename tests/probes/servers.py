"""Real servers on 127.0.0.1 for the probes to talk to, each in its own thread.

``running(server)`` serves until the block ends and then closes the socket, so
no test leaks a listening socket (pytest runs with warnings as errors).
Handlers that must hang (a slow page, a silent peer) wait on ``RELEASE`` rather
than sleep, so that teardown never waits for them.
"""

from __future__ import annotations

import json
import socket
import socketserver
import ssl
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import NamedTuple
from urllib.parse import parse_qs, urlencode, urlsplit

import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset

RELEASE = threading.Event()  # set at the end of the session: hanging handlers return
HANG_LIMIT = 10.0  # seconds a handler hangs at most, should RELEASE never be set

HOME = b"<h1>Welcome</h1> version: 1.2.3"
HEALTH = {"status": {"database": "ok", "workers": 4}, "checks": [{"name": "s3", "up": True}]}
ZONE = {
    ("portal.example.", "A"): ("192.0.2.10", "192.0.2.11"),
    ("portal.example.", "MX"): ("10 mx.portal.example.",),
    ("www.example.", "CNAME"): ("portal.example.",),
}


class _Quiet:
    """Peers that hang up mid-request are expected here: no tracebacks on stderr."""

    def handle_error(self, request: object, client_address: object) -> None:
        pass


class _Tls(_Quiet, socketserver.TCPServer):
    """Wraps each accepted connection in TLS; the handshake runs in the handler's
    thread (on first read), so a client that rejects the certificate stalls nobody."""

    tls: ssl.SSLContext

    def get_request(self) -> tuple[socket.socket, object]:
        conn, address = self.socket.accept()
        return self.tls.wrap_socket(conn, server_side=True, do_handshake_on_connect=False), address


class _Pages(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        route: dict[str, Callable[[], object]] = {
            "/": lambda: self._answer(200, HOME),
            "/json": lambda: self._answer(200, json.dumps(HEALTH).encode(), "application/json"),
            "/status/503": lambda: self._answer(503, HOME),
            "/moved": lambda: self._redirect("/"),
            "/loop": lambda: self._redirect("/loop"),
            "/slow": lambda: RELEASE.wait(HANG_LIMIT),
            "/garbage": lambda: self.wfile.write(b"NOT HTTP AT ALL\r\n\r\n"),
            "/early-hints": self._early_hints,
            "/cut": lambda: self._cut(reset=False),
            "/reset-body": lambda: self._cut(reset=True),
        }
        route.get(self.path, lambda: self._answer(404, b"not found"))()

    def _answer(self, status: int, body: bytes, content_type: str = "text/html") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _early_hints(self) -> None:
        self.wfile.write(b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n")
        self._answer(200, HOME)

    def _cut(self, reset: bool) -> None:
        """Promises 100 bytes, sends 10, then hangs up (or resets: an RST)."""
        self.send_response(200)
        self.send_header("Content-Length", "100")
        self.end_headers()
        self.wfile.write(HOME[:10])
        self.wfile.flush()
        if reset:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


class HttpServer(_Quiet, ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Pages)


class HttpsServer(_Tls, HttpServer):
    def __init__(self, tls: ssl.SSLContext) -> None:
        self.tls = tls
        super().__init__()


class Seen(NamedTuple):
    method: str
    path: str
    headers: dict[str, str]  # names lowercased
    body: bytes


class _Recorded(BaseHTTPRequestHandler):
    """Notes each request; answers 200, or with ``?to=URL`` a redirect there (302),
    and with ``?cookie=NAME=VALUE`` sets that cookie."""

    server: RecordingServer

    def do_GET(self) -> None:
        size = int(self.headers.get("Content-Length", 0))
        headers = {name.lower(): value for name, value in self.headers.items()}
        self.server.seen.append(Seen(self.command, self.path, headers, self.rfile.read(size)))
        query = parse_qs(urlsplit(self.path).query)
        self.send_response(302 if "to" in query else 200)
        for name, values in (("Location", query.get("to")), ("Set-Cookie", query.get("cookie"))):
            if values:
                self.send_header(name, values[0])
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_PUT = do_DELETE = do_GET

    def log_message(self, format: str, *args: object) -> None:
        pass


class RecordingServer(_Quiet, ThreadingHTTPServer):
    def __init__(self) -> None:
        self.seen: list[Seen] = []
        super().__init__(("127.0.0.1", 0), _Recorded)

    def url(self, path: str = "/", **query: str) -> str:
        """This server's URL for ``path``, with ``query`` (``to``, ``cookie``) encoded."""
        encoded = "?" + urlencode(query) if query else ""
        return f"http://127.0.0.1:{self.server_address[1]}{path}{encoded}"


class _EchoLine(socketserver.StreamRequestHandler):
    """Sends back the first line it reads, then hangs up."""

    def handle(self) -> None:
        self.wfile.write(self.rfile.readline())


class EchoServer(_Quiet, socketserver.ThreadingTCPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _EchoLine)


class TlsEchoServer(_Tls, EchoServer):
    def __init__(self, tls: ssl.SSLContext) -> None:
        self.tls = tls
        super().__init__()


class _Silent(socketserver.BaseRequestHandler):
    """Accepts the connection and says nothing until the session ends."""

    def handle(self) -> None:
        RELEASE.wait(HANG_LIMIT)


class SilentServer(_Quiet, socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Silent)


class _AlpnEnforced(socketserver.BaseRequestHandler):
    """TLS for clients that offer ``ALPN`` by ALPN or offer nothing; any other offer
    gets the fatal alert RFC 7301 asks for (no_application_protocol), as nginx's
    stream module or Go's crypto/tls send. Python's ssl never sends it itself."""

    server: AlpnEnforcingServer

    def handle(self) -> None:
        self.request.settimeout(HANG_LIMIT)
        offered = offered_alpn(_peek_record(self.request))
        if offered is not None and ALPN not in offered:
            self.request.sendall(NO_APPLICATION_PROTOCOL)
            return
        with self.server.tls.wrap_socket(self.request, server_side=True) as tls:
            tls.recv(1)  # until the client hangs up


class AlpnEnforcingServer(_Quiet, socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, tls: ssl.SSLContext) -> None:
        self.tls = tls
        super().__init__(("127.0.0.1", 0), _AlpnEnforced)


ALPN = b"imap"
NO_APPLICATION_PROTOCOL = bytes([21, 3, 3, 0, 2, 2, 120])  # alert record: fatal, 120
_RECORD_HEADER = 5


def _peek_record(sock: socket.socket) -> bytes:
    """The first TLS record (the ClientHello), left unread for the handshake."""
    wanted = _RECORD_HEADER
    for _ in range(100):  # the client sends it at once; a few reads at most
        data = sock.recv(wanted, socket.MSG_PEEK)
        if len(data) >= _RECORD_HEADER:
            wanted = _RECORD_HEADER + int.from_bytes(data[3:5])
        if len(data) >= wanted or not data:
            return data
    return data


def offered_alpn(record: bytes) -> list[bytes] | None:
    """The protocols a ClientHello record offers by ALPN (extension 16); None if
    it has no ALPN extension."""
    hello = record[_RECORD_HEADER + 4 :]  # after the record and handshake headers
    at = 2 + 32  # version, random
    at += 1 + hello[at]  # session id
    at += 2 + int.from_bytes(hello[at : at + 2])  # cipher suites
    at += 1 + hello[at]  # compression methods
    end = at + 2 + int.from_bytes(hello[at : at + 2])
    at += 2
    while at < end:
        kind, size = int.from_bytes(hello[at : at + 2]), int.from_bytes(hello[at + 2 : at + 4])
        at += 4
        if kind == 16:
            names, found = hello[at + 2 : at + size], []
            while names:
                found.append(names[1 : 1 + names[0]])
                names = names[1 + names[0] :]
            return found
        at += size
    return None


class _Zone(socketserver.BaseRequestHandler):
    """Answers from ``ZONE``: NXDOMAIN for names it lacks, no records for types it lacks."""

    def handle(self) -> None:
        data, sock = self.request
        query = dns.message.from_wire(data)
        answer = dns.message.make_response(query)
        question = query.question[0]
        name, rdtype = question.name.to_text(), dns.rdatatype.to_text(question.rdtype)
        if (name, rdtype) in ZONE:
            rrset = dns.rrset.from_text_list(name, 60, "IN", rdtype, list(ZONE[name, rdtype]))
            answer.answer.append(rrset)
        elif all(known != name for known, _ in ZONE):
            answer.set_rcode(dns.rcode.NXDOMAIN)
        sock.sendto(answer.to_wire(), self.client_address)


class DnsServer(_Quiet, socketserver.ThreadingUDPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Zone)


@contextmanager
def running(server: socketserver.TCPServer) -> Iterator[int]:
    """Serve in a thread; yields the port."""
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def closed_port(kind: int = socket.SOCK_STREAM) -> int:
    """A port nothing listens on (free a moment ago)."""
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
