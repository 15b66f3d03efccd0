"""Database fixtures: a fresh database per test, over SQLite and PostgreSQL.

PostgreSQL comes from ``SLAWATCH_TEST_PG_URL`` (default: the local test role);
each test gets its own schema, dropped afterwards. An unreachable server skips
those tests, except under CI (``CI`` set), where it fails them: CI must not
skip PostgreSQL.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import make_url

from slawatch.store.store import Store

PG_URL = os.environ.get(
    "SLAWATCH_TEST_PG_URL",
    "postgresql+psycopg://slawatch:slawatch@127.0.0.1:5432/slawatch_test",
)
NOW = 1_790_000_000  # 2026-09-21T14:13:20Z, what the store fixture's clock says


class PgAdmin:
    """An autocommit connection to the test server, for creating and dropping
    schemas; it reconnects once after the server restarted (tests/agent does that)."""

    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo
        self._conn = self._connect()

    def execute(self, sql: str) -> None:
        try:
            self._conn.execute(sql)
        except psycopg.OperationalError:
            if not self._conn.broken:
                raise
            self._conn.close()
            self._conn = self._connect()
            self._conn.execute(sql)

    def close(self) -> None:
        self._conn.close()

    def _connect(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self._conninfo, connect_timeout=3, autocommit=True)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PgAdmin]:
    """The test server's admin side, for creating schemas."""
    url = make_url(PG_URL)
    try:
        admin = PgAdmin(url.set(drivername="postgresql").render_as_string(hide_password=False))
    except psycopg.OperationalError as exc:
        reason = f"PostgreSQL at {url.render_as_string()} is unreachable: {exc}"
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(reason)
        pytest.skip(reason)
    yield admin
    admin.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/slawatch.db"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def pg_url(postgres: PgAdmin) -> Iterator[str]:
    """The URL of an empty PostgreSQL database: a fresh schema, dropped afterwards."""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    postgres.execute(f"CREATE SCHEMA {schema}")
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        postgres.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def now() -> int:
    return NOW


@pytest.fixture
def store(db_url: str, now: int) -> Iterator[Store]:
    """A migrated store whose clock always says ``now``."""
    with Store.open(db_url, clock=lambda: now) as opened:
        yield opened
