"""One fresh connection per probe, closed by the probe, even when the server would keep it."""

from __future__ import annotations

import asyncio

import pytest

from slawatch.probes import Outcome, ProbeContext
from slawatch.probes.http import probe

from .helpers import target

pytestmark = pytest.mark.anyio

KEEP_ALIVE = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok"


async def test_each_probe_opens_its_own_connection_and_closes_it(
    context: ProbeContext,
) -> None:
    hung_up: list[bool] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(KEEP_ALIVE)
        await writer.drain()
        try:  # the client must hang up, not wait for another request's answer
            hung_up.append(await asyncio.wait_for(reader.read(), 2) == b"")
        finally:
            writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    async with server:
        port = server.sockets[0].getsockname()[1]
        monitored = target("http", url=f"http://127.0.0.1:{port}/")
        results = [await probe(monitored, context) for _ in range(3)]
        for _ in range(100):
            if len(hung_up) == 3:
                break
            await asyncio.sleep(0.01)
    assert [result.outcome for result in results] == [Outcome.OK] * 3
    assert hung_up == [True, True, True]
