"""Fixtures of the fault tests: a PostgreSQL cluster of their own, which they stop and
freeze, a fresh schema in it per test, and HTTP targets for the agent to probe.

The cluster is ``SLAWATCH_FAULTS_PG_CLUSTER`` (``VERSION/NAME``, default ``15/faults``)
reached at ``SLAWATCH_FAULTS_PG_URL`` (default port 5442); .ci/run creates and starts
it. Never the cluster other tests share (``main``): these tests stop it. Without root,
``pg_ctlcluster`` or that cluster, they skip, except under CI, where they fail.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import make_url

from agent.helpers import Target

CLUSTER = os.environ.get("SLAWATCH_FAULTS_PG_CLUSTER", "15/faults")
PG_URL = os.environ.get(
    "SLAWATCH_FAULTS_PG_URL", "postgresql+psycopg://slawatch:slawatch@127.0.0.1:5442/slawatch_test"
)


@dataclass(frozen=True)
class Cluster:
    """A PostgreSQL cluster the tests may stop, start and freeze."""

    version: str
    name: str
    url: str  # of the test database, without a schema

    def ctl(self, action: str, *options: str, check: bool = True) -> None:
        subprocess.run(
            ["pg_ctlcluster", self.version, self.name, action, *options],
            check=check,
            capture_output=True,
            timeout=60,
        )

    @contextlib.contextmanager
    def stopped(self) -> Iterator[None]:
        """Stopped (fast: sessions terminated) for the block; started again whatever happens."""
        try:
            self.ctl("stop", "-m", "fast")
            yield
        finally:
            self.ctl("start", check=False)  # fails only when it runs already
            self.ctl("status")

    @contextlib.contextmanager
    def frozen(self) -> Iterator[None]:
        """Every process of the cluster stopped with SIGSTOP for the block: connections
        stay open and answer nothing, new ones are accepted by the kernel and then
        hang, as a server that hangs does. Thawed (SIGCONT) whatever happens."""
        postmaster = self._postmaster()
        processes = [postmaster, *_children(postmaster)]  # the postmaster first: no new child
        try:
            for pid in processes:
                os.kill(pid, signal.SIGSTOP)
            yield
        finally:
            for pid in processes:
                os.kill(pid, signal.SIGCONT)

    def _postmaster(self) -> int:
        found = subprocess.run(
            ["pg_lsclusters", "--no-header", self.version, self.name],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        data = Path(found[5])  # Ver Cluster Port Status Owner Datadir Logfile
        return int((data / "postmaster.pid").read_text().split()[0])


def _children(parent: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rpartition(")")[2].split()
            if int(fields[1]) == parent:
                found.append(int(stat.parent.name))
    return found


def _unusable(reason: str) -> None:
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def cluster() -> Cluster:
    """The fault tests' own cluster, running."""
    version, _, name = CLUSTER.partition("/")
    if name == "main":
        pytest.fail("the fault tests stop their cluster: give them their own, not 15/main")
    if os.geteuid() != 0 or shutil.which("pg_ctlcluster") is None:
        _unusable("the fault tests drive pg_ctlcluster as root")
    own = Cluster(version, name, PG_URL)
    own.ctl("start", check=False)
    try:
        own.ctl("status")
    except subprocess.CalledProcessError:
        _unusable(f"no PostgreSQL cluster {CLUSTER} (see .ci/run to create it)")
    return own


@pytest.fixture
def faults_pg_url(cluster: Cluster) -> Iterator[str]:
    """An empty schema on the fault tests' cluster, dropped afterwards."""
    schema = f"faults_{uuid.uuid4().hex[:12]}"
    _admin(cluster.url, f"CREATE SCHEMA {schema}")
    url = make_url(cluster.url).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    cluster.ctl("start", check=False)
    _admin(cluster.url, f"DROP SCHEMA {schema} CASCADE")


def _admin(url: str, sql: str) -> None:
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, connect_timeout=10, autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture
def target() -> Iterator[Target]:
    server = Target()
    yield server
    server.close()
