"""The tcp probe: connect, optionally over TLS, optionally send text and expect an answer.

``open_stream`` is shared with the tls probe: TCP connect and TLS handshake are
timed apart (``connect``, ``tls``) by upgrading the plain connection
(``connections``), as blackbox_exporter does.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import TYPE_CHECKING

from slawatch.probes.certs import check_validity, peer_cert_expiry
from slawatch.probes.connections import Connection, connect, start_tls
from slawatch.probes.context import ProbeContext
from slawatch.probes.failures import ProbeFailure
from slawatch.probes.recorder import Recorder, guarded
from slawatch.probes.result import ProbeResult

if TYPE_CHECKING:  # a probe worker never imports the config package (records.py)
    from slawatch.config.targets import TcpTarget

EXPECT_WINDOW = 64 * 1024  # bytes of the answer searched for the expected text
_CHUNK = 4096


async def probe(target: TcpTarget, context: ProbeContext) -> ProbeResult:
    return await guarded(target.timeout_ms / 1_000, partial(_check, target, context))


async def _check(target: TcpTarget, context: ProbeContext, recorder: Recorder) -> None:
    tls = context.tls(target.verify_tls) if target.tls else None
    async with open_stream(target.host, target.port, tls, recorder) as connection:
        with recorder.span("processing"):
            if target.send is not None:
                connection.writer.write(target.send.encode())
                await connection.writer.drain()
            if target.expect is not None:
                await _expect(connection.reader, target.expect.encode())
    check_validity(recorder.cert_expiry, target.min_cert_validity, context.now())


@asynccontextmanager
async def open_stream(
    host: str, port: int, tls: ssl.SSLContext | None, recorder: Recorder
) -> AsyncIterator[Connection]:
    """A connection to ``host:port``, upgraded to TLS when ``tls`` is given, and
    aborted on exit; records ``connect``, ``tls`` and the certificate's expiry.

    Aborted, not closed: the exit may come after the deadline cancelled us, and a
    graceful close waits on the peer (``wait_closed`` after a cancelled
    ``start_tls`` never returns at all, so the probe never ended)."""
    with recorder.span("connect"):
        connection = await connect(host, port)
    try:
        if tls is not None:
            with recorder.span("tls"):
                await start_tls(connection, tls, host)
            recorder.saw_cert(peer_cert_expiry(connection.tls))
        yield connection
    finally:
        connection.abort()


async def _expect(reader: asyncio.StreamReader, expected: bytes) -> None:
    """Read until ``expected`` arrives; fail if the peer closes first."""
    seen = b""
    while expected not in seen:
        chunk = await reader.read(_CHUNK)
        if not chunk:
            raise ProbeFailure(
                "expect", f"connection closed before {expected!r}; got {seen[-200:]!r}"
            )
        seen = (seen + chunk)[-EXPECT_WINDOW:]
