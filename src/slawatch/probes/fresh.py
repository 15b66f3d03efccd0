"""httpx's transport without a connection pool: one fresh connection per request.

A monitor opens a new connection for every probe (reusing one would hide the
connect failures it exists to see), so httpcore's pool has nothing to pool and
only costs: on every request it scans all its connections and queued requests
(quadratic in the probes under way: at 800 probes in flight under load it was
four fifths of the process's time), and it adds an anyio event and lock round
per request. ``FreshConnections`` takes its place inside httpx's
``AsyncHTTPTransport`` (so httpx still maps errors and builds the response, and
pytest-httpx still mocks it): it connects through the network backend, runs the
request on httpcore's own HTTP/1.1 connection, and closes the connection when
httpx closes the response.

The steps ``connect_tcp`` and ``start_tls`` are traced exactly as httpcore's
``AsyncHTTPConnection`` traces them (``connection.<step>.started`` /
``.complete`` / ``.failed``), so the probe's phases are the same; the SSL
context offers ``http/1.1`` by ALPN (``certs.HTTP_ALPN``, as httpcore does
without HTTP/2) and is never changed here. No timeouts here: the
probe's deadline is the only one (``recorder.guarded``).
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, TypeVar

import httpcore

T = TypeVar("T")
_SCHEMES = (b"http", b"https")


class FreshConnections:
    """Sends each request on a connection of its own, closed with the response."""

    def __init__(self, tls: ssl.SSLContext, backend: httpcore.AsyncNetworkBackend) -> None:
        self._tls = tls
        self._backend = backend

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        origin = request.url.origin
        if origin.scheme not in _SCHEMES:
            raise httpcore.UnsupportedProtocol(
                f"Request URL has an unsupported protocol '{origin.scheme.decode()}://'."
            )
        stream = await self._connect(request, origin)
        connection = _SingleUse(origin, stream)
        try:
            response = await connection.handle_async_request(request)
        except BaseException:
            await connection.aclose()
            raise
        return httpcore.Response(
            status=response.status,
            headers=response.headers,
            content=_ClosingStream(response.stream, connection),
            extensions=response.extensions,
        )

    async def _connect(
        self, request: httpcore.Request, origin: httpcore.Origin
    ) -> httpcore.AsyncNetworkStream:
        host = origin.host.decode("ascii")
        tcp = {"host": host, "port": origin.port, "local_address": None, "timeout": None}
        stream = await _traced(
            request, "connect_tcp", tcp, lambda: self._backend.connect_tcp(host, origin.port)
        )
        if origin.scheme == b"https":
            server_hostname = request.extensions.get("sni_hostname") or host
            tls = {"ssl_context": self._tls, "server_hostname": server_hostname, "timeout": None}
            plain = stream
            stream = await _traced(
                request, "start_tls", tls, lambda: plain.start_tls(self._tls, server_hostname)
            )
        return stream

    async def aclose(self) -> None:
        """Nothing to do: each connection closes with its response."""

    async def __aenter__(self) -> FreshConnections:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class _SingleUse(httpcore.AsyncHTTP11Connection):
    """httpcore's HTTP/1.1 connection for one request: its state lock (an anyio lock,
    which yields to the loop on every acquire) guards against a second request that
    never comes."""

    def __init__(self, origin: httpcore.Origin, stream: httpcore.AsyncNetworkStream) -> None:
        super().__init__(origin, stream)
        self._state_lock = _NoLock()  # type: ignore[assignment]


class _NoLock:
    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *exc_info: object) -> None:
        return None


class _ClosingStream:
    """The response body; closing it closes the connection (never kept alive)."""

    def __init__(self, body: Any, connection: _SingleUse) -> None:
        self._body = body
        self._connection = connection

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._body:
            yield chunk

    async def aclose(self) -> None:
        await self._connection.aclose()


async def _traced(
    request: httpcore.Request, step: str, info: Mapping[str, Any], run: Callable[[], Awaitable[T]]
) -> T:
    """``run()``, reported to the request's ``trace`` extension as httpcore does."""
    trace = request.extensions.get("trace")
    if trace is None:
        return await run()
    await trace(f"connection.{step}.started", info)
    try:
        value = await run()
    except BaseException as exc:
        await trace(f"connection.{step}.failed", {"exception": exc})
        raise
    await trace(f"connection.{step}.complete", {"return_value": value})
    return value
