"""httpcore's network I/O on plain asyncio streams, in place of its anyio backend.

httpx stays the HTTP library; only the layer that opens sockets and moves bytes
changes. Under load anyio's machinery around each connect, read and write (a task
group and cancel scopes on every connect, a cancel scope on every read and write,
each asking ``sniffio`` which loop runs) was ~13 % of a probe's own time in
cProfile, and dropping it cut the probing process's CPU by 13-18 % (at 100 and
300 probes/s, ``bench/bench_probes.py --anyio``). None of it is needed here: the
agent runs on asyncio, and the probe's deadline is ``recorder.guarded``'s, so
httpcore's own timeouts are ``None``.

What stays as with anyio: errors map onto the same httpcore exceptions, each
raised from the OS or ``ssl`` error that caused it (so ``failures.classify``
finds the same causes); names are resolved by ``getaddrinfo`` with happy
eyeballs (0.25 s) between addresses; a TLS stream is closed without waiting for
the server's ``close_notify`` (httpcore's ``standard_compatible=False``).
"""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
from collections.abc import Coroutine, Iterable
from typing import Any

import httpcore
from httpcore import (
    ConnectError,
    ConnectTimeout,
    ReadError,
    ReadTimeout,
    WriteError,
    WriteTimeout,
)

HAPPY_EYEBALLS_DELAY = 0.25  # seconds, as anyio's connect_tcp
READ_LIMIT = 1 << 16

SocketOption = (
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
)


class AsyncioStream(httpcore.AsyncNetworkStream):
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            async with asyncio.timeout(timeout):
                return await self._reader.read(max_bytes)
        except TimeoutError as exc:
            raise ReadTimeout(exc) from exc
        except OSError as exc:
            raise ReadError(exc) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        try:
            async with asyncio.timeout(timeout):
                self._writer.write(buffer)
                await self._writer.drain()
        except TimeoutError as exc:
            raise WriteTimeout(exc) from exc
        except OSError as exc:
            raise WriteError(exc) from exc

    async def aclose(self) -> None:
        # Aborted, never closed gracefully: no close_notify exchange (as anyio's
        # standard_compatible=False), and nothing left waiting on a peer that
        # does not read (this may run after the probe's deadline).
        self._writer.transport.abort()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError as exc:
            await self.aclose()
            raise ConnectTimeout(exc) from exc
        except ConnectionResetError as exc:
            await self.aclose()
            if exc.args:
                raise ConnectError(exc) from exc
            # asyncio's bare "connection lost" when the server hangs up mid-handshake:
            # said as ssl says it (and as the anyio backend reported it), a TLS failure.
            # Raised, not only chained: httpcore's pool re-raises with ``from None``,
            # so ``classify`` follows ``__context__``.
            try:
                message = "EOF occurred in violation of protocol during the TLS handshake"
                raise ssl.SSLEOFError(ssl.SSL_ERROR_EOF, message) from exc
            except ssl.SSLEOFError as eof:
                raise ConnectError(eof) from eof
        except OSError as exc:  # ssl.SSLError is an OSError
            await self.aclose()
            raise ConnectError(exc) from exc
        except BaseException:
            await self.aclose()
            raise
        return self

    def get_extra_info(self, info: str) -> Any:
        transport = self._writer.transport
        if info == "ssl_object":
            return transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return transport.get_extra_info("sockname")
        if info == "server_addr":
            return transport.get_extra_info("peername")
        if info == "socket":
            return transport.get_extra_info("socket")
        if info == "is_readable":
            sock = transport.get_extra_info("socket")
            return sock is not None and _readable(sock)
        return None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        opening = asyncio.open_connection(
            host,
            port,
            limit=READ_LIMIT,
            local_addr=None if local_address is None else (local_address, 0),
            # racing needs tasks: only worth it when a name may give several addresses
            happy_eyeballs_delay=None if _is_address(host) else HAPPY_EYEBALLS_DELAY,
        )
        return await _connected(opening, timeout, socket_options)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        opening = asyncio.open_unix_connection(path, limit=READ_LIMIT)
        return await _connected(opening, timeout, socket_options)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


async def _connected(
    opening: Coroutine[Any, Any, tuple[asyncio.StreamReader, asyncio.StreamWriter]],
    timeout: float | None,
    socket_options: Iterable[SocketOption] | None,
) -> AsyncioStream:
    """The stream ``opening`` connects, within ``timeout``, with httpcore's errors."""
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await opening
    except TimeoutError as exc:
        raise ConnectTimeout(exc) from exc
    except OSError as exc:
        raise ConnectError(exc) from exc
    sock = writer.get_extra_info("socket")
    for option in socket_options or ():
        sock.setsockopt(*option)
    return AsyncioStream(reader, writer)


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _readable(sock: Any) -> bool:
    from httpcore._utils import is_socket_readable

    return is_socket_readable(sock)
