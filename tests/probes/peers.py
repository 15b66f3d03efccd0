"""Peers that misbehave, on 127.0.0.1, in the test's own event loop.

Each accepts TCP and then: says nothing (``SILENT``), sends one byte every
``TRICKLE_EVERY`` seconds for ever (``TRICKLE``), resets the connection at once
(``RESET``: ``SO_LINGER`` 0, then close, so the kernel sends an RST) or closes it
at once (``HANG_UP``). The trickle starts with what the client's protocol waits
on (``TRICKLE_STARTS``): the header of a 16 KiB TLS record, the start of an HTTP
status line, a DNS-over-TCP length; then filler bytes. A silent or trickling
peer counts the connections the client gave up (``Peer.dropped``): a probe that
ends must not leave its socket open.

``dns_peer`` answers every UDP query truncated (the TC flag), so the dns probe
falls back to TCP on the same port, where the misbehaviour waits.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
import struct
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from enum import StrEnum
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


class Misbehaviour(StrEnum):
    SILENT = "silent"
    TRICKLE = "trickle"
    RESET = "reset"
    HANG_UP = "hang-up"  # closes at once (FIN), politely


class Peer:
    """A TCP server misbehaving ``how`` to a client of ``protocol`` (a key of
    ``TRICKLE_STARTS``)."""

    def __init__(self, how: Misbehaviour, protocol: str) -> None:
        self.how = how
        self.start = TRICKLE_STARTS[protocol]
        self.port = 0
        self.accepted = 0
        self.dropped = 0  # connections the client closed or reset

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        try:
            if self.how is Misbehaviour.SILENT:
                await reader.read()  # nothing is ever sent: until the client hangs up
                self.dropped += 1
            elif self.how is Misbehaviour.TRICKLE:
                await self._trickle(writer)
            elif self.how is Misbehaviour.RESET:
                sock = writer.get_extra_info("socket")
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                writer.close()
        except OSError:
            self.dropped += 1  # the client reset the connection, or closed it under a write
        finally:
            writer.transport.abort()

    async def _trickle(self, writer: asyncio.StreamWriter) -> None:
        """One byte at a time, until the client is gone (a write then fails)."""
        for byte in itertools.chain(self.start, itertools.repeat(0x02, TRICKLE_LIMIT)):
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(TRICKLE_EVERY)


@asynccontextmanager
async def tcp_peer(how: Misbehaviour, protocol: str) -> AsyncIterator[Peer]:
    peer = Peer(how, protocol)
    server = await asyncio.start_server(peer.handle, "127.0.0.1", 0)
    async with server:
        peer.port = int(server.sockets[0].getsockname()[1])
        yield peer
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
async def dns_peer(how: Misbehaviour) -> AsyncIterator[Peer]:
    """UDP that sends the client to TCP, and TCP misbehaving ``how``, on one port."""
    loop = asyncio.get_running_loop()
    for _ in range(PORT_TRIES):  # the TCP port may be taken for UDP: try another
        async with AsyncExitStack() as stack:
            peer = await stack.enter_async_context(tcp_peer(how, "dns"))
            try:
                transport, _ = await loop.create_datagram_endpoint(
                    _Truncating, local_addr=("127.0.0.1", peer.port)
                )
            except OSError:
                continue
            stack.callback(transport.close)
            yield peer
            return
    raise RuntimeError(f"no port free for both TCP and UDP in {PORT_TRIES} tries")
