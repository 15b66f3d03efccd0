"""TCP connections and their TLS upgrade, on asyncio streams, for every probe that connects.

The http, tcp and tls probes connect the same way: a name resolves through
the loop's ``getaddrinfo`` and its addresses race with happy eyeballs (0.25 s apart,
as anyio and RFC 8305 do), run by aiohappyeyeballs (aiohttp's), since the probe
workers' loop, uvloop, has no ``happy_eyeballs_delay``; TLS is a separate step on the open
connection, so that ``connect`` and ``tls`` are timed apart, as blackbox_exporter does.

A connection is only ever aborted, never closed gracefully: the probe is done
with it, and its end may come after the deadline cancelled the probe, when
nothing may wait any more (no ``close_notify`` exchange, no ``wait_closed``, no
socket kept open while a peer that never reads holds unsent bytes).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from dataclasses import dataclass

import aiohappyeyeballs

HAPPY_EYEBALLS_DELAY = 0.25  # seconds between two addresses of one name
READ_LIMIT = 1 << 16  # bytes a stream buffers ahead of its reader


@dataclass(frozen=True, slots=True)
class Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    @property
    def tls(self) -> ssl.SSLObject | None:
        """The TLS session once upgraded (its peer certificate), else None."""
        tls: ssl.SSLObject | None = self.writer.get_extra_info("ssl_object")
        return tls

    def abort(self) -> None:
        """Drop the connection now; safe to call more than once."""
        self.writer.transport.abort()


async def connect(host: str, port: int) -> Connection:
    """A TCP connection to ``host:port``; raises the ``OSError`` that prevented it."""
    if _is_address(host):  # racing needs tasks: only worth it for a name
        reader, writer = await asyncio.open_connection(host, port, limit=READ_LIMIT)
    else:
        raced = await _raced(host, port)
        reader, writer = await asyncio.open_connection(sock=raced, limit=READ_LIMIT)
    return Connection(reader, writer)


async def _raced(host: str, port: int) -> socket.socket:
    """A socket connected to the first of ``host``'s addresses to answer."""
    loop = asyncio.get_running_loop()
    found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    if not found:  # as asyncio words it
        raise OSError("getaddrinfo() returned empty list")
    return await aiohappyeyeballs.start_connection(found, happy_eyeballs_delay=HAPPY_EYEBALLS_DELAY)


async def start_tls(connection: Connection, context: ssl.SSLContext, server_name: str) -> None:
    """Upgrade ``connection`` to TLS; raises the ``OSError`` (``ssl.SSLError``
    included) that prevented it. The caller aborts the connection on failure."""
    try:
        await connection.writer.start_tls(context, server_hostname=server_name)
    except ConnectionResetError as exc:
        if exc.args:  # a reset (ECONNRESET): a connection failure
            raise
        # asyncio's bare "connection lost": the server hung up mid-handshake, which
        # ssl itself reports as an EOF in violation of the protocol, a TLS failure.
        message = "EOF occurred in violation of protocol during the TLS handshake"
        raise ssl.SSLEOFError(ssl.SSL_ERROR_EOF, message) from exc


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
