"""The agent's HTTP server itself, on real sockets: where it listens, how long a
connection may idle, and which requests reach /metrics, /healthz and /ping."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from prometheus_client import CollectorRegistry, Gauge

from slawatch.agent.http.server import AgentServer, ListenError

PER_TARGET = (
    b'# HELP probe_success Whether\n# TYPE probe_success gauge\nprobe_success{target="web"} 1.0\n'
)
SLA = b"# HELP slawatch_test_sla An SLA series\n# TYPE slawatch_test_sla gauge\nslawatch_test_sla 1.0\n"


def serving(listen: str, read_timeout: float = 10.0) -> AgentServer:
    registry = CollectorRegistry()
    Gauge("slawatch_test_up", "Always 1", registry=registry).set(1)
    server = AgentServer(
        listen,
        registry,
        lambda: (True, {}),
        lambda name: name == "nightly-backup",
        probe_metrics=lambda: PER_TARGET,
        more_metrics=lambda: SLA,
        read_timeout=read_timeout,
    )
    server.start()
    return server


@pytest.fixture
def server() -> Iterator[AgentServer]:
    started = serving("127.0.0.1:0", read_timeout=0.5)
    yield started
    started.close()


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port of 127.0.0.1 on which something else listens."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


def test_query_strings_are_ignored_on_metrics_healthz_and_ping(server: AgentServer) -> None:
    """Prometheus sends a scrape config's ``params:`` as a query string."""
    base = f"http://127.0.0.1:{server.port}"
    metrics = httpx.get(f"{base}/metrics?module=http_2xx&target=web")
    assert metrics.status_code == 200
    assert "slawatch_test_up 1.0" in metrics.text
    assert httpx.get(f"{base}/healthz?verbose=1").json() == {"status": "ok"}
    ping = httpx.post(f"{base}/ping/nightly-backup?exit_code=0")
    assert (ping.status_code, ping.json()) == (200, {"status": "ok", "target": "nightly-backup"})
    assert httpx.get(f"{base}/nowhere?x=1").json()["error"] == "no such path: /nowhere"


@pytest.mark.parametrize(
    ("query", "served"),
    [
        ("", [PER_TARGET, b"slawatch_test_up 1.0", SLA]),
        ("?series=all", [PER_TARGET, b"slawatch_test_up 1.0", SLA]),
        ("?series=agent&module=x", [b"slawatch_test_up 1.0", SLA]),
        ("?series=targets", [PER_TARGET]),
    ],
)
def test_the_series_parameter_chooses_what_metrics_serves(
    server: AgentServer, query: str, served: list[bytes]
) -> None:
    """``series=agent`` keeps the per-target series (7+ lines a target) out of a scrape."""
    text = httpx.get(f"http://127.0.0.1:{server.port}/metrics{query}").content
    present = [part for part in (PER_TARGET, b"slawatch_test_up 1.0", SLA) if part in text]
    assert present == served
    assert [text.index(part) for part in present] == sorted(text.index(part) for part in present)


@pytest.mark.parametrize("query", ["?series=probes", "?series=agent&series=targets", "?series="])
def test_an_unknown_series_value_is_one_clear_error(server: AgentServer, query: str) -> None:
    answer = httpx.get(f"http://127.0.0.1:{server.port}/metrics{query}")
    assert (answer.status_code, answer.json()["error"]) == (
        400,
        "series must be one of all, agent, targets",
    )


@pytest.mark.parametrize("sent", [b"", b"GET /metr"], ids=["nothing", "half-a-request"])
def test_an_idle_connection_is_closed_after_the_read_timeout(
    server: AgentServer, sent: bytes
) -> None:
    """Each connection holds a thread: one that sends nothing must not hold it for ever."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as client:
        client.sendall(sent)
        start = time.monotonic()
        assert client.recv(1024) == b""  # closed by the server; a timeout here fails
        assert 0.4 < time.monotonic() - start < 3


def test_an_ipv6_address_is_served() -> None:
    server = serving("[::1]:0")
    try:
        answer = httpx.get(f"http://[::1]:{server.port}/metrics")
        assert (answer.status_code, "slawatch_test_up 1.0" in answer.text) == (200, True)
    finally:
        server.close()


def test_a_port_in_use_is_one_clear_error(busy_port: int) -> None:
    with pytest.raises(ListenError) as err:
        serving(f"127.0.0.1:{busy_port}")
    assert str(err.value) == (
        f"agent.listen 127.0.0.1:{busy_port}: address already in use (is another agent running?)"
    )


def test_an_address_not_of_this_host_is_one_clear_error() -> None:
    with pytest.raises(ListenError) as err:
        serving("192.0.2.1:9115")  # TEST-NET-1: on no interface here
    assert str(err.value) == "agent.listen 192.0.2.1:9115: Cannot assign requested address"
