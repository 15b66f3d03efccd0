"""The HTTP probe's transport: one fresh HTTP/1.1 connection per request, spoken with h11.

A monitor opens a new connection for every probe (reusing one would hide the
connect failures it exists to see), so a connection pool has nothing to pool and
only costs: httpcore's scans all its connections and queued requests on every
request (quadratic in the probes under way: four fifths of the process's time at
800 probes in flight), and its HTTP/1.1 connection takes an anyio lock, a
cancel-shielded yield to the loop, twice per request.

``FreshTransport`` is an ``httpx.AsyncBaseTransport``, the public interface that
httpx's own ``AsyncHTTPTransport`` implements: httpx still builds the request,
gives the redirects and decodes the body; the transport connects
(``connections``), speaks HTTP/1.1 through h11 (the protocol state machine
httpcore itself runs) and aborts the connection when httpx closes the response.
Its errors are httpx's classes, raised from the OS, ssl or h11 error that caused
them (``failures.classify`` reads the chain).

Each step is reported to the request's ``trace`` extension under httpcore's names
(``connection.connect_tcp``, ``connection.start_tls``, ``http11.send_request``,
``http11.receive_response_headers``, ``http11.receive_response_body``, each
``.started`` then ``.complete`` or ``.failed``); the http probe makes its phases
of them. No timeouts here: the probe's deadline is the only one.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import h11
import httpx

from slawatch.probes.connections import Connection, connect, start_tls

T = TypeVar("T")
Event = h11.Event | type[h11.PAUSED]
Trace = Callable[[str, dict[str, Any]], Awaitable[None]]  # httpx's "trace" extension
READ_SIZE = 1 << 16
MAX_HEAD = 100 * 1024  # bytes of a response's status line and headers, as httpcore allows
DEFAULT_PORTS = {"http": 80, "https": 443}


class FreshTransport(httpx.AsyncBaseTransport):
    """Sends each request on a connection of its own, aborted with the response."""

    def __init__(self, tls: Callable[[], ssl.SSLContext]) -> None:
        """``tls()``: the context for https URLs (its ALPN offer included), never
        changed here; asked for at the first https URL."""
        self._tls = tls

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        port = DEFAULT_PORTS.get(request.url.scheme)
        if port is None:
            message = f"Request URL has an unsupported protocol '{request.url.scheme}://'."
            raise httpx.UnsupportedProtocol(message, request=request)
        connection = await self._connect(request, request.url.port or port)
        exchange = _Exchange(connection, request)
        try:
            head = await exchange.send()
        except BaseException:
            connection.abort()
            raise
        return httpx.Response(
            status_code=head.status_code,
            headers=head.headers.raw_items(),
            stream=_Body(exchange),
            extensions={"http_version": b"HTTP/" + head.http_version, "reason_phrase": head.reason},
        )

    async def _connect(self, request: httpx.Request, port: int) -> Connection:
        host = request.url.host
        info = {"host": host, "port": port}
        try:
            connection = await _traced(
                request, "connection.connect_tcp", info, lambda: connect(host, port)
            )
        except OSError as exc:
            raise httpx.ConnectError(_text(exc), request=request) from exc
        if request.url.scheme == "https":
            await self._start_tls(request, connection, host)
        return connection

    async def _start_tls(self, request: httpx.Request, connection: Connection, host: str) -> None:
        tls = self._tls()
        info = {"ssl_context": tls, "server_hostname": host}
        try:
            await _traced(
                request, "connection.start_tls", info, lambda: _upgrade(connection, tls, host)
            )
        except BaseException as exc:
            connection.abort()
            if isinstance(exc, OSError):
                raise httpx.ConnectError(_text(exc), request=request) from exc
            raise


async def _upgrade(connection: Connection, tls: ssl.SSLContext, host: str) -> asyncio.StreamWriter:
    """TLS on ``connection``; returns its writer, whose ``ssl_object`` the trace's
    reader looks at (httpcore's ``start_tls`` returns the stream)."""
    await start_tls(connection, tls, host)
    return connection.writer


class _Exchange:
    """One request and its response on one connection, framed by h11."""

    def __init__(self, connection: Connection, request: httpx.Request) -> None:
        self.connection = connection
        self.request = request
        self._h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD)

    async def send(self) -> h11.Response:
        """Send the request, return the response's head."""
        await _traced(self.request, "http11.send_request", {}, self._send_request)
        return await _traced(self.request, "http11.receive_response_headers", {}, self._head)

    async def body(self) -> AsyncIterator[bytes]:
        """The response body's chunks, as they arrive."""
        while isinstance(event := await self._next_event(), h11.Data):
            yield bytes(event.data)

    async def _send_request(self) -> None:
        request = self.request
        assert isinstance(request.stream, httpx.AsyncByteStream)  # as httpx's transport has it
        try:
            head = h11.Request(
                method=request.method, target=request.url.raw_path, headers=request.headers.raw
            )
            data = [self._h11.send(head)]
            data += [self._h11.send(h11.Data(data=chunk)) async for chunk in request.stream]
            data.append(self._h11.send(h11.EndOfMessage()))
            self.connection.writer.write(b"".join(filter(None, data)))
            await self.connection.writer.drain()
        except h11.LocalProtocolError as exc:
            raise httpx.LocalProtocolError(str(exc), request=request) from exc
        except OSError as exc:
            raise httpx.WriteError(_text(exc), request=request) from exc

    async def _head(self) -> h11.Response:
        """The response's status line and headers (a 1xx answer skipped)."""
        while isinstance(event := await self._next_event(), h11.InformationalResponse):
            pass  # 100 Continue, 103 Early Hints: the answer is still to come
        if not isinstance(event, h11.Response):  # none known; never loop on one without reading
            message = f"{type(event).__name__} before the response"
            raise httpx.RemoteProtocolError(message, request=self.request)
        return event

    async def _next_event(self) -> Event:
        try:
            while (event := self._h11.next_event()) is h11.NEED_DATA:
                data = await self.connection.reader.read(READ_SIZE)
                if not data and self._h11.their_state is h11.SEND_RESPONSE:
                    raise httpx.RemoteProtocolError(
                        "Server disconnected without sending a response.", request=self.request
                    )
                self._h11.receive_data(data)
        except h11.RemoteProtocolError as exc:
            raise httpx.RemoteProtocolError(str(exc), request=self.request) from exc
        except OSError as exc:
            raise httpx.ReadError(_text(exc), request=self.request) from exc
        return event  # type: ignore[return-value]  # NEED_DATA was looped over


