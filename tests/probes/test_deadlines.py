"""Every probe kind ends within its timeout whatever the peer does (issue 8, item 1).

A probe that never ends records no sample and every later run of its target is
skipped: the target reads unknown instead of down, and its downtime is never
billed. Each kind meets each misbehaving peer of ``peers`` (silent, trickle,
reset); all the cases run at once in one event loop, so the matrix takes about
one timeout. The heartbeat kind talks to no peer: it has nothing to wait on.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from slawatch.probes import Outcome, ProbeContext, ProbeResult, open_context, run_probe

from .helpers import target
from .peers import Misbehaviour, dns_peer, tcp_peer
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
CASES = [(kind, how) for kind in KINDS for how in Misbehaviour]


class Ended(NamedTuple):
    result: ProbeResult | None  # None: still running after HUNG seconds
    seconds: float


async def _probe(kind: str, port: int, context: ProbeContext) -> Ended:
    monitored = KINDS[kind][1](port).model_copy(update={"timeout_ms": int(TIMEOUT * 1000)})
    started = time.perf_counter()
    try:
        result = await asyncio.wait_for(run_probe(monitored, context), HUNG)
    except TimeoutError:
        return Ended(None, time.perf_counter() - started)
    return Ended(result, time.perf_counter() - started)


async def _probe_all() -> dict[tuple[str, Misbehaviour], Ended]:
    async with open_context() as context, AsyncExitStack() as stack:
        ports = [await stack.enter_async_context(_peer(kind, how)) for kind, how in CASES]
        ended = await asyncio.gather(
            *(_probe(kind, port, context) for (kind, _), port in zip(CASES, ports, strict=True))
        )
    return dict(zip(CASES, ended, strict=True))


def _peer(kind: str, how: Misbehaviour) -> AbstractAsyncContextManager[int]:
    protocol = KINDS[kind][0]
    return dns_peer(how) if protocol == "dns" else tcp_peer(how, protocol)


@pytest.fixture(scope="module")
def ended() -> dict[tuple[str, Misbehaviour], Ended]:
    return asyncio.run(_probe_all())


@pytest.mark.parametrize(("kind", "how"), CASES, ids=[f"{kind}-{how}" for kind, how in CASES])
def test_a_probe_ends_within_its_timeout(
    ended: dict[tuple[str, Misbehaviour], Ended], kind: str, how: Misbehaviour
) -> None:
    result, seconds = ended[kind, how]
    assert result is not None, f"still running after {HUNG} s"
    assert seconds <= TIMEOUT + MARGIN
    assert result.outcome is EXPECTED[how], result


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
    command = [sys.executable, "-c", "from slawatch.cli import main; main()"]
    started = time.perf_counter()
    done = subprocess.run(
        [*command, "probe", "-c", str(config), "silent"],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "outcome: timeout" in done.stdout
    assert "error: tls_timeout: no result within 1 s (during tls)" in done.stdout
    assert time.perf_counter() - started < 10  # start-up included
