"""Peers that misbehave, on 127.0.0.1, in the test's own event loop.

Each accepts TCP and then: says nothing (``SILENT``), sends one byte every
``TRICKLE_EVERY`` seconds for ever (``TRICKLE``), or resets the connection at
once (``RESET``: ``SO_LINGER`` 0, then close, so the kernel sends an RST). The
trickle starts with what the client's protocol waits on (``TRICKLE_STARTS``): the
header of a 16 KiB TLS record, the start of an HTTP status line, a DNS-over-TCP
length; then filler bytes.

``dns_peer`` answers every UDP query truncated (the TC flag), so the dns probe
falls back to TCP on the same port, where the misbehaviour waits.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
import struct
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from enum import StrEnum
from functools import partial
from typing import cast

import dns.flags
import dns.message

TRICKLE_EVERY = 0.2  # seconds between two bytes
TRICKLE_STARTS = {
    "tls": b"\x16\x03\x03\x40\x00",  # a TLS handshake record of 16 KiB follows
    "http": b"HTTP/1.1 200 OK\r\n",
    "dns": b"\x40\x00",  # a 16 KiB DNS message follows
    "text": b"220 ",
}
TRICKLE_LIMIT = 200  # bytes at most (40 s): every loop in a test is bounded
PORT_TRIES = 20

Handler = Callable[[bytes, asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class Misbehaviour(StrEnum):
    SILENT = "silent"
    TRICKLE = "trickle"
    RESET = "reset"


async def _silent(start: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        await reader.read()  # until the client hangs up; nothing is ever sent
    finally:
        writer.transport.abort()


async def _trickle(
    start: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    data = itertools.chain(start, itertools.repeat(0x02, TRICKLE_LIMIT))
    try:
        for byte in data:
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(TRICKLE_EVERY)
    except OSError:
        pass  # the client hung up: what it should do
    finally:
        writer.transport.abort()


async def _reset(start: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


HANDLERS: dict[Misbehaviour, Handler] = {
    Misbehaviour.SILENT: _silent,
    Misbehaviour.TRICKLE: _trickle,
    Misbehaviour.RESET: _reset,
}


@asynccontextmanager
async def tcp_peer(how: Misbehaviour, protocol: str) -> AsyncIterator[int]:
    """A TCP server misbehaving ``how`` to a client of ``protocol`` (a key of
    ``TRICKLE_STARTS``); yields its port."""
    handler = partial(HANDLERS[how], TRICKLE_STARTS[protocol])
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    async with server:
        yield int(server.sockets[0].getsockname()[1])
        server.close()


class _Truncating(asyncio.DatagramProtocol):
    """Answers each query with an empty, truncated response."""

    transport: asyncio.DatagramTransport

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # Python 3.11's datagram transport does not derive from DatagramTransport
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        answer = dns.message.make_response(dns.message.from_wire(data))
        answer.flags |= dns.flags.TC
        self.transport.sendto(answer.to_wire(), addr)


@asynccontextmanager
async def dns_peer(how: Misbehaviour) -> AsyncIterator[int]:
    """UDP that sends the client to TCP, and TCP misbehaving ``how``, on one port."""
    loop = asyncio.get_running_loop()
    for _ in range(PORT_TRIES):  # the TCP port may be taken for UDP: try another
        async with AsyncExitStack() as stack:
            port = await stack.enter_async_context(tcp_peer(how, "dns"))
            try:
                transport, _ = await loop.create_datagram_endpoint(
                    _Truncating, local_addr=("127.0.0.1", port)
                )
            except OSError:
                continue
            stack.callback(transport.close)
            yield port
            return
    raise RuntimeError(f"no port free for both TCP and UDP in {PORT_TRIES} tries")