class _Body(httpx.AsyncByteStream):
    """The response body; closing it aborts the connection (never kept alive)."""

    def __init__(self, exchange: _Exchange) -> None:
        self._exchange = exchange

    async def __aiter__(self) -> AsyncIterator[bytes]:
        request = self._exchange.request
        await _trace(request, "http11.receive_response_body.started", {})
        try:
            async for chunk in self._exchange.body():
                yield chunk
        except GeneratorExit:  # closed before the end: nothing may be awaited
            raise
        except BaseException as exc:
            await _trace(request, "http11.receive_response_body.failed", {"exception": exc})
            raise
        await _trace(request, "http11.receive_response_body.complete", {})

    async def aclose(self) -> None:
        self._exchange.connection.abort()


async def _traced(
    request: httpx.Request, step: str, info: dict[str, Any], run: Callable[[], Awaitable[T]]
) -> T:
    """``run()``, reported to the request's ``trace`` extension as httpcore does."""
    trace: Trace | None = request.extensions.get("trace")
    if trace is None:
        return await run()
    await trace(f"{step}.started", info)
    try:
        value = await run()
    except BaseException as exc:
        await trace(f"{step}.failed", {"exception": exc})
        raise
    await trace(f"{step}.complete", {"return_value": value})
    return value


async def _trace(request: httpx.Request, event: str, info: dict[str, Any]) -> None:
    trace: Trace | None = request.extensions.get("trace")
    if trace is not None:
        await trace(event, info)


def _text(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__
