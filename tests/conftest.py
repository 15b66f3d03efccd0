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

from slawatch.exporters.store import Store

PG_URL = os.environ.get(
    "SLAWATCH_TEST_PG_URL",
    "postgresql+psycopg://slawatch:slawatch@127.0.0.1:5432/slawatch_test",
)
NOW = 1_790_000_000  # 2026-09-21T14:13:20Z, what the store fixture's clock says


@pytest.fixture(scope="session")
def postgres() -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """An autocommit connection to the test server, for creating schemas."""
    url = make_url(PG_URL)
    try:
        conn = psycopg.connect(
            url.set(drivername="postgresql").render_as_string(hide_password=False),
            connect_timeout=3,
            autocommit=True,
        )
    except psycopg.OperationalError as exc:
        reason = f"PostgreSQL at {url.render_as_string()} is unreachable: {exc}"
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(reason)
        pytest.skip(reason)
    with conn:
        yield conn


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/slawatch.db"
        return
    admin = request.getfixturevalue("postgres")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin.execute(f"CREATE SCHEMA {schema}")
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        admin.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def now() -> int:
    return NOW


@pytest.fixture
def store(db_url: str, now: int) -> Iterator[Store]:
    """A migrated store whose clock always says ``now``."""
    with Store.open(db_url, clock=lambda: now) as opened:
        yield opened
