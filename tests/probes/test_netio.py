"""The asyncio network backend under httpx: TCP and Unix sockets, with httpcore's errors."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import httpcore
import pytest

from slawatch.probes.netio import AsyncioBackend

pytestmark = pytest.mark.anyio


async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(await reader.readline())
    await writer.drain()
    writer.close()


async def test_a_unix_socket_carries_bytes_both_ways(tmp_path: Path) -> None:
    path = str(tmp_path / "echo.sock")
    server = await asyncio.start_unix_server(echo, path)
    async with server:
        stream = await AsyncioBackend().connect_unix_socket(path, timeout=1)
        await stream.write(b"ping\n")
        assert await stream.read(100) == b"ping\n"
        await stream.aclose()


async def test_a_missing_unix_socket_is_a_connect_error(tmp_path: Path) -> None:
    with pytest.raises(httpcore.ConnectError):
        await AsyncioBackend().connect_unix_socket(str(tmp_path / "none.sock"), timeout=1)


async def test_a_closed_tcp_port_is_a_connect_error() -> None:
    with socket.socket() as unused:  # a port nobody listens on: bound, never listening
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
        with pytest.raises(httpcore.ConnectError):
            await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=1)
