"""Servers on 127.0.0.1 (started once per session), trusted through a trustme CA."""

from __future__ import annotations

import socket
import ssl
from collections.abc import AsyncIterator, Iterator

import pytest
import trustme

from slawatch.probes import ProbeContext, open_context
from slawatch.probes.certs import Trust

from .helpers import CERT_NOT_AFTER
from .servers import (
    RELEASE,
    AlpnEnforcingServer,
    DnsServer,
    EchoServer,
    HttpServer,
    HttpsServer,
    RecordingServer,
    TlsEchoServer,
    running,
)


@pytest.fixture
def anyio_backend() -> tuple[str, dict[str, bool]]:
    return "asyncio", {"use_uvloop": True}  # the probe workers' loop (agent/workers.py)


@pytest.fixture(scope="session", autouse=True)
def _release_hanging_handlers() -> Iterator[None]:
    yield
    RELEASE.set()


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def trust(ca: trustme.CA) -> Trust:
    """Makes a client context trust the test CA (and nothing else)."""
    return ca.configure_trust


@pytest.fixture(scope="session")
def server_tls(ca: trustme.CA) -> ssl.SSLContext:
    cert = ca.issue_cert("127.0.0.1", "localhost", not_after=CERT_NOT_AFTER)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    return context


@pytest.fixture(scope="session")
def misnamed_server_tls(ca: trustme.CA) -> ssl.SSLContext:
    """A trusted certificate for another name than the one the probes dial."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("portal.example").configure_cert(context)
    return context


@pytest.fixture
async def context(trust: Trust) -> AsyncIterator[ProbeContext]:
    async with open_context(trust=trust) as opened:
        yield opened


@pytest.fixture(scope="session")
def http_url() -> Iterator[str]:
    with running(HttpServer()) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def https_url(server_tls: ssl.SSLContext) -> Iterator[str]:
    with running(HttpsServer(server_tls)) as port:
        yield f"https://127.0.0.1:{port}"


def _recording() -> Iterator[RecordingServer]:
    server = RecordingServer()
    with running(server):
        yield server


home = pytest.fixture(_recording, name="home")  # an HTTP server noting what it receives
away = pytest.fixture(_recording, name="away")  # another, on another port: another origin


@pytest.fixture(scope="session")
def echo_port() -> Iterator[int]:
    with running(EchoServer()) as port:
        yield port


@pytest.fixture(scope="session")
def tls_echo_port(server_tls: ssl.SSLContext) -> Iterator[int]:
    with running(TlsEchoServer(server_tls)) as port:
        yield port


@pytest.fixture(scope="session")
def misnamed_tls_port(misnamed_server_tls: ssl.SSLContext) -> Iterator[int]:
    with running(TlsEchoServer(misnamed_server_tls)) as port:
        yield port


@pytest.fixture(scope="session")
def alpn_port(server_tls: ssl.SSLContext) -> Iterator[int]:
    """TLS that refuses a client offering ALPN without ``imap`` (e.g. ``http/1.1``)."""
    with running(AlpnEnforcingServer(server_tls)) as port:
        yield port


@pytest.fixture(scope="session")
def dns_port() -> Iterator[int]:
    with running(DnsServer()) as port:
        yield port


@pytest.fixture
def silent_udp_port() -> Iterator[int]:
    """A UDP port that takes queries and never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sink:
        sink.bind(("127.0.0.1", 0))
        yield int(sink.getsockname()[1])
