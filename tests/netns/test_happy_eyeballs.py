"""A name with two addresses, the first of them silent: the probe races them (RFC 8305).

In a network namespace of its own, ``twohomes.test`` resolves (the namespace's own
``/etc/hosts``, which ``ip netns exec`` mounts from ``/etc/netns/<ns>/``) to
``10.79.0.5``, whose packets go, by a fixed neighbour entry, to the far end of a
veth pair that has no such address and drops them without a word, then to
``10.79.2.1``, where an HTTP server answers. The namespace's ``gai.conf`` sorts the
silent address first. ``slawatch probe`` runs in the namespace: with happy
eyeballs, the second address is tried 0.25 s after the first and answers; without,
the probe would wait on the first until its timeout (2 s). Needs root; skips
elsewhere, fails in CI.
"""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from netns.network import in_ns, ip, require_namespaces

SILENT, ANSWERING = "10.79.0.5", "10.79.2.1"
NAME = "twohomes.test"
PORT = 8080


@pytest.fixture
def namespace() -> Iterator[str]:
    require_namespaces()
    ns = f"swhe{uuid.uuid4().hex[:6]}"
    files = Path("/etc/netns") / ns
    ip("netns", "add", ns)
    try:
        files.mkdir(parents=True)
        (files / "hosts").write_text(f"{SILENT} {NAME}\n{ANSWERING} {NAME}\n")
        # the silent address first (RFC 6724 rule 6), whatever else would sort them
        (files / "gai.conf").write_text(
            "precedence ::ffff:10.79.0.0/120 50\nprecedence ::ffff:0:0/96 10\n"
        )
        in_ns(ns, "link", "set", "lo", "up")
        in_ns(ns, "addr", "add", f"{ANSWERING}/32", "dev", "lo")
        in_ns(ns, "link", "add", "near", "type", "veth", "peer", "name", "far")
        in_ns(ns, "addr", "add", "10.79.0.1/24", "dev", "near")
        for end in ("near", "far"):
            in_ns(ns, "link", "set", end, "up")
        far = subprocess.run(
            in_namespace(ns, "cat", "/sys/class/net/far/address"),
            capture_output=True, text=True, timeout=20, check=True,
        ).stdout.strip()  # fmt: skip
        in_ns(ns, "neigh", "replace", SILENT, "lladdr", far, "dev", "near", "nud", "permanent")
        yield ns
    finally:
        for name in ("hosts", "gai.conf"):
            (files / name).unlink(missing_ok=True)
        if files.exists():
            files.rmdir()
        ip("netns", "del", ns)


def in_namespace(ns: str, *command: str) -> list[str]:
    return ["ip", "netns", "exec", ns, *command]


def test_the_probe_races_a_names_addresses(namespace: str, tmp_path: Path) -> None:
    order = subprocess.run(
        in_namespace(namespace, sys.executable, "-c", RESOLVE, NAME),
        capture_output=True, text=True, timeout=20, check=True,
    ).stdout.split()  # fmt: skip
    assert order == [SILENT, ANSWERING]  # the case to test, as the namespace has it

    config = tmp_path / "slawatch.yaml"
    config.write_text(
        'database: {url: "sqlite:///' + str(tmp_path / "db.sqlite") + '"}\n'
        f'targets:\n  - {{name: web, kind: http, url: "http://{NAME}:{PORT}/", timeout: 2s}}\n'
    )
    server = subprocess.Popen(
        in_namespace(namespace, sys.executable, "-m", "http.server", str(PORT),
                     "--bind", ANSWERING, "--directory", str(tmp_path)),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        subprocess.run(
            in_namespace(namespace, sys.executable, "-c", WAIT_FOR_PORT, ANSWERING, str(PORT)),
            timeout=20, check=True,
        )  # fmt: skip
        probed = subprocess.run(
            in_namespace(namespace, sys.executable, "-m", "slawatch.cli", "probe",
                         "-c", str(config), "web"),
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
    finally:
        server.kill()
        server.wait(timeout=10)
    assert probed.returncode == 0, probed.stdout + probed.stderr
    assert re.search(r"^outcome: ok$", probed.stdout, re.MULTILINE), probed.stdout
    connect = re.search(r"^\s+connect\s+([0-9.]+) s$", probed.stdout, re.MULTILINE)
    assert connect is not None, probed.stdout
    assert 0.25 <= float(connect.group(1)) < 1.0  # the second address, one delay later


RESOLVE = """\
import socket, sys
found = socket.getaddrinfo(sys.argv[1], 80, type=socket.SOCK_STREAM)
print(" ".join(address[0] for *_, address in found))
"""

WAIT_FOR_PORT = """\
import socket, sys, time
for _ in range(200):
    try:
        socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()
        break
    except OSError:
        time.sleep(0.05)
else:
    sys.exit("the server did not start")
"""
