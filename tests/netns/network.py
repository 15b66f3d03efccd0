"""Network namespaces for the locations test: three locations and the targets' place,
linked by veth pairs the test cuts, and PostgreSQL reached through a Unix socket.

Each location ``L<k>`` has two links: to the root namespace (``10.77.k.1`` there,
``10.77.k.2`` in the location), which carries its control target and its /metrics;
and to the targets' namespace (``10.78.k.2`` there, ``10.78.k.1`` in the location),
which carries the probes of the web target. PostgreSQL listens on 127.0.0.1 in the
root namespace, out of the locations' reach: a thread here forwards a Unix socket
(file systems are not namespaced) to it, and the agents connect to that socket.
Everything made here is removed by ``close``, whatever happened.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import subprocess
import tempfile
import threading
import uuid
from pathlib import Path

import pytest


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=20)


def in_ns(ns: str, *args: str) -> None:
    ip("netns", "exec", ns, "ip", *args)


def usable() -> str | None:
    """Why namespaces cannot be made here, or None when they can."""
    probe = f"swprobe{uuid.uuid4().hex[:6]}"
    try:
        ip("netns", "add", probe)
    except (OSError, subprocess.CalledProcessError) as exc:
        return f"ip netns is not permitted here: {exc}"
    ip("netns", "del", probe)
    return None


def require_namespaces() -> None:
    """Skip the test where namespaces cannot be made (not root), or fail it in CI,
    which must run it."""
    reason = "not root" if os.geteuid() != 0 else usable()
    if reason is not None:
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(reason)
        pytest.skip(reason)


class Network:
    """The namespaces and links; ``close`` deletes them."""

    def __init__(self, locations: int) -> None:
        tag = uuid.uuid4().hex[:5]
        self.targets_ns = f"sw{tag}t"
        self.locations = [f"sw{tag}l{k}" for k in range(1, locations + 1)]
        self._made: list[str] = []
        self._root_links: list[str] = []
        try:
            self._make(tag)
        except BaseException:
            self.close()
            raise

    def _make(self, tag: str) -> None:
        for ns in (self.targets_ns, *self.locations):
            ip("netns", "add", ns)
            self._made.append(ns)
            in_ns(ns, "link", "set", "lo", "up")
        for k, ns in enumerate(self.locations, start=1):
            root, inner = f"sw{tag}r{k}", f"sw{tag}i{k}"
            ip("link", "add", root, "type", "veth", "peer", "name", inner, "netns", ns)
            self._root_links.append(root)
            ip("addr", "add", f"10.77.{k}.1/24", "dev", root)
            ip("link", "set", root, "up")
            in_ns(ns, "addr", "add", f"10.77.{k}.2/24", "dev", inner)
            in_ns(ns, "link", "set", inner, "up")
            near, far = f"sw{tag}p{k}", f"sw{tag}q{k}"
            ip("link", "add", near, "netns", ns, "type", "veth", "peer", "name", far, "netns",
               self.targets_ns)  # fmt: skip
            in_ns(ns, "addr", "add", f"10.78.{k}.1/24", "dev", near)
            in_ns(ns, "link", "set", near, "up")
            in_ns(self.targets_ns, "addr", "add", f"10.78.{k}.2/24", "dev", far)
            in_ns(self.targets_ns, "link", "set", far, "up")
        self._tag = tag

    def cut_location(self, k: int, up: bool = False) -> None:
        """Location k's own network: both its links, from its side."""
        state = "up" if up else "down"
        ns = self.locations[k - 1]
        in_ns(ns, "link", "set", f"sw{self._tag}i{k}", state)
        in_ns(ns, "link", "set", f"sw{self._tag}p{k}", state)

    def cut_target(self, k: int, up: bool = False) -> None:
        """The targets' side of their link to location k."""
        in_ns(self.targets_ns, "link", "set", f"sw{self._tag}q{k}", "up" if up else "down")

    def close(self) -> None:
        for link in self._root_links:  # its peer in the namespace goes with it
            with contextlib.suppress(subprocess.CalledProcessError):
                ip("link", "del", link)
        for ns in self._made:
            with contextlib.suppress(subprocess.CalledProcessError):
                ip("netns", "del", ns)


class SocketToTcp:
    """Forwards connections on a Unix socket to ``(host, port)`` over TCP."""

    def __init__(self, host: str, port: int) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="swpg"))
        self.path = self.folder / f".s.PGSQL.{port}"  # what libpq looks for in host=FOLDER
        self._to = (host, port)
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(str(self.path))
        os.chmod(self.path, 0o777)
        self._server.listen(64)
        self._open: list[socket.socket] = []
        self._stopping = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stopping:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self._to)
            self._open += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        peers = {a: b, b: a}
        with contextlib.suppress(OSError):
            while True:
                ready, _, _ = select.select([a, b], [], [], 1.0)
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        raise OSError("closed")
                    peers[sock].sendall(data)
        for sock in (a, b):
            with contextlib.suppress(OSError):
                sock.close()

    def close(self) -> None:
        self._stopping = True
        self._server.close()
        for sock in self._open:
            with contextlib.suppress(OSError):
                sock.close()
        self.path.unlink(missing_ok=True)
        self.folder.rmdir()
