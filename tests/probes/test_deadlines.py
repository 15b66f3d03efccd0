"""Every probe kind ends within its timeout whatever the peer does (issue 8, item 1).

A probe that never ends records no sample and every later run of its target is
skipped: the target reads unknown instead of down, and its downtime is never
billed. Each kind meets each misbehaving peer of ``peers`` (silent, trickle,
reset); all the cases run at once in one event loop, so the matrix takes about
one timeout. The heartbeat kind talks to no peer: it has nothing to wait on.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import uvloop
from click.testing import CliRunner, Result

from slawatch.cli import main
from slawatch.probes import Outcome, ProbeContext, ProbeResult, open_context, run_probe

from .helpers import target
from .peers import Misbehaviour, Peer, dns_peer, tcp_peer
from .servers import SilentServer, running

TIMEOUT = 0.5  # seconds, each probe's own
MARGIN = 0.3  # seconds a probe may take past its timeout to say so
HUNG = TIMEOUT + 3  # seconds after which a probe is deemed never to end (and cancelled)

KINDS: dict[str, tuple[str, Callable[[int], Any]]] = {  # the protocol spoken, the target
    "http": ("http", lambda port: target("http", url=f"http://127.0.0.1:{port}/")),
    "https": ("tls", lambda port: target("http", url=f"https://127.0.0.1:{port}/")),
    "tcp": (
        "text",
        lambda port: target("tcp", host="127.0.0.1", port=port, send="PING\n", expect="PONG"),
    ),
    "tcp-tls": ("tls", lambda port: target("tcp", host="127.0.0.1", port=port, tls=True)),
    "tls": ("tls", lambda port: target("tls", host="127.0.0.1", port=port)),
    "dns": (
        "dns",
        lambda port: target("dns", query_name="portal.example", resolver=f"127.0.0.1:{port}"),
    ),
}
EXPECTED = {
    Misbehaviour.SILENT: Outcome.TIMEOUT,
    Misbehaviour.TRICKLE: Outcome.TIMEOUT,
    Misbehaviour.RESET: Outcome.CONNECTION_FAILED,
}
CASES = [(kind, how) for kind in KINDS for how in EXPECTED]


class Ended(NamedTuple):
    result: ProbeResult | None  # None: still running after HUNG seconds
    seconds: float
    peer: Peer


async def _probe(kind: str, peer: Peer, context: ProbeContext) -> Ended:
    monitored = KINDS[kind][1](peer.port).model_copy(update={"timeout_ms": int(TIMEOUT * 1000)})
    started = time.perf_counter()
    try:
        result = await asyncio.wait_for(run_probe(monitored, context), HUNG)
    except TimeoutError:
        result = None
    return Ended(result, time.perf_counter() - started, peer)


async def _probe_all() -> dict[tuple[str, Misbehaviour], Ended]:
    async with open_context() as context, AsyncExitStack() as stack:
        peers = [await stack.enter_async_context(_peer(kind, how)) for kind, how in CASES]
        ended = await asyncio.gather(
            *(_probe(kind, peer, context) for (kind, _), peer in zip(CASES, peers, strict=True))
        )
        await _until_dropped(peers)
    return dict(zip(CASES, ended, strict=True))


def _peer(kind: str, how: Misbehaviour) -> AbstractAsyncContextManager[Peer]:
    protocol = KINDS[kind][0]
    return dns_peer(how) if protocol == "dns" else tcp_peer(how, protocol)


async def _until_dropped(peers: list[Peer]) -> None:
    """Wait (a second at most) for the silent and trickling peers to see their
    clients go: a trickle notices at its next byte."""
    waiting = [peer for peer in peers if peer.how in (Misbehaviour.SILENT, Misbehaviour.TRICKLE)]
    for _ in range(20):
        if all(peer.dropped == peer.accepted for peer in waiting):
            return
        await asyncio.sleep(0.05)


@pytest.fixture(scope="module")
def ended() -> dict[tuple[str, Misbehaviour], Ended]:
    return uvloop.run(_probe_all())


@pytest.mark.parametrize(("kind", "how"), CASES, ids=[f"{kind}-{how}" for kind, how in CASES])
def test_a_probe_ends_within_its_timeout(
    ended: dict[tuple[str, Misbehaviour], Ended], kind: str, how: Misbehaviour
) -> None:
    result, seconds, peer = ended[kind, how]
    assert result is not None, f"still running after {HUNG} s"
    assert seconds <= TIMEOUT + MARGIN
    assert result.outcome is EXPECTED[how], result
    assert peer.accepted >= 1
    if how is not Misbehaviour.RESET:
        assert peer.dropped == peer.accepted  # the probe let go of its connection


@pytest.fixture
def silent_port() -> Iterator[int]:
    with running(SilentServer()) as port:
        yield port


def test_the_probe_command_ends_on_a_silent_tls_peer(tmp_path: Path, silent_port: int) -> None:
    config = tmp_path / "slawatch.yaml"
    config.write_text(
        f'database: {{url: "sqlite:///{tmp_path}/slawatch.db"}}\n'
        "targets:\n"
        f"  - {{name: silent, kind: tls, host: 127.0.0.1, port: {silent_port}, timeout: 1s}}\n"
    )
    ran: list[Result] = []
    command = ["probe", "-c", str(config), "silent"]
    thread = threading.Thread(target=lambda: ran.append(CliRunner().invoke(main, command)))
    thread.daemon = True  # should it never end, the test still does
    thread.start()
    thread.join(1 + HUNG)
    assert ran, f"slawatch probe still running after {1 + HUNG} s"
    assert ran[0].exit_code == 1, ran[0].output
    assert "outcome: timeout" in ran[0].output
    assert "error: tls_timeout: no result within 1 s (during tls)" in ran[0].output
